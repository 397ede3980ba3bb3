"""Sign-in limits every server process shares: growing delays per (login, address).

A hard lock of an account after N failures lets anyone lock an officer out
from anywhere. Instead, failures are counted per (login, address): after
``free`` of them, each further try from that address must wait twice as long
as the last (``base_delay_s``, doubling, capped at ``max_delay_s``), while the
same officer at their own desk is not held back. An address that fails for
many logins (``per_address`` in the window) is slowed the same way: that is
password spraying. The failures live in the registry (``sign_in_failures``),
so every worker process, and both backends, see one count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from scanpipe.errors import ExitCode, ScanpipeError
from scanpipe.registry import audit
from scanpipe.registry.routing_models import SignInFailureRow, UserRow
from scanpipe.routing.base import Desk

UNKNOWN_ACTOR = "web:unknown-login"


class SignInDelayed(ScanpipeError):
    """Too many failed sign-ins from this address: wait before the next try."""

    exit_code = ExitCode.REFUSED


@dataclass(frozen=True)
class Limits:
    free: int = 5  # failures per (login, address) before any delay
    per_address: int = 20  # failures from one address, any login, before any delay
    window_s: float = 15 * 60  # failures older than this are forgotten
    base_delay_s: float = 30.0
    max_delay_s: float = 15 * 60


class SignIns:
    def __init__(self, desk: Desk, limits: Limits | None = None) -> None:
        self.desk = desk
        self.limits = limits or Limits()

    def check(self, login: str, address: str) -> None:
        """Raise ``SignInDelayed`` when this try comes before its delay is over."""
        now = self.desk.now()
        since = now - timedelta(seconds=self.limits.window_s)
        with self.desk.reading("checking sign-in limits") as session:
            pair = session.execute(
                select(func.count(), func.max(SignInFailureRow.at)).where(
                    SignInFailureRow.login == login,
                    SignInFailureRow.address == address,
                    SignInFailureRow.at >= since,
                )
            ).one()
            spread = session.execute(
                select(func.count(), func.max(SignInFailureRow.at)).where(
                    SignInFailureRow.address == address, SignInFailureRow.at >= since
                )
            ).one()
        wait = max(
            self._wait(pair[0], pair[1], self.limits.free, now),
            self._wait(spread[0], spread[1], self.limits.per_address, now),
        )
        if wait > 0:
            raise SignInDelayed(
                "too many failed sign-in attempts from this address",
                advice=f"wait {_spoken(wait)} and try again, or ask an admin to reset "
                "your password",
            )

    def _wait(self, failures: int, last: datetime | None, free: int, now: datetime) -> float:
        if failures < free or last is None:
            return 0.0
        delay = min(self.limits.max_delay_s, self.limits.base_delay_s * 2 ** (failures - free))
        if last.tzinfo is None:  # SQLite hands naive UTC back
            last = last.replace(tzinfo=now.tzinfo)
        return max(0.0, delay - (now - last).total_seconds())

    def failed(self, login: str, address: str) -> None:
        """Count the failure and audit it with the address (the login may not exist)."""
        now = self.desk.now()
        with self.desk.writing("recording a failed sign-in") as session:
            session.execute(
                delete(SignInFailureRow).where(
                    SignInFailureRow.at < now - timedelta(seconds=self.limits.window_s)
                )
            )
            session.add(SignInFailureRow(login=login[:64], address=address[:64], at=now))
            known = session.scalar(select(UserRow).where(UserRow.login == login))
            if known is not None:  # on the account's own trail: ``audit --user LOGIN``
                self.desk.audit(session, known, "sign-in-failed", None, ip=address)
            else:  # a login that does not exist is not an actor; what was typed is kept
                audit.write(
                    session,
                    "sign-in-failed",
                    None,
                    login=UNKNOWN_ACTOR,
                    at=now,
                    detail={"tried": login[:64], "ip": address},
                )

    def succeeded(self, login: str, address: str) -> None:
        with self.desk.writing("clearing sign-in failures") as session:
            session.execute(
                delete(SignInFailureRow).where(
                    SignInFailureRow.login == login, SignInFailureRow.address == address
                )
            )


def _spoken(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} seconds"
    return f"{round(seconds / 60)} minutes"
