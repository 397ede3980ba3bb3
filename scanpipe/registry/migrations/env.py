"""Alembic environment for the registry.

Normally ``db.migrate`` passes an open connection (already inside ``BEGIN
IMMEDIATE``) through ``config.attributes["connection"]``, so the migration
shares the engine's pragmas and commits with it. When a developer runs the
``alembic`` command with ``scanpipe/registry/alembic.ini``, the URL comes from
``SCANPIPE_DB_URL`` or the ini file instead.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from scanpipe.registry.db import BEGIN_MODE, make_engine
from scanpipe.registry.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = os.environ.get("SCANPIPE_DB_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set SCANPIPE_DB_URL or sqlalchemy.url to run migrations")
    return url


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Hide the FTS5 table and its shadow tables from autogenerate; 0001 owns them."""
    return not (type_ == "table" and name is not None and name.startswith("pages_fts"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
            with conn.begin():
                _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
