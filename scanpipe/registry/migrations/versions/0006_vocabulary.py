"""The vocabulary of indexed words with their spelling keys, for search expansion.

Revision ID: 0006_vocabulary
Revises: 0005_page_completeness
Create Date: 2026-12-02

``vocabulary`` holds every word of the page and note index with its document
frequency and keys; ``vocabulary_deletes`` maps each loose key with one letter
deleted to its words (registry/vocabulary.py). The upgrade fills both from
the text already indexed, so an existing registry gains expansion at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_vocabulary"
down_revision: str | None = "0005_page_completeness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vocabulary",
        sa.Column("word", sa.String(200), primary_key=True),
        sa.Column("loose", sa.String(200), nullable=False),
        sa.Column("phonetic", sa.String(200), nullable=False),
        sa.Column("roman", sa.String(400), nullable=False),
        sa.Column("df", sa.Integer, nullable=False),
    )
    op.create_index("ix_vocabulary_loose", "vocabulary", ["loose"])
    op.create_index("ix_vocabulary_phonetic", "vocabulary", ["phonetic"])
    op.create_table(
        "vocabulary_deletes",
        sa.Column("variant", sa.String(200), primary_key=True),
        sa.Column("word", sa.String(200), primary_key=True),
    )
    _fill()


def _fill() -> None:
    from scanpipe.registry import vocabulary

    conn = op.get_bind()
    df: Counter[str] = Counter()
    for table in ("pages_fts", "notes_fts"):
        for (body,) in conn.execute(sa.text(f"SELECT body FROM {table}")):
            df.update(vocabulary.words_of(body))
    for n in sorted(set(df.values())):
        vocabulary.count(conn, [w for w, c in df.items() if c == n], n)


def downgrade() -> None:
    op.drop_table("vocabulary_deletes")
    op.drop_index("ix_vocabulary_phonetic", "vocabulary")
    op.drop_index("ix_vocabulary_loose", "vocabulary")
    op.drop_table("vocabulary")
