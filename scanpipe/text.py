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

import gzip
import unicodedata
from functools import cache
from importlib import resources

import regex

__all__ = [
    "WORD_JOINERS",
    "clean_ocr_text",
    "hindi_lexicon",
    "is_devanagari",
    "loose_key",
    "malformed_share",
    "normalise_for_search",
    "phonetic_key",
    "repair_mark_order",
    "roman_form",
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


# --- Spelling keys for search expansion (issue 12) ---------------------------
# Both keys are computed from a token that has already been through
# ``normalise_for_search`` (so nukta, candrabindu and digits are folded).

_DEVANAGARI = regex.compile(r"\p{Devanagari}")
_VIRAMA = "\u094d"
_NASALS = "\u0919\u091e\u0923\u0928\u092e"  # ङ ञ ण न म
_CONSONANT = r"[\u0915-\u0939\u0958-\u095f]"
# A nasal consonant with virama before another consonant is written either way:
# सम्बन्ध / संबंध, हिन्दी / हिंदी. Fold it to the anusvara.
_NASAL_CLUSTER = regex.compile(rf"[{_NASALS}]{_VIRAMA}(?={_CONSONANT})")

#: The loose-key rules, each measured by bench/loose_rules.py on every corpus word
#: (docs/benchmarks.md): they merge spellings of one word and rarely two words.
#: Vowel length is folded only in words of ``MIN_LENGTH_FOLD`` letters or more:
#: कि/की and हि/ही are different words, जरुरत/जरूरत and असूनहि/असूनही are not.
MIN_LENGTH_FOLD = 4
_LENGTH_FOLD = str.maketrans(
    {
        "\u0940": "\u093f",  # ी -> ि
        "\u0908": "\u0907",  # ई -> इ
        "\u0942": "\u0941",  # ू -> ु
        "\u090a": "\u0909",  # ऊ -> उ
    }
)
_LOOSE_FOLD = str.maketrans(
    {
        "\u0949": "\u093e",  # ॉ -> ा   (ऑफिस / आफिस)
        "\u0911": "\u0906",  # ऑ -> आ
        "\u0903": None,  # visarga: OCR reads it as a colon, which splits the word
    }
)


def is_devanagari(token: str) -> bool:
    """True when the token has any Devanagari letter (it is then a Hindi-side word)."""
    return _DEVANAGARI.search(token) is not None


def loose_key(token: str) -> str:
    """A lossy orthographic fold of a normalised Devanagari token; Latin tokens are unchanged.

    Two spellings a Hindi reader accepts as the same word share it: anusvara
    against a nasal with virama, i/ī and u/ū (in words of four letters or
    more), ऑ/आ and a dropped visarga. Chandrabindu and nukta are already
    folded by ``normalise_for_search``.
    """
    if not is_devanagari(token):
        return token
    key = _NASAL_CLUSTER.sub("\u0902", token).translate(_LOOSE_FOLD)
    return key.translate(_LENGTH_FOLD) if len(token) >= MIN_LENGTH_FOLD else key


_ROMAN_SIMPLE = str.maketrans({"ṁ": "n", "ṅ": "n", "ñ": "n", "ṇ": "n", "ḥ": "", "ô": "o"})
_ASPIRATES = regex.compile(r"([kgjtdb])h")
_DOUBLE = regex.compile(r"(.)\1+")
_VOWELS = regex.compile(r"[aeiou]+")
_SOFT_C = regex.compile(r"c(?=[eiy])")  # office, notice: English c before e/i/y is s
_NASAL_BEFORE = regex.compile(r"[mn](?=[^aeiouy])")
# Hindi drops a short a between two consonants when a vowel follows the second and
# one precedes the first (V C a C V): the ISO letters are Latin, so a class is safe.
_MEDIAL_SCHWA = regex.compile(r"(?<=[aeiouāīūēō][^aeiouāīūēō\s])a(?=[^aeiouāīūēōh\s][aeiouāīūēō])")
_GLIDE_W = regex.compile(r"(?<=[aeiou])w(?=[^aeiouy]|$)")  # chowki, chowkidar: a vowel


def roman_form(token: str) -> str:
    """How the word is spelt in plain Roman letters, the way officers type Hindi.

    Devanagari goes through ISO 15919 (``indic-transliteration``), loses its
    diacritics and its final inherent vowel; ``c`` becomes ``ch`` so that च
    meets the Roman ``ch``. Latin text is lower-cased and kept.
    """
    token = token.casefold()
    if is_devanagari(token):
        from indic_transliteration import sanscript  # 0.1 s to import: only when needed

        iso = sanscript.transliterate(token, sanscript.DEVANAGARI, sanscript.ISO)
        iso = iso.replace("kṣ", "ksh").replace("jñ", "gy").replace("c", "ch")
        iso = iso.replace("ś", "sh").replace("ṣ", "sh")
        if len(iso) > 2 and iso.endswith("a") and iso[-2].isalpha() and iso[-2] not in "aeiou":
            iso = iso[:-1]  # schwa deletion at the word's end: कलेक्टर -> kalektar
        iso = _MEDIAL_SCHWA.sub("", iso)  # and inside it: सिमगा -> simga, मोहला -> mohla
        iso = unicodedata.normalize("NFD", iso.translate(_ROMAN_SIMPLE))
        return "".join(ch for ch in iso if not unicodedata.combining(ch))
    return token


def phonetic_key(token: str) -> str:
    """A consonant skeleton that Roman-script Hindi, English and Devanagari share.

    ``kalektar``, ``collector``, कलेक्टर and कलक्टर all give ``klktr``: vowels go
    (a leading one stays as ``a``), aspiration, doubling, ``c``/``k``,
    ``w``/``v``, ``z``/``j``, ``ph``/``f`` and ``sh``/``s`` are folded, a nasal
    before a consonant is ``n``, and ``h`` is dropped (``tahsildar``,
    तहसीलदार). It is coarse on purpose: candidates that share it are filtered
    by how close their ``roman_form`` is (registry.expansion).
    """
    s = roman_form(token)
    if not s or not s.isascii():
        return ""
    s = _GLIDE_W.sub("u", s)
    s = s.replace("ph", "f").replace("sh", "s").replace("ch", "C").replace("ck", "k")
    s = s.replace("rh", "d")  # garh: the Roman spelling of ढ़, which the fold made ढ
    s = _SOFT_C.sub("s", s).replace("x", "ks").replace("q", "k").replace("c", "k")
    s = s.replace("w", "v").replace("z", "j")
    s = _ASPIRATES.sub(r"\1", s)
    s = s[:1] + s[1:].replace("h", "")  # an initial h stays: हिंदी is not इंदी
    s = _NASAL_BEFORE.sub("n", s)
    lead = "a" if s[:1] in "aeiou" else ""
    s = _VOWELS.sub("", s).replace("y", "")
    return lead + _DOUBLE.sub(r"\1", s)


_LONG_VOWELS = (("aa", "a"), ("ee", "i"), ("ii", "i"), ("oo", "u"), ("uu", "u"), ("w", "v"))
_FLAP = regex.compile(r"(?<=.)r")  # ड़ is never at a word's start


def roman_fold(roman: str) -> str:
    """A Roman spelling with the ways of writing vowel length and v/w folded.

    ``aadesh`` and ``adesh``, ``bhoomi`` and ``bhumi``, ``awas`` and ``avas``
    are one spelling to an officer; a short word is matched on this alone,
    since its consonant skeleton says too little.
    """
    s = _GLIDE_W.sub("u", roman.casefold()).replace("chh", "ch").replace("ou", "au")
    for a, b in _LONG_VOWELS:
        s = s.replace(a, b)
    if len(s) > 2 and s.endswith("a") and s[-2] not in "aeiou":
        s = s[:-1]  # the final schwa officers sometimes type: mahodaya, shiksha
    return s


def roman_readings(token: str) -> list[str]:
    """The Roman spellings a Latin query may stand for: ``r`` inside a word may be ड़.

    The search fold drops the nukta, so सड़क is indexed as सडक (``sadak``),
    while officers type ``sarak``. Bounded: at most the first two such ``r``.
    """
    spots = [m.start() for m in _FLAP.finditer(token)][:2]
    readings = [token]
    for i in spots:
        readings += [r[:i] + "d" + r[i + 1 :] for r in readings]
    return readings


@cache
def hindi_lexicon() -> frozenset[str]:
    """Loose keys of the words the Hindi OCR model knows (bench/lexicon.py built the file).

    Shared by search (a fuzzy candidate that is a real word is another word) and
    by the text-layer checks (decoded legacy text must be mostly real words).
    """
    data = resources.files("scanpipe").joinpath("lexicon_hin.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


_SIGNS = "\u093e-\u094c\u0962\u0963"  # dependent vowel signs
# Signs where no Hindi, Marathi or Sanskrit word has them: a vowel sign, virama or
# nasal at a word's start, a virama before a sign, two vowel signs in a row, a sign on
# an independent vowel, a nukta after a sign.
_MALFORMED = regex.compile(
    rf"^[{_SIGNS}\u094d\u093c\u0902\u0901\u0903]|\u094d[{_SIGNS}\u094d\u0902\u0901\u0903\u093c]"
    rf"|[{_SIGNS}][{_SIGNS}]|[\u0905-\u0914][{_SIGNS}\u094d]|[{_SIGNS}\u0902\u0901\u0903]\u093c"
)


def malformed_share(text: str) -> tuple[float, int]:
    """Share of the Devanagari words whose signs sit where no word has them, and their count.

    Language-independent, unlike a word list: a text layer whose letters were
    reordered or split, or English decoded as if it were Kruti Dev, breaks the
    rules of the script itself (bench/text_layers.py: 24-36% of such words,
    against under 1% in Hindi, Bhojpuri and Marathi text).
    """
    words = [w for w in text.split() if _DEVANAGARI.search(w)]
    if not words:
        return 0.0, 0
    return sum(_MALFORMED.search(w) is not None for w in words) / len(words), len(words)


# A combining sign drawn after the punctuation that follows its letter (जाए।ं for
# जाएं।): extractors that order glyphs by position put it there.
_STRAY_SIGN = regex.compile(
    r"([\p{L}\p{M}])([।॥,.;:!?)\]’”]+)([\u0900-\u0903\u093a-\u094f\u0962\u0963]+)"
)


def repair_mark_order(text: str) -> str:
    """Move signs that an extractor placed after punctuation back onto their letter."""
    return _STRAY_SIGN.sub(r"\1\3\2", text)
