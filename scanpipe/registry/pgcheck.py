"""Start-up checks for a PostgreSQL registry, run before any migration touches it.

The one that matters: a database whose LC_CTYPE is ``C`` (or ``POSIX``) treats
every Devanagari letter as a non-letter. ``pg_trgm`` then extracts no
trigrams from Hindi words and the text-search parser drops or splits them, so
search would quietly find nothing. The locale of a database is fixed when it
is created, so the only fix is a new database; we refuse to start and say how.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from scanpipe.errors import RegistryError

#: Generated columns (12), trusted pg_trgm (13): below this the migrations cannot run.
MIN_SERVER_VERSION = 13
BAD_CTYPES = frozenset({"C", "POSIX"})


def create_database_advice(name: str) -> str:
    """The statement that creates a usable registry database (used in error messages)."""
    return (
        f"create the database with a UTF-8 locale, e.g. CREATE DATABASE {name} "
        "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
        "(any installed *.UTF-8 locale works; list them with 'locale -a'), move the data with "
        "'scanpipe export'/'import' if there is any, and point SCANPIPE_DB_URL at it"
    )


def check_database(engine: Engine) -> None:
    """Refuse a server or database that would make Hindi search silently wrong."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            name, ctype, encoding, version = conn.execute(
                text(
                    "SELECT datname, datctype, pg_encoding_to_char(encoding), "
                    "current_setting('server_version_num')::int "
                    "FROM pg_database WHERE datname = current_database()"
                )
            ).one()
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise RegistryError(
            f"cannot connect to the PostgreSQL registry {where}: {detail}",
            advice="check SCANPIPE_DB_URL (host, port, database, user, password) and that "
            "PostgreSQL is running and accepts this user",
        ) from exc
    if version // 10000 < MIN_SERVER_VERSION:
        raise RegistryError(
            f"the PostgreSQL registry database {name!r} runs on server version "
            f"{version // 10000}; scanpipe needs {MIN_SERVER_VERSION} or newer",
            advice="upgrade PostgreSQL (Debian 12 ships 15)",
        )
    if encoding != "UTF8":
        raise RegistryError(
            f"the PostgreSQL registry database {name!r} has encoding {encoding}, "
            "so it cannot store Devanagari",
            advice=create_database_advice(name),
        )
    if ctype in BAD_CTYPES:
        raise RegistryError(
            f"the PostgreSQL registry database {name!r} has LC_CTYPE {ctype!r}: in that "
            "locale Devanagari letters are not letters, so Hindi words would not be indexed "
            "(empty trigrams, split words) and search would find nothing",
            advice=create_database_advice(name),
        )
