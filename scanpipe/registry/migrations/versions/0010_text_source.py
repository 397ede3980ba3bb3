"""Where each page's text came from: the PDF's own layer, a decoded legacy layer, or OCR.

Revision ID: 0010_text_source
Revises: 0009_api_tokens
Create Date: 2026-12-02

``text_source`` is ``unicode`` (the PDF's text layer, used as it is), ``legacy``
(a Kruti Dev / DevLys layer decoded to Unicode) or ``ocr``; empty for pages
converted before the triage existed. ``source_note`` says why, e.g. "the text
layer does not cover the page: lines 4-30 (lower half) gave no text".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_text_source"
down_revision: str | None = "0009_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("text_source", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("source_note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("source_note")
        batch.drop_column("text_source")
