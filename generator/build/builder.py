"""`kiyaku build`: the pipeline from sources to rendered/<variant>/ (`kiyaku verify`: generator/build/verify.py).

build() reads as the pipeline, one function per stage:
    gather   read every source file once and hash it (generator/source/_cache.py: Snapshot)
    check    lint, reusing cached results; no output from sources that fail it
    decide   which variants changed: an unchanged variant whose files are intact needs no work
             at all, not even parsing (generator/build/_state.py)
    render   what changed, across processes, through the output cache (generator/build/_outputs.py)
    publish  once, atomically: the whole rendered/ tree is exchanged (generator/source/_writer.py)
Everything is gathered, checked and rendered before anything is written; a failed build leaves
rendered/ untouched. `kiyaku verify` renders everything again without any cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .. import __version__, render
from ..compile.document import NumberedDocument
from ..compile.pipeline import compile_variant, load, require_variant
from ..source import _git, _writer
from ..source import _outdir, _trust
from ..source._cache import CACHE_DIR, Parser, Snapshot, Store, canonical_json, digest, file_digest
from ..source.errors import Finding, KiyakuError, Location, OutputError, RenderError, SourceError
from ..source.load import Project, load_project
from ._outputs import Unit, UnitResult, run_unit, split
from ._pool import Pool, Progress, default_jobs
from ._state import MANIFEST, FileRecord, State, VariantRecord

JST = dt.timezone(dt.timedelta(hours=9))
PARSE_IN_PARALLEL = 16  # files to parse before it pays to hand them to the workers


@dataclass(frozen=True)
class RenderedVariant:
    variant_id: str
    files: dict[str, bytes]  # file name -> bytes, manifest.json included
    manifest: dict


@dataclass(frozen=True)
class Produced:
    """One file of a build: how it was obtained ("rendered", "cached" = output cache, "kept" = left in place)."""

    variant_id: str
    format: str
    name: str
    sha256: str
    size: int
    how: str


@dataclass
class BuildResult:
    out: Path
    variants: list[str] = field(default_factory=list)
    files: list[Produced] = field(default_factory=list)
    published: bool = False  # False when nothing had to change in rendered/ (or --draft)

    @property
    def rendered(self) -> list[tuple[str, str]]:
        """(variant, format) pairs a renderer produced in this build."""
        return [(f.variant_id, f.format) for f in self.files if f.how == "rendered"]

    @property
    def reused(self) -> list[tuple[str, str]]:
        """(variant, format) pairs taken from rendered/ or the output cache, unrendered."""
        return [(f.variant_id, f.format) for f in self.files if f.how != "rendered"]


def source_date_epoch(doc: NumberedDocument) -> int:
    """The one timestamp embedded in outputs: SOURCE_DATE_EPOCH, else the issue date 00:00 JST.

    Taken from the content (not the clock or the commit) so the same sources give the same bytes.
    """
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return int(env)
    return int(dt.datetime.combine(doc.issued, dt.time(0, 0), JST).timestamp())


def renderer_versions() -> dict[str, str]:
    """Versions of everything that shapes the bytes, recorded in each manifest."""
    return dict(_renderer_versions())


@functools.cache
def _renderer_versions() -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    versions = {"kiyaku": __version__}
    for dist in ("Jinja2", "docxtpl", "python-docx", "typst", "noto-cjk-sans-jp-regular", "noto-cjk-sans-jp-bold"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return tuple(versions.items())


def _versions_json() -> str:
    return canonical_json(renderer_versions()).decode("utf-8")


def render_context(project: Project, root: Path, doc: NumberedDocument) -> render.RenderContext:
    """What renderers get besides the document: the variant's own template and the fixed timestamp."""
    variant = project.variants[doc.variant_id]
    origin = project.where(project.variant_files[doc.variant_id], ("template",)) if variant.template else None
    return render.RenderContext(root=str(root), timestamp=source_date_epoch(doc), template=variant.template,
                                template_origin=origin)


def _manifest_base(doc: NumberedDocument, timestamp: int, entries: dict[str, dict]) -> dict:
    return {"variant": doc.variant_id, "provider": doc.provider, "edition": doc.edition, "issued": doc.issued.isoformat(),
            "source_date_epoch": timestamp, "files": entries, "renderers": renderer_versions()}


def _manifest_bytes(base: dict, commit: _git.CommitInfo | None) -> bytes:
    manifest = dict(base, source_commit=commit.sha if commit else None, source_dirty=commit.dirty if commit else None)
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _unit(project: Project, root: Path, doc: NumberedDocument, formats: tuple[str, ...], store: Store,
          template_digest: str | None = None) -> Unit:
    context = render_context(project, root, doc)
    if template_digest is None:
        template_digest = file_digest(root, context.template)
    return Unit(doc.variant_id, doc, formats, context, template_digest, _versions_json(), store)


def _raise(result: UnitResult) -> None:
    if result.error is not None:
        cls = {c.__name__: c for c in (SourceError, RenderError, OutputError)}.get(result.error, KiyakuError)
        raise cls(list(result.findings))


def _assemble(doc: NumberedDocument, timestamp: int, results: list[UnitResult],
              commit: _git.CommitInfo | None) -> tuple[RenderedVariant, dict]:
    """Files and manifest of one variant from its units' outputs (the manifest lists files by name)."""
    files: dict[str, bytes] = {}
    entries: dict[str, dict] = {}
    for result in results:
        for output in result.outputs:
            files[output.name] = output.data
            entries[output.name] = {"format": output.format, "sha256": output.sha256, "size": len(output.data)}
    base = _manifest_base(doc, timestamp, entries)
    files[MANIFEST] = _manifest_bytes(base, commit)
    return RenderedVariant(doc.variant_id, files, dict(base, source_commit=commit.sha if commit else None,
                                                       source_dirty=commit.dirty if commit else None)), base


def render_variant(project: Project, root: Path, variant_id: str, formats: list[str],
                   commit: _git.CommitInfo | None, on_file: Callable[[str, str], None] | None = None,
                   store: Store | None = None) -> RenderedVariant:
    """One variant in the given formats with its manifest.json, in this process (the website uses it).

    store: an output cache to read and fill. By default the build's cache is read if there is one
    (after `kiyaku build`, the website takes its 100 resellers' files from it instead of rendering
    them again) and never written, so a fresh clone gets no new files. Entries are verified and
    keyed by the document itself, so this gives exactly the bytes a render would.
    """
    if store is None:
        existing = Path(root) / CACHE_DIR
        store = Store.open(root, enabled=existing.is_dir(), writable=False)  # never a .kiyaku/ that is not ours
    doc = compile_variant(project, variant_id)
    result = run_unit(_unit(project, Path(root), doc, tuple(formats), store))
    _raise(result)
    if on_file:
        for output in result.outputs:
            on_file(variant_id, output.format)
    return _assemble(doc, source_date_epoch(doc), [result], commit)[0]


def _check_formats(formats: list[str]) -> None:
    unknown = [f for f in formats if f not in render.REGISTRY]
    if unknown:
        raise RenderError(Finding(Location("<コマンドライン>"), "C003", f"形式「{', '.join(unknown)}」はありません。",
                                  f"使える形式: {', '.join(render.REGISTRY)}"))


# --- The stages of build() -------------------------------------------------------------------

@dataclass
class Sources:
    """Stage 1: the snapshot of every source file and a parser that remembers parsed files."""

    root: Path
    snapshot: Snapshot
    parser: Parser
    project: Project | None = None  # loaded only when some variant needs work

    def load(self) -> Project:
        if self.project is None:
            self.project = load_project(self.snapshot, self.parser)
        return self.project


def gather(root: Path, store: Store, pool: Pool) -> Sources:
    """Read every source once; on a cold cache parse the files in the workers (ruamel: 20-40 ms a file)."""
    if not (root / "terms").is_dir():
        load(root)  # raises the F002 message
    snapshot = Snapshot.take(root)
    parser = Parser(store)
    missing = parser.missing(snapshot)
    if pool.jobs > 1 and len(missing) >= PARSE_IN_PARALLEL:
        tasks = [(f"{snapshot.label}{relpath}", snapshot.files[relpath]) for relpath in missing]
        for key, parsed in pool.map(_parse_task, tasks):
            if parsed is not None:
                parser.memo[key] = parsed
                store.put_parsed(key, parsed)
    return Sources(root, snapshot, parser)


def _parse_task(task: tuple[str, bytes]):
    from ..source._cache import parse_for_cache

    return parse_for_cache(*task)


def check(sources: Sources, store: Store) -> dict[str, NumberedDocument]:
    """Stage 2: lint (outputs are evidence: never publish from sources that fail it); documents it numbered."""
    from ..lint.checks import check as lint_check

    checked = lint_check(sources.root, sources.snapshot, store, sources.parser)
    errors = [f for f in checked.findings if f.severity == "error"]
    if errors:
        raise SourceError(errors)
    sources.project = checked.project
    return checked.docs


@dataclass
class Plan:
    """Stage 3: what to do for each chosen variant."""

    kept: dict[str, dict[str, FileRecord]] = field(default_factory=dict)  # variant -> its intact files
    work: list[str] = field(default_factory=list)  # variants to compile and render (or take from the output cache)
    keys: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)  # work variant -> (source key, template, its digest)


def source_key(sources: Sources, variant_id: str, template: str | None, template_digest: str | None = None) -> str:
    """Everything a variant's files depend on (the level-1 key); template_digest as read for its render."""
    snapshot = sources.snapshot
    relpath = snapshot.variant_files.get(variant_id, "")
    if template_digest is None:
        template_digest = file_digest(sources.root, template)
    return digest("source", _versions_json(), os.environ.get("SOURCE_DATE_EPOCH", "").strip(),
                  snapshot.variant_key(relpath), snapshot.releases_key(variant_id), template or "", template_digest)


def decide(sources: Sources, chosen: list[str], formats: list[str], state: State) -> Plan:
    plan = Plan()
    for variant_id in chosen:
        record = state.variants.get(variant_id)
        if (record is not None and sorted(record.formats) == sorted(formats)
                and record.source_key == source_key(sources, variant_id, record.template)
                and (files := state.intact(variant_id)) is not None):
            plan.kept[variant_id] = files
        else:
            plan.work.append(variant_id)
    return plan


def render_changed(sources: Sources, plan: Plan, docs: dict[str, NumberedDocument], formats: list[str],
                   store: Store, pool: Pool, progress: Progress) -> dict[str, tuple[NumberedDocument, list[UnitResult]]]:
    """Stage 4: compile the changed variants (unless lint just did) and render them across the workers."""
    if not plan.work:
        return {}
    project = sources.load()
    for variant_id in plan.work:
        if variant_id not in docs:
            docs[variant_id] = compile_variant(project, variant_id)
        template = project.variants[variant_id].template
        template_digest = file_digest(sources.root, template)  # read once: the key and the render agree
        plan.keys[variant_id] = (source_key(sources, variant_id, template, template_digest), template, template_digest)
    units = [_unit(project, sources.root, docs[v], group, store, plan.keys[v][2])
             for v, group in split(plan.work, formats, pool.jobs)]
    return _run_units(units, docs, pool, progress)


def _run_units(units: list[Unit], docs: dict[str, NumberedDocument], pool: Pool,
               progress: Progress) -> dict[str, tuple[NumberedDocument, list[UnitResult]]]:
    def seen(result: UnitResult) -> None:
        _raise(result)  # the first error stops the build (the pool cancels what has not started)
        done = sum(o.how == "rendered" for o in result.outputs)
        progress.advance(done, len(result.outputs) - done)

    progress.start(len(units), "描画")
    try:
        results = pool.map(run_unit, units, seen)
    finally:
        progress.finish()
    by_variant: dict[str, tuple[NumberedDocument, list[UnitResult]]] = {}
    for result in results:
        by_variant.setdefault(result.variant_id, (docs[result.variant_id], []))[1].append(result)
    return by_variant


def publish(sources: Sources, out_dir: Path, plan: Plan, rendered: dict[str, tuple[NumberedDocument, list[UnitResult]]],
            formats: list[str], state: State, draft: bool) -> BuildResult:
    """Stage 5: one atomic exchange of rendered/ (skipped when nothing changed), then the new state."""
    commit = _git.head(sources.root)
    stamp = (commit.sha, commit.dirty) if commit else (None, None)
    result = BuildResult(out_dir)
    folders: dict[str, dict[str, bytes | Path]] = {}
    fresh: dict[str, VariantRecord] = {}
    for variant_id in sorted(set(plan.kept) | set(rendered)):
        result.variants.append(variant_id)
        if variant_id in rendered:
            doc, units = rendered[variant_id]
            timestamp = source_date_epoch(doc)
            files, base = _assemble(doc, timestamp, units, commit)
            folders[variant_id] = dict(files.files)
            key, template, template_digest = plan.keys[variant_id]
            if file_digest(sources.root, template) == template_digest:  # else saved meanwhile: no record, render again next time
                fresh[variant_id] = VariantRecord(key, template, sorted(formats), base, {}, stamp)
            for unit in units:
                for o in unit.outputs:
                    result.files.append(Produced(variant_id, o.format, o.name, o.sha256, len(o.data), o.how))
        else:
            record, files_now = state.variants[variant_id], plan.kept[variant_id]
            if record.commit != stamp:  # a new commit: the same files, a new manifest.json
                folders[variant_id] = {name: out_dir / variant_id / name for name in files_now if name != MANIFEST}
                folders[variant_id][MANIFEST] = _manifest_bytes(record.manifest, commit)
            fresh[variant_id] = VariantRecord(record.source_key, record.template, record.formats, record.manifest,
                                              files_now, stamp)
            for name, entry in sorted(record.manifest["files"].items()):
                result.files.append(Produced(variant_id, entry["format"], name, entry["sha256"], entry["size"], "kept"))
    if draft or (not folders and out_dir.is_dir()):
        changed = {v: r for v, r in fresh.items() if state.variants.get(v) != r}
        state.variants.update(changed)  # fresher signatures of files checked by content
        state.changed = bool(changed)
        return result
    for variant_id in set(rendered) - set(fresh):
        state.variants.pop(variant_id, None)
    _writer.clean_stale(sources.root)
    _writer.publish(sources.root, out_dir, folders)
    _outdir.mark(out_dir)
    result.published = True
    state.published(folders, fresh, plan.kept)
    return result


@contextlib.contextmanager
def _locked(root: Path, draft: bool) -> Iterator[None]:
    if draft:
        yield
        return
    with _writer.build_lock(root):
        yield


def build(root: Path | str = ".", variants: list[str] | None = None, formats: list[str] | None = None,
          out: Path | str | None = None, draft: bool = False, jobs: int | None = None, cache: bool = True,
          progress: Progress | None = None) -> BuildResult:
    """Render the chosen variants (all by default) in the chosen formats (all by default).

    Only what changed is rendered (cache=False: everything, the cache is then written but not read); jobs worker processes (default:
    all cores). With draft=True everything is checked and rendered but nothing is written.
    """
    root = Path(root)
    formats = list(dict.fromkeys(formats or render.REGISTRY))
    _check_formats(formats)
    out_dir = Path(out) if out else root / "rendered"
    if not draft:
        _trust.require(root)  # staging folders and the lock live in .kiyaku/: never in someone else's
        _outdir.check_out_dir(root, out_dir)  # never a file, the repository, a source folder or someone's folder
    store = Store.open(root, writable=not draft, readable=cache)
    progress = progress or Progress()
    with Pool(jobs or default_jobs()) as pool:
        sources = gather(root, store, pool)
        docs = check(sources, store)
        for variant_id in variants or []:
            require_variant(variant_id, sources.snapshot.variant_files)
        chosen = list(dict.fromkeys(variants or sorted(sources.snapshot.variant_files)))
        with _locked(root, draft):
            state = State.load(store, out_dir)
            plan = decide(sources, chosen, formats, state)
            rendered = render_changed(sources, plan, docs, formats, store, pool, progress)
            result = publish(sources, out_dir, plan, rendered, formats, state, draft)
            if not draft and state.changed:
                state.save(store)
    if result.published:
        store.prune()
    return result

