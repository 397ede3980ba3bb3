"""Drops that wait for their writer, written down so ``status`` and the web can say so.

An empty or truncated drop may be a copy that paused, so the watcher waits
for it (up to ``watch.max_age_s``) instead of refusing it at once: a sound
rule, but silent. The watcher keeps this board in ``work/waiting.json``
(written atomically whenever it changes), so an operator sees what waits, why,
and until when, from any process, with or without a watcher running.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

BOARD = "waiting.json"


def board_path(home: Path) -> Path:
    return home / "work" / BOARD


class WaitingBoard:
    def __init__(self, home: Path) -> None:
        self.path = board_path(home)
        self.items: dict[str, dict[str, Any]] = {}
        self._written: str | None = None

    def note(
        self, key: object, name: str, inbox: str, reason: str, waited_s: float, max_s: float
    ) -> None:
        now = time.time()
        since = now - waited_s
        self.items[repr(key)] = {
            "name": name,
            "inbox": inbox,
            "reason": reason,
            "since": round(since),
            "until": round(since + max_s),
        }

    def clear(self, key: object) -> None:
        self.items.pop(repr(key), None)

    def keep_only(self, keys: list[object]) -> None:
        present = {repr(k) for k in keys}
        for key in [k for k in self.items if k not in present]:
            del self.items[key]

    def write(self) -> None:
        data = json.dumps(sorted(self.items.values(), key=lambda i: i["since"]), ensure_ascii=False)
        if data == self._written:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{BOARD}.{os.getpid()}.tmp")
        tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, self.path)
        self._written = data


def read_board(home: Path) -> list[dict[str, Any]]:
    """What waits, oldest first; a board whose deadline passed is not shown as waiting."""
    try:
        items = json.loads(board_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    now = time.time()
    return [i for i in items if isinstance(i, dict) and i.get("until", 0) > now]
