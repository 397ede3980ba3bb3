"""Golden search suite: pages go in through Registry.add_file, queries through Registry.search.

Run over every SearchBackend (only SQLite FTS5 today). Each page below holds
distinctive words so each query's expected set of pages is exact.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanpipe.errors import SearchQueryError
from scanpipe.model import FileSource, PageResult, PageStatus
from scanpipe.registry import Hit, Registry
from scanpipe.registry.search import make_snippet, parse_query
from scanpipe.text import normalise_for_search, tokenise

ZWNJ = "\u200c"

# label -> page text (as OCR would store it)
PAGES: dict[str, str] = {
    "collector": "कलेक्टर कार्यालय मुंगेली",
    "kal": "कल सुबह बैठक होगी",
    "deva_year": "आदेश क्रमांक ४५ दिनांक २०२०",
    "ascii_year": "परिपत्र वर्ष 2023 का",
    "nukta": "पुरानी फ़ाइल ज़िला अभिलेखागार",
    "plain": "नई फाइल जिला पंचायत",
    "zwnj": f"प्रशासनिक क्{ZWNJ}षेत्र लोरमी",
    "english": "Office of the Collector, Mungeli",
    "mixed": "ई-ऑफिस migration for पथरिया tehsil",
    "apart": "ऑफिस में ई मेल भेजा",
}


def _source(tmp: Path, label: str) -> tuple[FileSource, dict[str, Path]]:
    sha = hashlib.sha256(label.encode()).hexdigest()
    staged = tmp / f"{label}.txt"
    staged.write_text(PAGES[label], encoding="utf-8")
    src = FileSource(path=Path(f"/inbox/{label}.pdf"), pages=(), sha256=sha, size_bytes=10)
    return src, {"txt": staged}


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, dict[int, str]]]:
    """A registry with one single-page file per PAGES entry; maps file id -> label."""
    tmp = tmp_path_factory.mktemp("golden")
    reg = Registry.open(f"sqlite:///{tmp / 'db' / 'registry.sqlite3'}", tmp / "archive")
    labels: dict[int, str] = {}
    for label, text in PAGES.items():
        source, staged = _source(tmp, label)
        page = PageResult(number=1, status=PageStatus.OK, text=text, confidence=90.0)
        labels[reg.add_file(source, [page], staged)] = label
    yield reg, labels
    reg.close()


def found(golden: tuple[Registry, dict[int, str]], query: str) -> set[str]:
    """Exact search: these tests pin what counts as the same word (tests/test_search_expansion.py
    covers other spellings, Roman script and misreadings)."""
    reg, labels = golden
    return {labels[h.file_id] for h in reg.search(query, exact=True)}


def test_whole_hindi_word_is_found(golden: tuple[Registry, dict[int, str]]) -> None:
    assert found(golden, "कलेक्टर") == {"collector"}


def test_short_word_does_not_match_inside_longer_word(
    golden: tuple[Registry, dict[int, str]],
) -> None:
    assert found(golden, "कल") == {"kal"}  # not the page with only कलेक्टर


def test_short_english_word_matches_whole_tokens_only(
    golden: tuple[Registry, dict[int, str]],
) -> None:
    assert found(golden, "of") == {"english"}  # not "Office"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2020", {"deva_year"}),
        ("२०२०", {"deva_year"}),
        ("2023", {"ascii_year"}),
        ("२०२३", {"ascii_year"}),
    ],
)
def test_devanagari_and_ascii_digits_are_equal(
    golden: tuple[Registry, dict[int, str]], query: str, expected: set[str]
) -> None:
    assert found(golden, query) == expected


@pytest.mark.parametrize(
    "query", ["फ़ाइल", "फाइल", "ज़िला", "जिला", "\u092b\u093c\u093e\u0907\u0932"]
)
def test_nukta_does_not_matter(golden: tuple[Registry, dict[int, str]], query: str) -> None:
    assert found(golden, query) == {"nukta", "plain"}


def test_query_typed_with_zwnj_is_found(golden: tuple[Registry, dict[int, str]]) -> None:
    assert found(golden, f"कलेक्{ZWNJ}टर") == {"collector"}


def test_page_with_zwnj_is_found_by_plain_word(golden: tuple[Registry, dict[int, str]]) -> None:
    assert found(golden, "क्षेत्र") == {"zwnj"}


@pytest.mark.parametrize("query", ["COLLECTOR", "collector", "Collector", "cOlLeCtOr"])
def test_english_ignores_case(golden: tuple[Registry, dict[int, str]], query: str) -> None:
    assert found(golden, query) == {"english"}


def test_mixed_script_page_found_by_hindi_and_english(
    golden: tuple[Registry, dict[int, str]],
) -> None:
    assert found(golden, "पथरिया") == {"mixed"}
    assert found(golden, "MIGRATION") == {"mixed"}
    assert found(golden, "पथरिया migration") == {"mixed"}


def test_all_words_must_match(golden: tuple[Registry, dict[int, str]]) -> None:
    assert found(golden, "कलेक्टर Collector") == set()
    assert found(golden, "मुंगेली") == {"collector"}
    assert found(golden, "Mungeli") == {"english"}


def test_hyphenated_word_is_a_phrase(golden: tuple[Registry, dict[int, str]]) -> None:
    assert found(golden, "ई-ऑफिस") == {"mixed"}  # words side by side only
    assert found(golden, "ई ऑफिस") == {"mixed", "apart"}  # two separate words: both pages


@pytest.mark.parametrize(
    "query",
    ['"', "*", "AND OR", "col:umn", "(", ")", "NEAR(a b)", "a AND", '"unterminated', "^x",
     "-x", "+", "कलेक्टर*", "NOT", "'", "body:कलेक्टर", "{a b}", "x OR", "\\", ";--", ZWNJ],
)  # fmt: skip
def test_hostile_queries_never_raise(golden: tuple[Registry, dict[int, str]], query: str) -> None:
    reg, _ = golden
    assert isinstance(reg.search(query), list)


def test_operators_are_plain_words(golden: tuple[Registry, dict[int, str]]) -> None:
    assert found(golden, "कलेक्टर*") == {"collector"}  # no prefix search
    assert found(golden, "body:कलेक्टर") == set()  # "body" is a word here, not a column
    assert found(golden, "Office OR Mungeli") == set()  # OR is a word to match, not an operator


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_blank_query_raises_with_advice(
    golden: tuple[Registry, dict[int, str]], query: str
) -> None:
    reg, _ = golden
    with pytest.raises(SearchQueryError) as info:
        reg.search(query)
    assert info.value.advice


def test_snippet_marks_matched_token_in_original_text(
    golden: tuple[Registry, dict[int, str]],
) -> None:
    reg, _ = golden
    (hit,) = reg.search("पुरानी फाइल")
    marked = [part for part, is_match in hit.snippet if is_match]
    assert marked == ["पुरानी", "फ़ाइल"]  # the page's own spelling, with its nukta
    assert hit.snippet_text == PAGES["nukta"]
    (year,) = reg.search("2020")
    assert [p for p, m in year.snippet if m] == ["२०२०"]


def test_snippet_window_around_first_match() -> None:
    words = [f"शब्द{i}" for i in range(40)]
    words[20] = "कलेक्टर"
    words[30] = "कलेक्टर"
    snippet = make_snippet("  ".join(words), parse_query("कलेक्टर").tokens)
    text = "".join(p for p, _ in snippet)
    assert text.startswith("… शब्द14 ") and text.endswith("शब्द26 …")
    assert [p for p, m in snippet if m] == ["कलेक्टर"]
    assert "  " not in text


def test_hits_carry_page_and_file(golden: tuple[Registry, dict[int, str]]) -> None:
    reg, labels = golden
    (hit,) = reg.search("मुंगेली", exact=True)
    assert isinstance(hit, Hit)
    assert labels[hit.file_id] == "collector"
    assert hit.page_number == 1 and hit.page_id > 0
    assert hit.source_path == Path("/inbox/collector.pdf")


def test_ranking_and_limit(tmp_path: Path) -> None:
    with Registry.open(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "a") as reg:
        texts = ["आदेश एक दो तीन चार पांच छह", "आदेश आदेश आदेश सात", "आदेश आठ नौ दस ग्यारह बारह"]
        for i, text in enumerate(texts):
            sha = hashlib.sha256(str(i).encode()).hexdigest()
            src = FileSource(Path(f"/in/{i}.pdf"), (), sha, 1)
            reg.add_file(src, [PageResult(1, PageStatus.OK, text=text)], {})
        hits = reg.search("आदेश")
        assert hits[0].source_path.name == "1.pdf"  # three times the word ranks first
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert len(reg.search("आदेश", limit=2)) == 2
        with pytest.raises(SearchQueryError):
            reg.search("आदेश", limit=0)


def test_fts_tokenizer_choice() -> None:
    """The measurement behind migration 0001's tokenizer (remove_diacritics 0, M* kept)."""
    text = normalise_for_search("कलेक्टर क्षेत्र प्रशासनिक फ़ाइल café")
    conn = sqlite3.connect(":memory:")

    def vocab(tokenize: str) -> set[str]:
        conn.execute("DROP TABLE IF EXISTS t")
        conn.execute(f'CREATE VIRTUAL TABLE t USING fts5(body, tokenize="{tokenize}")')
        conn.execute("DROP TABLE IF EXISTS v")
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
        conn.execute("INSERT INTO t(body) VALUES (?)", (text,))
        return {row[0] for row in conn.execute("SELECT term FROM v")}

    plain = vocab("unicode61")
    assert "कल" in plain and "कलेक्टर" not in plain  # marks split words without M*
    chosen = vocab("unicode61 remove_diacritics 0 categories 'L* N* Co M*'")
    assert chosen == set(tokenise(text))  # the index agrees with scanpipe.text
    stripped = vocab("unicode61 remove_diacritics 2 categories 'L* N* Co M*'")
    assert stripped - {"cafe"} == chosen - {"café"}  # Devanagari untouched; only Latin folded


def test_a_very_common_word_is_ranked_among_its_newest_matches(tmp_path: Path) -> None:
    """Past ``rank_window`` matches, bm25 scores only the most recently registered ones, so a
    word on most pages cannot cost a scan of the whole index (docs/decisions.md)."""
    from scanpipe.registry.search_sqlite import SqliteFtsSearch

    with Registry.open(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "archive") as reg:
        texts = ["भूमि भूमि भूमि भूमि आवंटन"] + [f"भूमि प्रकरण क्रमांक {i} की सुनवाई" for i in range(9)]
        for i, text in enumerate(texts):
            sha = hashlib.sha256(f"common-{i}".encode()).hexdigest()
            staged = tmp_path / f"{i}.txt"
            staged.write_text(text, encoding="utf-8")
            src = FileSource(path=Path(f"/inbox/{i}.pdf"), pages=(), sha256=sha, size_bytes=1)
            page = PageResult(number=1, status=PageStatus.OK, text=text, confidence=90.0)
            reg.add_file(src, [page], {"txt": staged})
        everything = [h.file_id for h in reg.search("भूमि", limit=3)]
        assert everything[0] == 1  # the page that says it four times ranks first
        reg._search = SqliteFtsSearch(rank_window=3)
        windowed = [h.file_id for h in reg.search("भूमि", limit=10)]
        assert sorted(windowed) == [7, 8, 9, 10]  # the window plus its boundary page
        assert [h.file_id for h in reg.search("आवंटन")] == [1]  # rare words: unaffected
