"""Notifications: produced from the audit log's events, kept in the app, queued for mail.

Every routing action writes its audit entry through ``Desk.audit``; the
notifier listens there, inside the action's own transaction, so the CLI, the
web and the API cause the same notifications and none is lost or doubled: a
"file arrived" exists exactly when the send committed. Mail is only queued
(``mail_outbox``) with the action; ``deliver`` sends it later and retries, so
a mail server that is down blocks nothing and loses nothing.

Time-based events come from ``sweep``: a file past its due date ("overdue",
once per holder and due date) and the daily digest of a user's pendency (once
per user and office day). Both are idempotent by ``dedupe``, so a sweep may run
from cron every few minutes, twice at once, or again after a crash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scanpipe.eoffice.terms import LABELS, FileState, Priority
from scanpipe.registry.models import FileRow
from scanpipe.registry.routing_models import (
    HoldingRow,
    MailRow,
    NotificationRow,
    NotifyPrefRow,
    UserRow,
)
from scanpipe.routing.base import Desk, find_user
from scanpipe.routing.rules import RuleError, office_date

KINDS = ("arrived", "overdue", "digest")
CHANNELS = ("both", "inapp", "mail", "off")
_BATCH = 1000


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    file_id: int | None
    text_en: str
    text_hi: str
    at: datetime
    read: bool

    def text(self, lang: str) -> str:
        return self.text_hi if lang == "hi" else self.text_en


@dataclass(frozen=True)
class Message:
    """What one notification says, in both languages, and where it links."""

    kind: str
    user_id: int
    file_id: int | None
    en: str
    hi: str
    dedupe: str


def _file_label(row: FileRow | None, file_id: int | None) -> str:
    return (row.file_no if row is not None and row.file_no else None) or f"#{file_id}"


def _due(detail: dict[str, Any]) -> tuple[str, str]:
    due = detail.get("due_on")
    if not due:
        return "", ""
    shown = due.strftime("%d/%m/%Y") if hasattr(due, "strftime") else str(due)
    return f", due {shown}", f", नियत तिथि {shown}"


class Notifier:
    """Produce (``on_audit``, ``sweep``), read (``notices``, ``unread``) and mail notifications."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    # -- producing -----------------------------------------------------------------

    def on_audit(
        self,
        session: Session,
        actor: UserRow | None,
        action: str,
        file_id: int | None,
        detail: dict[str, Any],
    ) -> None:
        """The listener ``Desk.audit`` calls: a send tells each recipient the file arrived."""
        if action != "send" or file_id is None:
            return
        row = session.get(FileRow, file_id)
        label = _file_label(row, file_id)
        who = actor.name if actor else "scanpipe"
        due_en, due_hi = _due(detail)
        level = detail.get("priority") or Priority.NORMAL.value
        names = LABELS.get(Priority(level)) if level in Priority._value2member_map_ else None
        urgent_en = f" [{names[0]}]" if names and level != Priority.NORMAL.value else ""
        urgent_hi = f" [{names[1]}]" if names and level != Priority.NORMAL.value else ""
        now = self.desk.now()
        stamp = now.strftime("%Y%m%d%H%M%S%f")
        messages = []
        for login in detail.get("to", []):
            person = session.scalar(select(UserRow).where(UserRow.login == login))
            if person is None:
                continue
            messages.append(
                Message(
                    "arrived",
                    person.id,
                    file_id,
                    f"File {label} arrived from {who}{due_en}{urgent_en}",
                    f"फ़ाइल {label} {who} से प्राप्त हुई{due_hi}{urgent_hi}",
                    f"arrived:{file_id}:{person.id}:{stamp}",
                )
            )
        self._store(session, messages, now)

    def sweep(self, *, digest: bool = True) -> int:
        """Overdue notices (once per holder and due date) and the day's digests; returns new."""
        now = self.desk.now()
        today = office_date(now)
        made = 0
        with self.desk.writing("finding overdue files") as session:
            late = session.execute(
                select(HoldingRow.file_id, HoldingRow.user_id, HoldingRow.due_on, FileRow.file_no)
                .join(FileRow, FileRow.id == HoldingRow.file_id)
                .where(HoldingRow.due_on < today, FileRow.file_state == FileState.OPEN.value)
            ).all()
            messages = [
                Message(
                    "overdue",
                    user_id,
                    file_id,
                    f"File {file_no or f'#{file_id}'} is overdue (due {due:%d/%m/%Y})",
                    f"फ़ाइल {file_no or f'#{file_id}'} की समय-सीमा पार ({due:%d/%m/%Y})",
                    f"overdue:{file_id}:{user_id}:{due.isoformat()}",
                )
                for file_id, user_id, due, file_no in late
                if user_id is not None and file_id is not None
            ]
            if digest:
                messages += self._digests(session, now)
            made = self._store(session, messages, now)
        return made

    def _digests(self, session: Session, now: datetime) -> list[Message]:
        today = office_date(now)
        counts = session.execute(
            select(
                HoldingRow.user_id,
                func.count(),
                func.sum((HoldingRow.due_on < today).cast(_int())),
            )
            .join(FileRow, FileRow.id == HoldingRow.file_id)
            .where(FileRow.file_state == FileState.OPEN.value)
            .group_by(HoldingRow.user_id)
        ).all()
        out = []
        for user_id, held, late in counts:
            if user_id is None or not held:
                continue
            late = int(late or 0)
            out.append(
                Message(
                    "digest",
                    user_id,
                    None,
                    f"Today: {held} files with you, {late} overdue",
                    f"आज: आपके पास {held} फ़ाइलें, {late} समय-सीमा पार",
                    f"digest:{user_id}:{today.isoformat()}",
                )
            )
        return out

    def _store(self, session: Session, messages: Iterable[Message], now: datetime) -> int:
        """Insert what is new (dedupe), honouring each user's choice; queue mail for it."""
        messages = list(messages)
        if not messages:
            return 0
        made = 0
        prefs = _prefs(session, {m.user_id for m in messages})
        users = {
            u.id: u
            for u in session.scalars(
                select(UserRow).where(UserRow.id.in_({m.user_id for m in messages}))
            )
        }
        for start in range(0, len(messages), _BATCH):
            batch = messages[start : start + _BATCH]
            seen = set(
                session.scalars(
                    select(NotificationRow.dedupe).where(
                        NotificationRow.dedupe.in_([m.dedupe for m in batch])
                    )
                )
            )
            mailed: list[tuple[NotificationRow, str]] = []
            for m in batch:
                channel = prefs.get((m.user_id, m.kind), "both")
                user = users.get(m.user_id)
                if m.dedupe in seen or channel == "off" or user is None or not user.active:
                    continue
                seen.add(m.dedupe)
                note = NotificationRow(
                    user_id=m.user_id,
                    kind=m.kind,
                    file_id=m.file_id,
                    text_en=m.en,
                    text_hi=m.hi,
                    dedupe=m.dedupe,
                    inapp=channel in ("both", "inapp"),
                    created_at=now,
                )
                session.add(note)
                made += 1
                if channel in ("both", "mail") and user.email:
                    mailed.append((note, user.email))
            session.flush()  # one flush a batch gives every notification its id
            session.add_all(_mail(note, to, now) for note, to in mailed)
        session.flush()
        return made

    # -- reading ---------------------------------------------------------------------

    def notices(self, login: str, *, limit: int = 50) -> list[Notice]:
        with self.desk.reading("reading notifications") as session:
            me = find_user(session, login)
            rows = session.scalars(
                select(NotificationRow)
                .where(NotificationRow.user_id == me.id, NotificationRow.inapp.is_(True))
                .order_by(NotificationRow.id.desc())
                .limit(limit)
            ).all()
            return [
                Notice(r.id, r.kind, r.file_id, r.text_en, r.text_hi, r.created_at, bool(r.read_at))
                for r in rows
            ]

    def unread(self, login: str) -> int:
        with self.desk.reading("counting notifications") as session:
            me = find_user(session, login)
            return int(
                session.scalar(
                    select(func.count()).where(
                        NotificationRow.user_id == me.id,
                        NotificationRow.inapp.is_(True),
                        NotificationRow.read_at.is_(None),
                    )
                )
                or 0
            )

    def mark_read(self, login: str) -> None:
        with self.desk.writing("marking notifications read") as session:
            me = find_user(session, login)
            session.execute(
                update(NotificationRow)
                .where(NotificationRow.user_id == me.id, NotificationRow.read_at.is_(None))
                .values(read_at=self.desk.now())
            )

    def channels(self, login: str) -> dict[str, str]:
        """The user's choice for every kind of event (``both`` where none was made)."""
        with self.desk.reading("reading notification choices") as session:
            me = find_user(session, login)
            chosen = _prefs(session, {me.id})
        return {kind: chosen.get((me.id, kind), "both") for kind in KINDS}

    def set_channel(self, login: str, kind: str, channel: str) -> None:
        """A user's choice for one kind of event: both, inapp, mail or off."""
        if kind not in KINDS or channel not in CHANNELS:
            raise RuleError(
                "notify-choice",
                f"{kind!r} / {channel!r} is not an event and a channel",
                advice=f"events: {', '.join(KINDS)}; channels: {', '.join(CHANNELS)}",
            )
        with self.desk.writing("choosing notifications") as session:
            me = find_user(session, login)
            pref = session.get(NotifyPrefRow, (me.id, kind))
            if pref is None:
                session.add(NotifyPrefRow(user_id=me.id, kind=kind, channel=channel))
            else:
                pref.channel = channel


def _int():
    from sqlalchemy import Integer

    return Integer()


def _prefs(session: Session, user_ids: set[int]) -> dict[tuple[int, str], str]:
    rows = session.scalars(select(NotifyPrefRow).where(NotifyPrefRow.user_id.in_(user_ids)))
    return {(r.user_id, r.kind): r.channel for r in rows}


def _mail(note: NotificationRow, to: str, now: datetime) -> MailRow:
    subject = f"scanpipe: {note.text_hi} / {note.text_en}"
    return MailRow(
        notification_id=note.id,
        to_addr=to,
        subject=subject[:240],
        body=f"{note.text_hi}\n{note.text_en}\n",
        created_at=now,
        attempts=0,
        next_at=now,
        last_error="",
    )


RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
