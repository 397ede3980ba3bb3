"""Making a draft note final: its paragraph number, its index entry, its audit line.

Shared by ``Notes.finalise_note`` and by ``Moves.send`` when a sender asks to
finalise their drafts on the way out, so both number and index alike, in the
caller's one transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scanpipe.registry.models import FileRow
from scanpipe.registry.routing_models import NoteRow, UserRow
from scanpipe.routing.base import Desk
from scanpipe.routing.rules import NoteStatus


def finalise(desk: Desk, session: Session, user: UserRow, row: FileRow, note: NoteRow) -> None:
    """Draft -> final with the file's next paragraph number; the caller checked the rules."""
    last = session.scalar(select(func.max(NoteRow.number)).where(NoteRow.file_id == row.id))
    now = desk.now()
    note.status, note.number = NoteStatus.FINAL.value, (last or 0) + 1
    note.finalised_at = note.updated_at = now
    session.flush()
    desk.registry.search_backend.index_note(session.connection(), note.id, note.body)
    desk.audit(session, user, "note-finalise", row.id, note=note.id, number=note.number)


def drafts_of(session: Session, file_id: int, author_id: int) -> list[NoteRow]:
    """The author's unfinalised drafts on the file, oldest first (private to the author)."""
    return list(
        session.scalars(
            select(NoteRow)
            .where(NoteRow.file_id == file_id, NoteRow.author_id == author_id)
            .where(NoteRow.status == NoteStatus.DRAFT.value)
            .order_by(NoteRow.id)
        ).all()
    )
