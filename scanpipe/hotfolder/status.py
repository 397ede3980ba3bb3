"""The figures behind ``scanpipe status``: what waits, what runs, what failed, how fast today.

Everything is read from the folders and today's event journal, never from a
running watcher, so status works with zero, one or several watchers and
after a crash.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from scanpipe.hotfolder.claim import is_locked_elsewhere
from scanpipe.hotfolder.inbox import scan_inbox
from scanpipe.hotfolder.journal import today
from scanpipe.hotfolder.quarantine import QUEUES
from scanpipe.hotfolder.waiting import read_board
from scanpipe.settings import Settings


def _count(folder: os.PathLike[str] | str) -> int:
    try:
        return sum(not name.startswith(".") for name in os.listdir(folder))
    except FileNotFoundError:
        return 0


def pending(claims: Path) -> tuple[int, int]:
    """(jobs waiting, jobs being worked on) in ``claims``; for ``scanpipe status``."""
    waiting = busy = 0
    if claims.is_dir():
        for entry in os.listdir(claims):
            if entry.startswith("."):
                continue
            if is_locked_elsewhere(claims / entry):
                busy += 1
            else:
                waiting += 1
    return waiting, busy


def collect(settings: Settings) -> dict[str, Any]:
    in_inboxes = 0
    for inbox in settings.watch.inboxes:
        try:
            in_inboxes += len(scan_inbox(inbox, settings.watch.markers))
        except OSError:
            continue
    waiting, busy = pending(settings.work_dir / "claims")
    day = today(settings.home)
    return {
        "queue_depth": in_inboxes + waiting,
        "waiting_for_writer": read_board(settings.home),
        "in_inboxes": in_inboxes,
        "claimed_waiting": waiting,
        "in_progress": busy,
        "failures_open": _count(settings.home / QUEUES["failed"]),
        "duplicates_open": _count(settings.home / QUEUES["duplicate"]),
        "flagged_open": _count(settings.home / QUEUES["flagged"]),
        "received_today": day.received,
        "done_today": day.done,
        "failed_today": day.failed,
        "pages_today": day.pages,
        "pages_per_minute_today": round(day.pages_per_minute, 1),
        "intake": f"paused: {day.paused}" if day.paused else "open",
    }
