"""The golden search suite (tests/test_search.py) run again over the PostgreSQL backend.

Every golden test of test_search.py that takes the ``golden`` fixture is
collected here a second time with this module's ``golden``: the same pages
registered through ``Registry.add_file`` in a real PostgreSQL database. So
the two backends are held to one set of expectations, and a test added to
the golden suite runs on both without being copied.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_search
from servers import pg_database
from sqlalchemy import text

from scanpipe.errors import SearchQueryError
from scanpipe.model import FileSource, PageResult, PageStatus
from scanpipe.registry import Registry
from scanpipe.registry.search_pg import PostgresSearch, search_body
from scanpipe.text import normalise_for_search, tokenise

GOLDEN_TESTS = {
    name: fn
    for name, fn in vars(test_search).items()
    if name.startswith("test_") and callable(fn) and "golden" in inspect.signature(fn).parameters
}
globals().update(GOLDEN_TESTS)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture(scope="module")
def golden(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Registry, dict[int, str]]]:
    tmp = tmp_path_factory.mktemp("pg-golden")
    reg = Registry.open(pg_url, tmp / "archive")
    assert isinstance(reg._search, PostgresSearch)  # the URL chose the backend
    labels: dict[int, str] = {}
    for label, page_text in test_search.PAGES.items():
        source, staged = test_search._source(tmp, label)
        page = PageResult(number=1, status=PageStatus.OK, text=page_text, confidence=90.0)
        labels[reg.add_file(source, [page], staged)] = label
    yield reg, labels
    reg.close()


def test_the_golden_suite_is_collected_here() -> None:
    assert len(GOLDEN_TESTS) >= 15, sorted(GOLDEN_TESTS)


def test_lexemes_are_exactly_our_tokens(golden: tuple[Registry, dict[int, str]]) -> None:
    """``scanpipe_hindi`` keeps every scanpipe token whole (vowel signs, virama, digits)."""
    reg, _ = golden
    sample = " ".join(test_search.PAGES.values()) + " कलेक्टर्स स्थानांतरण ज्ञापन f847 2022gad"
    with reg._engine.connect() as conn:
        lexemes = conn.execute(
            text("SELECT array_agg(lexeme) FROM unnest(to_tsvector('scanpipe_hindi', :b))"),
            {"b": search_body(sample)},
        ).scalar_one()
    assert set(lexemes) == set(tokenise(normalise_for_search(sample)))


def test_trigrams_of_devanagari_are_not_empty(golden: tuple[Registry, dict[int, str]]) -> None:
    reg, _ = golden
    with reg._engine.connect() as conn:
        trigrams = conn.execute(text("SELECT show_trgm('कलेक्टर')")).scalar_one()
    assert len(trigrams) >= 3


def test_ranking_and_limit(pg_url: str, tmp_path: Path) -> None:
    with Registry.open(pg_url, tmp_path / "a") as reg:
        texts = ["आदेश एक दो तीन चार पांच छह", "आदेश आदेश आदेश सात", "आदेश आठ नौ दस ग्यारह बारह"]
        for i, page_text in enumerate(texts):
            sha = hashlib.sha256(f"rank-{i}".encode()).hexdigest()
            src = FileSource(Path(f"/in/{i}.pdf"), (), sha, 1)
            reg.add_file(src, [PageResult(1, PageStatus.OK, text=page_text)], {})
        hits = reg.search("आदेश")
        assert hits[0].source_path.name == "1.pdf"  # three times the word ranks first
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert len(reg.search("आदेश", limit=2)) == 2
        with pytest.raises(SearchQueryError):
            reg.search("आदेश", limit=0)


def test_a_very_common_word_is_ranked_among_its_newest_matches(pg_url: str, tmp_path: Path) -> None:
    """The same window as SqliteFtsSearch (test_search.py), with the same pages; PostgreSQL
    sizes it from the word's share of pages in the column statistics, so ANALYZE first."""
    with pg_database() as url, Registry.open(url, tmp_path / "archive") as reg:
        texts = ["भूमि भूमि भूमि भूमि आवंटन"] + [f"भूमि प्रकरण क्रमांक {i} की सुनवाई" for i in range(9)]
        ids = []
        for i, page_text in enumerate(texts):
            sha = hashlib.sha256(f"common-{i}".encode()).hexdigest()
            src = FileSource(path=Path(f"/inbox/{i}.pdf"), pages=(), sha256=sha, size_bytes=1)
            page = PageResult(number=1, status=PageStatus.OK, text=page_text, confidence=90.0)
            ids.append(reg.add_file(src, [page], {}))
        everything = [h.file_id for h in reg.search("भूमि", limit=3)]
        assert everything[0] == ids[0]  # the page that says it four times ranks first
        with reg._engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE pages_fts")
        reg._search = PostgresSearch(rank_window=3)
        windowed = [h.file_id for h in reg.search("भूमि", limit=10)]
        assert sorted(windowed) == ids[-4:]  # the window plus its boundary page
        assert [h.file_id for h in reg.search("आवंटन")] == [ids[0]]  # rare words: unaffected


def test_a_word_missing_from_the_newest_pages_is_still_found(pg_url: str, tmp_path: Path) -> None:
    """The statistics say the word is on half the pages, but only on the oldest half: the
    range sized from that share holds none, so it widens until hits are found."""
    with pg_database() as url, Registry.open(url, tmp_path / "archive") as reg:
        texts = [f"पुराना अभिलेख {i}" for i in range(5)] + [f"नया आदेश {i}" for i in range(5)]
        ids = []
        for i, page_text in enumerate(texts):
            sha = hashlib.sha256(f"skew-{i}".encode()).hexdigest()
            src = FileSource(path=Path(f"/inbox/{i}.pdf"), pages=(), sha256=sha, size_bytes=1)
            page = PageResult(number=1, status=PageStatus.OK, text=page_text, confidence=90.0)
            ids.append(reg.add_file(src, [page], {}))
        with reg._engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE pages_fts")
        reg._search = PostgresSearch(rank_window=1)
        found = [h.file_id for h in reg.search("पुराना", limit=20)]
        assert found and set(found) <= set(ids[:5])
