"""Work across processes for kiyaku build: a process pool that lives for one build, and its progress line.

Why processes: rendering is CPU-bound Python and Rust (docxtpl, Typst); threads would share one
interpreter lock. Why one pool per build: each worker keeps its renderers loaded (Typst compiler
and fonts, the DOCX template) for every document it is given, instead of paying that per document.

Start method: fork (workers start in milliseconds and inherit the imported modules), except when
this process already runs threads — Typst starts a thread pool on its first document, and a
forked copy of a thread pool deadlocks — then spawn. Workers die with the build process
(PR_SET_PDEATHSIG), so a killed build leaves no worker behind holding the build lock.
Results are gathered in the order of the tasks, so the output does not depend on scheduling.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from typing import Callable, Iterable, TextIO, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


def default_jobs() -> int:
    return os.cpu_count() or 1


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 2  # unknown: assume threads, use spawn


def _worker_init(parent: int) -> None:
    """Die with the build process; leave Ctrl-C to it (one message, not one traceback per worker)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the build died before prctl took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Pool:
    """map() over processes (or in this process when jobs is 1); created on first use, closed with the build."""

    def __init__(self, jobs: int) -> None:
        # capped at the cores: `--jobs 200` started 204 processes on 2 cores; each costs memory, none adds speed
        self.jobs = max(1, min(jobs, default_jobs()))
        self._executor: cf.ProcessPoolExecutor | None = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self, units: int) -> cf.ProcessPoolExecutor:
        if self._executor is None:
            method = "fork" if _threads() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
            # and at the units of the first map: a build of 2 resellers needs 2 workers, not one per core
            self._executor = cf.ProcessPoolExecutor(max_workers=max(1, min(self.jobs, units)), mp_context=multiprocessing.get_context(method),
                                                    initializer=_worker_init, initargs=(os.getpid(),))
        return self._executor

    def map(self, fn: Callable[[T], R], tasks: Iterable[T], on_result: Callable[[R], None] | None = None) -> list[R]:
        """fn over tasks, results in task order; on_result sees each result as it arrives."""
        tasks = list(tasks)
        if self.jobs == 1 or len(tasks) <= 1:
            results = []
            for task in tasks:
                results.append(fn(task))
                if on_result:
                    on_result(results[-1])
            return results
        pool = self._pool(len(tasks))
        futures = {pool.submit(fn, task): index for index, task in enumerate(tasks)}
        out: list[R | None] = [None] * len(tasks)
        try:
            for future in cf.as_completed(futures):
                out[futures[future]] = result = future.result()
                if on_result:
                    on_result(result)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return out  # type: ignore[return-value]


class Progress:
    """One updating line on a terminal; nothing on a pipe or in CI (the summary line says it all)."""

    def __init__(self, stream: TextIO | None = None, label: str = "") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.label = label
        self.done = self.total = 0
        self.rendered = self.reused = 0

    def start(self, total: int, label: str) -> None:
        self.total, self.done, self.label = total, 0, label
        self._draw()

    def advance(self, rendered: int = 0, reused: int = 0) -> None:
        self.done += 1
        self.rendered += rendered
        self.reused += reused
        self._draw()

    def _draw(self) -> None:
        if self.live and self.total:
            line = f"  {self.label} {self.done}/{self.total}（描画 {self.rendered}、再利用 {self.reused}）"
            print(f"\r{line}\033[K", end="", file=self.stream, flush=True)

    def finish(self) -> None:
        if self.live and self.total:
            print("\r\033[K", end="", file=self.stream, flush=True)
        self.total = 0
