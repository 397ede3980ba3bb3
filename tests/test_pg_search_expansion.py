"""The expansion golden suite (tests/test_search_expansion.py) again on PostgreSQL.

Like tests/test_pg_search.py: every test there that takes ``variants`` is
collected here with this module's ``variants``, so both backends meet one
set of expectations.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
import test_search_expansion
from servers import pg_database

from scanpipe.registry import Registry
from scanpipe.registry.search_pg import PostgresSearch

GOLDEN_TESTS = {
    name: fn
    for name, fn in vars(test_search_expansion).items()
    if name.startswith("test_") and callable(fn) and "variants" in inspect.signature(fn).parameters
}
globals().update(GOLDEN_TESTS)
PAIRS = test_search_expansion.PAIRS


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, dict[int, str]]]:
    tmp = tmp_path_factory.mktemp("pg-variants")
    with pg_database() as url:
        reg = Registry.open(url, tmp / "archive")
        assert isinstance(reg._search, PostgresSearch)
        yield reg, test_search_expansion.fill(reg, tmp)
        reg.close()


def test_the_expansion_suite_is_collected_here() -> None:
    assert len(GOLDEN_TESTS) >= 9, sorted(GOLDEN_TESTS)
