"""Movements: send, receive, pull back, park and unpark, and the shared rule checks.

Each method checks the rules first and changes nothing when one refuses.
``holdings`` is rewritten with every movement so where-is never replays the
path; ``movements`` keeps the path itself, complete and in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from scanpipe.eoffice.terms import FileState, Nature, Priority, parse_choice
from scanpipe.registry.models import FileRow
from scanpipe.registry.routing_models import (
    ApprovalRow,
    HoldingRow,
    MovementRow,
    NoteRow,
    TrackingRow,
    UserRow,
)
from scanpipe.routing import paragraphs
from scanpipe.routing.base import Desk, active_user, find_file, user_by_id
from scanpipe.routing.rules import Move, Purpose, Role, RuleError, office_date, require

WHERE_ADVICE = "run 'scanpipe file where {id}' to see who holds it"


class Moves:
    """Send, receive, pull back, park and unpark: the movements of a file between people."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def send(
        self,
        file_id: int,
        actor: str,
        to: Sequence[str],
        *,
        remarks: str = "",
        due_on: date | None = None,
        priority: str = Priority.NORMAL.value,
        drafts: str | None = None,
    ) -> list[int]:
        """Forward a file to one or more people; returns the movement ids.

        Forwarding makes every final note on the file immutable. The sender's
        unfinalised drafts would stay private to them, so the recipient would
        never see them: a send with drafts pending is refused unless ``drafts``
        says ``finalise`` (they become the next paragraphs, then the file goes)
        or ``keep``. ``priority`` ``today`` without a due date is due today.
        """
        level = parse_choice(Priority, priority, "priority")
        with self.desk.writing("sending the file") as session:
            user = active_user(session, actor)
            require(user.role, "route", user.login)
            row = find_file(session, file_id)
            require_open(row)
            mine = hold(self.desk, session, row, user)
            recipients = _recipients(session, user, to)
            _settle_drafts(self.desk, session, user, row, drafts)
            now = self.desk.now()
            if level is Priority.TODAY and due_on is None:
                due_on = office_date(now)
            ids: list[int] = []
            for person in recipients:
                move = record_move(
                    self.desk, session, row.id, Move.SEND, user, person, remarks, due_on
                )
                move.priority = level.value
                ids.append(move.id)
            batch = ids[0]
            session.execute(update(MovementRow).where(MovementRow.id.in_(ids)).values(batch=batch))
            session.delete(mine)
            session.flush()
            for person, move_id in zip(recipients, ids, strict=True):
                held = session.scalar(
                    select(HoldingRow).where(
                        HoldingRow.file_id == row.id, HoldingRow.user_id == person.id
                    )
                )
                if held is None:
                    held = HoldingRow(file_id=row.id, user_id=person.id)
                    session.add(held)
                held.movement_id, held.sent_by_id, held.since = move_id, user.id, now
                held.opened_at, held.due_on, held.priority = None, due_on, level.value
            session.execute(
                update(NoteRow)
                .where(NoteRow.file_id == row.id, NoteRow.status == "final")
                .where(NoteRow.locked_at.is_(None))
                .values(locked_at=now)
            )
            self.desk.audit(
                session,
                user,
                "send",
                row.id,
                to=[p.login for p in recipients],
                remarks=remarks,
                due_on=due_on,
                priority=level.value,
            )
            return ids

    def receive(self, file_id: int, actor: str) -> None:
        """Mark the file received/opened by this holder; pull back is refused from now on."""
        with self.desk.writing("receiving the file") as session:
            user = active_user(session, actor)
            row = find_file(session, file_id)
            held = holding(session, row.id, user.id)
            if held is None:
                raise RuleError(
                    "holder-only",
                    f"file {row.id} was not sent to {user.login}",
                    advice=WHERE_ADVICE.format(id=row.id),
                )
            if held.opened_at is None:
                open_holding(self.desk, session, held)
                record_move(self.desk, session, row.id, Move.RECEIVE, user, None, "", None)
            self.desk.audit(session, user, "receive", row.id)

    def pullback(self, file_id: int, actor: str, *, remarks: str = "") -> None:
        """Take back the last send, allowed only while no recipient has opened the file."""
        with self.desk.writing("pulling the file back") as session:
            user = active_user(session, actor)
            require(user.role, "route", user.login)
            row = find_file(session, file_id)
            last = session.scalar(
                select(MovementRow)
                .where(MovementRow.file_id == row.id, MovementRow.kind == Move.SEND.value)
                .order_by(MovementRow.id.desc())
                .limit(1)
            )
            if last is None or last.actor_id != user.id or last.pulled_back_at is not None:
                raise RuleError(
                    "pullback-sender",
                    f"{user.login} has no send of file {row.id} to pull back",
                    advice=WHERE_ADVICE.format(id=row.id),
                )
            batch = session.scalars(
                select(MovementRow).where(MovementRow.batch == last.batch)
            ).all()
            holds = session.scalars(
                select(HoldingRow).where(HoldingRow.movement_id.in_([m.id for m in batch]))
            ).all()
            for move in batch:
                if move.opened_at is not None:
                    who = user_by_id(session, move.to_user_id)
                    raise RuleError(
                        "pullback-unopened",
                        f"{who.label if who else 'the recipient'} opened file {row.id} at "
                        f"{move.opened_at:%Y-%m-%d %H:%M} UTC",
                        advice="ask them to send it back to you",
                    )
            if len(holds) != len(batch):
                raise RuleError(
                    "pullback-sender",
                    f"file {row.id} has moved on since {user.login} sent it",
                    advice=WHERE_ADVICE.format(id=row.id),
                )
            now = self.desk.now()
            for move in batch:
                move.pulled_back_at = now
            for held in holds:
                session.delete(held)
            session.flush()
            back = record_move(self.desk, session, row.id, Move.PULLBACK, user, None, remarks, None)
            session.add(
                HoldingRow(
                    file_id=row.id, user_id=user.id, movement_id=back.id, since=now, opened_at=now
                )
            )
            self.desk.audit(session, user, "pullback", row.id, batch=last.batch)

    def park(self, file_id: int, actor: str, *, remarks: str = "") -> None:
        self._set_state(file_id, actor, Move.PARK, FileState.OPEN, FileState.PARKED, remarks)

    def unpark(self, file_id: int, actor: str, *, remarks: str = "") -> None:
        self._set_state(file_id, actor, Move.UNPARK, FileState.PARKED, FileState.OPEN, remarks)

    def _set_state(
        self, file_id: int, actor: str, move: Move, was: FileState, becomes: FileState, remarks: str
    ) -> None:
        with self.desk.writing(f"{move.value} of the file") as session:
            user = active_user(session, actor)
            require(user.role, "route", user.login)
            row = find_file(session, file_id)
            if row.file_state != was:
                raise RuleError("open-only", f"file {row.id} is {row.file_state}, not {was.value}")
            hold(self.desk, session, row, user)
            row.file_state, row.updated_at = becomes.value, self.desk.now()
            record_move(self.desk, session, row.id, move, user, None, remarks, None)
            self.desk.audit(session, user, move.value, row.id, remarks=remarks)


def hold(desk: Desk, session: Session, row: FileRow, user: UserRow) -> HoldingRow:
    """The actor's holding, checked: they hold it and, for paper, have received it.

    A file nobody tracks yet (just registered or scanned) starts here: the
    first person to act on it becomes its creator and holder.
    """
    held = holding(session, row.id, user.id)
    if held is None and session.get(TrackingRow, row.id) is None:
        require(user.role, "route", user.login)
        now = desk.now()
        session.add(TrackingRow(file_id=row.id, creator_id=user.id, since=now))
        move = record_move(desk, session, row.id, Move.CREATE, user, None, "", None)
        held = HoldingRow(
            file_id=row.id, user_id=user.id, movement_id=move.id, since=now, opened_at=now
        )
        session.add(held)
        session.flush()
        desk.audit(session, user, "create", row.id)
        return held
    if held is None:
        holders = session.scalars(
            select(HoldingRow.user_id).where(HoldingRow.file_id == row.id)
        ).all()
        names = ", ".join(u.label for h in holders if (u := user_by_id(session, h)))
        raise RuleError(
            "holder-only",
            f"{user.login} does not hold file {row.id}; it is with {names or 'nobody'}",
            advice=WHERE_ADVICE.format(id=row.id),
        )
    if held.opened_at is None:
        if row.nature == Nature.PHYSICAL:
            raise RuleError(
                "receive-first",
                f"{user.login} has not received physical file {row.id}",
                advice=f"run 'scanpipe file receive {row.id}' first",
            )
        open_holding(desk, session, held)  # opening an electronic file is acting on it
    return held


def open_holding(desk: Desk, session: Session, held: HoldingRow) -> None:
    now = desk.now()
    held.opened_at = now
    if held.movement_id is not None:
        session.execute(
            update(MovementRow).where(MovementRow.id == held.movement_id).values(opened_at=now)
        )


def holding(session: Session, file_id: int, user_id: int) -> HoldingRow | None:
    return session.scalar(
        select(HoldingRow).where(HoldingRow.file_id == file_id, HoldingRow.user_id == user_id)
    )


def replace_holders(desk: Desk, session: Session, file_id: int, user: UserRow) -> None:
    session.execute(delete(HoldingRow).where(HoldingRow.file_id == file_id))
    now = desk.now()
    session.add(HoldingRow(file_id=file_id, user_id=user.id, since=now, opened_at=now))


def _recipients(session: Session, user: UserRow, to: Sequence[str]) -> list[UserRow]:
    logins = list(dict.fromkeys(t.strip().lower() for t in to if t.strip()))
    if not logins:
        raise RuleError("recipient", "no recipient given", advice="pass --to LOGIN")
    people = [active_user(session, login) for login in logins]
    if any(p.id == user.id for p in people):
        raise RuleError("recipient", f"{user.login} cannot send a file to themself")
    if any(p.role == Role.OPERATOR for p in people):
        raise RuleError("role", "files are not sent to scanning operators")
    return people


def require_open(row: FileRow) -> None:
    if row.file_state != FileState.OPEN:
        verb = "unpark" if row.file_state == FileState.PARKED else "reopen"
        raise RuleError(
            "open-only",
            f"file {row.id} is {row.file_state}",
            advice=f"{verb} it first: scanpipe file {verb} {row.id}",
        )


def require_approval(
    session: Session,
    file_id: int,
    boss: UserRow,
    rule: str,
    *,
    since: Any,
    purpose: Purpose | None = None,
) -> None:
    require(boss.role, "approve", boss.login)
    stmt = select(ApprovalRow.id).where(
        ApprovalRow.file_id == file_id, ApprovalRow.approver_id == boss.id
    )
    if since is not None:
        stmt = stmt.where(ApprovalRow.at >= since)
    if purpose is not None:
        stmt = stmt.where(ApprovalRow.purpose == purpose.value)
    if session.scalar(stmt.limit(1)) is None:
        what = f"{purpose.value} of " if purpose else ""
        raise RuleError(
            rule,
            f"{boss.login} has not approved the {what}file {file_id}",
            advice=f"ask {boss.login} to run 'scanpipe note approve {file_id}"
            + (f" --for {purpose.value}" if purpose else "")
            + "'",
        )


DRAFT_CHOICES = ("finalise", "keep")


def _settle_drafts(
    desk: Desk, session: Session, user: UserRow, row: FileRow, drafts: str | None
) -> None:
    pending = paragraphs.drafts_of(session, row.id, user.id)
    if not pending or drafts == "keep":
        return
    if drafts == "finalise":
        for note in pending:
            paragraphs.finalise(desk, session, user, row, note)
        return
    raise RuleError(
        "drafts-pending",
        f"{user.login} has {len(pending)} unfinalised draft note(s) on file {row.id}; the "
        "recipient would not see them",
        advice="finalise them and send, or send and keep them as drafts "
        "(--finalise-drafts or --keep-drafts)",
    )


def record_move(
    desk: Desk,
    session: Session,
    file_id: int,
    kind: Move,
    actor: UserRow,
    to: UserRow | None,
    remarks: str,
    due_on: date | None,
) -> MovementRow:
    move = MovementRow(
        file_id=file_id,
        kind=kind.value,
        actor_id=actor.id,
        to_user_id=to.id if to else None,
        at=desk.now(),
        remarks=remarks,
        due_on=due_on,
    )
    session.add(move)
    session.flush()
    return move
