"""Hindi text rules (scanpipe.text): normalisation, tokenisation, OCR clean-up."""

from __future__ import annotations

import re
import unicodedata

import pytest

from scanpipe.text import (
    clean_ocr_text,
    loose_key,
    normalise_for_search,
    phonetic_key,
    roman_fold,
    roman_form,
    token_spans,
    tokenise,
)

ZWJ, ZWNJ, ZWSP, BOM = "\u200d", "\u200c", "\u200b", "\ufeff"
NUKTA = "\u093c"

# Whole Hindi words whose vowel signs / virama / conjuncts must not split them.
WHOLE_WORDS = ["कलेक्टर", "प्रशासनिक", "क्षेत्र", "मुंगेली", "पंचायत", "ज़िला", "हँसी"]


# --- normalise_for_search ---------------------------------------------------------


def test_nfc_decomposed_and_composed_inputs_agree() -> None:
    composed = "café"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert normalise_for_search(decomposed) == normalise_for_search(composed) == "café"


@pytest.mark.parametrize("joiner", [ZWJ, ZWNJ, ZWSP, BOM])
def test_invisible_joiners_are_deleted(joiner: str) -> None:
    assert normalise_for_search(f"क्{joiner}षेत्र") == "क्षेत्र"


@pytest.mark.parametrize(
    ("with_nukta", "without"),
    [
        ("\u095e\u093e\u0907\u0932", "फाइल"),  # precomposed फ़ (U+095E)
        ("\u092b\u093c\u093e\u0907\u0932", "फाइल"),  # फ + U+093C
        ("ज़िला", "जिला"),
        ("\u0958\u093e\u0928\u0942\u0928", "कानून"),  # क़ानून
        ("\u095c\u093e", "डा"),  # ड़
        ("\u095d", "ढ"),
        ("\u095b", "ज"),
        ("\u0959\u095a\u095f", "खगय"),
        ("\u0929", "न"),  # ऩ is composed by NFC; must still fold
    ],
)
def test_nukta_is_folded(with_nukta: str, without: str) -> None:
    folded = normalise_for_search(with_nukta)
    assert folded == without
    assert NUKTA not in folded


def test_candrabindu_becomes_anusvara() -> None:
    assert normalise_for_search("हँसी") == normalise_for_search("हंसी") == "हंसी"


def test_devanagari_digits_become_ascii() -> None:
    assert normalise_for_search("दिनांक ०५/०३/२०२०") == "दिनांक 05/03/2020"
    assert normalise_for_search("०१२३४५६७८९") == "0123456789"


def test_casefold_english() -> None:
    assert normalise_for_search("COLLECTOR Straße") == "collector strasse"


@pytest.mark.parametrize(
    "s",
    ["कलेक्टर", "फ़ाइल ज़िला", "क्\u200cषेत्र", "हँसी २०२०", "COLLECTOR", "İstanbul", "ﬁle", ""],
)
def test_normalise_is_idempotent(s: str) -> None:
    once = normalise_for_search(s)
    assert normalise_for_search(once) == once


# --- tokenise / token_spans ------------------------------------------------------


@pytest.mark.parametrize("word", WHOLE_WORDS)
def test_hindi_words_are_single_tokens(word: str) -> None:
    assert tokenise(word) == [word]
    assert token_spans(word) == [(0, len(word))]


@pytest.mark.parametrize("word", ["कलेक्टर", "प्रशासनिक", "क्षेत्र"])
def test_re_word_class_would_split_hindi_words(word: str) -> None:
    """The pitfall this module exists for: re's \\w drops vowel signs and virama."""
    assert len(re.findall(r"\w+", word)) > 1
    assert tokenise(word) == [word]


def test_re_word_boundary_finds_short_word_inside_longer_one() -> None:
    """re's \\b sees a boundary before the vowel sign, so कल 'matches' in कलेक्टर."""
    assert re.search(r"\bकल\b", "कलेक्टर") is not None
    assert "कल" not in tokenise("कलेक्टर")


def test_hyphen_splits_e_office_into_two_tokens() -> None:
    """Documented choice: same split as the FTS5 unicode61 tokenizer; search makes a phrase."""
    assert tokenise("ई-ऑफिस") == ["ई", "ऑफिस"]


def test_spans_point_into_the_original_string() -> None:
    s = "  कलेक्टर, ज़िला-मुंगेली (2020)\nCollector"
    spans = token_spans(s)
    assert [s[a:b] for a, b in spans] == tokenise(s)
    assert tokenise(s) == ["कलेक्टर", "ज़िला", "मुंगेली", "2020", "Collector"]


def test_joiners_inside_a_word_do_not_split_it() -> None:
    s = f"क्{ZWNJ}षेत्र कलेक्{ZWJ}टर"
    assert tokenise(s) == [f"क्{ZWNJ}षेत्र", f"कलेक्{ZWJ}टर"]


def test_joiners_at_word_edges_are_not_part_of_the_word() -> None:
    assert tokenise(f"{ZWNJ}कल{ZWNJ} ") == ["कल"]


def test_numbers_and_devanagari_digits_are_tokens() -> None:
    assert tokenise("क्रमांक ४५/२०१९") == ["क्रमांक", "४५", "२०१९"]


@pytest.mark.parametrize(
    "s",
    [
        f"प्रशासनिक क्{ZWNJ}षेत्र फ़ाइल ज़िला २०२० ई-ऑफिस COLLECTOR हँसी",
        f"Office{ZWSP}Order café ﬁle",
    ],
)
def test_tokens_of_original_normalise_to_tokens_of_normalised(s: str) -> None:
    """Snippet highlighting relies on this: tokenise-then-normalise == normalise-then-tokenise."""
    from_original = [normalise_for_search(t) for t in tokenise(s)]
    assert from_original == tokenise(normalise_for_search(s))


# --- clean_ocr_text ----------------------------------------------------------------


def test_clean_ocr_text_normalises_line_endings_and_form_feeds() -> None:
    assert clean_ocr_text("एक\r\nदो\rतीन\u2028चार\n\f") == "एक\nदो\nतीन\nचार"
    assert "\f" not in clean_ocr_text("page one\fpage two")


def test_clean_ocr_text_is_nfc_but_keeps_what_people_read() -> None:
    s = f"\u092b\u093c\u093e\u0907\u0932 क्{ZWNJ}षेत्र २०२०"
    cleaned = clean_ocr_text(s)
    assert cleaned == unicodedata.normalize("NFC", s)
    assert NUKTA in cleaned and ZWNJ in cleaned and "२०२०" in cleaned


@pytest.mark.parametrize(
    ("a", "b"),
    [("सम्बन्ध", "संबंध"), ("हिन्दी", "हिंदी"), ("ऑफिस", "आफिस"), ("जरूरत", "जरुरत"), ("दुःख", "दुख")],
)
def test_loose_key_joins_spellings(a: str, b: str) -> None:
    assert loose_key(normalise_for_search(a)) == loose_key(normalise_for_search(b))


@pytest.mark.parametrize(("a", "b"), [("कि", "की"), ("हे", "है"), ("कल", "काल"), ("कलम", "कलेक्टर")])
def test_loose_key_keeps_different_words_apart(a: str, b: str) -> None:
    assert loose_key(a) != loose_key(b)


@pytest.mark.parametrize(
    ("roman", "devanagari"),
    [
        ("kalektar", "कलेक्टर"),
        ("collector", "कलक्टर"),
        ("tahsildar", "तहसीलदार"),
        ("tehsildar", "तहसीलदार"),
        ("mungeli", "मुंगेली"),
        ("patwari", "पटवारी"),
        ("chhattisgarh", "छत्तीसगढ़"),
        ("bilaspur", "बिलासपुर"),
        ("hindi", "हिन्दी"),
    ],
)
def test_phonetic_key_is_shared_by_roman_and_devanagari(roman: str, devanagari: str) -> None:
    assert phonetic_key(roman) == phonetic_key(normalise_for_search(devanagari))
    assert phonetic_key(roman) != phonetic_key("kal")


@pytest.mark.parametrize(
    ("printed", "typed"),
    [("सिमगा", "simga"), ("मोहला", "mohla"), ("दीपका", "deepka"), ("तहसीलदार", "tahsildar")],
)
def test_medial_schwa_is_dropped_as_hindi_speakers_do(printed: str, typed: str) -> None:
    assert roman_fold(roman_form(normalise_for_search(printed))) == roman_fold(typed)


def test_a_w_after_a_vowel_is_a_vowel() -> None:
    assert phonetic_key("chowkidar") == phonetic_key("चौकीदार")
    assert roman_fold("chowki") == roman_fold("chouki") == roman_fold(roman_form("चौकी"))
    assert phonetic_key("kamal") == phonetic_key("कमल")  # a schwa before the end stays
