"""Page-range tasks as files on shared storage: the job, the lease, each item's result.

A task id is ``<group>/<first>-<last>``: ``group`` is the file's sha256 (or a
hash naming a batch of generic jobs) and the range its page numbers, so the
same pages of the same bytes are always the same task. Under
``<work>/<group>/tasks/`` a task has:

* ``<range>.task.json``  what to run: the function's name and the encoded jobs;
  written by the enqueuing process before the message is sent;
* ``<range>.lease.json`` who runs it and until when; renewed after every item;
* ``<range>.item-<i>.json`` each finished item's result, so a task delivered
  again after a crash skips what is done (at-least-once delivery, no rework);
* ``<range>.out.json``   all results (or the error), written last.

Every write is a temp file + ``os.replace``, atomic on local disks and NFS
alike, so a reader sees a whole file or none. Results are pure functions of
the jobs, so two workers finishing the same task write the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanpipe.distributed.codec import decode, encode

TASK_ID = re.compile(r"^(?P<group>[0-9a-f]{64})/(?P<first>\d{4,})-(?P<last>\d{4,})$")


def task_id(group: str, first: int, last: int) -> str:
    return f"{group}/{first:04d}-{last:04d}"


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        return None  # cannot happen with os.replace writes; treat as absent


@dataclass(frozen=True)
class TaskFiles:
    """Where one task's files live; the id is validated, so it cannot name other paths."""

    work_dir: Path
    id: str

    def __post_init__(self) -> None:
        if not TASK_ID.match(self.id):
            raise ValueError(f"not a scanpipe task id: {self.id!r}")

    @property
    def group(self) -> str:
        return self.id.split("/")[0]

    @property
    def folder(self) -> Path:
        return self.work_dir / self.group / "tasks"

    @property
    def stem(self) -> str:
        return self.id.split("/")[1]

    @property
    def task(self) -> Path:
        return self.folder / f"{self.stem}.task.json"

    @property
    def lease(self) -> Path:
        return self.folder / f"{self.stem}.lease.json"

    @property
    def out(self) -> Path:
        return self.folder / f"{self.stem}.out.json"

    def item(self, index: int) -> Path:
        return self.folder / f"{self.stem}.item-{index:04d}.json"

    def write_task(self, fn_name: str, items: list[Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        now = time.time()
        data = {"fn": fn_name, "items": [encode(i) for i in items], "created": now}
        write_json(self.task, {**data, "enqueued": now, "attempts": 1})

    def read_task(self) -> dict[str, Any] | None:
        return read_json(self.task)

    def mark_enqueued(self, attempts: int) -> None:
        data = self.read_task()
        if data is not None:
            write_json(self.task, {**data, "enqueued": time.time(), "attempts": attempts})

    def take_lease(self, lease_s: float) -> None:
        write_json(
            self.lease,
            {"host": socket.gethostname(), "pid": os.getpid(), "until": time.time() + lease_s},
        )

    def read_lease(self) -> dict[str, Any] | None:
        return read_json(self.lease)

    def write_out(self, results: list[Any] | None, error: str | None = None) -> None:
        data = {"results": [encode(r) for r in results]} if error is None else {"error": error}
        write_json(self.out, data)

    def read_out(self, allowed: tuple[str, ...]) -> tuple[list[Any] | None, str | None] | None:
        """``(results, None)``, ``(None, error)``, or None while the task is not finished."""
        data = read_json(self.out)
        if data is None:
            return None
        if "error" in data:
            return None, data["error"]
        return [decode(r, allowed) for r in data["results"]], None

    def remove(self, count: int) -> None:
        """Delete this task's files (the results have been collected)."""
        paths = [self.out, self.lease, self.task, *(self.item(i) for i in range(count))]
        for path in paths:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def needs_requeue(
    files: TaskFiles, now: float, visibility_timeout_s: float
) -> tuple[bool, int, str]:
    """Should the task's message be sent again? ``(yes, attempts so far, why)``.

    Yes when it is unfinished and either its worker's lease ran out (the
    worker or its machine died without the broker noticing) or nobody ever
    started it for as long as the broker would keep an unacked message (the
    message was lost, e.g. a broker restarted without persistence).
    """
    task = files.read_task()
    if task is None or files.out.exists():
        return False, 0, ""
    attempts = int(task.get("attempts", 1))
    lease = files.read_lease()
    enqueued = float(task["enqueued"])
    # A lease that ran out before the last enqueue belongs to an earlier delivery.
    if lease is not None and float(lease["until"]) >= enqueued:
        if float(lease["until"]) < now:
            return True, attempts, f"the lease of {lease['host']} pid {lease['pid']} expired"
        return False, attempts, ""
    if now - enqueued > visibility_timeout_s:
        return True, attempts, "never started"
    return False, attempts, ""
