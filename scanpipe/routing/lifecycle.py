"""The end of a file's working life and its paper original: close, reopen, record, custody.

Split from ``moves.py``; same rules, same one-transaction-per-action shape.
Closing needs the creator and a recorded approval; recording needs a closed
file and writes the record-room place both on the file and in ``custody``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scanpipe.eoffice.terms import FileState
from scanpipe.registry.eoffice_models import place_text
from scanpipe.registry.models import FileRow
from scanpipe.registry.records import set_fields
from scanpipe.registry.routing_models import CustodyRow, MovementRow, TrackingRow
from scanpipe.routing.base import Desk, active_user, find_file, user_by_id
from scanpipe.routing.moves import hold, record_move, replace_holders, require_approval
from scanpipe.routing.rules import Custody, Move, Purpose, RuleError, require


class Lifecycle:
    """Close, reopen and record a file; issue and return its paper original."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def close(self, file_id: int, actor: str, *, approver: str, remarks: str = "") -> None:
        """Close: the creator only, and only after ``approver`` (an officer) has approved."""
        with self.desk.writing("closing the file") as session:
            user = active_user(session, actor)
            row = find_file(session, file_id)
            if row.file_state not in (FileState.OPEN, FileState.PARKED):
                raise RuleError("open-only", f"file {row.id} is {row.file_state}")
            track = session.get(TrackingRow, row.id)
            if track is None or track.creator_id != user.id:
                creator = user_by_id(session, track.creator_id if track else None)
                raise RuleError(
                    "close-creator",
                    f"{user.login} did not create file {row.id}"
                    + (f"; {creator.label} did" if creator else ""),
                    advice="send it to its creator to close",
                )
            hold(self.desk, session, row, user)
            boss = active_user(session, approver)
            require_approval(session, row.id, boss, "close-approved", since=track.since)
            row.file_state, row.closed_on = FileState.CLOSED.value, self.desk.now().date()
            row.updated_at = self.desk.now()
            record_move(self.desk, session, row.id, Move.CLOSE, user, boss, remarks, None)
            self.desk.audit(session, user, "close", row.id, approver=boss.login, remarks=remarks)

    def reopen(self, file_id: int, actor: str, *, approver: str, remarks: str = "") -> None:
        """Reopen a closed or recorded file with an officer's recorded approval."""
        with self.desk.writing("reopening the file") as session:
            user = active_user(session, actor)
            require(user.role, "route", user.login)
            row = find_file(session, file_id)
            if row.file_state not in (FileState.CLOSED, FileState.RECORDED):
                raise RuleError(
                    "open-only",
                    f"file {row.id} is {row.file_state}, not closed",
                    advice="only closed or recorded files are reopened",
                )
            boss = active_user(session, approver)
            closed = session.scalar(
                select(func.max(MovementRow.at)).where(
                    MovementRow.file_id == row.id, MovementRow.kind == Move.CLOSE.value
                )
            )
            require_approval(
                session, row.id, boss, "reopen-approved", since=closed, purpose=Purpose.REOPEN
            )
            row.file_state, row.closed_on, row.updated_at = (
                FileState.OPEN.value,
                None,
                self.desk.now(),
            )
            replace_holders(self.desk, session, row.id, user)
            record_move(self.desk, session, row.id, Move.REOPEN, user, boss, remarks, None)
            self.desk.audit(session, user, "reopen", row.id, approver=boss.login, remarks=remarks)

    def record(
        self,
        file_id: int,
        actor: str,
        *,
        category: str,
        location: dict[str, str],
        retention_years: int | None = None,
        remarks: str = "",
    ) -> None:
        """Record a closed file into the record room: category, review year and place."""
        with self.desk.writing("recording the file") as session:
            user = active_user(session, actor)
            require(user.role, "record", user.login)
            row = find_file(session, file_id)
            if row.file_state != FileState.CLOSED:
                raise RuleError(
                    "record-closed",
                    f"file {row.id} is {row.file_state}",
                    advice=f"close it first: scanpipe file close {row.id}",
                )
            changes: dict[str, Any] = {"category": category, **location}
            if retention_years is not None:
                changes["retention_years"] = retention_years
            set_fields(session, row, changes)
            row.file_state = FileState.RECORDED.value
            replace_holders(self.desk, session, row.id, user)
            place = _place(row)
            record_move(self.desk, session, row.id, Move.RECORD, user, None, remarks or place, None)
            session.add(
                CustodyRow(
                    file_id=row.id,
                    kind=Custody.LOCATE.value,
                    actor_id=user.id,
                    at=self.desk.now(),
                    location=place,
                    remarks=remarks,
                )
            )
            self.desk.audit(
                session,
                user,
                "record",
                row.id,
                category=row.category,
                review_year=row.review_year,
                location=place,
            )

    def issue_paper(self, file_id: int, actor: str, to: str, *, remarks: str = "") -> None:
        """Hand the paper original to a person; ``return_paper`` puts it back."""
        with self.desk.writing("issuing the paper file") as session:
            user = active_user(session, actor)
            require(user.role, "custody", user.login)
            row = find_file(session, file_id)
            last = _last_custody(session, row.id)
            if last is not None and last.kind == Custody.ISSUE:
                who = user_by_id(session, last.person_id)
                raise RuleError(
                    "custody",
                    f"the paper file {row.id} is already issued to {who.label if who else '?'}",
                    advice="return it first",
                )
            person = active_user(session, to)
            session.add(
                CustodyRow(
                    file_id=row.id,
                    kind=Custody.ISSUE.value,
                    actor_id=user.id,
                    person_id=person.id,
                    at=self.desk.now(),
                    location=_place(row),
                    remarks=remarks,
                )
            )
            self.desk.audit(session, user, "paper-issue", row.id, to=person.login)

    def return_paper(self, file_id: int, actor: str, *, remarks: str = "") -> None:
        with self.desk.writing("returning the paper file") as session:
            user = active_user(session, actor)
            require(user.role, "custody", user.login)
            row = find_file(session, file_id)
            last = _last_custody(session, row.id)
            if last is None or last.kind != Custody.ISSUE:
                raise RuleError("custody", f"the paper file {row.id} is not issued to anyone")
            session.add(
                CustodyRow(
                    file_id=row.id,
                    kind=Custody.RETURN.value,
                    actor_id=user.id,
                    person_id=last.person_id,
                    at=self.desk.now(),
                    location=_place(row),
                    remarks=remarks,
                )
            )
            self.desk.audit(session, user, "paper-return", row.id)


# -- helpers ------------------------------------------------------------


def _last_custody(session: Session, file_id: int) -> CustodyRow | None:
    return session.scalar(
        select(CustodyRow)
        .where(CustodyRow.file_id == file_id)
        .order_by(CustodyRow.id.desc())
        .limit(1)
    )


def _place(row: FileRow) -> str:
    return place_text(row.room, row.almirah, row.shelf, row.bundle)
