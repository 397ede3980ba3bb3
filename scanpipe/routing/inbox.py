"""An officer's inbox: files to receive, files with me, mine pending with others, my drafts.

The landing page of the web, ``scanpipe inbox`` and the API all read this one
service, so "overdue" and the order of the lists mean the same everywhere.
Each list is one indexed query (holdings by holder, holdings by sender, notes
by author), and everyone named in them is read in one more: a user holding
2,000 files gets the inbox in four round trips, not one per sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, union
from sqlalchemy.orm import Session

from scanpipe.eoffice.terms import PRIORITY_ORDER, FileState, Priority
from scanpipe.registry.eoffice_models import SectionRow
from scanpipe.registry.models import FileRow
from scanpipe.registry.routing_models import HoldingRow, NoteRow, TrackingRow, UserRow
from scanpipe.routing.base import Desk, find_user
from scanpipe.routing.rules import NoteStatus, office_date, overdue
from scanpipe.routing.views import UserInfo

SORTS = ("age", "due", "priority")
# Plain columns, not ORM objects: 4,000 rows load in milliseconds as tuples.
_COLUMNS = (
    HoldingRow.file_id,
    HoldingRow.user_id,
    HoldingRow.sent_by_id,
    HoldingRow.since,
    HoldingRow.opened_at,
    HoldingRow.due_on,
    HoldingRow.priority,
    FileRow.file_no,
    FileRow.subject,
)
_RANK = {p.value: i for i, p in enumerate(PRIORITY_ORDER)}


@dataclass(frozen=True)
class InboxItem:
    """One file in a list: who it is from (or with), since when, due when, how urgent."""

    file_id: int
    file_no: str | None
    subject: str | None
    person: UserInfo | None  # with me: who sent it; pending with others: who holds it
    since: datetime
    opened_at: datetime | None
    due_on: date | None
    priority: str
    overdue: bool
    age_days: int


@dataclass(frozen=True)
class DraftItem:
    file_id: int
    file_no: str | None
    note_id: int
    updated_at: datetime
    preview: str


@dataclass(frozen=True)
class InboxView:
    to_receive: tuple[InboxItem, ...]
    with_me: tuple[InboxItem, ...]
    with_others: tuple[InboxItem, ...]
    drafts: tuple[DraftItem, ...]
    at: datetime
    totals: tuple[int, int, int] = (0, 0, 0)  # before ``limit``: to receive, with me, others
    late: int = 0

    @property
    def overdue(self) -> int:
        """Files with me (received or not) past their due date, shown or not."""
        return self.late


class Inbox:
    """``inbox(login)``: the four lists of an officer's day."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def inbox(
        self, login: str, *, sort: str = "age", overdue_only: bool = False, limit: int = 500
    ) -> InboxView:
        """Oldest first by default (``sort``: ``age``, ``due`` or ``priority``)."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        now = self.desk.now()
        with self.desk.reading("reading the inbox") as session:
            me = find_user(session, login)
            mine = (
                select(*_COLUMNS)
                .join(FileRow, FileRow.id == HoldingRow.file_id)
                .where(HoldingRow.user_id == me.id, FileRow.file_state == FileState.OPEN.value)
                .order_by(HoldingRow.since, HoldingRow.id)
            )
            held = session.execute(mine).all()
            others = session.execute(_pending_with_others(me.id)).all()
            today = office_date(now)
            late = sum(1 for h in held if h.due_on is not None and h.due_on < today)
            waiting = [h for h in held if h.opened_at is None]
            opened = [h for h in held if h.opened_at is not None]
            shown = [
                _arrange(rows, sort, overdue_only, limit, today)
                for rows in (waiting, opened, others)
            ]
            named = {h.sent_by_id for h in (*shown[0], *shown[1])} | {h.user_id for h in shown[2]}
            people = _people(session, named)
            to_receive, with_me = (
                tuple(_item(h, people.get(h.sent_by_id or 0), now) for h in rows)
                for rows in shown[:2]
            )
            with_others = tuple(_item(h, people.get(h.user_id or 0), now) for h in shown[2])
            drafts = session.execute(
                select(NoteRow, FileRow.file_no)
                .join(FileRow, FileRow.id == NoteRow.file_id)
                .where(NoteRow.author_id == me.id, NoteRow.status == NoteStatus.DRAFT.value)
                .order_by(NoteRow.updated_at)
                .limit(limit)
            ).all()
        return InboxView(
            to_receive,
            with_me,
            with_others,
            drafts=tuple(
                DraftItem(n.file_id or 0, no, n.id, n.updated_at, n.body[:120]) for n, no in drafts
            ),
            at=now,
            totals=(len(waiting), len(opened), len(others)),
            late=late,
        )


def _pending_with_others(me: int):
    """Files I sent or created that someone else holds: two indexed lookups, one UNION."""
    sent = select(HoldingRow.id).where(HoldingRow.sent_by_id == me)
    created = (
        select(HoldingRow.id)
        .join(TrackingRow, TrackingRow.file_id == HoldingRow.file_id)
        .where(TrackingRow.creator_id == me)
    )
    return (
        select(*_COLUMNS)
        .join(FileRow, FileRow.id == HoldingRow.file_id)
        .where(HoldingRow.id.in_(union(sent, created)))
        .where(HoldingRow.user_id != me, FileRow.file_state == FileState.OPEN.value)
        .order_by(HoldingRow.since, HoldingRow.id)
    )


def _people(session: Session, ids: set[int | None]) -> dict[int, UserInfo]:
    """Everyone named in the lists, with their section, in one query."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = session.execute(
        select(UserRow, SectionRow.code)
        .outerjoin(SectionRow, SectionRow.id == UserRow.section_id)
        .where(UserRow.id.in_(wanted))
    ).all()
    return {row.id: UserInfo.from_row(row, code) for row, code in rows}


def _item(h: Row[Any], person: UserInfo | None, now: datetime) -> InboxItem:
    return InboxItem(
        file_id=h.file_id or 0,
        file_no=h.file_no,
        subject=h.subject,
        person=person,
        since=h.since,
        opened_at=h.opened_at,
        due_on=h.due_on,
        priority=h.priority or Priority.NORMAL.value,
        overdue=overdue(h.due_on, now),
        age_days=max(0, (now - h.since).days),
    )


def _arrange(
    rows: list[Row[Any]], sort: str, overdue_only: bool, limit: int, today: date
) -> list[Row[Any]]:
    """Filter, sort and cut the raw rows: only what is shown becomes an InboxItem."""
    if overdue_only:
        rows = [r for r in rows if r.due_on is not None and r.due_on < today]
    if sort == "due":  # undated last, then oldest
        rows = sorted(rows, key=lambda r: (r.due_on is None, r.due_on or date.max, r.since))
    elif sort == "priority":
        rows = sorted(rows, key=lambda r: (_RANK.get(r.priority, len(_RANK)), r.since))
    return rows[:limit]
