"""What every routing service shares: one registry, one clock, and row look-ups.

The services (``users``, ``moves``, ``lifecycle``, ``notes``, ``tracking``)
are small classes over one ``Desk`` rather than layers of one inherited
class, so each can be read, tested and reused alone, and a helper one of them
needs from another is a plain function with its inputs in its signature.

Every write is one ``Registry.writing()`` transaction that also appends its
audit entry (``Desk.audit``), so an action and its log line exist together or
not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError
from scanpipe.registry import audit
from scanpipe.registry.eoffice_models import SectionRow
from scanpipe.registry.models import FileRow
from scanpipe.registry.routing_models import UserRow
from scanpipe.registry.store import Registry
from scanpipe.routing.views import UserInfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class UserError(ScanpipeError):
    """A user account value is wrong (bad login, unknown role)."""

    exit_code = ExitCode.BAD_ARGS


@dataclass(frozen=True)
class Desk:
    """The registry the services share and the clock they stamp with.

    A fixed clock makes pendency and ageing testable to the second.
    """

    registry: Registry
    clock: Clock = utc_now
    # Called with (session, actor, action, file_id, detail) after every audit entry, in
    # the action's transaction: the notifier listens here (routing/notify.py).
    listeners: list[Callable[..., None]] = field(default_factory=list, compare=False, hash=False)

    def now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the routing clock must return an aware datetime")
        return now.astimezone(UTC)

    def reading(self, action: str) -> contextlib.AbstractContextManager[Session]:
        return self.registry.reading(action)

    def writing(self, action: str) -> contextlib.AbstractContextManager[Session]:
        """The registry's write transaction (BEGIN IMMEDIATE, errors translated)."""
        return self.registry.writing(action)

    def audit(
        self,
        session: Session,
        actor: UserRow | None,
        action: str,
        file_id: int | None,
        **detail: Any,
    ) -> None:
        """Append the audit entry on the action's own session; no actor means the OS account."""
        audit.write(
            session,
            action,
            file_id,
            login=actor.login if actor else None,
            user_id=actor.id if actor else None,
            at=self.now(),
            detail=detail,
        )
        for listen in self.listeners:
            listen(session, actor, action, file_id, detail)


# -- look-ups shared by the services -------------------------------------------------------


def find_user(session: Session, login: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.login == login.strip().lower()))
    if row is None:
        raise NotFoundError(
            f"no user {login!r}",
            advice="run 'scanpipe user list' or add one with 'scanpipe user add'",
        )
    return row


def active_user(session: Session, login: str) -> UserRow:
    row = find_user(session, login)
    if not row.active:
        raise UserError(f"user {login!r} is inactive", advice="ask an admin to reactivate it")
    return row


def user_info(session: Session, row: UserRow) -> UserInfo:
    section = session.get(SectionRow, row.section_id) if row.section_id else None
    return UserInfo.from_row(row, section.code if section else None)


def user_by_id(session: Session, user_id: int | None) -> UserInfo | None:
    """A user's view, cached on the session: a path of forty moves names few people."""
    if user_id is None:
        return None
    cache: dict[int, UserInfo] = session.info.setdefault("users", {})
    if user_id not in cache:
        row = session.get(UserRow, user_id)
        cache[user_id] = user_info(session, row) if row else _gone(user_id)
    return cache[user_id]


def find_file(session: Session, file_id: int) -> FileRow:
    row = session.get(FileRow, file_id)
    if row is None:
        raise NotFoundError(
            f"no file with id {file_id}", advice="run 'scanpipe file list' to find it"
        )
    return row


def _gone(user_id: int) -> UserInfo:
    return UserInfo(user_id, f"#{user_id}", "(deleted user)", "", None, "operator", False)
