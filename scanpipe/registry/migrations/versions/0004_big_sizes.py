"""File sizes as 64-bit integers on PostgreSQL.

Revision ID: 0004_big_sizes
Revises: 0003_routing
Create Date: 2026-11-26

A multi-page colour TIFF stack of a thick file passes 2 GiB, which PostgreSQL's
``integer`` cannot hold. SQLite's INTEGER is already 64-bit, so nothing changes there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_big_sizes"
down_revision: str | None = "0003_routing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE files ALTER COLUMN size_bytes TYPE bigint")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE files ALTER COLUMN size_bytes TYPE integer")
