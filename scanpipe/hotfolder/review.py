"""The intake queue: failed/, duplicates/ and review/, and what an admin can do with each item.

Items are folders, so the queue survives anything and an admin can look with
a file manager too. Deciding on an item moves its folder to ``reviewed/``
with the decision written into its reason.json; only accepting a duplicate
deletes bytes, and only because identical bytes are registered.

Every decision is audited here, next to the action, when the caller passes
the registry (the CLI and the web both do): ``intake-accept``,
``intake-reject`` and ``intake-retry`` entries with the job id, by ``by``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanpipe.errors import NotFoundError, ScanpipeError
from scanpipe.hotfolder.claim import (
    PAYLOAD,
    Job,
    copy_remote,
    now_iso,
    release,
    try_lock,
    write_json,
)
from scanpipe.hotfolder.quarantine import QUEUES, REASON_FILE
from scanpipe.registry import audit
from scanpipe.registry.session import Transactions
from scanpipe.settings import Settings

REVIEWED = "reviewed"


@dataclass(frozen=True)
class Item:
    job: str
    kind: str  # "failed" | "duplicate" | "flagged"
    dir: Path
    reason: dict[str, Any]

    @property
    def original_name(self) -> str:
        return str(self.reason.get("original_name", "?"))

    @property
    def summary(self) -> str:
        what, why = self.reason.get("what", ""), self.reason.get("why", "")
        return f"{what}: {why}" if what and why else what or why

    @property
    def payload(self) -> Path:
        return self.dir / PAYLOAD


def _load(kind: str, folder: Path) -> Item | None:
    try:
        reason = json.loads((folder / REASON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # being written right now, or not an item
    return Item(folder.name, kind, folder, reason)


def items(home: Path) -> list[Item]:
    """Every open item, oldest first."""
    found = []
    for kind, sub in QUEUES.items():
        root = home / sub
        if not root.is_dir():
            continue
        for name in os.listdir(root):
            item = _load(kind, root / name)
            if item is not None:
                found.append(item)
    return sorted(found, key=lambda i: (str(i.reason.get("time", "")), i.job))


def find(home: Path, job: str) -> Item:
    if "/" in job or job.startswith("."):
        raise NotFoundError(f"{job!r} is not a job id", advice="run 'scanpipe intake list'")
    for kind, sub in QUEUES.items():
        item = _load(kind, home / sub / job)
        if item is not None:
            return item
    raise NotFoundError(
        f"there is no open intake item {job}", advice="run 'scanpipe intake list' to see them"
    )


def _close(home: Path, item: Item, decision: str, note: str, by: str | None) -> Path:
    """Record the decision and move the item out of the queue."""
    reason = {
        **item.reason,
        "decision": decision,
        "decided_by": by or audit.os_login(),
        "decided_at": now_iso(),
        "note": note,
    }
    write_json(item.dir / REASON_FILE, reason)
    dest = home / REVIEWED / item.job
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.rename(item.dir, dest)
    return dest


def _audit(
    registry: Transactions | None, by: str | None, action: str, item: Item, **detail: Any
) -> None:
    if registry is not None:
        audit.record(registry, by, action, None, {"job": item.job, "kind": item.kind, **detail})


def accept(
    home: Path, job: str, *, by: str | None = None, registry: Transactions | None = None
) -> str:
    """Duplicates: delete the extra copy. Flags: the registered file is fine as it is.

    ``by`` is who decided (None: the OS account); with ``registry`` it is audited.
    """
    item = find(home, job)
    if item.kind == "failed":
        raise ScanpipeError(
            f"job {job} failed; there is nothing registered to accept",
            advice=f"'scanpipe intake retry {job}' converts it again (maybe with --rotate, "
            f"--lang or --dpi); 'scanpipe intake reject {job}' closes it",
        )
    if item.kind == "duplicate":
        shutil.rmtree(item.payload, ignore_errors=True)
        _close(home, item, "accepted", "duplicate copy deleted; the registered file is kept", by)
        _audit(registry, by, "intake-accept", item)
        return f"deleted the duplicate copy of {item.original_name}"
    _close(home, item, "accepted", "registered file checked and accepted", by)
    _audit(registry, by, "intake-accept", item)
    return f"accepted {item.original_name}"


def reject(
    home: Path,
    job: str,
    note: str = "",
    *,
    by: str | None = None,
    registry: Transactions | None = None,
) -> str:
    """Close an item without registering anything; the original is kept in reviewed/."""
    item = find(home, job)
    dest = _close(home, item, "rejected", note, by)
    _audit(registry, by, "intake-reject", item, note=note)
    kept = f"; the original is kept in {dest / PAYLOAD}" if (dest / PAYLOAD).exists() else ""
    return f"rejected {item.original_name}{kept}"


def ocr_overrides(rotate: int | None, langs: str | None, dpi: int | None) -> dict[str, Any]:
    """What a retry changes in a job's OCR settings; unset choices keep the job's own."""
    ocr: dict[str, Any] = {}
    if rotate is not None:
        ocr["rotate"] = int(rotate)
    if langs:
        ocr["langs"] = langs
    if dpi:
        ocr["target_dpi"] = dpi
    return ocr


def requeue(
    settings: Settings,
    job_id: str,
    ocr: dict[str, Any],
    *,
    by: str | None = None,
    registry: Transactions | None = None,
) -> Job:
    """Put a failed job back into claims/ with other OCR settings; return it locked.

    The job keeps its id and its folder layout, so a stack split before is
    reused and a file an earlier attempt did register is recognised as its own.
    With ``registry`` the retry is audited as ``by``'s.
    """
    item = find(settings.home, job_id)
    if item.kind != "failed":
        raise ScanpipeError(
            f"job {job_id} is a {item.kind} item, not a failure",
            advice=f"use 'scanpipe intake accept {job_id}' or 'reject {job_id}'",
        )
    if not try_lock(item.dir):
        raise ScanpipeError(
            f"job {job_id} is being worked on by another process",
            advice="wait for it to finish, then look again with 'scanpipe intake list'",
        )
    try:
        job = Job.load(item.dir)
    except (OSError, ValueError, TypeError) as exc:
        release(item.dir)
        raise ScanpipeError(
            f"job {job_id} has no usable job.json ({exc})",
            advice="convert its payload/ with 'scanpipe convert' instead",
        ) from exc
    job.dir = item.dir
    job.ocr = {**job.ocr, **ocr}
    job.problems = []  # the payload is re-checked as it is now
    if job.remote_original and os.path.lexists(job.remote_original):
        copy_remote(job)  # the first copy from the share failed: try again
    job.not_before = 0.0
    job.attempts = 0
    job.move_to(settings.work_dir / "claims")  # first move: a crash now leaves a runnable job
    (job.dir / REASON_FILE).unlink(missing_ok=True)
    job.save()
    _audit(registry, by, "intake-retry", item, **ocr)
    return job
