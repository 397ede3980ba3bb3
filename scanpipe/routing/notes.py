"""Noting: drafts, final notes in notesheet order, approvals; final notes are searchable.

A draft belongs to its author alone. Finalising gives it the next paragraph
number of the file. A final note may still be corrected by its author until
the file is forwarded (``send`` stamps ``locked_at``); after that it is part
of the record and never changes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanpipe.eoffice.terms import FileState
from scanpipe.errors import NotFoundError
from scanpipe.registry.routing_models import ApprovalRow, NoteRow, UserRow
from scanpipe.routing import paragraphs
from scanpipe.routing.base import Desk, active_user, find_file, find_user, user_by_id
from scanpipe.routing.moves import hold, require_open
from scanpipe.routing.rules import NoteStatus, Purpose, RuleError, require
from scanpipe.routing.views import ApprovalInfo, NoteInfo

MAX_NOTE = 20_000  # characters; a notesheet paragraph, not a document


class Notes:
    """Draft, finalise, correct and approve notes; final notes are indexed for search."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def add_note(self, file_id: int, actor: str, body: str) -> NoteInfo:
        """A new draft note by a holder of the file."""
        body = _body(body)
        with self.desk.writing("adding a note") as session:
            user = active_user(session, actor)
            row = find_file(session, file_id)
            require_open(row)
            hold(self.desk, session, row, user)
            now = self.desk.now()
            note = NoteRow(
                file_id=row.id,
                author_id=user.id,
                designation=user.designation,
                body=body,
                status=NoteStatus.DRAFT.value,
                created_at=now,
                updated_at=now,
            )
            session.add(note)
            session.flush()
            self.desk.audit(session, user, "note-add", row.id, note=note.id)
            return _note_info(session, note)

    def edit_note(self, note_id: int, actor: str, body: str) -> NoteInfo:
        body = _body(body)
        with self.desk.writing("editing the note") as session:
            user = active_user(session, actor)
            note = _own_note(session, note_id, user, "edit")
            if note.locked_at is not None:
                raise RuleError(
                    "final-note-immutable",
                    f"note {note.id} (paragraph {note.number}) of file {note.file_id} is final "
                    f"and the file was forwarded at {note.locked_at:%Y-%m-%d %H:%M} UTC",
                    advice="add a new note instead",
                )
            note.body, note.updated_at = body, self.desk.now()
            if note.status == NoteStatus.FINAL:
                index = self.desk.registry.search_backend
                index.remove_note(session.connection(), note.id)
                index.index_note(session.connection(), note.id, body)
            self.desk.audit(session, user, "note-edit", note.file_id, note=note.id)
            return _note_info(session, note)

    def delete_note(self, note_id: int, actor: str) -> None:
        with self.desk.writing("deleting the note") as session:
            user = active_user(session, actor)
            note = _own_note(session, note_id, user, "delete")
            if note.status == NoteStatus.FINAL:
                raise RuleError(
                    "final-note-permanent",
                    f"note {note.id} is final",
                    advice="add a new note that corrects it",
                )
            session.delete(note)
            self.desk.audit(session, user, "note-delete", note.file_id, note=note.id)

    def finalise_note(self, note_id: int, actor: str) -> NoteInfo:
        """Draft -> final, with the next paragraph number; indexed for search."""
        with self.desk.writing("finalising the note") as session:
            user = active_user(session, actor)
            require(user.role, "finalise", user.login)
            note = _own_note(session, note_id, user, "finalise")
            if note.status == NoteStatus.FINAL:
                return _note_info(session, note)
            row = find_file(session, note.file_id or 0)
            require_open(row)
            hold(self.desk, session, row, user)
            paragraphs.finalise(self.desk, session, user, row, note)
            return _note_info(session, note)

    def approve(
        self,
        file_id: int,
        actor: str,
        *,
        note_id: int | None = None,
        purpose: str = Purpose.NOTE.value,
        remarks: str = "",
    ) -> ApprovalInfo:
        """Record an officer's approval of a final note, or of closing or reopening a file.

        Approving a note is acting on the file, so the officer must hold it;
        approving a reopen is given to a closed file nobody is working on.
        """
        with self.desk.writing("recording the approval") as session:
            user = active_user(session, actor)
            require(user.role, "approve", user.login)
            row = find_file(session, file_id)
            why = Purpose(purpose)
            if why == Purpose.REOPEN:
                if row.file_state not in (FileState.CLOSED, FileState.RECORDED):
                    raise RuleError("open-only", f"file {row.id} is {row.file_state}, not closed")
            else:
                require_open(row)
                hold(self.desk, session, row, user)
            if why == Purpose.NOTE:
                note_id = _approved_note(session, row.id, note_id)
            approval = ApprovalRow(
                file_id=row.id,
                note_id=note_id,
                approver_id=user.id,
                designation=user.designation,
                purpose=why.value,
                at=self.desk.now(),
                remarks=remarks,
            )
            session.add(approval)
            session.flush()
            self.desk.audit(session, user, "approve", row.id, purpose=why.value, note=note_id)
            return _approval_info(session, approval)

    def notes(self, file_id: int, viewer: str | None = None) -> list[NoteInfo]:
        """The notesheet: final notes by paragraph number, then the viewer's own drafts."""
        with self.desk.reading("reading the notes") as session:
            find_file(session, file_id)
            viewer_id = find_user(session, viewer).id if viewer else None
            rows = session.scalars(select(NoteRow).where(NoteRow.file_id == file_id)).all()
            finals = sorted(
                (r for r in rows if r.status == NoteStatus.FINAL), key=lambda r: r.number or 0
            )
            drafts = sorted(
                (r for r in rows if r.status == NoteStatus.DRAFT and r.author_id == viewer_id),
                key=lambda r: r.id,
            )
            return [_note_info(session, r) for r in [*finals, *drafts]]


def _own_note(session: Session, note_id: int, user: UserRow, verb: str) -> NoteRow:
    note = session.get(NoteRow, note_id)
    if note is None:
        raise NotFoundError(f"no note {note_id}", advice="run 'scanpipe note list FILE_ID'")
    if note.author_id != user.id:
        author = user_by_id(session, note.author_id)
        raise RuleError(
            "note-author",
            f"{user.login} cannot {verb} note {note_id}, written by "
            f"{author.label if author else '?'}",
        )
    return note


def _approved_note(session: Session, file_id: int, note_id: int | None) -> int | None:
    if note_id is None:
        return session.scalar(
            select(NoteRow.id)
            .where(NoteRow.file_id == file_id, NoteRow.status == NoteStatus.FINAL.value)
            .order_by(NoteRow.number.desc())
            .limit(1)
        )
    note = session.get(NoteRow, note_id)
    if note is None or note.file_id != file_id or note.status != NoteStatus.FINAL:
        raise RuleError(
            "note-author",
            f"note {note_id} is not a final note of file {file_id}",
            advice="approve a final note; drafts are not approved",
        )
    return note.id


def _note_info(session: Session, note: NoteRow) -> NoteInfo:
    approvals = session.scalars(
        select(ApprovalRow).where(ApprovalRow.note_id == note.id).order_by(ApprovalRow.id)
    ).all()
    author = user_by_id(session, note.author_id)
    assert author is not None
    return NoteInfo(
        id=note.id,
        file_id=note.file_id or 0,
        number=note.number,
        author=author,
        designation=note.designation,
        body=note.body,
        status=note.status,
        created_at=note.created_at,
        updated_at=note.updated_at,
        finalised_at=note.finalised_at,
        locked_at=note.locked_at,
        approvals=tuple(_approval_info(session, a) for a in approvals),
    )


def _approval_info(session: Session, row: ApprovalRow) -> ApprovalInfo:
    approver = user_by_id(session, row.approver_id)
    assert approver is not None
    return ApprovalInfo(
        row.id, approver, row.designation, row.purpose, row.at, row.remarks, row.note_id
    )


def _body(body: str) -> str:
    text = body.strip()
    if not text:
        raise RuleError("note-text", "a note needs some text", advice="write the note")
    if len(text) > MAX_NOTE:
        raise RuleError(
            "note-text",
            f"the note is {len(text)} characters; at most {MAX_NOTE}",
            advice="split it into paragraphs, or attach the text as a document",
        )
    return text
