"""Where is it, with whom, since when; pendency with ageing; the audit trail.

These are the queries officers run all day, so each reads indexed rows
only: ``holdings`` by file or by user, ``movements`` by file. Ageing buckets
are computed in SQL from cut-off times, so a section's pendency is one
grouped query whatever the number of files.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, case, extract, func, select, union
from sqlalchemy.orm import Session

from scanpipe.eoffice.terms import FileState
from scanpipe.registry import audit
from scanpipe.registry.eoffice_models import SectionRow
from scanpipe.registry.models import FileRow
from scanpipe.registry.routing_models import (
    AuditRow,
    CustodyRow,
    HoldingRow,
    MovementRow,
    TrackingRow,
    UserRow,
)
from scanpipe.routing.base import Desk, find_file, find_user, user_by_id
from scanpipe.routing.rules import AGE_BUCKETS, office_date, overdue
from scanpipe.routing.views import (
    AuditEntry,
    CustodyInfo,
    Holder,
    MonthCount,
    MovementInfo,
    Pendency,
    PendencyRow,
    PendingFile,
    WhereIs,
)


class Tracking:
    """Where-is, movement history, pendency, monthly counts and the audit trail."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def where(self, file_id: int) -> WhereIs:
        """The current holders, since when, and every movement of the file in order."""
        with self.desk.reading("finding the file") as session:
            row = find_file(session, file_id)
            holds = session.scalars(
                select(HoldingRow).where(HoldingRow.file_id == row.id).order_by(HoldingRow.id)
            ).all()
            track = session.get(TrackingRow, row.id)
            custody = session.scalar(
                select(CustodyRow)
                .where(CustodyRow.file_id == row.id)
                .order_by(CustodyRow.id.desc())
                .limit(1)
            )
            return WhereIs(
                file_id=row.id,
                file_no=row.file_no,
                subject=row.subject,
                state=row.file_state,
                nature=row.nature,
                creator=user_by_id(session, track.creator_id) if track else None,
                holders=tuple(_holder(session, h, self.desk.now()) for h in holds),
                path=tuple(_path(session, row.id)),
                custody=_custody(session, custody) if custody else None,
            )

    def history(self, file_id: int) -> list[MovementInfo]:
        with self.desk.reading("reading the file's movements") as session:
            find_file(session, file_id)
            return _path(session, file_id)

    def pending(
        self,
        *,
        user: str | None = None,
        section: str | None = None,
        state: str = FileState.OPEN.value,
    ) -> Pendency:
        """Open files held per user, by age since they arrived (0-7, 8-15, 16-30, >30 days)."""
        now = self.desk.now()
        with self.desk.reading("counting pending files") as session:
            ages = []
            for _, low, _high in AGE_BUCKETS[1:]:
                ages.append(now - timedelta(days=low))
            b = HoldingRow.since
            buckets = [
                func.sum(case((b > ages[0], 1), else_=0), type_=Integer),
                func.sum(case((and_(b <= ages[0], b > ages[1]), 1), else_=0), type_=Integer),
                func.sum(case((and_(b <= ages[1], b > ages[2]), 1), else_=0), type_=Integer),
                func.sum(case((b <= ages[2], 1), else_=0), type_=Integer),
                # due before today in the office's calendar
                func.sum(case((HoldingRow.due_on < office_date(now), 1), else_=0), type_=Integer),
            ]
            stmt = (
                select(HoldingRow.user_id, *buckets)
                .join(FileRow, FileRow.id == HoldingRow.file_id)
                .where(FileRow.file_state == state)
                .group_by(HoldingRow.user_id)
            )
            if user is not None:
                stmt = stmt.where(HoldingRow.user_id == find_user(session, user).id)
            if section is not None:
                ids = select(UserRow.id).join(SectionRow, SectionRow.id == UserRow.section_id)
                ids = ids.where(SectionRow.code == section.strip().upper())
                stmt = stmt.where(HoldingRow.user_id.in_(ids))
            rows = []
            for user_id, *counts in session.execute(stmt).all():
                info = user_by_id(session, user_id)
                assert info is not None
                *aged, late = (int(c or 0) for c in counts)
                rows.append(PendencyRow(info, tuple(aged), late))  # type: ignore[arg-type]
            rows.sort(key=lambda r: (-r.total, r.user.login))
            return Pendency(tuple(rows), now)

    def pending_with_others(self, login: str) -> list[PendingFile]:
        """Files I sent or created that someone else now holds, oldest first."""
        with self.desk.reading("listing my files pending with others") as session:
            me = find_user(session, login)
            # Two indexed lookups joined by UNION: an OR across them would scan holdings.
            sent = select(HoldingRow.id).where(HoldingRow.sent_by_id == me.id)
            created = (
                select(HoldingRow.id)
                .join(TrackingRow, TrackingRow.file_id == HoldingRow.file_id)
                .where(TrackingRow.creator_id == me.id)
            )
            stmt = (
                select(HoldingRow, FileRow.file_no, FileRow.subject)
                .join(FileRow, FileRow.id == HoldingRow.file_id)
                .where(HoldingRow.id.in_(union(sent, created)))
                .where(HoldingRow.user_id != me.id, FileRow.file_state == FileState.OPEN.value)
                .order_by(HoldingRow.since, HoldingRow.id)
            )
            out = []
            for held, file_no, subject in session.execute(stmt).all():
                holder = user_by_id(session, held.user_id)
                assert holder is not None
                out.append(
                    PendingFile(held.file_id, file_no, subject, holder, held.since, held.opened_at)
                )
            return out

    def stuck_longest(self, limit: int = 10) -> list[PendingFile]:
        """The open files that have waited longest with one holder: where, with whom, since."""
        now = self.desk.now()
        with self.desk.reading("finding the files stuck longest") as session:
            stmt = (
                select(HoldingRow, FileRow.file_no, FileRow.subject)
                .join(FileRow, FileRow.id == HoldingRow.file_id)
                .where(FileRow.file_state == FileState.OPEN.value)
                .order_by(HoldingRow.since, HoldingRow.id)
                .limit(limit)
            )
            out = []
            for held, file_no, subject in session.execute(stmt).all():
                holder = user_by_id(session, held.user_id)
                assert holder is not None
                out.append(
                    PendingFile(
                        held.file_id,
                        file_no,
                        subject,
                        holder,
                        held.since,
                        held.opened_at,
                        held.due_on,
                        overdue(held.due_on, now),
                    )
                )
            return out

    def monthly(self, year: int, *, section: str | None = None) -> list[MonthCount]:
        """Month-wise counts of files created, received and forwarded (by the actor's section)."""
        month = extract("month", MovementRow.at)
        kinds = {"create": 0, "receive": 1, "send": 2}
        start = datetime(year, 1, 1, tzinfo=UTC)
        stmt = (
            select(month, MovementRow.kind, func.count(func.distinct(MovementRow.file_id)))
            .where(MovementRow.at >= start, MovementRow.at < start.replace(year=year + 1))
            .where(MovementRow.kind.in_(list(kinds)))
            .group_by(month, MovementRow.kind)
        )
        if section is not None:
            ids = select(UserRow.id).join(SectionRow, SectionRow.id == UserRow.section_id)
            ids = ids.where(SectionRow.code == section.strip().upper())
            stmt = stmt.where(MovementRow.actor_id.in_(ids))
        counts = [[0, 0, 0] for _ in range(12)]
        with self.desk.reading("counting movements by month") as session:
            for m, kind, n in session.execute(stmt).all():
                counts[int(m) - 1][kinds[kind]] = int(n)
        return [MonthCount(i + 1, *c) for i, c in enumerate(counts)]

    def log_access(
        self, file_id: int | None, login: str | None, action: str, **detail: Any
    ) -> None:
        """Record a view or download (who read what is part of the audit trail).

        ``login`` is a user account's login, which must exist, or None or
        ``os:<name>`` for an operator at a shell (``registry.audit``).
        """
        with self.desk.writing("writing the audit log") as session:
            if login and not login.startswith(audit.OS_PREFIX):
                self.desk.audit(session, find_user(session, login), action, file_id, **detail)
            else:
                audit.write(
                    session, action, file_id, login=login, at=self.desk.now(), detail=detail
                )

    def audit_log(
        self, *, file_id: int | None = None, login: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        with self.desk.reading("reading the audit log") as session:
            stmt = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if file_id is not None:
                stmt = stmt.where(AuditRow.file_id == file_id)
            if login is not None:
                stmt = stmt.where(AuditRow.login == login.strip().lower())
            rows = session.scalars(stmt).all()
            return [
                AuditEntry(r.id, r.at, r.login, r.action, r.file_id, r.detail)
                for r in reversed(rows)
            ]


def _path(session: Session, file_id: int) -> list[MovementInfo]:
    moves = session.scalars(
        select(MovementRow).where(MovementRow.file_id == file_id).order_by(MovementRow.id)
    ).all()
    out = []
    for m in moves:
        actor = user_by_id(session, m.actor_id)
        assert actor is not None
        out.append(
            MovementInfo(
                m.id,
                m.kind,
                actor,
                user_by_id(session, m.to_user_id),
                m.at,
                m.remarks,
                m.due_on,
                m.opened_at,
                m.pulled_back_at,
            )
        )
    return out


def _holder(session: Session, held: HoldingRow, now: datetime) -> Holder:
    user = user_by_id(session, held.user_id)
    assert user is not None
    return Holder(
        user,
        held.since,
        held.opened_at,
        held.due_on,
        user_by_id(session, held.sent_by_id),
        held.priority or "normal",
        overdue(held.due_on, now),
    )


def _custody(session: Session, row: CustodyRow) -> CustodyInfo:
    return CustodyInfo(
        row.kind, user_by_id(session, row.person_id), row.at, row.location, row.remarks
    )
