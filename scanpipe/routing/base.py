"""Sessions, clock, users and the audit log shared by the routing mixins.

Every write is one transaction that also appends its audit entry, so an
action and its log line exist together or not at all.
"""

from __future__ import annotations

import contextlib
import getpass
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError
from scanpipe.registry.eoffice_models import SectionRow
from scanpipe.registry.models import FileRow
from scanpipe.registry.records import resolve_section
from scanpipe.registry.routing_models import AuditRow, UserRow
from scanpipe.registry.search import SearchBackend
from scanpipe.registry.store import Registry
from scanpipe.routing.auth import hash_password
from scanpipe.routing.rules import Role
from scanpipe.routing.views import UserInfo

Clock = Callable[[], datetime]
LOGIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def utc_now() -> datetime:
    return datetime.now(UTC)


class UserError(ScanpipeError):
    """A user account value is wrong (bad login, unknown role)."""

    exit_code = ExitCode.BAD_ARGS


class RoutingBase:
    """Holds the engine and the clock; a fixed clock makes pendency testable."""

    def __init__(self, registry: Registry, clock: Clock = utc_now) -> None:
        self.registry = registry
        self._engine: Engine = registry._engine
        self._search: SearchBackend = registry._search
        self.clock = clock

    def now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the routing clock must return an aware datetime")
        return now.astimezone(UTC)

    def _writing(self, action: str) -> contextlib.AbstractContextManager[Session]:
        """The registry's write transaction (BEGIN IMMEDIATE, errors translated)."""
        return self.registry._writing(action)

    def _reading(self, action: str) -> contextlib.AbstractContextManager[Session]:
        return self.registry._reading(action)

    # -- users ------------------------------------------------------------

    def add_user(
        self,
        login: str,
        *,
        name: str,
        designation: str,
        role: str,
        section: str | None = None,
        office: str | None = None,
        password: str | None = None,
    ) -> UserInfo:
        """Create an account; ``password`` (for the web app) is stored as an argon2 hash."""
        login = _check_login(login)
        try:
            role_value = Role(role.lower()).value
        except ValueError:
            raise UserError(
                f"unknown role {role!r}", advice=f"use one of {', '.join(r.value for r in Role)}"
            ) from None
        if not name.strip() or not designation.strip():
            raise UserError(
                "a user needs a name and a designation", advice="pass --name and --designation"
            )
        with self._writing("adding a user") as session:
            if session.scalar(select(UserRow.id).where(UserRow.login == login)) is not None:
                raise UserError(f"the login {login!r} is taken", advice="choose another login")
            _, section_id = resolve_section(session, office, section) if section else (None, None)
            row = UserRow(
                login=login,
                name=name.strip(),
                designation=designation.strip(),
                section_id=section_id,
                role=role_value,
                password_hash=hash_password(password) if password else None,
                active=True,
                created_at=self.now(),
            )
            session.add(row)
            session.flush()
            self._audit(session, None, "user-add", None, login=login, role=role_value)
            return self._user_info(session, row)

    def edit_user(
        self,
        login: str,
        *,
        role: str | None = None,
        designation: str | None = None,
        section: str | None = None,
        active: bool | None = None,
        password: str | None = None,
    ) -> UserInfo:
        with self._writing("changing a user") as session:
            row = self._user(session, login)
            if role is not None:
                row.role = Role(role.lower()).value
            if designation is not None:
                row.designation = designation.strip()
            if section is not None:
                _, row.section_id = resolve_section(session, None, section)
            if active is not None:
                row.active = active
            if password is not None:
                row.password_hash = hash_password(password)
            changed = {
                k: v
                for k, v in (
                    ("role", role),
                    ("designation", designation),
                    ("section", section),
                    ("active", active),
                )
                if v is not None
            }
            if password is not None:
                changed["password"] = "changed"
            self._audit(session, None, "user-edit", None, login=login, **changed)
            return self._user_info(session, row)

    def get_user(self, login: str) -> UserInfo:
        with self._reading("looking up a user") as session:
            return self._user_info(session, self._user(session, login))

    def password_hash(self, login: str) -> str | None:
        """For sign-in only; None when the user has no password or is inactive."""
        with self._reading("signing in") as session:
            row = session.scalar(select(UserRow).where(UserRow.login == login.strip().lower()))
            return row.password_hash if row is not None and row.active else None

    def list_users(self) -> list[UserInfo]:
        with self._reading("listing users") as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.login)).all()
            return [self._user_info(session, r) for r in rows]

    def _user(self, session: Session, login: str) -> UserRow:
        row = session.scalar(select(UserRow).where(UserRow.login == login.strip().lower()))
        if row is None:
            raise NotFoundError(
                f"no user {login!r}",
                advice="run 'scanpipe user list' or add one with 'scanpipe user add'",
            )
        return row

    def _active(self, session: Session, login: str) -> UserRow:
        row = self._user(session, login)
        if not row.active:
            raise UserError(f"user {login!r} is inactive", advice="ask an admin to reactivate it")
        return row

    def _user_info(self, session: Session, row: UserRow) -> UserInfo:
        section = session.get(SectionRow, row.section_id) if row.section_id else None
        return UserInfo.from_row(row, section.code if section else None)

    def _user_by_id(self, session: Session, user_id: int | None) -> UserInfo | None:
        if user_id is None:
            return None
        cache: dict[int, UserInfo] = session.info.setdefault("users", {})
        if user_id not in cache:
            row = session.get(UserRow, user_id)
            cache[user_id] = self._user_info(session, row) if row else _gone(user_id)
        return cache[user_id]

    def _file(self, session: Session, file_id: int) -> FileRow:
        row = session.get(FileRow, file_id)
        if row is None:
            raise NotFoundError(
                f"no file with id {file_id}", advice="run 'scanpipe file list' to find it"
            )
        return row

    # -- audit ------------------------------------------------------------

    def _audit(
        self,
        session: Session,
        actor: UserRow | None,
        action: str,
        file_id: int | None,
        **detail: Any,
    ) -> None:
        session.add(
            AuditRow(
                at=self.now(),
                user_id=actor.id if actor else None,
                login=actor.login if actor else f"os:{_os_user()}",
                action=action,
                file_id=file_id,
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
            )
        )

    def log_access(
        self, file_id: int | None, login: str | None, action: str, **detail: Any
    ) -> None:
        """Record a view or download (who read what is part of the audit trail)."""
        with self._writing("writing the audit log") as session:
            actor = self._user(session, login) if login else None
            self._audit(session, actor, action, file_id, **detail)


def _check_login(login: str) -> str:
    value = login.strip().lower()
    if not value or len(value) > 64 or not set(value) <= LOGIN_CHARS:
        raise UserError(
            f"bad login {login!r}",
            advice="use 1-64 characters from a-z, 0-9, '.', '_' and '-', e.g. r.sahu",
        )
    return value


def _gone(user_id: int) -> UserInfo:
    return UserInfo(user_id, f"#{user_id}", "(deleted user)", "", None, "operator", False)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
