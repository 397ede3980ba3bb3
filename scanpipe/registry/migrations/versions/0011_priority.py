"""Priority on movements and holdings, and drafts found by their author.

Revision ID: 0011_priority
Revises: 0010_text_source
Create Date: 2026-12-02

``priority`` is an e-Office urgency marking (``most-immediate``, ``immediate``,
``today``, ``normal``; docs/priorities.md) set when a file is sent, beside the
existing ``due_on``. The inbox lists "drafts I have not finalised" by author,
hence the index.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_priority"
down_revision: str | None = "0010_text_source"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("movements", "holdings"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("priority", sa.String(16), nullable=False, server_default="normal")
            )
    op.create_index("ix_notes_author_status", "notes", ["author_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_notes_author_status", table_name="notes")
    for table in ("holdings", "movements"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("priority")
