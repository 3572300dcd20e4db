"""One unit of rendering work: some formats of one variant, through the output cache.

Runs in a worker process (generator/build/_pool.py) or in the build process itself; either way the
renderers are loaded once per process and kept (Typst compiler and fonts, DOCX template), so
only the first document of a process pays their start-up.

The output cache (level 2): bytes are kept under a key of the numbered document (canonical
JSON), the format, the timestamp, the variant's template bytes, the renderer and font versions
and kiyaku's code. So a change in a shared clause that leaves a variant's text as it was costs
that variant a compile and no render. Keys are computed here from the document itself, never
from file names or dates, so an entry can only be used for exactly the bytes it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import render
from ..compile.document import NumberedDocument
from ..source._cache import Store, canonical_json, code_fingerprint, digest, file_digest, sha256
from ..source.errors import Finding, KiyakuError


@dataclass(frozen=True)
class Unit:
    """A picklable task: everything a worker needs, nothing it would have to read from the sources."""

    variant_id: str
    doc: NumberedDocument
    formats: tuple[str, ...]
    context: render.RenderContext
    template_digest: str  # the variant's own template as hashed for the source key
    versions: str  # canonical JSON of build.renderer_versions()
    store: Store


@dataclass(frozen=True)
class Output:
    format: str
    name: str  # file name in rendered/<variant>/
    data: bytes
    sha256: str
    how: str  # "rendered" (a renderer ran) or "cached" (verified bytes from the output cache)


@dataclass(frozen=True)
class UnitResult:
    variant_id: str
    outputs: tuple[Output, ...] = ()
    error: str | None = None  # class name of a KiyakuError raised while rendering
    findings: tuple[Finding, ...] = field(default=())


def output_key(doc_json: bytes, fmt: str, timestamp: int, template_digest: str, versions: str) -> str:
    return digest("output", code_fingerprint(), versions, fmt, timestamp, template_digest, doc_json)


def run_unit(unit: Unit) -> UnitResult:
    """Render (or take from the cache) each format of the unit; errors come back as data.

    Why errors as data: a KiyakuError does not survive pickling (its findings are rebuilt from
    the message), and the build must print the renderer's own path:line:col message.
    """
    doc_json = canonical_json(unit.doc)
    outputs = []
    for fmt in unit.formats:
        renderer = render.get(fmt)
        name = f"{unit.variant_id}{renderer.extension}"
        key = output_key(doc_json, fmt, unit.context.timestamp, unit.template_digest, unit.versions)
        data = unit.store.get("out", key)
        if data is not None:
            outputs.append(Output(fmt, name, data, sha256(data), "cached"))
            continue
        try:
            data = renderer.render(unit.doc, unit.context)
        except KiyakuError as exc:
            return UnitResult(unit.variant_id, error=type(exc).__name__, findings=tuple(exc.findings))
        # The template may have been saved while we rendered: then these bytes belong to no key.
        if file_digest(unit.context.root, unit.context.template) == unit.template_digest:
            unit.store.put("out", key, data)
        outputs.append(Output(fmt, name, data, sha256(data), "rendered"))
    return UnitResult(unit.variant_id, tuple(outputs))


def split(variant_ids: list[str], formats: list[str], jobs: int) -> list[tuple[str, tuple[str, ...]]]:
    """Work units: one per variant; when there are fewer variants than workers, PDF and DOCX apart.

    Why: a clerk's edit changes one variant, and its PDF (Typst) and DOCX take about the same
    time; rendered side by side they finish in about half the time of one after the other.
    """
    if len(variant_ids) >= jobs or jobs <= 1:
        return [(v, tuple(formats)) for v in variant_ids]
    heavy = [f for f in formats if f in ("pdf", "docx")]
    light = tuple(f for f in formats if f not in heavy)
    units: list[tuple[str, tuple[str, ...]]] = []
    for v in variant_ids:
        groups = [(f,) for f in heavy]
        if light:
            if groups:
                groups[-1] = groups[-1] + light
            else:
                groups.append(light)
        units += [(v, g) for g in groups]
    return units
