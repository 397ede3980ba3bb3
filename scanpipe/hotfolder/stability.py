"""Deciding when a dropped file (or batch folder) has finished arriving.

Nothing tells us a copy is finished: Explorer, ``cp``, ``rsync`` and scanners
all write in place, and over SMB the events arrive late or not at all. So a
candidate is judged by what we can observe: its signature (size, mtime and
inode for a file; the names, sizes and mtimes inside a folder) must not change
for a hold time *measured on our own clock*. File-server clocks are never
compared with ours, so a skewed server cannot make a half-copied file look old.

The tracker is pure (the clock is injected) so its rules are unit-tested
without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    NEW = "new"  # first sighting: never ready on first sight
    WAITING = "waiting"  # changed recently, or not yet held long enough
    STABLE = "stable"  # unchanged for the hold time
    EXPIRED = "expired"  # seen for max_age without ever becoming stable


@dataclass
class Sighting:
    """What we know of one candidate: when we first saw it, when it last changed."""

    signature: Hashable
    first_seen: float
    changed_at: float

    def held(self, now: float) -> float:
        return now - self.changed_at

    def age(self, now: float) -> float:
        return now - self.first_seen


class StabilityTracker:
    """Remembers candidates between scans and says which have stopped changing.

    ``observe`` is called on every scan with the candidate's current signature.
    A changed signature restarts the hold time but not the age, so a file
    that keeps growing for longer than ``max_age`` expires instead of waiting
    forever (a stuck copy, or a log file someone pointed at the inbox).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[Hashable, Sighting] = {}

    def __contains__(self, key: Hashable) -> bool:
        return key in self._seen

    def __len__(self) -> int:
        return len(self._seen)

    def get(self, key: Hashable) -> Sighting | None:
        return self._seen.get(key)

    def observe(
        self, key: Hashable, signature: Hashable, hold_s: float, max_age_s: float
    ) -> Verdict:
        now = self._clock()
        seen = self._seen.get(key)
        if seen is None:
            self._seen[key] = Sighting(signature, now, now)
            return Verdict.NEW
        if seen.signature != signature:
            seen.signature = signature
            seen.changed_at = now
        if seen.held(now) >= hold_s:
            return Verdict.STABLE
        if seen.age(now) >= max_age_s:
            return Verdict.EXPIRED
        return Verdict.WAITING

    def forget(self, key: Hashable) -> None:
        self._seen.pop(key, None)

    def keep_only(self, present: Iterable[Hashable]) -> list[Hashable]:
        """Drop candidates that are gone from the inbox; return what was dropped."""
        keep = set(present)
        gone = [k for k in self._seen if k not in keep]
        for key in gone:
            del self._seen[key]
        return gone

    def age(self, key: Hashable) -> float:
        seen = self._seen.get(key)
        return seen.age(self._clock()) if seen else 0.0

    def undecided(self, hold_s: float) -> list[Hashable]:
        """Candidates not yet watched for a whole hold time: their verdict is still open.

        ``watch --once`` waits for these before it exits, so a cron run does not
        skip a file merely because it started a second after the file landed.
        """
        now = self._clock()
        return [k for k, s in self._seen.items() if s.age(now) < hold_s]
