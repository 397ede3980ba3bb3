"""The registry on a real PostgreSQL: backend selection, start-up checks, migrations, writers."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from servers import pg_database
from sqlalchemy import text

from scanpipe.errors import ExitCode, RegistryError
from scanpipe.model import FileSource, PageResult, PageStatus
from scanpipe.registry import DuplicateFileError, Registry
from scanpipe.registry.db import alembic_config, make_engine, parse_url
from scanpipe.registry.models import Base


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


def _source(key: str) -> FileSource:
    sha = hashlib.sha256(key.encode()).hexdigest()
    return FileSource(Path(f"/in/{key}.pdf"), (), sha, 1)


def _page(words: str) -> PageResult:
    return PageResult(1, PageStatus.OK, text=words, confidence=90.0)


def test_postgres_url_means_psycopg3() -> None:
    assert parse_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"


def test_models_match_migrations_on_postgres(pg_url: str, tmp_path: Path) -> None:
    Registry.open(pg_url, tmp_path / "a").close()
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "include_name": lambda n, t, _p: (
                        not (n or "").startswith(("pages_fts", "notes_fts"))
                    )
                },
            )
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        engine.dispose()
    assert version


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    with pg_database() as url:
        with Registry.open(url, tmp_path / "a") as reg:
            reg.add_file(_source("old"), [_page("पुरानी फाइल")], {})
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                command.downgrade(alembic_config(conn), "0001")
            with engine.begin() as conn:
                command.downgrade(alembic_config(conn), "base")
                tables = conn.execute(
                    text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                ).scalar_one()
            assert tables == 1  # only alembic_version is left
        finally:
            engine.dispose()
        with Registry.open(url, tmp_path / "a") as reg:
            assert reg.stats().files == 0
            reg.add_file(_source("new"), [_page("नई फाइल")], {})
            assert [h.source_path.name for h in reg.search("फाइल")] == ["new.pdf"]


def test_c_locale_database_is_refused_with_advice(tmp_path: Path) -> None:
    with pg_database(ctype="C") as url:
        name = parse_url(url).database
        with pytest.raises(RegistryError) as info:
            Registry.open(url, tmp_path / "a")
        err = info.value
        assert err.exit_code == ExitCode.DATABASE
        assert name in err.message and "LC_CTYPE 'C'" in err.message
        assert "CREATE DATABASE" in err.advice and "UTF-8" in err.advice
        engine = make_engine(url)
        try:  # refused before any migration ran
            with engine.connect() as conn:
                assert conn.execute(text("SELECT to_regclass('files')")).scalar() is None
        finally:
            engine.dispose()


def test_unreachable_server_names_it(tmp_path: Path) -> None:
    url = "postgresql://scanpipe:wrong@127.0.0.1:1/nosuchdb"
    with pytest.raises(RegistryError) as info:
        Registry.open(url, tmp_path / "a")
    assert "127.0.0.1:1/nosuchdb" in info.value.message and "wrong" not in info.value.message
    assert "SCANPIPE_DB_URL" in info.value.advice


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError) as info:
        Registry.open("mysql://u:p@localhost/db", tmp_path / "a")
    assert "mysql" in info.value.message and "postgresql://" in info.value.advice


def test_duplicate_is_refused_and_nothing_half_written(pg_url: str, tmp_path: Path) -> None:
    with Registry.open(pg_url, tmp_path / "a") as reg:
        first = reg.add_file(_source("dup"), [_page("एक")], {})
        before = reg.stats()
        with pytest.raises(DuplicateFileError) as info:
            reg.add_file(_source("dup"), [_page("दो")], {})
        assert info.value.existing_id == first
        assert reg.stats() == before
        assert reg.search("दो") == []


def test_concurrent_writers_queue_instead_of_failing(pg_url: str, tmp_path: Path) -> None:
    """Computer numbers are max()+1: without the writer lock two writers would collide."""
    errors: list[BaseException] = []
    ids: list[int] = []

    def writer(n: int) -> None:
        with Registry.open(pg_url, tmp_path / "a") as reg:
            for i in range(15):
                try:
                    ids.append(reg.add_file(_source(f"w{n}-{i}"), [_page(f"पत्र {n} {i}")], {}))
                except BaseException as exc:
                    errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 60
    with Registry.open(pg_url, tmp_path / "a") as reg, reg._engine.connect() as conn:
        numbers = conn.execute(text("SELECT count(DISTINCT computer_no) FROM files")).scalar()
        assert numbers == conn.execute(text("SELECT count(*) FROM files")).scalar()


def test_scanpipe_db_url_chooses_postgres_for_the_cli(pg_url: str, tmp_path: Path) -> None:
    with Registry.open(pg_url, tmp_path / "a") as reg:
        reg.add_file(_source("cli"), [_page("जिला मुंगेली अभिलेखागार")], {})
    env = {**os.environ, "SCANPIPE_HOME": str(tmp_path / "home"), "SCANPIPE_DB_URL": pg_url}
    proc = subprocess.run(
        [sys.executable, "-m", "scanpipe", "search", "अभिलेखागार"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cli.pdf" in proc.stdout
    assert not (tmp_path / "home" / "registry.sqlite3").exists()  # SQLite was not used
