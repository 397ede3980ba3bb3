"""The one place that knows how Hindi (and English) text is cleaned, folded and split.

Index time, query time and snippet highlighting must agree exactly on what a
"word" is and when two words are "the same"; if any of them used its own rules
a page could be indexed under one spelling and searched under another. So every
caller goes through these functions (DESIGN.md §4).

Why not ``re``: Python's ``re`` treats Devanagari vowel signs (Mc) and the
virama (Mn) as non-word characters, so ``\\w+`` splits ``कलेक्टर`` into
``कल``, ``क``, ``टर`` and ``\\bकल\\b`` "finds" ``कल`` inside ``कलेक्टर``.
We use the ``regex`` package with explicit Unicode categories instead.
"""

from __future__ import annotations

import unicodedata

import regex

__all__ = [
    "WORD_JOINERS",
    "clean_ocr_text",
    "normalise_for_search",
    "token_spans",
    "tokenise",
]

#: Invisible characters that ``normalise_for_search`` deletes. Inside a word they
#: join (ZWJ/ZWNJ select conjunct or half forms; ZWSP/BOM are OCR or copy-paste
#: debris), so the tokeniser must keep them inside the word as well; otherwise the
#: original text and the normalised text would split into different tokens.
WORD_JOINERS = "\u200b\u200c\u200d\ufeff"

NUKTA = "\u093c"
CANDRABINDU = "\u0901"
ANUSVARA = "\u0902"

# Precomposed nukta letters. U+0958-U+095F are composition exclusions, so NFC
# already decomposes them, but mapping them explicitly keeps this correct even
# if the input skipped NFC. U+0929/0931/0934 are *composed* by NFC, so they must
# be mapped here or the nukta would survive.
_NUKTA_LETTERS = {
    "\u0929": "\u0928",  # ऩ -> न
    "\u0931": "\u0930",  # ऱ -> र
    "\u0934": "\u0933",  # ऴ -> ळ
    "\u0958": "\u0915",  # क़ -> क
    "\u0959": "\u0916",  # ख़ -> ख
    "\u095a": "\u0917",  # ग़ -> ग
    "\u095b": "\u091c",  # ज़ -> ज
    "\u095c": "\u0921",  # ड़ -> ड
    "\u095d": "\u0922",  # ढ़ -> ढ
    "\u095e": "\u092b",  # फ़ -> फ
    "\u095f": "\u092f",  # य़ -> य
}

_SEARCH_FOLD: dict[int, str | None] = {
    **{ord(c): None for c in WORD_JOINERS},
    ord(NUKTA): None,
    ord(CANDRABINDU): ANUSVARA,
    **{ord(k): v for k, v in _NUKTA_LETTERS.items()},
    # Devanagari digits ० (U+0966) .. ९ (U+096F) -> ASCII 0..9
    **{0x0966 + i: str(i) for i in range(10)},
}

# Word characters: letters, marks (vowel signs, virama, nukta, candrabindu do not
# split a word), numbers and private-use glyphs. This is the same category set as
# the FTS5 tokenizer ("L* N* Co M*"), so the index and this module agree.
_WORD_CHARS = r"\p{L}\p{M}\p{N}\p{Co}"
_TOKEN = regex.compile(rf"[{_WORD_CHARS}]+(?:[{WORD_JOINERS}]+[{_WORD_CHARS}]+)*")


def normalise_for_search(s: str) -> str:
    """Fold text so that spellings a reader treats as equal compare equal.

    Steps: NFC; delete ZWJ/ZWNJ/ZWSP/BOM; fold nukta (``फ़`` -> ``फ``, because
    OCR and typists drop or add it inconsistently); candrabindu -> anusvara
    (``हँ`` and ``हं`` are used interchangeably in typed Hindi); Devanagari
    digits -> ASCII (``२०२०`` == ``2020``); casefold for English; NFC again
    because casefolding may leave a non-composed sequence.

    Used for both the indexed text and the query, never for display.
    """
    s = unicodedata.normalize("NFC", s)
    s = s.translate(_SEARCH_FOLD)
    s = s.casefold()
    return unicodedata.normalize("NFC", s)


def token_spans(s: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of every word in ``s`` (the string as given).

    A word is a maximal run of letters, marks and numbers, with ZWJ/ZWNJ (and
    the other ``WORD_JOINERS``) allowed *between* word characters. Punctuation,
    including the hyphen, separates words: ``ई-ऑफिस`` is the two tokens ``ई``
    and ``ऑफिस``, exactly as the FTS5 ``unicode61`` tokenizer splits it. The
    search layer turns such a chunk into a phrase, so ``ई-ऑफिस`` still matches
    only the two words side by side.
    """
    return [m.span() for m in _TOKEN.finditer(s)]


def tokenise(s: str) -> list[str]:
    """Return the words of ``s`` in order; see ``token_spans`` for the rules.

    Call it on ``normalise_for_search(s)`` to get comparable search tokens.
    """
    return _TOKEN.findall(s)


def clean_ocr_text(s: str) -> str:
    """Make OCR output safe to store and show, without changing what it says.

    NFC (so the same word is stored with the same code points), every line
    break style (CRLF, CR, form feed, U+2028 ...) becomes ``\\n``, and trailing
    whitespace at the end is dropped. Tesseract ends each page with ``\\f``;
    removing it keeps ``\\f`` free to separate pages when pages are joined.
    Nukta, ZWJ/ZWNJ and digits are kept: this is the text people read.
    """
    s = unicodedata.normalize("NFC", s)
    return "\n".join(s.splitlines()).rstrip()
