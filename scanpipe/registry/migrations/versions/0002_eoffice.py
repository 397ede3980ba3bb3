"""e-Office registry: offices, departments, sections, parts, documents, suggestions.

Revision ID: 0002_eoffice
Revises: 0001
Create Date: 2026-11-26

Adds what e-Office and the records room know of a file to ``files`` (file
number as written and normalised, computer number, subject, nature, status,
record category and review year, volume, location, dates, grading), the
four parts with their own page series, documents within parts, and the
classifier's suggestions. A file can now be registered by hand without
scans, so ``sha256`` and ``source_path`` become nullable; ``sha256`` stays
unique (SQLite allows many NULLs in a unique column).

SQLite cannot alter columns, so ``files`` and ``pages`` are rebuilt in batch
mode. Rebuilding drops the old table, and with foreign keys on that would
cascade-delete every page: ``db.migrate`` turns foreign keys off around the
migration (the procedure SQLite documents) and runs ``foreign_key_check``
before it commits. PostgreSQL alters tables in place (``_RECREATE`` is "auto"
there): dropping ``pages`` would also drop what references it (pages_fts).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_eoffice"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Existing scans get computer numbers after this, in id order, as new files do.
COMPUTER_NO_BASE = 100000


def _recreate() -> str:
    """SQLite rebuilds tables to alter them; PostgreSQL runs ALTER TABLE."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def _names() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("name_hi", sa.Text, nullable=True),
    ]


def upgrade() -> None:
    op.create_table("offices", *_names(), sa.UniqueConstraint("code", name="uq_offices_code"))
    op.create_table(
        "departments", *_names(), sa.UniqueConstraint("code", name="uq_departments_code")
    )
    op.create_table(
        "sections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "office_id",
            sa.Integer,
            sa.ForeignKey("offices.id", ondelete="CASCADE", name="fk_sections_office_id"),
            nullable=False,
        ),
        sa.Column(
            "department_id",
            sa.Integer,
            sa.ForeignKey("departments.id", ondelete="SET NULL", name="fk_sections_department_id"),
            nullable=True,
        ),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("name_hi", sa.Text, nullable=True),
        sa.UniqueConstraint("office_id", "code", name="uq_sections_office_code"),
    )

    with op.batch_alter_table("files", recreate=_recreate()) as batch:
        batch.alter_column("source_path", existing_type=sa.Text, nullable=True)
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=True)
        for column in (
            sa.Column("computer_no", sa.Integer, nullable=True),
            sa.Column("file_no", sa.String(120), nullable=True),
            sa.Column("file_no_norm", sa.String(120), nullable=True),
            sa.Column("subject", sa.Text, nullable=True),
            sa.Column("nature", sa.String(16), nullable=False, server_default="digitised"),
            sa.Column("original_id", sa.Integer, nullable=True),
            sa.Column("file_state", sa.String(16), nullable=False, server_default="open"),
            sa.Column("category", sa.String(1), nullable=True),
            sa.Column("retention_years", sa.Integer, nullable=True),
            sa.Column("review_year", sa.Integer, nullable=True),
            sa.Column("volume", sa.Integer, nullable=False, server_default="1"),
            sa.Column("room", sa.String(64), nullable=True),
            sa.Column("almirah", sa.String(64), nullable=True),
            sa.Column("shelf", sa.String(64), nullable=True),
            sa.Column("bundle", sa.String(64), nullable=True),
            sa.Column("created_on", sa.Date, nullable=True),
            sa.Column("opened_on", sa.Date, nullable=True),
            sa.Column("closed_on", sa.Date, nullable=True),
            sa.Column("grading", sa.String(16), nullable=False, server_default="normal"),
            sa.Column("year", sa.Integer, nullable=True),
            sa.Column("office_id", sa.Integer, nullable=True),
            sa.Column("section_id", sa.Integer, nullable=True),
            sa.Column("declared_pages", sa.Integer, nullable=True),
            sa.Column("operator", sa.String(100), nullable=True),
            sa.Column("metadata_origin", sa.String(16), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        ):
            batch.add_column(column)
        batch.create_foreign_key(
            "fk_files_original_id", "files", ["original_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            "fk_files_office_id", "offices", ["office_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            "fk_files_section_id", "sections", ["section_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_files_file_no_norm", ["file_no_norm"])
    op.execute(f"UPDATE files SET computer_no = {COMPUTER_NO_BASE} + id")
    with op.batch_alter_table("files", recreate=_recreate()) as batch:
        batch.alter_column("computer_no", existing_type=sa.Integer, nullable=False)
        batch.create_unique_constraint("uq_files_computer_no", ["computer_no"])

    op.create_table(
        "parts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "file_id",
            sa.Integer,
            sa.ForeignKey("files.id", ondelete="CASCADE", name="fk_parts_file_id"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.UniqueConstraint("file_id", "kind", name="uq_parts_file_kind"),
    )
    op.create_index("ix_parts_file_id", "parts", ["file_id"])
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "part_id",
            sa.Integer,
            sa.ForeignKey("parts.id", ondelete="CASCADE", name="fk_documents_part_id"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("doc_date", sa.Date, nullable=True),
        sa.Column("sender", sa.Text, nullable=True),
        sa.Column("reference_no", sa.String(120), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("subject", sa.Text, nullable=True),
        sa.UniqueConstraint("part_id", "position", name="uq_documents_part_position"),
    )
    op.create_index("ix_documents_part_id", "documents", ["part_id"])
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "file_id",
            sa.Integer,
            sa.ForeignKey("files.id", ondelete="CASCADE", name="fk_suggestions_file_id"),
            nullable=False,
        ),
        sa.Column("page_number", sa.Integer, nullable=True),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_suggestions_file_id", "suggestions", ["file_id"])
    op.create_index("ix_suggestions_status", "suggestions", ["status"])

    with op.batch_alter_table("pages", recreate=_recreate()) as batch:
        for column in (
            sa.Column("part_id", sa.Integer, nullable=True),
            sa.Column("part_page", sa.Integer, nullable=True),
            sa.Column("document_id", sa.Integer, nullable=True),
            sa.Column("language", sa.String(8), nullable=True),
            sa.Column("doc_type", sa.String(16), nullable=True),
            sa.Column("doc_type_confidence", sa.Float, nullable=True),
            sa.Column("doc_type_source", sa.String(16), nullable=True),
            sa.Column("notesheet", sa.Boolean, nullable=False, server_default=sa.false()),
        ):
            batch.add_column(column)
        batch.create_foreign_key(
            "fk_pages_part_id", "parts", ["part_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            "fk_pages_document_id", "documents", ["document_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_pages_part_id", ["part_id"])
        batch.create_index("ix_pages_document_id", ["document_id"])


def downgrade() -> None:
    with op.batch_alter_table("pages", recreate=_recreate()) as batch:
        batch.drop_index("ix_pages_document_id")
        batch.drop_index("ix_pages_part_id")
        batch.drop_constraint("fk_pages_document_id", type_="foreignkey")
        batch.drop_constraint("fk_pages_part_id", type_="foreignkey")
        for name in (
            "notesheet",
            "doc_type_source",
            "doc_type_confidence",
            "doc_type",
            "language",
            "document_id",
            "part_page",
            "part_id",
        ):
            batch.drop_column(name)
    for table in ("suggestions", "documents", "parts"):
        op.drop_table(table)
    # Files registered by hand have no scans; schema 0001 cannot hold them.
    op.execute("DELETE FROM files WHERE sha256 IS NULL OR source_path IS NULL")
    with op.batch_alter_table("files", recreate=_recreate()) as batch:
        batch.drop_constraint("uq_files_computer_no", type_="unique")
        batch.drop_index("ix_files_file_no_norm")
        for name in ("fk_files_section_id", "fk_files_office_id", "fk_files_original_id"):
            batch.drop_constraint(name, type_="foreignkey")
        for name in (
            "updated_at", "metadata_origin", "operator", "declared_pages", "section_id",
            "office_id", "year", "grading", "closed_on", "opened_on", "created_on", "bundle",
            "shelf", "almirah", "room", "volume", "review_year", "retention_years", "category",
            "file_state", "original_id", "nature", "subject", "file_no_norm", "file_no",
            "computer_no",
        ):  # fmt: skip
            batch.drop_column(name)
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=False)
        batch.alter_column("source_path", existing_type=sa.Text, nullable=False)
    for table in ("sections", "departments", "offices"):
        op.drop_table(table)
