"""Routing and noting: users, movements, holders, notes, approvals, custody, audit log.

Revision ID: 0003_routing
Revises: 0002_eoffice
Create Date: 2026-11-26

``holdings`` is the answer to "where is this file, with whom, since when":
one row per current holder, replaced by every movement, so where-is and
pendency read a few indexed rows instead of replaying ``movements``.
``audit_log`` is append-only; the database refuses UPDATE and DELETE on it
(trigger on SQLite, rules on PostgreSQL) so not even a bug in scanpipe can
rewrite history. Final notes are indexed for search beside the page text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_routing"
down_revision: str | None = "0002_eoffice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"  # as pages_fts (0001)
WHEN = sa.DateTime(timezone=True)


def _fk(column: str, target: str, name: str, ondelete: str = "CASCADE") -> sa.Column:
    return sa.Column(column, sa.Integer, sa.ForeignKey(target, ondelete=ondelete, name=name))


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("designation", sa.Text, nullable=False),
        _fk("section_id", "sections.id", "fk_users_section_id", "SET NULL"),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("login", name="uq_users_login"),
    )
    op.create_index("ix_users_section_id", "users", ["section_id"])
    op.create_table(
        "file_tracking",
        sa.Column(
            "file_id",
            sa.Integer,
            sa.ForeignKey("files.id", ondelete="CASCADE", name="fk_file_tracking_file_id"),
            primary_key=True,
        ),
        _fk("creator_id", "users.id", "fk_file_tracking_creator_id", "RESTRICT"),
        sa.Column("since", WHEN, nullable=False),
    )
    op.create_index("ix_file_tracking_creator_id", "file_tracking", ["creator_id"])
    op.create_table(
        "movements",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("file_id", "files.id", "fk_movements_file_id"),
        sa.Column("kind", sa.String(16), nullable=False),
        _fk("actor_id", "users.id", "fk_movements_actor_id", "RESTRICT"),
        _fk("to_user_id", "users.id", "fk_movements_to_user_id", "RESTRICT"),
        sa.Column("batch", sa.Integer, nullable=True),  # one send to several people
        sa.Column("at", WHEN, nullable=False),
        sa.Column("remarks", sa.Text, nullable=False),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("opened_at", WHEN, nullable=True),
        sa.Column("pulled_back_at", WHEN, nullable=True),
    )
    op.create_index("ix_movements_file_id", "movements", ["file_id", "id"])
    op.create_index("ix_movements_actor_id", "movements", ["actor_id"])
    op.create_table(
        "holdings",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("file_id", "files.id", "fk_holdings_file_id"),
        _fk("user_id", "users.id", "fk_holdings_user_id", "RESTRICT"),
        _fk("movement_id", "movements.id", "fk_holdings_movement_id", "SET NULL"),
        _fk("sent_by_id", "users.id", "fk_holdings_sent_by_id", "SET NULL"),
        sa.Column("since", WHEN, nullable=False),
        sa.Column("opened_at", WHEN, nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.UniqueConstraint("file_id", "user_id", name="uq_holdings_file_user"),
    )
    op.create_index("ix_holdings_user_since", "holdings", ["user_id", "since"])
    op.create_index("ix_holdings_sent_by", "holdings", ["sent_by_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("file_id", "files.id", "fk_notes_file_id"),
        _fk("author_id", "users.id", "fk_notes_author_id", "RESTRICT"),
        sa.Column("designation", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("number", sa.Integer, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("finalised_at", WHEN, nullable=True),
        sa.Column("locked_at", WHEN, nullable=True),
        sa.UniqueConstraint("file_id", "number", name="uq_notes_file_number"),
    )
    op.create_index("ix_notes_file_id", "notes", ["file_id"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("file_id", "files.id", "fk_approvals_file_id"),
        _fk("note_id", "notes.id", "fk_approvals_note_id", "SET NULL"),
        _fk("approver_id", "users.id", "fk_approvals_approver_id", "RESTRICT"),
        sa.Column("designation", sa.Text, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("remarks", sa.Text, nullable=False),
    )
    op.create_index("ix_approvals_file_id", "approvals", ["file_id"])
    op.create_table(
        "custody",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("file_id", "files.id", "fk_custody_file_id"),
        sa.Column("kind", sa.String(8), nullable=False),
        _fk("actor_id", "users.id", "fk_custody_actor_id", "RESTRICT"),
        _fk("person_id", "users.id", "fk_custody_person_id", "RESTRICT"),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("remarks", sa.Text, nullable=False),
    )
    op.create_index("ix_custody_file_id", "custody", ["file_id", "id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),  # no FK: the log outlives everything
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("file_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_file_id", "audit_log", ["file_id", "id"])
    op.create_index("ix_audit_log_user_id", "audit_log", ["user_id", "id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
        op.execute(f'CREATE VIRTUAL TABLE notes_fts USING fts5(body, tokenize="{FTS_TOKENIZE}")')
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()"
        )
        # Final notes' search index, as pages_fts in 0001 (registry/search_pg.py).
        op.execute(
            "CREATE TABLE notes_fts ("
            " note_id integer PRIMARY KEY"
            "  CONSTRAINT fk_notes_fts_note_id REFERENCES notes(id) ON DELETE CASCADE,"
            " body text NOT NULL,"
            " tsv tsvector GENERATED ALWAYS AS"
            "  (to_tsvector('scanpipe_hindi'::regconfig, body)) STORED)"
        )
        op.execute("CREATE INDEX ix_notes_fts_tsv ON notes_fts USING gin (tsv)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS notes_fts")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TABLE IF EXISTS notes_fts")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse()")
    for table in ("audit_log", "custody", "approvals", "notes", "holdings", "movements"):
        op.drop_table(table)
    op.drop_table("file_tracking")
    op.drop_table("users")
