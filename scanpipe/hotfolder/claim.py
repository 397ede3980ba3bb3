"""Claiming a dropped file or batch exactly once, and keeping it until it is accounted for.

A claim is a rename. ``rename(2)`` of one directory entry succeeds for exactly
one caller, so two watchers (or a watcher and ``intake retry``) racing for the
same file cannot both get it: the loser sees ``ENOENT`` and walks away.

Every claimed item lives in ``work/claims/<job>/`` with ``job.json`` (what it
was, where it came from, attempts) and ``payload/<name>``. While a process
works on a job it holds a POSIX record lock on ``<job>/lock``. The kernel
drops that lock when the process dies, however it dies (``kill -9``, OOM), so
"the lease expired" is simply "the lock can be taken" and crash recovery needs
no timers. POSIX locks (``lockf``) rather than ``flock`` because they are not
inherited by forked pool workers: a worker outliving a killed watcher must not
keep its job locked. They are per process, so this process records the locks
it holds and never opens a held lock file a second time (closing any
descriptor of a file drops the process's locks on it).

Job directories are created under a dot name and renamed into place with the
lock already held, and retired the same way (``.done-<job>``), so another
process never sees a half-made or half-deleted job as work to do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanpipe.hotfolder.names import display_name

JOB_FILE = "job.json"
LOCK_FILE = "lock"
PAYLOAD = "payload"
NEW_PREFIX = ".new-"
DONE_PREFIX = ".done-"
REMOTE_PREFIX = ".scanpipe-claim-"  # a claimed original left on another file system
_CHUNK = 1 << 20
_HELD: dict[str, int] = {}  # job dir (str) -> lock fd held by this process


def new_job_id() -> str:
    """Sortable by claim time, unique across watchers without coordination."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically and durably: a crash leaves the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass
class Job:
    """One claimed drop: a file, a folder (batch), or a refused entry kept as evidence."""

    id: str
    dir: Path
    kind: str  # "file" | "folder"
    name: str  # the payload's (safe) name in payload/
    original_name: str  # as dropped, escaped for display
    inbox: str
    received_at: str = ""
    claimed_at: str = ""
    state: str = "claiming"  # -> "claimed" once the payload is complete in payload/
    attempts: int = 0
    not_before: float = 0.0  # epoch seconds; a retryable failure waits until then
    remote_original: str | None = None  # hidden original on another file system
    sha256: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # declared FileMetadata fields
    langs: str | None = None  # the inbox's OCR languages
    ocr: dict[str, Any] = field(default_factory=dict)  # intake retry overrides
    problems: list[str] = field(default_factory=list)  # refused entries found while claiming
    file_ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per failed attempt

    @property
    def payload(self) -> Path:
        return self.dir / PAYLOAD / self.name

    def save(self) -> None:
        data = dataclasses.asdict(self)
        data["dir"] = str(self.dir)
        write_json(self.dir / JOB_FILE, data)

    @classmethod
    def load(cls, directory: Path) -> Job:
        data = json.loads((directory / JOB_FILE).read_text(encoding="utf-8"))
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        data["dir"] = directory
        return cls(**data)

    # -- locking -------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return str(self.dir) in _HELD

    def release(self) -> None:
        release(self.dir)

    def move_to(self, parent: Path) -> None:
        """Move the whole job (payload, job.json, lock) under ``parent``; the lock stays held."""
        parent.mkdir(parents=True, exist_ok=True)
        dest = parent / self.id
        os.rename(self.dir, dest)
        fd = _HELD.pop(str(self.dir), None)
        if fd is not None:
            _HELD[str(dest)] = fd
        self.dir = dest

    def retire(self) -> None:
        """Delete the job (its work is accounted for elsewhere) and let the lock go."""
        gone = self.dir.with_name(DONE_PREFIX + self.id)
        with contextlib.suppress(FileNotFoundError):
            os.rename(self.dir, gone)
        fd = _HELD.pop(str(self.dir), None)
        shutil.rmtree(gone, ignore_errors=True)
        if fd is not None:
            os.close(fd)


def try_lock(directory: Path, create: bool = False) -> bool:
    """Take the job's lock without waiting; True if this process now holds it."""
    if str(directory) in _HELD:
        return False  # ours already: busy, and re-opening would drop the lock
    flags = os.O_RDWR | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    try:
        fd = os.open(directory / LOCK_FILE, flags, 0o644)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    _HELD[str(directory)] = fd
    return True


def release(directory: Path) -> None:
    fd = _HELD.pop(str(directory), None)
    if fd is not None:
        os.close(fd)


def is_locked_elsewhere(directory: Path) -> bool:
    """True while another process works on the job (its lock is held)."""
    if str(directory) in _HELD:
        return False
    if not try_lock(directory):
        return (directory / LOCK_FILE).exists()
    release(directory)
    return False


# -- claiming --------------------------------------------------------------------------------


def _new_job_dir(claims: Path, job: Job) -> Job:
    tmp = claims / (NEW_PREFIX + job.id)
    tmp.mkdir(parents=True)
    if not try_lock(tmp, create=True):
        raise RuntimeError(f"fresh job directory {tmp} is locked")
    job.dir = tmp
    job.save()
    (tmp / PAYLOAD).mkdir()
    final = claims / job.id
    job.move_to(claims)  # same parent: renames .new-<id> to <id> with the lock held
    assert job.dir == final
    return job


def copy_hashing(src: Path, dest: Path) -> str:
    """Copy a regular file without following links, hashing what was read; fsync the copy."""
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    digest = hashlib.sha256()
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EINVAL, "not a regular file", str(src))
        with open(fd, "rb", closefd=False) as fin, dest.open("wb") as fout:
            while chunk := fin.read(_CHUNK):
                digest.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
    finally:
        os.close(fd)
    return digest.hexdigest()


def copy_remote(job: Job) -> None:
    """Copy a claimed original from another file system into payload/ (hash while copying).

    A link, FIFO or device holds no data of its own: it is described in
    ``problems`` and removed, never opened. A copy that fails (the share went
    away) is a problem too, and the original stays where it is.
    """
    src = Path(job.remote_original or "")
    shutil.rmtree(job.dir / PAYLOAD, ignore_errors=True)
    (job.dir / PAYLOAD).mkdir()
    try:
        mode = os.lstat(src).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            job.problems = [f"this is {describe_mode(mode)}, not a scanned file"]
            os.unlink(src)
            job.remote_original = None
            return
        _copy_tree(job, src)
    except OSError as exc:
        shutil.rmtree(job.dir / PAYLOAD, ignore_errors=True)
        job.problems = [f"it could not be copied from the inbox ({exc.strerror or exc})"]


def _copy_tree(job: Job, src: Path) -> None:
    if job.kind == "file":
        job.sha256 = copy_hashing(src, job.payload)
        return
    job.payload.mkdir()
    job.problems = []
    for entry in sorted(os.listdir(src)):
        st = os.lstat(src / entry)
        if stat.S_ISREG(st.st_mode):
            copy_hashing(src / entry, job.payload / entry)
        else:
            job.problems.append(f"{display_name(entry)}: {describe_mode(st.st_mode)}")


def describe_mode(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def claim(entry: Path, claims: Path, job: Job) -> Job | None:
    """Move ``entry`` into a new job under ``claims``; None if someone else got it first.

    Returns the job locked by this process, in state "claimed". On another
    file system the entry is first renamed to a hidden name beside itself
    (the atomic claim there), then copied; that original is deleted only when
    the job is accounted for.
    """
    job = _new_job_dir(claims, job)
    try:
        os.rename(entry, job.payload)
    except FileNotFoundError:
        job.retire()
        return None
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            job.retire()
            raise
        job.remote_original = str(entry.with_name(REMOTE_PREFIX + job.id))
        job.save()  # first say where the original will be, then move it there
        try:
            os.rename(entry, job.remote_original)
        except FileNotFoundError:
            job.retire()
            return None
        copy_remote(job)
    job.state = "claimed"
    job.claimed_at = now_iso()
    job.save()
    return job


def drop_remote_original(job: Job) -> None:
    """Delete the hidden original on the other file system once the job is accounted for."""
    if not job.remote_original:
        return
    path = Path(job.remote_original)
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    job.remote_original = None


def take_next(claims: Path, now: float | None = None) -> Job | None:
    """Lock and return the oldest job nobody works on, finishing any half-made claim.

    This is crash recovery and the work queue at once: a job whose lock is
    free has no living owner, whether it was just claimed, retried after a
    disk-full pause, or left behind by a killed watcher.
    """
    if not claims.is_dir():
        return None
    now = time.time() if now is None else now
    for entry in sorted(os.listdir(claims)):
        directory = claims / entry
        if entry.startswith((NEW_PREFIX, DONE_PREFIX)):
            if _abandoned(directory, now):  # died mid-create or mid-delete: nothing claimed
                release(directory)
                shutil.rmtree(directory, ignore_errors=True)
            continue
        # create=True: a job folder always has its lock file, unless a person copied it in.
        if entry.startswith(".") or not try_lock(directory, create=True):
            continue
        try:
            job = Job.load(directory)
        except (OSError, ValueError, TypeError):
            release(directory)  # being retired by another process (or not a job)
            continue
        if job.not_before > now:
            job.release()
            continue
        if job.state != "claimed" and not _finish_claim(job):
            continue
        return job
    return None


def _abandoned(directory: Path, now: float) -> bool:
    """A dot-folder whose lock is free; a fresh .new- one may not have its lock file yet."""
    try:
        young = now - os.lstat(directory).st_mtime < 60
    except FileNotFoundError:
        return False
    if directory.name.startswith(NEW_PREFIX) and young and not (directory / LOCK_FILE).exists():
        return False
    return try_lock(directory, create=True)


def _finish_claim(job: Job) -> bool:
    """Complete a claim its process died in the middle of; False if nothing was claimed."""
    remote = Path(job.remote_original) if job.remote_original else None
    if remote is not None and os.path.lexists(remote):
        copy_remote(job)
    elif not os.path.lexists(job.payload):
        job.retire()  # died before the rename: the file is still in the inbox
        return False
    job.state = "claimed"
    job.claimed_at = job.claimed_at or now_iso()
    job.save()
    return True
