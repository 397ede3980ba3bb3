"""One line per thing that happens to a dropped file: for people, and for ``scanpipe status``.

Each event goes to the log (stderr, so journald keeps it) as one readable
line, and to ``watch/events-YYYY-MM-DD.jsonl`` as JSON. The JSON file is what
``status`` and the soak benchmark count from: several watchers append to it
with ``O_APPEND`` single writes, so lines never interleave, and one file per
day keeps "today" cheap to read and old days easy to delete.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("scanpipe.watch")

# The readable line for each event; the JSON line carries every field.
_FORMATS = {
    "received": "received {name} in {inbox}",
    "claimed": "claimed {name} as job {job}",
    "done": "done {name}: job {job}, file {files}, {pages} pages, {seconds}s",
    "duplicate": "duplicate {name}: job {job} is already registered as file {existing}",
    "failed": "failed {name}: job {job}: {reason}",
    "retry": "retry later {name}: job {job}, attempt {attempts}: {reason}",
    "vanished": "gone {name} from {inbox} (deleted, or taken by another watcher)",
    "flagged": "flagged {name}: job {job}: {reason}",
    "paused": "intake paused: {reason}",
    "resumed": "intake resumed: {reason}",
}


def events_dir(home: Path) -> Path:
    return home / "watch"


class Journal:
    def __init__(self, home: Path) -> None:
        self.dir = events_dir(home)

    def record(self, event: str, **fields: Any) -> None:
        fields = {k: v for k, v in fields.items() if v is not None}
        text = _FORMATS.get(event, event).format_map(_Blank(fields))
        (log.warning if event in ("failed", "paused") else log.info)(text)
        entry = {"t": round(time.time(), 3), "event": event, "pid": os.getpid(), **fields}
        line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(_day_file(self.dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:  # a full disk must not stop the watcher; the log line stands
            log.error("could not write the event journal: %s", exc)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _day_file(directory: Path, day: str | None = None) -> Path:
    return directory / f"events-{day or time.strftime('%Y-%m-%d')}.jsonl"


def read_events(home: Path, day: str | None = None) -> Iterator[dict[str, Any]]:
    path = _day_file(events_dir(home), day)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    for line in text.splitlines():
        try:
            yield json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash


@dataclass(frozen=True)
class Today:
    received: int = 0
    done: int = 0
    duplicates: int = 0
    failed: int = 0
    pages: int = 0
    pages_per_minute: float = 0.0
    paused: str | None = None  # the last pause reason, if intake is paused now


def today(home: Path) -> Today:
    """Counts for today; pages per minute over the span from the first claim to the last done."""
    counts = {"received": 0, "done": 0, "duplicate": 0, "failed": 0}
    pages = 0
    first = last = None
    paused: str | None = None
    for e in read_events(home):
        kind = e.get("event")
        if kind in counts:
            counts[kind] += 1
        if kind == "claimed" and first is None:
            first = e["t"]
        if kind == "done":
            pages += int(e.get("pages", 0))
            last = e["t"]
        if kind == "paused":
            paused = str(e.get("reason", ""))
        elif kind == "resumed":
            paused = None
    span = (last - first) / 60 if first is not None and last is not None else 0.0
    return Today(
        received=counts["received"],
        done=counts["done"],
        duplicates=counts["duplicate"],
        failed=counts["failed"],
        pages=pages,
        pages_per_minute=pages / span if span > 0 else 0.0,
        paused=paused,
    )
