"""Where a job goes when it is not simply registered: failed/, duplicates/ or review/.

Each is a folder per job holding ``reason.json`` (what happened, why, what to
do, exit code, stderr tail, attempts, the original name and inbox, times) and,
for failures and duplicates, the original itself under ``payload/``. Nothing
is deleted here: a person decides with ``scanpipe intake``. ``job.json`` goes
along, so ``intake retry`` can put the job back exactly as it was claimed.
"""

from __future__ import annotations

import errno
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanpipe.errors import ExitCode, InputFileError, ScanpipeError
from scanpipe.hotfolder.claim import Job, drop_remote_original, now_iso, write_json

QUEUES = {"failed": "failed", "duplicate": "duplicates", "flagged": "review"}
REASON_FILE = "reason.json"
STDERR_TAIL = 2000


@dataclass(frozen=True)
class Failure:
    """What went wrong, in the words reason.json and ``intake list`` use."""

    what: str
    why: str
    advice: str = ""
    exit_code: int = int(ExitCode.INTERNAL)
    retryable: bool = False
    stderr_tail: str = ""

    @classmethod
    def from_error(cls, what: str, error: ScanpipeError) -> Failure:
        """Bad input (InputFileError: empty, encrypted, corrupt, over the pixel cap) is
        permanent; anything else (a locked database, a timeout, a full disk) may pass."""
        return cls(
            what=what,
            why=error.message,
            advice=error.advice,
            exit_code=int(error.exit_code),
            retryable=error.retryable or not isinstance(error, InputFileError),
            stderr_tail=getattr(error, "stderr_tail", "")[-STDERR_TAIL:],
        )

    @classmethod
    def from_exception(cls, what: str, exc: BaseException) -> Failure:
        """An unexpected exception: its traceback tail is the stderr an admin needs."""
        if isinstance(exc, ScanpipeError):
            return cls.from_error(what, exc)
        tail = "".join(traceback.format_exception(exc))[-STDERR_TAIL:]
        no_space = isinstance(exc, OSError) and exc.errno == errno.ENOSPC
        return cls(
            what=what,
            why=f"{type(exc).__name__}: {exc}",
            advice="free disk space; the job is retried"
            if no_space
            else "retry with 'scanpipe intake retry'; if it fails again, report it",
            exit_code=int(ExitCode.OUT_OF_SPACE if no_space else ExitCode.INTERNAL),
            retryable=True,
            stderr_tail=tail,
        )


def queue_dir(home: Path, kind: str) -> Path:
    return home / QUEUES[kind]


def _reason(job: Job, kind: str, failure: Failure | None, extra: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "job": job.id,
        "kind": kind,
        "original_name": job.original_name,
        "inbox": job.inbox,
        "received_at": job.received_at,
        "claimed_at": job.claimed_at,
        "time": now_iso(),
        "attempts": job.attempts,
        "sha256": job.sha256,
        "file_ids": job.file_ids,
        "history": job.errors,
    }
    if failure is not None:
        data.update(
            what=failure.what,
            why=failure.why,
            advice=failure.advice,
            exit_code=failure.exit_code,
            retryable=failure.retryable,
            stderr_tail=failure.stderr_tail,
        )
    data.update(extra)
    return data


def _file_away(home: Path, job: Job, kind: str, reason: dict[str, Any]) -> Path:
    """Move the locked job into its queue with reason.json, then let go of the lock.

    The records are written while the job is still in claims/: a crash before
    the move leaves a job that simply runs again, and a crash after it leaves
    a complete queue item, never an item without its reason.
    """
    complete = job.state == "claimed" and os.path.lexists(job.payload)
    if job.remote_original and not complete:
        reason["original_left_at"] = job.remote_original
    job.save()
    write_json(job.dir / REASON_FILE, reason)
    job.move_to(queue_dir(home, kind))
    if complete:
        drop_remote_original(job)  # the copy in payload/ is whole: the inbox copy can go
        job.save()
    job.release()
    return job.dir


def fail(home: Path, job: Job, failure: Failure, **extra: Any) -> Path:
    return _file_away(home, job, "failed", _reason(job, "failed", failure, extra))


def duplicate(home: Path, job: Job, existing: list[int], **extra: Any) -> Path:
    failure = Failure(
        what="duplicate",
        why=f"the same bytes are already registered as file {', '.join(map(str, existing))}",
        advice="'scanpipe intake accept JOB' deletes this copy; the registered file is kept",
        exit_code=int(ExitCode.OK),
    )
    reason = _reason(job, "duplicate", failure, {"existing_file_ids": existing, **extra})
    return _file_away(home, job, "duplicate", reason)


def flag(home: Path, job: Job, why: str, **extra: Any) -> Path:
    """A registered file a person should look at (page count differs from its cover sheet)."""
    folder = queue_dir(home, "flagged") / job.id
    folder.mkdir(parents=True, exist_ok=True)
    failure = Failure(what="check the registered file", why=why, exit_code=int(ExitCode.OK))
    write_json(folder / REASON_FILE, _reason(job, "flagged", failure, extra))
    return folder
