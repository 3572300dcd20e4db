"""Everything the site shows, gathered once per build from the data sources.

Why a separate step: pages link to each other (home → notice → edition), so the whole picture
(which edition is in force on the build date, which are announced, which notices exist) is
decided once, here, and every page reads the same answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import matrix, sources
from ..build.render_batch import Job, render_many
from ..compile.document import NumberedDocument
from .downloads import Bundle, bundle_of, formats, working_bundles

# Released editions never change: their renderings are kept between `mkdocs serve` rebuilds.
Cache = dict[tuple[str, int, str], tuple[NumberedDocument, Bundle]]


@dataclass(frozen=True)
class EditionView:
    """One edition as the site shows it: the document, its files and where it stands on the build date."""

    edition: sources.Edition | None  # None: the working tree (no release record)
    doc: NumberedDocument
    bundle: Bundle
    status: str  # in-force | past | upcoming | preview | unreleased

    @property
    def number(self) -> int:
        return self.edition.number if self.edition else self.doc.edition

    @property
    def effective(self) -> dt.date:
        return self.edition.effective if self.edition else self.doc.effective


@dataclass(frozen=True)
class Reseller:
    id: str
    name: str
    current: EditionView  # what the reseller's page shows
    editions: tuple[EditionView, ...]  # released editions, oldest first; each has a permanent page
    notices: tuple[sources.Notice, ...]
    notice_days: int
    prefecture: str | None = None  # groups the home page's list

    @property
    def upcoming(self) -> tuple[EditionView, ...]:
        return tuple(e for e in self.editions if e.status == "upcoming")

    def notice_for(self, number: int) -> sources.Notice | None:
        return next((n for n in self.notices if n.edition == number), None)


@dataclass(frozen=True)
class Site:
    today: dt.date
    preview: bool
    service: str
    title: str
    resellers: tuple[Reseller, ...]
    rows: tuple[matrix.Row, ...]
    feeds: dict[str, bytes | None] = field(default_factory=dict)  # "all" or variant id -> Atom (None: not available)

    @property
    def notices(self) -> list[tuple[Reseller, sources.Notice]]:
        """Every notice, newest announcement first (then by reseller, for a stable order)."""
        pairs = [(r, n) for r in self.resellers for n in r.notices]
        return sorted(pairs, key=lambda p: (-p[1].announced.toordinal(), p[0].id, -p[1].edition))

    def last_change(self) -> dt.date:
        """The newest date anything on the site changed: sitemap lastmod and the feed's updated."""
        days = [r.current.doc.issued for r in self.resellers] + [n.announced for _, n in self.notices]
        days += [e.doc.issued for r in self.resellers for e in r.editions]
        return max(d for d in days if d <= self.today) if any(d <= self.today for d in days) else self.today


def _status(edition: sources.Edition, in_force: sources.Edition | None, today: dt.date) -> str:
    if edition.effective > today:
        return "upcoming"
    return "in-force" if in_force is not None and edition.number == in_force.number else "past"


def _key(edition: sources.Edition) -> tuple[str, int, str]:
    return (edition.variant, edition.number, edition.commit or "")


def render_released(root: Path, editions: list[sources.Edition], cache: Cache) -> None:
    """Put every released edition missing from cache into it, rendered in one batch on every core.

    Why one batch: rendered one at a time in this process, a fresh site build grew by a quarter
    second per reseller; the batch goes through the build's worker pool and output cache.
    """
    todo = [e for e in editions if _key(e) not in cache]
    jobs, docs = [], []
    for edition in todo:
        assert edition.sources is not None
        project, commit = edition.sources()
        jobs.append(Job(project, edition.variant, commit))
        docs.append(sources.working_document(project, edition.variant))
    for edition, doc, rendered in zip(todo, docs, render_many(root, jobs, formats())):
        cache[_key(edition)] = (doc, bundle_of(rendered))


def reseller(root: Path, project, variant: str, today: dt.date, preview: bool, cache: Cache,
             working: Callable[[], dict[str, Bundle]], site_url: str, records: dict) -> Reseller:
    """One reseller: its released editions, the one in force on `today`, and the page's current terms.

    The page shows the edition in force; `mkdocs serve` (preview) and a repository without release
    records show the working tree instead, labelled as such.
    """
    released = sources.released_editions(root, variant, records)
    applicable = [e for e in released if e.effective <= today]
    in_force = max(applicable, key=lambda e: (e.effective, e.number)) if applicable else None
    views = []
    for edition in released:
        doc, bundle = cache[_key(edition)]
        views.append(EditionView(edition, doc, bundle, _status(edition, in_force, today)))
    current = next((v for v in views if v.status == "in-force"), None)
    if preview or current is None:
        doc = sources.working_document(project, variant)
        bundle = working()[variant]
        current = EditionView(None, doc, bundle, "preview" if preview else "unreleased")
    notices = sources.notices(root, variant, released, records, lambda n: f"../../editions/{n}/",
                              lambda n: f"{site_url}{variant}/editions/{n}/" if site_url else f"editions/{n}/")
    variant_model = project.variants[variant]
    return Reseller(variant, variant_model.name, current, tuple(views), tuple(notices), variant_model.notice_days,
                    variant_model.prefecture)


def collect(root: Path, today: dt.date, preview: bool, cache: Cache, site_url: str) -> Site:
    """The whole site's data: every reseller (sorted by id), the comparison rows and the feeds.

    site_url: the site's address ending in / (absolute links in feeds and notice files), or "".
    """
    project = sources.project(root)
    built: list[dict[str, Bundle]] = []

    def working() -> dict[str, Bundle]:  # one `kiyaku build` per site build, and only when the working tree is shown
        if not built:
            built.append(working_bundles(root))
        return built[0]

    records = sources.records(root)
    render_released(root, [e for v in sorted(project.variants) for e in sources.released_editions(root, v, records)], cache)
    resellers = tuple(reseller(root, project, v, today, preview, cache, working, site_url, records)
                      for v in sorted(project.variants))
    docs = [r.current.doc for r in resellers]
    first = docs[0] if docs else None
    site = Site(today, preview, first.service if first else "", first.title if first else "利用規約", resellers,
                tuple(matrix.matrix(docs)))
    made = {(r.id, n.edition): n.made for r in resellers for n in r.notices}
    site.feeds["all"] = sources.feed(root, None, site_url, project, records, made)
    for r in resellers:
        site.feeds[r.id] = sources.feed(root, r.id, site_url, project, records, made)
    return site
