"""Frozen views of routing rows: what the CLI prints and the web templates render.

Sessions close before these leave the library, so callers never touch a
lazy-loading ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from scanpipe.registry.routing_models import UserRow


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    name: str
    designation: str
    section: str | None  # section code
    role: str
    active: bool
    session_version: int = 0  # a session cookie from another version is void

    @property
    def label(self) -> str:
        """``Name (Designation)``, as on a notesheet."""
        return f"{self.name} ({self.designation})"

    @classmethod
    def from_row(cls, row: UserRow, section: str | None) -> UserInfo:
        return cls(
            row.id,
            row.login,
            row.name,
            row.designation,
            section,
            row.role,
            row.active,
            row.session_version or 0,
        )


@dataclass(frozen=True)
class Holder:
    user: UserInfo
    since: datetime
    opened_at: datetime | None
    due_on: date | None
    sent_by: UserInfo | None
    priority: str = "normal"
    overdue: bool = False  # past due_on in the office's calendar when where-is was asked


@dataclass(frozen=True)
class MovementInfo:
    id: int
    kind: str
    actor: UserInfo
    to: UserInfo | None
    at: datetime
    remarks: str
    due_on: date | None
    opened_at: datetime | None
    pulled_back_at: datetime | None


@dataclass(frozen=True)
class CustodyInfo:
    kind: str  # locate, issue or return
    person: UserInfo | None
    at: datetime
    location: str
    remarks: str

    @property
    def summary(self) -> str:
        if self.kind == "issue" and self.person is not None:
            return f"paper original issued to {self.person.label}"
        return f"paper original in the record room: {self.location or 'location not set'}"


@dataclass(frozen=True)
class WhereIs:
    """Where a file is, with whom and since when, and the full path that led there."""

    file_id: int
    file_no: str | None
    subject: str | None
    state: str
    nature: str
    creator: UserInfo | None
    holders: tuple[Holder, ...]
    path: tuple[MovementInfo, ...]
    custody: CustodyInfo | None

    def as_json(self) -> dict[str, Any]:
        """The where-is as plain data: ``file where --json`` and the API answer with it."""
        return {
            "file_id": self.file_id,
            "file_no": self.file_no,
            "state": self.state,
            "creator": self.creator.login if self.creator else None,
            "holders": [
                {
                    "login": h.user.login,
                    "since": h.since.isoformat(),
                    "opened_at": h.opened_at.isoformat() if h.opened_at else None,
                    "due_on": h.due_on.isoformat() if h.due_on else None,
                    "priority": h.priority,
                    "overdue": h.overdue,
                }
                for h in self.holders
            ],
            "path": [
                {
                    "kind": m.kind,
                    "by": m.actor.login,
                    "to": m.to.login if m.to else None,
                    "at": m.at.isoformat(),
                    "remarks": m.remarks,
                    "pulled_back": m.pulled_back_at is not None,
                }
                for m in self.path
            ],
            "custody": self.custody.summary if self.custody else None,
        }


@dataclass(frozen=True)
class ApprovalInfo:
    id: int
    approver: UserInfo
    designation: str
    purpose: str
    at: datetime
    remarks: str
    note_id: int | None


@dataclass(frozen=True)
class NoteInfo:
    id: int
    file_id: int
    number: int | None  # paragraph number once final
    author: UserInfo
    designation: str
    body: str
    status: str
    created_at: datetime
    updated_at: datetime
    finalised_at: datetime | None
    locked_at: datetime | None
    approvals: tuple[ApprovalInfo, ...]


@dataclass(frozen=True)
class PendencyRow:
    """Open files held by one user, by age: 0-7, 8-15, 16-30 and more than 30 days."""

    user: UserInfo
    buckets: tuple[int, int, int, int]
    overdue: int = 0  # of those, files past their due date

    @property
    def total(self) -> int:
        return sum(self.buckets)


@dataclass(frozen=True)
class Pendency:
    rows: tuple[PendencyRow, ...]
    at: datetime

    @property
    def buckets(self) -> tuple[int, int, int, int]:
        sums = [sum(r.buckets[i] for r in self.rows) for i in range(4)]
        return (sums[0], sums[1], sums[2], sums[3])

    @property
    def total(self) -> int:
        return sum(self.buckets)

    @property
    def overdue(self) -> int:
        return sum(r.overdue for r in self.rows)


@dataclass(frozen=True)
class PendingFile:
    """One of "my files pending with others"."""

    file_id: int
    file_no: str | None
    subject: str | None
    holder: UserInfo
    since: datetime
    opened_at: datetime | None
    due_on: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    login: str
    action: str
    file_id: int | None
    detail: str


@dataclass(frozen=True)
class MonthCount:
    """Files created, received and forwarded in one month (the CSMOP month-wise return)."""

    month: int
    created: int
    received: int
    forwarded: int
