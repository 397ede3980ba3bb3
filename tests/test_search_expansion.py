"""Golden tests for search expansion: other spellings, Roman script, the glossary, misreadings.

Each test searches pages registered through ``Registry.add_file`` and names the
pages it must (and must not) find. tests/test_pg_search_expansion.py runs every
test here that takes ``variants`` again on PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanpipe.model import FileSource, PageResult, PageStatus
from scanpipe.registry import Registry
from scanpipe.registry.expansion import (
    CHEAP_EDIT,
    MAX_ALTERNATIVES,
    Kind,
    edit_cost,
    expand,
    misreadings,
)
from scanpipe.registry.search_tiers import terms_of

PAGES: dict[str, str] = {
    "collector_e": "कलेक्टर कार्यालय मुंगेली आदेश",
    "collector_a": "कलक्टर महोदय का पत्र",
    "sambandh_half": "सम्बन्ध में जानकारी",
    "sambandh_anus": "संबंध में सूचना",
    "hindi_half": "हिन्दी भाषा",
    "hindi_anus": "हिंदी अनुवाद",
    "office_o": "ऑफिस समय",
    "office_aa": "आफिस खुला",
    "tahsildar": "तहसीलदार लोरमी",
    "patwari": "हल्का पटवारी रिपोर्ट",
    "kal": "कल सुबह बैठक होगी",
    "misread_anusvara": "भूमि नामातरण प्रकरण",
    "misread_matra": "ग्राम शकायत पंजी",
    "misread_nukta": "काम के तरीक्रे",  # क़ read as क्र: one stretch of two letters
    "inflected": "प्रभावी कदम",
    "daughter": "बेटी का विवाह",
    "sorrow_colon": "उन्हें दु:ख हुआ",  # visarga printed (or read) as a colon
    "sorrow_visarga": "गहरा दुःख व्यक्त",
    "english": "Meeting of the Tahsil office",
    "number_a": "क्रमांक 1234/2023",
    "number_b": "क्रमांक 1235/2024",
}
# Short words near कल, each on its own page: the expansion of कल must not reach them.
NEAR_KAL = ["कलम", "कला", "काल", "कील", "कोल", "कुल", "खल", "गल", "कलश", "कलह"]


def _add(reg: Registry, tmp: Path, label: str, text: str) -> int:
    staged = tmp / f"{label}.txt"
    staged.write_text(text, encoding="utf-8")
    sha = hashlib.sha256(label.encode()).hexdigest()
    source = FileSource(path=Path(f"/inbox/{label}.pdf"), pages=(), sha256=sha, size_bytes=10)
    page = PageResult(number=1, status=PageStatus.OK, text=text, confidence=90.0)
    return reg.add_file(source, [page], {"txt": staged})


def fill(reg: Registry, tmp: Path) -> dict[int, str]:
    labels = {_add(reg, tmp, label, text): label for label, text in PAGES.items()}
    for i, word in enumerate(NEAR_KAL):
        labels[_add(reg, tmp, f"near{i}", f"{word} पृष्ठ")] = f"near{i}"
    return labels


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, dict[int, str]]]:
    tmp = tmp_path_factory.mktemp("variants")
    reg = Registry.open(f"sqlite:///{tmp / 'registry.sqlite3'}", tmp / "archive")
    yield reg, fill(reg, tmp)
    reg.close()


def found(variants: tuple[Registry, dict[int, str]], query: str) -> list[str]:
    reg, labels = variants
    return [labels[h.file_id] for h in reg.search(query)]


PAIRS = [
    ("कलेक्टर", "collector_e", "कलक्टर", "collector_a"),
    ("सम्बन्ध", "sambandh_half", "संबंध", "sambandh_anus"),
    ("हिन्दी", "hindi_half", "हिंदी", "hindi_anus"),
    ("ऑफिस", "office_o", "आफिस", "office_aa"),
]


@pytest.mark.parametrize(("a", "page_a", "b", "page_b"), PAIRS)
def test_each_spelling_finds_the_other(
    variants: tuple[Registry, dict[int, str]], a: str, page_a: str, b: str, page_b: str
) -> None:
    assert found(variants, a)[:2] == [page_a, page_b]  # exact first, then the variant
    assert found(variants, b)[:2] == [page_b, page_a]


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("kalektar", "collector_e"),
        ("kalaktar", "collector_a"),
        ("mungeli", "collector_e"),
        ("tahsildar", "tahsildar"),
        ("tehsildar", "tahsildar"),
        ("patwari", "patwari"),
        ("lormi", "tahsildar"),
    ],
)
def test_roman_script_finds_devanagari(
    variants: tuple[Registry, dict[int, str]], query: str, page: str
) -> None:
    assert page in found(variants, query)


def test_english_word_finds_hindi_through_the_glossary(
    variants: tuple[Registry, dict[int, str]],
) -> None:
    assert {"collector_e", "collector_a"} <= set(found(variants, "collector"))
    # and back: the Hindi word finds the English page that says "Tahsil"
    assert "english" in found(variants, "तहसील")


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("नामांतरण", "misread_anusvara"),
        ("शिकायत", "misread_matra"),
        ("तरीक़े", "misread_nukta"),
        ("तरीके", "misread_nukta"),
    ],
)
def test_ocr_misreadings_are_found(
    variants: tuple[Registry, dict[int, str]], query: str, page: str
) -> None:
    assert found(variants, query) == [page]


def test_other_words_one_letter_away_are_not_misreadings(
    variants: tuple[Registry, dict[int, str]],
) -> None:
    # बेटा and बेटी are both words the OCR model knows: one is not a misreading of
    # the other. प्रभाव and प्रभावी share a skeleton but not an ending.
    assert found(variants, "बेटा") == []
    assert found(variants, "प्रभाव") == []
    assert found(variants, "बेटी") == ["daughter"]


def test_misreadings_apply_the_learned_stretches() -> None:
    assert "तरीक्रे" in misreadings("तरीके")
    assert edit_cost("तरीके", "तरीक्रे") == CHEAP_EDIT
    assert edit_cost("तरीके", "तरीखे") == 1.0


def test_visarga_and_colon_find_each_other(variants: tuple[Registry, dict[int, str]]) -> None:
    assert set(found(variants, "दुःख")) == {"sorrow_colon", "sorrow_visarga"}
    assert set(found(variants, "दु:ख")) == {"sorrow_colon", "sorrow_visarga"}
    reg, labels = variants
    assert [labels[h.file_id] for h in reg.search("दुःख", exact=True)] == ["sorrow_visarga"]


def test_numbers_stay_exact(variants: tuple[Registry, dict[int, str]]) -> None:
    assert found(variants, "2023") == ["number_a"]
    assert found(variants, "1235/2024") == ["number_b"]


def test_short_word_stays_exact(variants: tuple[Registry, dict[int, str]]) -> None:
    assert found(variants, "कल") == ["kal"]
    assert found(variants, "कलम") == ["near0"]


def test_hits_say_which_variant_matched(variants: tuple[Registry, dict[int, str]]) -> None:
    reg, labels = variants
    hits = reg.search("कलेक्टर")
    assert [(labels[h.file_id], h.tier) for h in hits[:2]] == [
        ("collector_e", Kind.EXACT),
        ("collector_a", Kind.GLOSSARY),
    ]
    assert hits[0].also_matched == ()
    assert hits[1].also_matched == ("कलक्टर",)
    assert [p for p, m in hits[1].snippet if m] == ["कलक्टर"]


def test_exact_turns_expansion_off(variants: tuple[Registry, dict[int, str]]) -> None:
    reg, labels = variants
    assert [labels[h.file_id] for h in reg.search("कलेक्टर", exact=True)] == ["collector_e"]
    assert reg.search("kalektar", exact=True) == []


def test_prefix_on_request_only(variants: tuple[Registry, dict[int, str]]) -> None:
    assert "tahsildar" in found(variants, "तहसील*")
    assert "tahsildar" not in found(variants, "तहसील")


def test_did_you_mean(variants: tuple[Registry, dict[int, str]]) -> None:
    reg, _ = variants
    assert "पटवारी" in reg.suggest("पटवरी")
    assert reg.suggest("पटवारी") == []  # an indexed word needs no suggestion


def test_expansion_is_bounded(variants: tuple[Registry, dict[int, str]]) -> None:
    reg, _ = variants
    with reg.reading("expanding") as session:
        conn = session.connection()
        for query in ["कल", "कलेक्टर", "tahsildar", "क*"]:
            for term in terms_of(conn, query, reg.search_backend.glossary, exact=False):
                assert len(term.alternatives) <= MAX_ALTERNATIVES
        kal = expand(conn, ("कल",), reg.search_backend.glossary)
    assert [a.phrase for a in kal.alternatives] == [("कल",)]


def test_vocabulary_follows_removed_text(tmp_path: Path) -> None:
    """A word whose only page leaves the index stops expanding (df 0 rows are skipped)."""
    with Registry.open(f"sqlite:///{tmp_path / 'r.sqlite3'}", tmp_path / "archive") as reg:
        _add(reg, tmp_path, "one", "अभिलेखागार पृष्ठ")
        (hit,) = reg.search("अभिलेखागर")  # one letter off: found by expansion
        assert hit.tier > Kind.EXACT
        with reg.writing("removing") as session:
            reg.search_backend.remove_page(session.connection(), hit.page_id)
        assert reg.search("अभिलेखागर") == []
        with reg.reading("expanding") as session:
            term = expand(session.connection(), ("अभिलेखागर",), reg.search_backend.glossary)
        assert term.alternatives == ()  # neither the typed word nor the old one is indexed


def test_translations_do_not_crowd_out_a_misread_page(tmp_path: Path) -> None:
    """Pages that say "Revenue" (the glossary's word) must leave room for the misread राजस्व."""
    with Registry.open(f"sqlite:///{tmp_path / 'r.sqlite3'}", tmp_path / "archive") as reg:
        _add(reg, tmp_path, "printed", "राजस्व शाखा")
        misread = _add(reg, tmp_path, "misread", "राजस्ट प्रकरण")  # व read as ट
        for i in range(25):
            _add(reg, tmp_path, f"english{i}", f"Revenue branch letter {i}")
        hits = reg.search("राजस्व", limit=5)
        assert hits[0].tier == Kind.EXACT
        assert misread in [h.file_id for h in hits]
        assert any(h.tier == Kind.GLOSSARY for h in hits)  # translations still get turns


def test_filter_applies_before_ranking(variants: tuple[Registry, dict[int, str]]) -> None:
    """Only the files let through are ranked: a filter never hides a hit ranked past a pool."""
    from scanpipe.registry.search_filter import SearchFilter

    reg, labels = variants
    ids = {label: fid for fid, label in labels.items()}
    only_b = SearchFilter(file_ids={ids["collector_a"]})
    hits = reg.search("कलेक्टर", limit=1, where=only_b)
    assert [labels[h.file_id] for h in hits] == ["collector_a"]  # the variant, filtered first
    assert reg.search("कलेक्टर", where=SearchFilter(file_ids=set())) == []
    assert reg.search("कलेक्टर", where=SearchFilter(doc_type="order")) == []
