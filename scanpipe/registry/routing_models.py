"""Tables for routing and noting (migration 0003): users, movements, holders, notes, audit.

They live in the registry package because the registry owns the schema;
the rules that govern them are in ``scanpipe.routing``. Every class here
must match the migration (tests/test_registry.py compares them).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scanpipe.registry.base import Base, UTCDateTime


def _fk(target: str, name: str, ondelete: str = "CASCADE") -> ForeignKey:
    return ForeignKey(target, ondelete=ondelete, name=name)


class UserRow(Base):
    """A person who handles files: operator, records clerk, officer or admin."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("login", name="uq_users_login"),
        Index("ix_users_section_id", "section_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    designation: Mapped[str] = mapped_column(Text)
    section_id: Mapped[int | None] = mapped_column(
        _fk("sections.id", "fk_users_section_id", "SET NULL")
    )
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The highest grading read through the user's section (registry/access.py).
    clearance: Mapped[str] = mapped_column(String(16), default="normal", server_default="normal")
    email: Mapped[str | None] = mapped_column(Text)  # where notifications by mail go
    # Raised to end every session of the user (sign-out, password, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiTokenRow(Base):
    """A user's API token: only its SHA-256 is kept (routing/tokens.py)."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        Index("ix_api_tokens_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("users.id", "fk_api_tokens_user_id", "CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SignInFailureRow(Base):
    """A failed sign-in, kept for the limits every worker process shares (routing/signin.py)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_login_address", "login", "address"),
        Index("ix_sign_in_failures_address", "address"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class FileShareRow(Base):
    """A file shown to a named user beyond the section rule (need to know, registry/access.py)."""

    __tablename__ = "file_shares"
    __table_args__ = (Index("ix_file_shares_user_id", "user_id"),)

    file_id: Mapped[int] = mapped_column(
        _fk("files.id", "fk_file_shares_file_id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        _fk("users.id", "fk_file_shares_user_id"), primary_key=True
    )
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrackingRow(Base):
    """Who created a file for routing (only the creator may close it)."""

    __tablename__ = "file_tracking"
    __table_args__ = (Index("ix_file_tracking_creator_id", "creator_id"),)

    file_id: Mapped[int] = mapped_column(
        _fk("files.id", "fk_file_tracking_file_id"), primary_key=True
    )
    creator_id: Mapped[int | None] = mapped_column(
        _fk("users.id", "fk_file_tracking_creator_id", "RESTRICT")
    )
    since: Mapped[datetime] = mapped_column(UTCDateTime())


class MovementRow(Base):
    """One step in a file's path. A send to three people is three rows sharing ``batch``."""

    __tablename__ = "movements"
    __table_args__ = (
        Index("ix_movements_file_id", "file_id", "id"),
        Index("ix_movements_actor_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int | None] = mapped_column(_fk("files.id", "fk_movements_file_id"))
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(
        _fk("users.id", "fk_movements_actor_id", "RESTRICT")
    )
    to_user_id: Mapped[int | None] = mapped_column(
        _fk("users.id", "fk_movements_to_user_id", "RESTRICT")
    )
    batch: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    remarks: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(16), default="normal", server_default="normal")
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pulled_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HoldingRow(Base):
    """A current holder of a file: where-is and pendency read these, not the whole path."""

    __tablename__ = "holdings"
    __table_args__ = (
        UniqueConstraint("file_id", "user_id", name="uq_holdings_file_user"),
        Index("ix_holdings_user_since", "user_id", "since"),
        Index("ix_holdings_sent_by", "sent_by_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int | None] = mapped_column(_fk("files.id", "fk_holdings_file_id"))
    user_id: Mapped[int | None] = mapped_column(_fk("users.id", "fk_holdings_user_id", "RESTRICT"))
    movement_id: Mapped[int | None] = mapped_column(
        _fk("movements.id", "fk_holdings_movement_id", "SET NULL")
    )
    sent_by_id: Mapped[int | None] = mapped_column(
        _fk("users.id", "fk_holdings_sent_by_id", "SET NULL")
    )
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(16), default="normal", server_default="normal")


class NoteRow(Base):
    """A numbered paragraph of the notesheet; ``number`` is given when it becomes final."""

    __tablename__ = "notes"
    __table_args__ = (
        UniqueConstraint("file_id", "number", name="uq_notes_file_number"),
        Index("ix_notes_file_id", "file_id"),
        Index("ix_notes_author_status", "author_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int | None] = mapped_column(_fk("files.id", "fk_notes_file_id"))
    author_id: Mapped[int | None] = mapped_column(_fk("users.id", "fk_notes_author_id", "RESTRICT"))
    designation: Mapped[str] = mapped_column(Text)  # as it was when the note was written
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApprovalRow(Base):
    """An officer's approval: of a note, or of closing or reopening the file."""

    __tablename__ = "approvals"
    __table_args__ = (Index("ix_approvals_file_id", "file_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int | None] = mapped_column(_fk("files.id", "fk_approvals_file_id"))
    note_id: Mapped[int | None] = mapped_column(_fk("notes.id", "fk_approvals_note_id", "SET NULL"))
    approver_id: Mapped[int | None] = mapped_column(
        _fk("users.id", "fk_approvals_approver_id", "RESTRICT")
    )
    designation: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    remarks: Mapped[str] = mapped_column(Text, default="")


class CustodyRow(Base):
    """The paper original: placed in the record room, issued to a person, returned."""

    __tablename__ = "custody"
    __table_args__ = (Index("ix_custody_file_id", "file_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int | None] = mapped_column(_fk("files.id", "fk_custody_file_id"))
    kind: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[int | None] = mapped_column(_fk("users.id", "fk_custody_actor_id", "RESTRICT"))
    person_id: Mapped[int | None] = mapped_column(
        _fk("users.id", "fk_custody_person_id", "RESTRICT")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(Text, default="")
    remarks: Mapped[str] = mapped_column(Text, default="")


class AuditRow(Base):
    """Who did what, when: append-only (the database refuses UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_file_id", "file_id", "id"),
        Index("ix_audit_log_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(Integer)
    login: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    file_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")


class NotificationRow(Base):
    """Something a user is told: a file arrived, became overdue, or the day's digest.

    ``dedupe`` makes producing it idempotent: the overdue sweep and the digest may
    run twice, or after a crash, and a user is still told once.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("dedupe", name="uq_notifications_dedupe"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(_fk("users.id", "fk_notifications_user_id"))
    kind: Mapped[str] = mapped_column(String(16))  # arrived | overdue | digest
    file_id: Mapped[int | None] = mapped_column(_fk("files.id", "fk_notifications_file_id"))
    text_en: Mapped[str] = mapped_column(Text)
    text_hi: Mapped[str] = mapped_column(Text)
    dedupe: Mapped[str] = mapped_column(String(160))
    inapp: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MailRow(Base):
    """A mail waiting for the SMTP server: written with the action, sent later, retried.

    The action never waits on the mail server; delivery marks ``sent_at`` only
    after the server accepted the message, so a crash sends again rather than never.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "sent_at", "next_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        _fk("notifications.id", "fk_mail_outbox_notification_id")
    )
    to_addr: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")


class NotifyPrefRow(Base):
    """How a user wants one kind of event: ``both`` (the default), ``inapp``, ``mail``, ``off``."""

    __tablename__ = "notify_prefs"

    user_id: Mapped[int] = mapped_column(
        _fk("users.id", "fk_notify_prefs_user_id"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
