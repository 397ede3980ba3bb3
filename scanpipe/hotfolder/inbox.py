"""Looking at an inbox: what is there, what kind it is, and whether it reads.

Scanning only ``lstat``s: it never opens, follows or reads anything, so a
symlink to ``/dev/zero``, a FIFO with no writer or a device file cannot hang
or fool the watcher. The one place that reads a candidate, ``probe``, opens
it with ``O_NOFOLLOW | O_NONBLOCK`` and checks ``fstat`` first, then lets
validation read that same open file through ``/proc/self/fd``, so the file
cannot be swapped for something else between the check and the read.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import regex

from scanpipe.errors import InputFileError
from scanpipe.hotfolder.claim import REMOTE_PREFIX, describe_mode
from scanpipe.hotfolder.names import display_name, unsafe_name_reason
from scanpipe.settings import InboxSettings, Settings
from scanpipe.sources import IGNORED_NAMES, open_source

# Still being written by the copying program: a batch holding one of these is not complete.
TEMP_NAMES = regex.compile(r"^~\$|\.(part|partial|tmp|crdownload|filepart)$", regex.I)
# Folders that file servers and operating systems keep in a share's root: never batches.
SYSTEM_NAMES = frozenset(
    {"#recycle", "@eaDir", "#snapshot", "$RECYCLE.BIN", "System Volume Information", "lost+found"}
)
NETWORK_FS = frozenset(
    {"cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "9p", "afs", "fuse.rclone", "davfs"}
)


@dataclass(frozen=True)
class Entry:
    """One thing at the top of an inbox and what it looks like right now."""

    inbox: InboxSettings
    path: Path
    kind: str  # "file" | "folder" | "hostile"
    signature: Hashable
    problem: str | None = None  # why it will be refused (hostile kind or unsafe name)
    marker: bool = False  # folders: a completion marker is present
    busy: bool = False  # folders: a temporary file inside is still being written
    empty: bool = False  # folders: nothing to convert yet
    newest_mtime: float = 0.0  # folders: newest entry, by the file system's clock

    @property
    def name(self) -> str:
        return display_name(self.path.name)

    @property
    def key(self) -> tuple[str, str]:
        return (str(self.inbox.path), self.path.name)


def _folder(inbox: InboxSettings, path: Path, markers: tuple[str, ...]) -> Entry:
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        return Entry(inbox, path, "folder", ("unreadable", exc.errno), f"cannot read: {exc}")
    parts: list[tuple[object, ...]] = []
    marker = busy = False
    newest = 0.0
    content = 0
    for name in names:
        try:
            st = os.lstat(path / name)
        except FileNotFoundError:
            continue
        parts.append((name, stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns))
        newest = max(newest, st.st_mtime)
        if name in markers:
            marker = True
        elif TEMP_NAMES.search(name):
            busy = True
        elif not IGNORED_NAMES.search(name):
            content += 1
    problem = unsafe_name_reason(path.name)
    return Entry(
        inbox,
        path,
        "folder",
        tuple(parts),
        problem,
        marker=marker,
        busy=busy,
        empty=content == 0,
        newest_mtime=newest,
    )


def scan_inbox(inbox: InboxSettings, markers: tuple[str, ...]) -> list[Entry]:
    """Everything at the top of ``inbox`` that is ours to account for, in name order.

    Temporary and hidden names are skipped (they are someone else's work in
    progress), except names starting with ``..``, which are path tricks.
    """
    entries: list[Entry] = []
    for name in sorted(os.listdir(inbox.path)):
        if name.startswith(REMOTE_PREFIX) or name in SYSTEM_NAMES:
            continue  # claimed by a watcher and being copied; or the server's own folder
        if IGNORED_NAMES.search(name) and not name.startswith(".."):
            continue
        path = inbox.path / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue  # deleted between listing and looking: nothing to account for
        if stat.S_ISREG(st.st_mode):
            signature = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
            entries.append(Entry(inbox, path, "file", signature, unsafe_name_reason(name)))
        elif stat.S_ISDIR(st.st_mode):
            entries.append(_folder(inbox, path, markers))
        else:
            entries.append(
                Entry(inbox, path, "hostile", (st.st_mode, st.st_ino), describe_mode(st.st_mode))
            )
    return entries


@dataclass(frozen=True)
class Probe:
    """Whether a stable file reads as a scan, and if not, whether waiting could help."""

    ok: bool
    reason: str = ""
    maybe_incomplete: bool = False  # empty or truncated: the writer may only have paused
    gone: bool = False  # deleted (or replaced by a non-file) while we looked


def probe(path: Path, settings: Settings) -> Probe:
    """Validate the file as ``convert`` will, on a descriptor that cannot be swapped."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return Probe(False, "deleted before it could be read", gone=True)
    except OSError as exc:
        return Probe(False, f"cannot be opened ({exc.strerror})", gone=True)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return Probe(False, describe_mode(st.st_mode), gone=True)
        via = Path(f"/proc/self/fd/{fd}") if os.path.isdir("/proc/self/fd") else path
        try:
            open_source(via, max_pixels=settings.ocr.max_pixels, dpi=settings.ocr.target_dpi)
        except InputFileError as exc:
            incomplete = st.st_size == 0 or "truncated" in exc.message
            return Probe(False, exc.message.replace(str(via), path.name), incomplete)
        except OSError as exc:
            return Probe(False, f"could not be read ({exc.strerror or exc})", maybe_incomplete=True)
        except Exception as exc:  # a parser bug on hostile bytes must not stop the watcher
            return Probe(False, f"could not be parsed ({type(exc).__name__}: {exc})")
        return Probe(True)
    finally:
        os.close(fd)


def batch_ready(entry: Entry, held_s: float, settings: Settings, local: bool) -> bool:
    """A batch folder is complete when a marker appears, or when it has been idle long enough.

    Both need the folder unchanged for ``stability_s`` (the marker may be
    written just before the last page lands) and no temporary file inside. On
    a local disk, a folder whose newest entry is older than ``batch_idle_s``
    by the file system's clock counts as idle already, so a restart does not
    wait out the idle time again; a network server's clock is not trusted.
    """
    watch = settings.watch
    if entry.busy or held_s < watch.stability_s:
        return False
    if entry.marker:
        return True
    if entry.empty:
        return False
    if held_s >= watch.batch_idle_s:
        return True
    idle_by_clock = 0 < entry.newest_mtime <= time.time() - watch.batch_idle_s
    return local and idle_by_clock


def mount_fstype(path: Path, mounts: str = "/proc/mounts") -> str:
    """The file-system type of the mount holding ``path`` ("" if unknown)."""
    try:
        lines = Path(mounts).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    target = os.path.realpath(path)
    best, fstype = "", ""
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts escapes blanks in mount points as octal (\040 for a space).
        point = regex.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, fstype = point, fields[2]
    return fstype


def is_network(path: Path, mounts: str = "/proc/mounts") -> bool:
    """inotify sees nothing that other machines write to SMB/NFS shares: poll those."""
    return mount_fstype(path, mounts) in NETWORK_FS
