"""Reads of a file under the one read rule (``registry.access``), audited every time.

The web, the CLI and the JSON API all open a file through ``open_file``: it
decides with the rule, writes the audit entry (a refused read too) and
raises the same error whether the file is missing or may not be read, so a
refusal shows no title and does not even confirm that the file exists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from scanpipe.eoffice.terms import Grading
from scanpipe.errors import NotFoundError
from scanpipe.registry import access, audit
from scanpipe.registry.access import Reader
from scanpipe.registry.models import FileRow
from scanpipe.registry.routing_models import FileShareRow, HoldingRow
from scanpipe.routing.base import Desk, UserError, find_user
from scanpipe.routing.rules import Role, RuleError

#: A shell on the server: it can read the database file anyway, so it sees all, audited.
SHELL_ROLE = Role.RECORDS.value


class FileNotReadable(NotFoundError):
    """No such file, or the reader may not see it: the same words for both."""

    def __init__(self, file_id: int) -> None:
        super().__init__(
            f"file {file_id} was not found, or you may not read it",
            advice="check the number; if you need the file for your work, ask the records "
            "room or its holder to share it (scanpipe file share)",
        )


class Readers:
    """Who is reading, whether they may, and shares and clearances that widen the rule."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def reader(self, login: str | None) -> Reader:
        """The rule's view of a login; None or ``os:NAME`` is a shell on the server."""
        if not login or login.startswith(audit.OS_PREFIX):
            return Reader(login or audit.os_login(), SHELL_ROLE)
        with self.desk.reading("looking up the reader") as session:
            row = find_user(session, login)
            if not row.active:
                return Reader(row.login, "inactive", row.id)  # sees nothing: rule 3 needs a role
            return Reader(row.login, row.role, row.id, row.section_id, Grading(row.clearance))

    def open_file(self, login: str | None, file_id: int, action: str, **detail: Any) -> Reader:
        """Check the rule for one file and audit the read; raises FileNotReadable."""
        reader = self.reader(login)
        with self.desk.writing("writing the audit log") as session:
            allowed = access.may_read(session, reader, file_id)
            audit.write(
                session,
                action if allowed else "read-refused",
                file_id if allowed else None,  # a refused id may not exist: kept in the detail
                login=reader.login,
                user_id=reader.user_id,
                at=self.desk.now(),
                detail={**detail, **({} if allowed else {"file": file_id, "wanted": action})},
            )
        if not allowed:
            raise FileNotReadable(file_id)
        return reader

    def share(self, file_id: int, login: str, *, by: str | None) -> None:
        """Let ``login`` read the file (need to know); by the records room, an admin or a
        reader of the file who holds it."""
        giver = self.reader(by)
        if not giver.sees_all and not _holds(self.desk, giver, file_id):
            raise RuleError(
                "role",
                f"{giver.login} may not share file {file_id}",
                advice="ask the records room, an admin or the file's holder",
            )
        with self.desk.writing("sharing a file") as session:
            if session.get(FileRow, file_id) is None:
                raise FileNotReadable(file_id)
            user = find_user(session, login)
            if session.get(FileShareRow, (file_id, user.id)) is None:
                session.add(
                    FileShareRow(
                        file_id=file_id,
                        user_id=user.id,
                        granted_by=giver.login,
                        granted_at=self.desk.now(),
                    )
                )
            audit.write(
                session,
                "share",
                file_id,
                login=giver.login,
                user_id=giver.user_id,
                at=self.desk.now(),
                detail={"with": user.login},
            )

    def set_clearance(self, login: str, clearance: str) -> None:
        try:
            value = Grading(clearance.lower()).value
        except ValueError:
            raise UserError(
                f"unknown clearance {clearance!r}",
                advice=f"use one of {', '.join(g.value for g in Grading)}",
            ) from None
        with self.desk.writing("changing a clearance") as session:
            row = find_user(session, login)
            row.clearance = value
            self.desk.audit(session, None, "user-edit", None, login=row.login, clearance=value)


def _holds(desk: Desk, reader: Reader, file_id: int) -> bool:
    if reader.user_id is None:
        return False
    with desk.reading("checking the holder") as session:
        return (
            session.scalar(
                select(HoldingRow.id).where(
                    HoldingRow.file_id == file_id, HoldingRow.user_id == reader.user_id
                )
            )
            is not None
        )


__all__ = ["FileNotReadable", "Readers"]
