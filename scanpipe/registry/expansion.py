"""Query expansion: from what an officer typed to the indexed words that may be meant.

Each typed word gets its alternatives, in rank order and bounded
(``MAX_ALTERNATIVES``):

1. ``EXACT``: the word itself (after ``normalise_for_search``).
2. ``VARIANT``: another accepted spelling (same ``loose_key``: संबंध/सम्बन्ध,
   हिंदी/हिन्दी), or with ``*`` a word the typed stem begins.
3. ``GLOSSARY``: a word the glossary links (collector/कलेक्टर/जिलाधीश): the
   same thing, but not the same word, so it ranks after the spellings.
4. ``PHONETIC``: the same consonant skeleton (``phonetic_key``) whose Roman
   spelling is close: ``tahsildar`` -> तहसीलदार, कलेक्टर -> कलक्टर.
5. ``FUZZY``: one or two letters away, where the OCR's own confusions
   (``ocr_confusions.tsv``, learned by bench/confusions.py) cost half an edit.

Precision guards, each of which the golden tests exercise: short words are
never fuzzed or phonetically matched (``कल`` stays ``कल``); a fuzzy
candidate must be rarer than the word typed (when some page holds it),
because a misreading is rare and a different common word is not a
misreading; a candidate that is a word the OCR model knows is another word,
unless only the OCR's known misreadings separate them; Devanagari phonetic
matches keep the ending; and every tier is capped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from importlib import resources

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import Connection

from scanpipe.eoffice.glossary import Glossary
from scanpipe.registry import vocabulary
from scanpipe.text import (
    hindi_lexicon,
    is_devanagari,
    loose_key,
    phonetic_key,
    roman_fold,
    roman_form,
    roman_readings,
)

MAX_ALTERNATIVES = 20  # per typed word, the exact word included
MAX_PREFIX = 20
MIN_PHONETIC = 3  # consonants in the skeleton; कल (kl) has 2
ROMAN_SIMILARITY = 70.0  # rapidfuzz ratio of the Roman spellings, 0-100
CHEAP_EDIT = 0.5  # an edit the OCR is known to make
FUZZY_BUDGET_SHORT = 1.0  # loose keys of up to 7 letters: one edit, or two cheap ones
FUZZY_BUDGET_LONG = 1.5
LONG_WORD = 8
FUZZY_DF_FLOOR = 2  # a misreading of a word typed may be on this many pages
PROBE = 200  # vocabulary rows read per probe, before filtering


class Kind(IntEnum):
    EXACT = 0
    VARIANT = 1
    GLOSSARY = 2
    PHONETIC = 3
    FUZZY = 4


@dataclass(frozen=True)
class Alternative:
    """A phrase (usually one word) that stands for the typed word, and how it was found."""

    phrase: tuple[str, ...]
    kind: Kind


@dataclass(frozen=True)
class Term:
    """One typed chunk (a word or a hyphenated phrase) with its alternatives, best first.

    Only alternatives that can be in the index are kept: the typed word itself is
    left out when no page or note holds it.
    """

    typed: tuple[str, ...]
    alternatives: tuple[Alternative, ...]

    def upto(self, kind: Kind) -> tuple[tuple[str, ...], ...]:
        """The phrases to ask the index for, up to ``kind``; empty when none is indexed."""
        return tuple(a.phrase for a in self.alternatives if a.kind <= kind)

    def gains(self, kind: Kind) -> bool:
        return any(a.kind == kind for a in self.alternatives)


@cache
def confusions() -> frozenset[tuple[str, str]]:
    """Learned (truth, read) units; "" is a dropped or inserted stretch (क़ read as क्र)."""
    text = resources.files("scanpipe.registry").joinpath("ocr_confusions.tsv").read_text("utf-8")
    pairs = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            a, b, _ = line.split("\t")
            pairs.add((a, b))
    return frozenset(pairs)


@cache
def lexicon() -> frozenset[str]:
    """Loose keys of the words the Hindi OCR model knows (bench/lexicon.py built the file).

    A fuzzy candidate that is a real word is another word, not a misreading,
    unless it differs only in the ways the OCR is known to misread: the list
    holds common misspellings too (सबंध), and the OCR writes them.
    """
    return hindi_lexicon()


def stretches(truth: str, read: str) -> list[tuple[str, str]]:
    """The differing stretches of two words, neighbouring edits joined into one.

    क़ read as क्र is ("", "्र") and m read as rn is ("m", "rn"): letter by
    letter each would be two unrelated edits, as a stretch it is the one thing
    the OCR does. bench/confusions.py learns the table in the same units.
    """
    out: list[tuple[str, str]] = []
    last_end: tuple[int, int] | None = None
    for op in Levenshtein.opcodes(truth, read):
        if op.tag == "equal":
            continue
        a, b = truth[op.src_start : op.src_end], read[op.dest_start : op.dest_end]
        if out and last_end == (op.src_start, op.dest_start):
            out[-1] = (out[-1][0] + a, out[-1][1] + b)
        else:
            out.append((a, b))
        last_end = (op.src_end, op.dest_end)
    return out


def edit_cost(typed: str, candidate: str) -> float:
    """Edit distance in which a stretch the OCR is known to misread costs ``CHEAP_EDIT``."""
    known = confusions()
    return sum(
        CHEAP_EDIT if (a, b) in known else float(max(len(a), len(b)))
        for a, b in stretches(typed, candidate)
    )


def known_misreading(typed: str, candidate: str) -> bool:
    """Every difference is one the OCR is known to make (सबंध for संबंध)."""
    known = confusions()
    return all(pair in known for pair in stretches(typed, candidate))


def misreadings(key: str, *, single: bool = False) -> set[str]:
    """``key`` with one known confusion applied: how the OCR may have written it.

    One-letter edits are found through the deletion table; this adds the
    stretches of two letters (an inserted ``्र``) that the table cannot reach.
    ``single`` adds the one-letter confusions too, for words that may only
    differ in known ways (Latin) and need no deletion table at all.
    """
    out: set[str] = set()
    for a, b in confusions():
        if len(a) + len(b) < 2 and not single:
            continue
        if not a:
            out.update(key[:i] + b + key[i:] for i in range(1, len(key) + 1))
            continue
        start = key.find(a)
        while start >= 0:
            out.add(key[:start] + b + key[start + len(a) :])
            start = key.find(a, start + 1)
    out.discard(key)
    return out


def expand(
    conn: Connection, typed: tuple[str, ...], glossary: Glossary, *, prefix: bool = False
) -> Term:
    """The alternatives of one typed chunk, capped at ``MAX_ALTERNATIVES``."""
    found: dict[tuple[str, ...], Kind] = {typed: Kind.EXACT}

    def add(phrase: tuple[str, ...], kind: Kind) -> None:
        if len(found) < MAX_ALTERNATIVES:
            found.setdefault(phrase, kind)

    if len(typed) == 1:
        word = typed[0]
        if prefix:
            for w in vocabulary.with_prefix(conn, word, MAX_PREFIX):
                add((w.word,), Kind.VARIANT)
        for w in vocabulary.same_loose(conn, loose_key(word), MAX_ALTERNATIVES):
            add((w.word,), Kind.VARIANT)
    for phrase in _visarga_forms(typed):
        add(phrase, Kind.VARIANT)
    for linked in sorted(glossary.linked(typed)):
        add(linked, Kind.GLOSSARY)
    if len(typed) == 1 and not any(ch.isdigit() for ch in typed[0]):
        # Numbers (file numbers, dates, 330x220) are exact: one digit off is another file.
        word = typed[0]
        for w in _phonetic(conn, word):
            add((w,), Kind.PHONETIC)
        for w in _fuzzy(conn, word):
            add((w,), Kind.FUZZY)
    ranked = sorted(found.items(), key=lambda item: item[1])  # stable: kind, then found order
    present = _indexed(conn, [p for p, _ in ranked])
    return Term(typed, tuple(Alternative(p, k) for p, k in ranked if present(p)))


VISARGA = "\u0903"


def _visarga_forms(typed: tuple[str, ...]) -> list[tuple[str, ...]]:
    """दुःख and दु:ख: a visarga inside a word is often printed, typed or read as a colon.

    A colon splits the word into two tokens, so each form is tried as the other:
    the word as the phrase of its halves, and two Devanagari halves joined by a
    visarga. A phrase matches only the halves side by side, so नाम:राम written
    without a space is not mistaken for one word unless some page holds it so.
    """
    forms: list[tuple[str, ...]] = []
    if len(typed) == 1 and VISARGA in typed[0][1:-1]:
        halves = tuple(h for h in typed[0].split(VISARGA) if h)
        if len(halves) > 1:
            forms.append(halves)
    if len(typed) == 2 and all(is_devanagari(t) for t in typed):
        forms.append((typed[0] + VISARGA + typed[1],))
    return forms


def _indexed(conn: Connection, phrases: list[tuple[str, ...]]):
    """A test that a phrase can be in the index at all: each of its counted words is.

    Asking the index for a word no page holds costs a full query (tens of ms on
    PostgreSQL at a million pages); a typed word that was never indexed, or a
    glossary word no page uses, is dropped here instead, with one lookup.
    """
    words = sorted({w for p in phrases for w in p if vocabulary.counted(w)})
    known = vocabulary.lookup(conn, words) if words else {}
    return lambda phrase: all(w in known for w in phrase if vocabulary.counted(w))


def _phonetic(conn: Connection, word: str) -> list[str]:
    """Words that sound like ``word``: Roman Hindi to Devanagari, and spellings of one word.

    A skeleton of fewer than ``MIN_PHONETIC`` consonants (जिला, ``jila``) says
    too little: a Roman query then needs the same folded spelling, and a
    Devanagari one gets no phonetic match at all (कल is not काल).
    """
    latin = not is_devanagari(word)
    readings = roman_readings(word.casefold()) if latin else [word]
    ending = _ending(word)
    by_skeleton: dict[str, list[tuple[bool, str]]] = {}
    for reading in readings:
        skeleton = phonetic_key(reading)
        short = len(skeleton.lstrip("a")) < MIN_PHONETIC
        if short and not latin:
            continue
        by_skeleton.setdefault(skeleton, []).append((short, roman_form(reading)))
    if not by_skeleton:
        return []
    scored: dict[str, tuple[float, int]] = {}
    for w in vocabulary.same_phonetic(conn, list(by_skeleton), PROBE):
        if w.word == word or (ending is not None and _ending(w.word) not in (None, ending)):
            continue
        for short, spelt in by_skeleton.get(w.phonetic, ()):
            if short:
                score = 100.0 if roman_fold(w.roman) == roman_fold(spelt) else 0.0
            else:
                score = fuzz.ratio(spelt, w.roman)
            if score >= ROMAN_SIMILARITY and score > scored.get(w.word, (0.0, 0))[0]:
                scored[w.word] = (score, w.df)
    return [w for w, _ in sorted(scored.items(), key=lambda item: item[1], reverse=True)]


def _ending(token: str) -> str | None:
    """The vowel signs and nasal a Devanagari word ends in: where Hindi inflects.

    Spellings of one word differ inside it (कलेक्टर, कलक्टर); a different
    ending (प्रभाव, प्रभावी; करलीं, कार्यालयों) is another form or another
    word, so Devanagari-to-Devanagari phonetic matches must keep it. Latin
    words have no ending here: a Roman query is how the officer heard the
    word, not how it is printed.
    """
    if not is_devanagari(token):
        return None
    key = loose_key(token)
    stem = key.rstrip("".join(ch for ch in set(key) if unicodedata.category(ch) in ("Mn", "Mc")))
    return key[len(stem) :]


def _fuzzy(conn: Connection, word: str) -> list[str]:
    loose = loose_key(word)
    if len(loose) < vocabulary.MIN_FUZZY or len(loose) > vocabulary.MAX_FUZZY:
        return []
    if not is_devanagari(word) and len(word) < 5:
        return []
    own = vocabulary.lookup(conn, [word]).get(word)
    # A word no page holds was mistyped or misremembered: there is nothing to crowd out,
    # and the hits say what they matched, so any near word may answer it.
    ceiling = max(own.df, FUZZY_DF_FLOOR) if own else None
    budget = FUZZY_BUDGET_LONG if len(loose) >= LONG_WORD else FUZZY_BUDGET_SHORT
    known_words = lexicon() if is_devanagari(word) else frozenset()
    scored = []
    if is_devanagari(word):
        candidates = vocabulary.near(conn, loose, PROBE, also=misreadings(loose))
    else:  # only the known confusions are accepted for Latin: probe just those spellings
        candidates = vocabulary.with_loose(conn, misreadings(loose, single=True), PROBE)
    for w in candidates:
        if w.word == word or w.loose == loose or (ceiling is not None and w.df > ceiling):
            continue
        if (w.loose in known_words or not is_devanagari(word)) and not known_misreading(
            loose, w.loose
        ):
            # Another real word one letter away, not a misreading. English has no
            # lexicon here, and its OCR errors are the classic few (rn/m, l/i), so a
            # Latin candidate must differ only in those.
            continue
        cost = edit_cost(loose, w.loose)
        if cost <= budget:
            scored.append((cost, -w.df, w.word))
    return [w for _, _, w in sorted(scored)]
