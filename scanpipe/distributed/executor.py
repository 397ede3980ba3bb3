"""``CeleryExecutor``: the ``Executor`` that sends page ranges to Celery workers.

It groups consecutive jobs of one file into page-range tasks, writes each
task file to shared storage, sends the task id, and yields results as the
task files finish. It is also the reconciler of its own tasks: a task whose
worker's lease ran out is sent again (``taskstore.needs_requeue``), at most
``max_attempts`` times. ``scanpipe reconcile`` does the same for every task
on the storage, for tasks whose enqueuing process is gone.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from celery import Celery

from scanpipe.distributed.app import TASK_NAME, make_app
from scanpipe.distributed.codec import qualified_name, resolve
from scanpipe.distributed.config import CelerySettings
from scanpipe.distributed.taskstore import TaskFiles, needs_requeue, task_id
from scanpipe.errors import ExitCode, MissingDependencyError, ScanpipeError
from scanpipe.model import PageJob

J = TypeVar("J")
R = TypeVar("R")
log = logging.getLogger(__name__)


class RemoteTaskError(ScanpipeError):
    """A task failed on a worker, or kept losing its workers; nothing was registered for it."""

    exit_code = ExitCode.OCR_FAILED
    retryable = True


@dataclass
class _Pending:
    files: TaskFiles
    items: list[Any]
    generic: bool  # a folder of its own, removed when collected
    fn_name: str = ""
    checked: float = field(default_factory=time.monotonic)


_END = object()


def _continues(batch: list[Any], item: Any) -> bool:
    """Is ``item`` the next page of the same file as the end of ``batch``?"""
    last, this = _page_key(batch[-1]), _page_key(item)
    return last is not None and this is not None and this == (last[0], last[1] + 1)


def _page_key(item: Any) -> tuple[str, int] | None:
    """``(sha256, page number)`` for the pipeline's ``(sha, PageJob)`` jobs."""
    if (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], PageJob)
    ):
        return item[0], item[1].number
    return None


class CeleryExecutor:
    """Implements ``scanpipe.executors.Executor`` on Celery workers."""

    def __init__(
        self,
        cfg: CelerySettings,
        work_dir: Path,
        app: Celery | None = None,
        require_worker: bool = True,
    ) -> None:
        self.cfg = cfg
        self.work_dir = Path(work_dir).absolute()
        self.app = app or make_app(cfg)
        self._check_broker()
        if require_worker:
            self._check_workers()

    def _check_broker(self) -> None:
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=5)
        except Exception as exc:
            raise MissingDependencyError(
                f"cannot reach the Celery broker at {self._broker()}: {exc}",
                advice="start it (redis-server, or RabbitMQ) and check SCANPIPE_BROKER_URL",
            ) from exc

    def _check_workers(self) -> None:
        replies = self.app.control.inspect(timeout=1.5).active_queues() or {}
        queues = {q.get("name") for consumed in replies.values() for q in consumed or []}
        if self.cfg.queue not in queues:
            raise MissingDependencyError(
                f"no scanpipe worker consumes the queue {self.cfg.queue!r} on the broker "
                f"{self._broker()}",
                advice="start one on each OCR machine: scanpipe worker "
                "(docs/scale-out.md), then run this again",
            )

    def _broker(self) -> str:
        return self.app.connection_for_write().as_uri()  # password masked

    def imap_unordered(
        self, fn: Callable[[J], R], jobs: Iterable[J], window: int | None = None
    ) -> Iterator[tuple[J, R]]:
        """Yield (job, result) as tasks finish; at most ``window`` jobs are taken at once.

        Consecutive pages of one file form a range of up to ``range_pages``;
        any other job is a task of its own. A range is sent when it is full,
        when the next job does not continue it, or when the window is full.
        """
        fn_name = qualified_name(fn)
        resolve(fn_name, self.cfg.task_modules)  # fail here, not on every worker
        limit = window or self.cfg.window_pages
        source = iter(jobs)
        nonce = uuid.uuid4().hex
        serial = itertools.count()
        pending: dict[str, _Pending] = {}
        building: list[Any] = []
        in_flight = 0  # jobs taken from ``source`` and not yet yielded

        def send(batch: list[Any]) -> None:
            self._submit(fn_name, self._pending(batch, nonce, next(serial)), pending)

        exhausted = False
        while True:
            while not exhausted and in_flight < limit:
                item = next(source, _END)
                if item is _END:
                    exhausted = True
                    break
                in_flight += 1
                if building and not _continues(building, item):
                    send(building)
                    building = []
                building.append(item)
                if _page_key(item) is None or len(building) >= self.cfg.range_pages:
                    send(building)
                    building = []
            if building and (exhausted or in_flight >= limit):
                send(building)
                building = []
            if not pending:
                return
            done = self._collect(pending)
            if done is None:
                time.sleep(self.cfg.poll_s)
                continue
            in_flight -= len(done[0].items)
            yield from zip(done[0].items, done[1], strict=True)

    def _pending(self, batch: list[Any], nonce: str, n: int) -> _Pending:
        first = _page_key(batch[0])
        if first is not None:
            tid = task_id(first[0], first[1], first[1] + len(batch) - 1)
            return _Pending(TaskFiles(self.work_dir, tid), batch, generic=False)
        group = hashlib.sha256(f"{nonce}:{n}".encode()).hexdigest()
        return _Pending(TaskFiles(self.work_dir, task_id(group, 1, 1)), batch, generic=True)

    def _submit(self, fn_name: str, job: _Pending, pending: dict[str, _Pending]) -> None:
        files = job.files
        job.fn_name = fn_name
        existing = files.read_task()
        if existing is not None and existing.get("fn") == fn_name and files.out.exists():
            log.info("task %s finished in an earlier run; collecting it", files.id)
        else:
            files.write_task(fn_name, job.items)
            self._send(files)
        pending[files.id] = job

    def _send(self, files: TaskFiles) -> None:
        self.app.send_task(TASK_NAME, args=[files.id], queue=self.cfg.queue)

    def _collect(self, pending: dict[str, _Pending]) -> tuple[_Pending, list[Any]] | None:
        """One finished task and its results, or None; re-sends tasks that lost their worker."""
        now = time.monotonic()
        for tid, job in list(pending.items()):
            out = job.files.read_out(self.cfg.task_modules)
            if out is not None:
                del pending[tid]
                self._cleanup(job)
                results, error = out
                if error is not None:
                    raise RemoteTaskError(
                        f"task {tid} failed on a worker: {error}",
                        advice="see the worker's log; the file can be converted again",
                    )
                return job, results or []
            if now - job.checked >= min(1.0, self.cfg.lease_s / 4):
                job.checked = now
                self._reconcile(job)
        return None

    def _reconcile(self, job: _Pending) -> None:
        files = job.files
        if files.read_task() is None:  # collected by another process converting the same file
            files.write_task(job.fn_name, job.items)
            self._send(files)
            return
        again, attempts, why = needs_requeue(files, time.time(), self.cfg.visibility_timeout_s)
        if not again:
            return
        if attempts >= self.cfg.max_attempts:
            raise RemoteTaskError(
                f"task {files.id} lost its worker {attempts} times ({why})",
                advice="check the workers' logs and memory; the file can be converted again",
            )
        log.warning("task %s: %s; sending it again", files.id, why)
        files.mark_enqueued(attempts + 1)
        self._send(files)

    def _cleanup(self, job: _Pending) -> None:
        if job.generic:
            shutil.rmtree(job.files.folder.parent, ignore_errors=True)
        else:
            job.files.remove(len(job.items))

    def close(self, cancel: bool = False) -> None:
        """Nothing to shut down: tasks already sent finish on the workers and are collected
        (or reused) by the next run; the broker connection pool closes with the app."""
        self.app.close()
