"""Where the site's data comes from: one small function per source.

Why one function each: the release, history, notice and feed machinery is built by other
modules of kiyaku (generator.changes.release, generator.history.editions, generator.changes.notice, generator.changes.feeds). Each
function here is the only place that knows one of them; when a module is missing (or the
repository has no release records yet) the function returns "nothing" and the site still
builds, with sections that say so. Nothing here writes files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..compile.document import NumberedDocument
from ..compile.pipeline import compile_variant, load
from ..source import _git
from ..source.load import Project

JST = dt.timezone(dt.timedelta(hours=9), "JST")


@dataclass(frozen=True)
class Edition:
    """One released edition of one reseller's terms, as its release record states it."""

    variant: str
    number: int
    effective: dt.date
    announced: dt.date | None = None
    issued: dt.date | None = None
    reason: str = ""
    commit: str | None = None
    kind: str = ""  # 利益変更 / 不利益変更 / 基準 (the first recorded edition)
    service_change: bool = False
    # Reads the sources as they were at the release; (project, commit) for generator.build.render_batch.
    sources: Callable[[], tuple[Project, _git.CommitInfo | None]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Notice:
    """One 規約変更のお知らせ, as generator.changes.notice made it, ready to be placed on a page."""

    variant: str
    edition: int
    announced: dt.date
    effective: dt.date
    reason: str
    view: dict[str, Any] = field(compare=False)  # notice_render.notice_view: facts, articles, rows of the 新旧対照表
    files: dict[str, bytes] = field(default_factory=dict, compare=False)  # format -> the standalone notice
    made: Any = field(default=None, compare=False)  # generator.changes.notice.Notice (the feeds summarise it)

    @property
    def slug(self) -> str:
        """Permanent URL part: one notice per edition, so the edition number names it."""
        return f"edition-{self.edition}"


def _optional(module: str) -> Any | None:
    """The module (full dotted name) if that part of kiyaku exists in this checkout, else None."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def build_date(option: str | None = None) -> dt.date:
    """The day the site describes: the plugin's `today` option, else SOURCE_DATE_EPOCH, else today in Japan.

    Which edition is in force and how many days are left depend on it, so a test or a reproducible
    build pins it; a published site is rebuilt daily.
    """
    if option:
        return dt.date.fromisoformat(option)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), JST).date()
    return dt.datetime.now(JST).date()


def project(root: Path) -> Project:
    """The sources in the working tree (validated; raises SourceError with positions).

    Parsed through the build's cache (.kiyaku/cache), so after `kiyaku build` no file is parsed
    again, and the build the site runs for its downloads finds the files parsed.
    """
    from ..source._cache import Parser, Store
    from ..source.load import DirectoryTree, load_project

    if not (Path(root) / "terms").is_dir():
        return load(root)  # raises F002 with its hint
    return load_project(DirectoryTree(Path(root)), Parser(Store.open(Path(root))))


def working_document(sources: Project, variant: str) -> NumberedDocument:
    """A reseller's terms as the working tree has them (the live preview; the fallback with no releases)."""
    return compile_variant(sources, variant)


def records(root: Path) -> dict[str, tuple[Any, ...]]:
    """Every release record, per reseller, read once per site build; {} without generator.history.editions."""
    history = _optional("generator.history.editions")
    return history.load_records(root) if history is not None else {}


def released_editions(root: Path, variant: str, records: dict[str, tuple[Any, ...]]) -> list[Edition]:
    """Every released edition of one reseller, oldest first (releases/<variant>/<N>.yaml); [] if none."""
    history = _optional("generator.history.editions")
    if history is None:
        return []
    out = []
    for record in records.get(variant, ()):
        out.append(Edition(variant, record.edition, record.effective_day, record.announced_day, record.announced_day,
                           record.reason, record.source_commit, record.kind, record.service_change,
                           sources=functools.partial(_edition_sources, history, root, record)))
    return out


def _edition_sources(history: Any, root: Path, record: Any) -> tuple[Project, _git.CommitInfo | None]:
    """The sources at the release commit with the record's edition and dates, as history.edition_document uses them."""
    sources = history.with_meta(history.project_at(root, record.source_commit), record.variant, record.edition,
                                record.announced, record.effective)
    commit = _git.resolve(root, record.source_commit)
    return sources, commit


def notices(root: Path, variant: str, editions: list[Edition], records: dict[str, tuple[Any, ...]],
            page_href: Callable[[int], str], file_href: Callable[[int], str],
            formats: tuple[str, ...] = ("html", "pdf", "docx")) -> list[Notice]:
    """The change notices of one reseller, oldest first; [] when nothing but a baseline is recorded.

    page_href(edition) / file_href(edition): where that edition's terms are, relative to the notice
    page / to the standalone notice files; the notice links each changed article there.
    """
    notice, render = _optional("generator.changes.notice"), _optional("generator.changes.notice_render")
    history = _optional("generator.history.editions")
    if notice is None or render is None or history is None:
        return []
    by_number = {r.edition: r for r in records.get(variant, ())}
    out = []
    for edition in editions:
        if edition.kind == "基準" or edition.number == editions[0].number:
            continue
        made = _made_notice(root, notice, history, by_number, edition.number, page_href(edition.number))
        standalone = dataclasses.replace(made, terms_href=file_href(edition.number))
        files = {fmt: notice.render_notice(standalone, fmt) for fmt in formats if fmt in notice.FORMATS}
        out.append(Notice(variant, edition.number, made.announced, made.effective, made.reason,
                          render.notice_view(made), files, made))
    return out


def _made_notice(root: Path, notice: Any, history: Any, by_number: dict[int, Any], number: int, href: str) -> Any:
    """notice.make_notice from the records already read (make_notice reads them all again per notice)."""
    record = by_number[number]
    if record.previous_edition not in by_number:
        return notice.make_notice(root, record.variant, number, href)  # raises its own H051/H007 finding
    previous = by_number[record.previous_edition]
    return notice.build_notice(record, history.edition_document(root, previous), history.edition_document(root, record), href)


def feed(root: Path, variant: str | None, base_url: str, project: Project, records: dict[str, tuple[Any, ...]],
         made: dict[tuple[str, int], Any]) -> bytes | None:
    """The Atom feed of one reseller's notices (variant None: all resellers); None without generator.changes.feeds.

    base_url is the site's URL ("" when unknown: links are then relative to the site root).
    project, records, made (notices by (variant, edition)): read and made once for the whole site.
    """
    feeds = _optional("generator.changes.feeds")
    if feeds is None:
        return None

    def notice_of(record: Any) -> Any:
        key = (record.variant, record.edition)
        if key not in made:
            made[key] = _optional("generator.changes.notice").make_notice(root, record.variant, record.edition)
        return made[key]

    return feeds.atom(root, variant, base_url, records=records, project=project, notice_of=notice_of)


def notice_href(variant: str, edition: int) -> str:
    """Where generator.changes.feeds links a notice (relative to the site root): the site puts the standalone notice there."""
    feeds = _optional("generator.changes.feeds")
    return feeds.notice_href(variant, edition) if feeds else f"{variant}/notice-ed{edition}.html"
