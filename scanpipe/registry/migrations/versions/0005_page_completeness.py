"""Each page's completeness measure and the reading its text came from.

Revision ID: 0005_page_completeness
Revises: 0004_big_sizes
Create Date: 2026-12-02

``missing`` is the share of the page's text-like ink that produced no word
(ocr/completeness.py); NULL for pages converted before it was measured.
Admins sort the review queue by it. ``reading`` names the binarisation, page
segmentation and model the kept text came from, so a retry can try another.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_page_completeness"
down_revision: str | None = "0004_big_sizes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("missing", sa.Float(), nullable=True))
        batch.add_column(sa.Column("reading", sa.String(80), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("reading")
        batch.drop_column("missing")
