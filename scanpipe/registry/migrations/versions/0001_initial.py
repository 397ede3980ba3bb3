"""Initial registry schema: files, pages and the page search index (FTS5 or tsvector).

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
    elif op.get_bind().dialect.name == "postgresql":
        _postgres_search()


def _postgres_search() -> None:
    """pages_fts on PostgreSQL: normalised tokens, their tsvector and a GIN index.

    The text search config is ``scanpipe_hindi``, a copy of ``simple`` (no
    stemmer, no stop words), created here when missing. PostgreSQL 15's own
    ``pg_catalog.hindi`` is a Snowball config: it stems Hindi (कार्यालयों ->
    कार्यालय) and sends Latin words through the English stemmer and stop
    words ("of" vanishes), so the two backends would disagree on what a word
    is (docs/decisions.md). ``body`` already holds ``scanpipe.text`` tokens;
    the config only has to keep them whole (registry/search_pg.py). pg_trgm is
    trusted (PG >= 13), so the database owner may create it; it needs a non-C
    LC_CTYPE, which registry/pgcheck.py enforces.
    """
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "DO $$ BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'scanpipe_hindi') THEN "
        "CREATE TEXT SEARCH CONFIGURATION scanpipe_hindi (COPY = pg_catalog.simple); "
        "END IF; END $$"
    )
    op.execute(
        "CREATE TABLE pages_fts ("
        " page_id integer PRIMARY KEY"
        "  CONSTRAINT fk_pages_fts_page_id REFERENCES pages(id) ON DELETE CASCADE,"
        " body text NOT NULL,"
        " tsv tsvector GENERATED ALWAYS AS"
        "  (to_tsvector('scanpipe_hindi'::regconfig, body)) STORED)"
    )
    op.execute("CREATE INDEX ix_pages_fts_tsv ON pages_fts USING gin (tsv)")
    # PostgresSearch sizes its ranking window from each word's share of pages in
    # pg_stats.most_common_elems; the default target lists words down to ~1% of pages,
    # 1000 lists them down to ~0.1%, so fewer words are ranked in full.
    op.execute("ALTER TABLE pages_fts ALTER COLUMN tsv SET STATISTICS 1000")


def downgrade() -> None:
    if op.get_bind().dialect.name in ("sqlite", "postgresql"):
        op.execute("DROP TABLE IF EXISTS pages_fts")  # scanpipe_hindi and pg_trgm stay
    op.drop_index("ix_pages_status", table_name="pages")
    op.drop_index("ix_pages_file_id", table_name="pages")
    op.drop_table("pages")
    op.drop_table("files")
