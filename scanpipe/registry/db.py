"""Engine set-up and schema migration.

SQLite is the embedded default. Three things matter and are done here once:

* ``journal_mode=WAL`` so searches keep reading while a file is registered,
  ``foreign_keys=ON`` (off by default in SQLite!) and a ``busy_timeout``.
* pysqlite's own transaction handling is switched off and we emit ``BEGIN``
  ourselves. Otherwise Python's ``sqlite3`` runs DDL outside any transaction
  (so a migration could half-apply) and starts a write transaction only at the
  first INSERT. Writers ask for ``BEGIN IMMEDIATE`` through the
  ``BEGIN_MODE`` execution option, so two writers queue on the lock instead of
  one failing with "database is locked" when it upgrades a read transaction.
* Alembic migrations run programmatically at open, inside one ``BEGIN
  IMMEDIATE`` transaction, from the ``migrations`` folder next to this file,
  so they work from a checkout, an installed wheel or a test's temp dir, and
  two processes opening a new database at once cannot both create the tables.

PostgreSQL is the scale-out backend (``SCANPIPE_DB_URL=postgresql://...``).
``postgresql://`` means the psycopg 3 driver (the one installed). Writers that
ask for ``IMMEDIATE`` take a transaction-scoped advisory lock, so writes queue
exactly as they do on SQLite: ``next_computer_no`` reads ``max() + 1`` and
relies on that, and two processes migrating a new database cannot race.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from scanpipe.errors import OutOfSpaceError, RegistryError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Execution option read by the ``begin`` hook: "" (deferred) or "IMMEDIATE".
BEGIN_MODE = "scanpipe_begin_mode"
BUSY_TIMEOUT_MS = 30_000


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or (url.query.get("mode") == "memory")


#: Key of the advisory lock that serialises PostgreSQL writers (any constant will do).
PG_WRITER_LOCK = 0x5CA9_0001


def parse_url(db_url: str) -> URL:
    """Parse ``db_url``, turning SQLAlchemy's error into one that says what to type."""
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise RegistryError(
            f"cannot understand the database URL {db_url!r}",
            advice="use e.g. sqlite:////var/lib/scanpipe/registry.sqlite3 or "
            "postgresql://user:password@host/dbname (set SCANPIPE_DB_URL)",
        ) from exc
    if url.drivername in ("postgresql", "postgres"):
        # SQLAlchemy's default PostgreSQL driver is psycopg2; we ship psycopg 3.
        url = url.set(drivername="postgresql+psycopg")
    return url


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for other databases / in-memory."""
    if url.get_backend_name() != "sqlite" or _is_memory(url):
        return None
    return Path(str(url.database))


def _use_wal(cur: sqlite3.Cursor) -> None:
    """Switch a database to WAL once; it is persistent, so later connections only read it.

    Switching needs an exclusive lock and, while another connection is opening the same
    new database, SQLite can refuse it with "database is locked" without waiting on the
    busy timeout (seen as a 1-in-10 failure of four processes opening a new registry at
    once). The switch is retried for up to the busy timeout.
    """
    if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def make_engine(db_url: str) -> Engine:
    """Create the engine with the pragmas and transaction hooks described above."""
    url = parse_url(db_url)
    if url.get_backend_name() == "postgresql":
        return _postgres_engine(url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    kwargs: dict[str, Any] = {}
    if _is_memory(url):
        # Every new connection to :memory: is a new, empty database: share one.
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            _use_wal(cur)
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_MODE, "")
        if mode not in ("", "IMMEDIATE"):
            raise ValueError(f"unknown begin mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def _postgres_engine(url: URL) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_MODE, "")
        if mode not in ("", "IMMEDIATE"):
            raise ValueError(f"unknown begin mode {mode!r}")
        if mode == "IMMEDIATE":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITER_LOCK})")

    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config that needs no ini file; ``env.py`` uses ``connection`` if given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _raw(conn: Connection, statement: str) -> list[tuple[Any, ...]]:
    """Run ``statement`` on the DB-API connection, outside any SQLAlchemy transaction.

    ``PRAGMA foreign_keys`` is a no-op inside a transaction, so it cannot go
    through ``conn.execute`` (which would begin one first).
    """
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
        return cursor.fetchall()
    finally:
        cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision in one transaction.

    On SQLite, foreign keys are off while migrations run: batch mode rebuilds a
    table by dropping it, and with foreign keys on, dropping ``files`` would
    cascade-delete every page. ``foreign_key_check`` must pass before commit.
    """
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                _raw(conn, "PRAGMA foreign_keys = OFF")
            try:
                conn = conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
                with conn.begin():
                    command.upgrade(alembic_config(conn), "head")
                    if sqlite:
                        _check_foreign_keys(conn)
            finally:
                if sqlite:
                    _raw(conn, "PRAGMA foreign_keys = ON")
    except SQLAlchemyError as exc:
        raise RegistryError(
            f"could not prepare the registry database: {exc.__class__.__name__}: {exc}",
            advice="check that the database is reachable and writable, and not from a newer "
            "scanpipe version",
        ) from exc


def _check_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RegistryError(
            f"the schema migration would leave {len(broken)} broken references "
            f"(first: {tuple(broken[0])}); nothing was changed",
            advice="restore the database from a backup or report this with the database file",
        )


@contextlib.contextmanager
def db_errors(action: str) -> Iterator[None]:
    """Turn driver errors into errors that tell the user what to do."""
    try:
        yield
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc)
        if isinstance(exc, OperationalError) and "full" in detail:
            raise OutOfSpaceError(
                f"{action}: the database disk is full", advice="free disk space and retry"
            ) from exc
        raise RegistryError(
            f"{action}: {detail}",
            advice="retry; if it persists check the database is reachable, writable and "
            "not locked by another program",
        ) from exc
