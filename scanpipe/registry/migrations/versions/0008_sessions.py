"""Revocable sessions and shared sign-in limits.

Revision ID: 0008_sessions
Revises: 0007_read_rule
Create Date: 2026-12-02

``users.session_version`` is written into every session cookie at sign-in and
checked on every request: sign-out, a password change, deactivation and an
admin's "sign out everywhere" raise it, which ends every session of that user
on every worker process at once. ``sign_in_failures`` holds failed sign-ins
per (login, address), so that the limits are shared by every worker process.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_sessions"
down_revision: str | None = "0007_read_rule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer, nullable=False, server_default="0")
        )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_in_failures_login_address", "sign_in_failures", ["login", "address"])
    op.create_index("ix_sign_in_failures_address", "sign_in_failures", ["address"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_address", "sign_in_failures")
    op.drop_index("ix_sign_in_failures_login_address", "sign_in_failures")
    op.drop_table("sign_in_failures")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
