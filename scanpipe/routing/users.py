"""User accounts: who may act on files, with which role, in which section.

Logins are lower-case and plain (``r.sahu``) because people type them on
the CLI (``--as``) and they are stored in every audit entry.
"""

from __future__ import annotations

from sqlalchemy import select

from scanpipe.eoffice.terms import Grading
from scanpipe.registry.records import resolve_section
from scanpipe.registry.routing_models import UserRow
from scanpipe.routing.auth import hash_password
from scanpipe.routing.base import Desk, UserError, find_user, user_info
from scanpipe.routing.rules import Role
from scanpipe.routing.views import UserInfo

LOGIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
#: A new account's clearance (registry/access.py); an admin raises it with ``user edit``.
DEFAULT_CLEARANCE = {
    Role.OFFICER.value: Grading.CONFIDENTIAL,
    Role.RECORDS.value: Grading.CONFIDENTIAL,
    Role.ADMIN.value: Grading.CONFIDENTIAL,
}


class Users:
    """Add, change and look up accounts; every change is audited."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

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
        email: str | None = None,
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
        with self.desk.writing("adding a user") as session:
            if session.scalar(select(UserRow.id).where(UserRow.login == login)) is not None:
                raise UserError(f"the login {login!r} is taken", advice="choose another login")
            _, section_id = resolve_section(session, office, section) if section else (None, None)
            row = UserRow(
                login=login,
                name=name.strip(),
                designation=designation.strip(),
                section_id=section_id,
                role=role_value,
                clearance=DEFAULT_CLEARANCE.get(role_value, Grading.NORMAL).value,
                password_hash=hash_password(password) if password else None,
                email=_check_email(email),
                active=True,
                created_at=self.desk.now(),
            )
            session.add(row)
            session.flush()
            self.desk.audit(session, None, "user-add", None, login=login, role=role_value)
            return user_info(session, row)

    def edit_user(
        self,
        login: str,
        *,
        role: str | None = None,
        designation: str | None = None,
        section: str | None = None,
        active: bool | None = None,
        password: str | None = None,
        email: str | None = None,
    ) -> UserInfo:
        with self.desk.writing("changing a user") as session:
            row = find_user(session, login)
            if email is not None:
                row.email = _check_email(email)
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
            if password is not None or active is False:
                # A new password or a deactivation ends every session the old one opened.
                row.session_version = (row.session_version or 0) + 1
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
            self.desk.audit(session, None, "user-edit", None, login=login, **changed)
            return user_info(session, row)

    def end_sessions(self, login: str, by: str | None = None) -> UserInfo:
        """Sign the user out everywhere: every session cookie issued so far is void.

        Called on sign-out too, so that a copied cookie dies with the session
        the user ended; the check is in the registry, so every worker process
        and both backends see it at once.
        """
        with self.desk.writing("ending sessions") as session:
            row = find_user(session, login)
            row.session_version = (row.session_version or 0) + 1
            self.desk.audit(session, None, "sessions-ended", None, login=row.login, by=by or "")
            return user_info(session, row)

    def get_user(self, login: str) -> UserInfo:
        with self.desk.reading("looking up a user") as session:
            return user_info(session, find_user(session, login))

    def password_hash(self, login: str) -> str | None:
        """For sign-in only; None when the user has no password or is inactive."""
        with self.desk.reading("signing in") as session:
            row = session.scalar(select(UserRow).where(UserRow.login == login.strip().lower()))
            return row.password_hash if row is not None and row.active else None

    def list_users(self) -> list[UserInfo]:
        with self.desk.reading("listing users") as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.login)).all()
            return [user_info(session, r) for r in rows]


def _check_login(login: str) -> str:
    value = login.strip().lower()
    if not value or len(value) > 64 or not set(value) <= LOGIN_CHARS:
        raise UserError(
            f"bad login {login!r}",
            advice="use 1-64 characters from a-z, 0-9, '.', '_' and '-', e.g. r.sahu",
        )
    return value


def _check_email(email: str | None) -> str | None:
    """An address mail can go to, or None (``""`` clears it)."""
    if email is None or not email.strip():
        return None
    email = email.strip()
    if email.count("@") != 1 or " " in email or email.startswith("@") or email.endswith("@"):
        raise UserError(f"{email!r} is not a mail address", advice="use e.g. so.est@cg.gov.in")
    return email
