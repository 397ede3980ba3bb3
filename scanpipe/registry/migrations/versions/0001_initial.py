"""Initial registry schema: files, pages and the SQLite FTS5 page index.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Migrations are frozen snapshots: they spell out columns instead of importing
the ORM models, so later model changes cannot rewrite history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The FTS5 tokenizer. Measured with SQLite 3.40 (see tests/test_search.py,
# test_fts_tokenizer_choice):
# * Without the categories option unicode61 treats Devanagari vowel signs and
#   the virama (Mc/Mn) as separators: कलेक्टर is indexed as कल + टर, and the
#   query कल then matches it. Adding M* to the categories keeps words whole.
# * remove_diacritics 2 (what DESIGN.md §4 suggested) does NOT strip Devanagari
#   vowel signs, virama or nukta once M* is a token category -- its folding
#   table only covers Latin-like letters -- so it would be safe, but it does
#   fold Latin accents (café -> cafe). We choose 0 so that *all* folding happens
#   in scanpipe.text.normalise_for_search: the index, the query and the snippet
#   highlighter then agree exactly on which words are equal.
# The indexed text is already normalise_for_search()-ed (NFC, nukta folded,
# digits ASCII, casefolded); rowid is pages.id.
FTS_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("page_count", sa.Integer, nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf_path", sa.Text, nullable=True),
        sa.Column("text_path", sa.Text, nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("pages_for_review", sa.Integer, nullable=False),
        sa.UniqueConstraint("sha256", name="uq_files_sha256"),
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "file_id",
            sa.Integer,
            sa.ForeignKey("files.id", ondelete="CASCADE", name="fk_pages_file_id"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("skew_deg", sa.Float, nullable=False),
        sa.Column("orientation_deg", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("dpi", sa.Integer, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("words", sa.Integer, nullable=False),
        sa.UniqueConstraint("file_id", "number", name="uq_pages_file_number"),
    )
    op.create_index("ix_pages_file_id", "pages", ["file_id"])
    op.create_index("ix_pages_status", "pages", ["status"])

    if op.get_bind().dialect.name == "sqlite":
        # A normal (content-storing) FTS5 table: its content is the normalised
        # text, which differs from pages.text, so external content would need a
        # second stored column anyway. Kept in sync by the store, not triggers,
        # because triggers cannot call normalise_for_search().
        op.execute(f'CREATE VIRTUAL TABLE pages_fts USING fts5(body, tokenize="{FTS_TOKENIZE}")')
    # PostgreSQL (later): a tsvector column + GIN index in its own migration.


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS pages_fts")
    op.drop_index("ix_pages_status", table_name="pages")
    op.drop_index("ix_pages_file_id", table_name="pages")
    op.drop_table("pages")
    op.drop_table("files")
