"""Where page tasks run. The pipeline only sees ``Executor``.

The local process pool is the embedded default. Workers are pure functions
of a picklable job, so another executor (``distributed.CeleryExecutor``)
runs the same task function without the pipeline changing;
tests/test_executor_contract.py holds both to one contract.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import Executor as _FuturesExecutor
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from scanpipe.settings import Settings

#: ``--executor`` choices; "local" is the default everywhere.
EXECUTORS = ("local", "celery")

J = TypeVar("J")
R = TypeVar("R")


class Executor(Protocol):
    def imap_unordered(
        self, fn: Callable[[J], R], jobs: Iterable[J], window: int | None = None
    ) -> Iterator[tuple[J, R]]: ...

    def close(self, cancel: bool = False) -> None: ...


def _init_worker() -> None:
    # Tesseract's OpenMP threads fight each other when pages already run in parallel.
    os.environ["OMP_THREAD_LIMIT"] = "1"


class _Inline(_FuturesExecutor):
    """Runs tasks in the calling process: one job, tests, and easy debugging."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class LocalPool:
    """A process pool that streams results back as they finish, with bounded memory."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        if self.jobs == 1:
            _init_worker()
            self._pool: _FuturesExecutor = _Inline()
        else:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker)

    def imap_unordered(
        self, fn: Callable[[J], R], jobs: Iterable[J], window: int | None = None
    ) -> Iterator[tuple[J, R]]:
        """Yield (job, result) as tasks finish; only ``window`` tasks are queued at once,
        so a 100k-page backlog never sits in memory."""
        limit = window or self.jobs * 2
        pending: dict[Future, J] = {}
        source = iter(jobs)
        exhausted = False
        while True:
            while not exhausted and len(pending) < limit:
                try:
                    job = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._pool.submit(fn, job)] = job
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                yield job, future.result()

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


def make_executor(kind: str, settings: Settings) -> Executor:
    """The local pool, or Celery (broker and tuning from ``SCANPIPE_BROKER_URL`` and
    ``SCANPIPE_CELERY_*``; docs/scale-out.md)."""
    if kind == "local":
        return LocalPool(settings.jobs)
    if kind == "celery":
        from scanpipe.distributed.config import load_celery_settings
        from scanpipe.distributed.executor import CeleryExecutor

        return CeleryExecutor(load_celery_settings(), settings.work_dir)
    raise ValueError(f"unknown executor {kind!r}; choose one of {EXECUTORS}")
