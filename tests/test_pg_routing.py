"""The routing suite (tests/test_routing.py) run again on a PostgreSQL registry.

Every test there that takes the ``office`` fixture is collected here a second
time with this module's ``office``: migration 0003 on PostgreSQL (notes_fts,
the append-only audit trigger) and note search through ``PostgresSearch``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_routing
from servers import pg_database
from sqlalchemy import text
from test_routing import Clock, clock, new_file  # noqa: F401  (clock: the suite's fixture)

from scanpipe.registry import Registry
from scanpipe.registry.search_pg import PostgresSearch
from scanpipe.routing import Routing

#: Reuses one connection after a refused statement; PostgreSQL aborts the whole transaction
#: there, so this module has its own version below.
SQLITE_ONLY = {"test_audit_log_is_append_only"}
ROUTING_TESTS = {
    name: fn
    for name, fn in vars(test_routing).items()
    if name.startswith("test_")
    and name not in SQLITE_ONLY
    and callable(fn)
    and "office" in inspect.signature(fn).parameters
}
globals().update(ROUTING_TESTS)


@pytest.fixture
def office(tmp_path: Path, clock: Clock) -> Iterator[Routing]:  # noqa: F811
    with pg_database() as url, Registry.open(url, tmp_path / "archive") as reg:
        assert isinstance(reg._search, PostgresSearch)
        r = Routing(reg, clock=clock)
        r.add_user(
            "clerk", name="रमेश साहू", designation="Records Clerk", role="records", section="REC"
        )
        r.add_user(
            "so", name="Sunita Verma", designation="Section Officer", role="officer", section="EST"
        )
        r.add_user(
            "collector", name="कलेक्टर मुंगेली", designation="Collector", role="officer", section="EST"
        )
        r.add_user("op", name="Anil", designation="Scanning Operator", role="operator")
        yield r


def test_the_routing_suite_is_collected_here() -> None:
    assert "test_final_notes_are_searchable_with_page_text" in ROUTING_TESTS
    assert len(ROUTING_TESTS) >= 10


def test_audit_log_is_append_only_on_postgres(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    before = len(r.audit_log(file_id=fid))
    for stmt in ("UPDATE audit_log SET login = 'x'", "DELETE FROM audit_log"):
        with r.registry._engine.connect() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(stmt))
    assert len(r.audit_log(file_id=fid)) == before
