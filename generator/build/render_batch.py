"""Render many (sources, variant) pairs at once on the build's worker pool and output cache.

Why: the website shows released editions, read from git at their release commits; those are not
what `kiyaku build` keeps in rendered/ (the working tree). Rendering them one at a time in the
site's process made a fresh site build grow at a quarter second per reseller on one core. Here
they are compiled in this process and rendered as build() renders: split into units over every
core (generator/build/_pool.py), through the content-addressed output cache (.kiyaku/cache), so a second
site build, or one after `kiyaku build` when an edition's document is the working tree's, renders
nothing. Same units, same bytes and manifest as build.render_variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..compile.pipeline import compile_variant
from ..source import _git
from ..source._cache import Store
from ..source.load import Project
from ._outputs import run_unit
from ._pool import Pool, default_jobs
from .builder import RenderedVariant, _assemble, _raise, _unit, source_date_epoch


@dataclass(frozen=True)
class Job:
    """One variant of one set of sources (the working tree or a release commit), with its commit for the manifest."""

    project: Project
    variant_id: str
    commit: _git.CommitInfo | None


def render_many(root: Path, jobs: list[Job], formats: list[str], workers: int | None = None,
                store: Store | None = None) -> list[RenderedVariant]:
    """Every job's files and manifest.json, in job order; raises the first job's KiyakuError.

    store: by default the build's cache under root (read and filled, as `kiyaku build` does).
    """
    if not jobs:
        return []
    store = store if store is not None else Store.open(Path(root))
    docs = [compile_variant(job.project, job.variant_id) for job in jobs]
    units = [_unit(job.project, Path(root), doc, tuple(formats), store) for job, doc in zip(jobs, docs)]
    with Pool(min(workers or default_jobs(), len(units))) as pool:
        results = pool.map(run_unit, units, _raise)
    return [_assemble(doc, source_date_epoch(doc), [result], job.commit)[0]
            for job, doc, result in zip(jobs, docs, results)]
