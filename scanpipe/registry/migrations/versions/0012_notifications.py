"""Notifications in the app and by mail, with an outbox that survives a mail server down.

Revision ID: 0012_notifications
Revises: 0011_priority
Create Date: 2026-12-02

``notifications`` are produced in the same transaction as the action that causes
them (a file sent: "arrived") or by the idempotent sweep (overdue, the daily
digest; ``dedupe`` is unique). ``mail_outbox`` holds each mail until the SMTP
server accepted it, with retries. ``notify_prefs`` is each user's choice per
event; ``users.email`` is where mail goes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_notifications"
down_revision: str | None = "0011_priority"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _fk(target: str, name: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete="CASCADE", name=name)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.Text(), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, _fk("users.id", "fk_notifications_user_id")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_id", sa.Integer, _fk("files.id", "fk_notifications_file_id")),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_hi", sa.Text(), nullable=False),
        sa.Column("dedupe", sa.String(160), nullable=False),
        sa.Column("inapp", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.UniqueConstraint("dedupe", name="uq_notifications_dedupe"),
    )
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "notification_id",
            sa.Integer,
            _fk("notifications.id", "fk_mail_outbox_notification_id"),
        ),
        sa.Column("to_addr", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
    )
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["sent_at", "next_at"])
    op.create_table(
        "notify_prefs",
        sa.Column(
            "user_id", sa.Integer, _fk("users.id", "fk_notify_prefs_user_id"), primary_key=True
        ),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("channel", sa.String(8), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notify_prefs")
    op.drop_index("ix_mail_outbox_due", "mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_index("ix_notifications_user_read", "notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
