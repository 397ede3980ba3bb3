"""Who may read a file: each user's clearance, and files shared with named users.

Revision ID: 0007_read_rule
Revises: 0006_vocabulary
Create Date: 2026-12-02

``users.clearance`` is the highest grading the user may read through their
section (registry/access.py, docs/access.md). Existing officers, records
staff and admins get ``confidential``; everyone else ``normal``. Secret and
top-secret files are read on a need-to-know basis (holder, movement path,
an explicit share), never through clearance alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_read_rule"
down_revision: str | None = "0006_vocabulary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("clearance", sa.String(16), nullable=False, server_default="normal")
        )
    op.execute(
        "UPDATE users SET clearance = 'confidential' WHERE role IN ('officer', 'records', 'admin')"
    )
    op.create_table(
        "file_shares",
        sa.Column(
            "file_id",
            sa.Integer,
            sa.ForeignKey("files.id", ondelete="CASCADE", name="fk_file_shares_file_id"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_file_shares_user_id"),
            primary_key=True,
        ),
        sa.Column("granted_by", sa.String(64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_file_shares_user_id", "file_shares", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_file_shares_user_id", "file_shares")
    op.drop_table("file_shares")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("clearance")
