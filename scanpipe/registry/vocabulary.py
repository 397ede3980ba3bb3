"""The vocabulary of indexed words, kept in step with the search index.

Search expansion (``registry.expansion``) must find, without scanning, the
indexed words that share a spelling key with what an officer typed. So every
word that goes into the index is counted here, in the same transaction: its
document frequency and its keys (``text.loose_key``, ``text.phonetic_key``,
``text.roman_form``). Fuzzy lookup uses a SymSpell-style table of each loose
key with one letter deleted: two words within one substitution, insertion or
deletion share an entry, so candidates come from an index probe.

A word whose pages all went away keeps its row with ``df`` 0 and is skipped by
lookups; rows are cheap and words come back (a page re-read, a note).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import text as sql
from sqlalchemy.engine import Connection

from scanpipe.text import loose_key, normalise_for_search, phonetic_key, roman_form, tokenise

VOCABULARY = "vocabulary"
DELETES = "vocabulary_deletes"
MIN_WORD = 2  # single letters are not worth expanding
MAX_WORD = 40  # longer runs are OCR debris
MIN_FUZZY = 4  # letters (code points) of the loose key; shorter words are never fuzzed
MAX_FUZZY = 24
_CHUNK = 400  # bound parameters per statement


@dataclass(frozen=True)
class Word:
    """One indexed word and its keys."""

    word: str
    loose: str
    phonetic: str
    roman: str
    df: int


def counted(word: str) -> bool:
    """Whether the vocabulary counts this (normalised) word at all."""
    return MIN_WORD <= len(word) <= MAX_WORD and not word.isdigit()


def words_of(text: str) -> set[str]:
    """The distinct words of a page or note that the vocabulary counts."""
    return {tok for tok in tokenise(normalise_for_search(text)) if counted(tok)}


def deletions(key: str) -> set[str]:
    """The key with each one letter removed (SymSpell distance 1)."""
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def count(conn: Connection, words: Iterable[str], delta: int) -> None:
    """Add ``delta`` (+1 indexed, -1 removed) to each word's document frequency."""
    words = sorted(set(words))
    for start in range(0, len(words), _CHUNK):
        _count_chunk(conn, words[start : start + _CHUNK], delta)


def _count_chunk(conn: Connection, words: list[str], delta: int) -> None:
    names = {f"w{i}": w for i, w in enumerate(words)}
    holders = ", ".join(f":{k}" for k in names)
    known = set(
        conn.execute(sql(f"SELECT word FROM {VOCABULARY} WHERE word IN ({holders})"), names)
        .scalars()
        .all()
    )
    if known:
        conn.execute(
            sql(f"UPDATE {VOCABULARY} SET df = df + :d WHERE word = :w"),
            [{"d": delta, "w": w} for w in words if w in known],
        )
    new = [w for w in words if w not in known]
    if not new or delta < 0:
        return
    rows = []
    deletes = []
    for w in new:
        loose = loose_key(w)
        rows.append({"w": w, "l": loose, "p": phonetic_key(w), "r": roman_form(w), "d": delta})
        if MIN_FUZZY <= len(loose) <= MAX_FUZZY:
            deletes += [{"v": v, "w": w} for v in deletions(loose)]
    conn.execute(
        sql(
            f"INSERT INTO {VOCABULARY} (word, loose, phonetic, roman, df) "
            "VALUES (:w, :l, :p, :r, :d)"
        ),
        rows,
    )
    if deletes:
        conn.execute(
            sql(f"INSERT INTO {DELETES} (variant, word) VALUES (:v, :w) ON CONFLICT DO NOTHING"),
            deletes,
        )


def _rows(conn: Connection, where: str, params: dict[str, object], limit: int) -> list[Word]:
    rows = conn.execute(
        sql(
            f"SELECT word, loose, phonetic, roman, df FROM {VOCABULARY} "
            f"WHERE df > 0 AND {where} ORDER BY df DESC, word LIMIT :limit"
        ),
        {**params, "limit": limit},
    ).all()
    return [Word(*row) for row in rows]


def lookup(conn: Connection, words: Sequence[str]) -> dict[str, Word]:
    """The vocabulary rows of ``words`` that are indexed now."""
    if not words:
        return {}
    names = {f"w{i}": w for i, w in enumerate(words[:_CHUNK])}
    holders = ", ".join(f":{k}" for k in names)
    return {w.word: w for w in _rows(conn, f"word IN ({holders})", names, len(names))}


def same_loose(conn: Connection, loose: str, limit: int) -> list[Word]:
    return _rows(conn, "loose = :k", {"k": loose}, limit)


def same_phonetic(conn: Connection, phonetic: str | Sequence[str], limit: int) -> list[Word]:
    """Words with this skeleton, or any of these (one query for all the readings)."""
    keys = [phonetic] if isinstance(phonetic, str) else sorted(set(phonetic))
    names = {f"k{i}": k for i, k in enumerate(keys[:_CHUNK])}
    holders = ", ".join(f":{k}" for k in names)
    return _rows(conn, f"phonetic IN ({holders})", names, limit * len(names))


def with_loose(conn: Connection, keys: Iterable[str], limit: int) -> list[Word]:
    """Words whose loose key is one of ``keys``: an index probe, no deletion table."""
    names = {f"k{i}": k for i, k in enumerate(sorted(set(keys))[:_CHUNK])}
    if not names:
        return []
    holders = ", ".join(f":{k}" for k in names)
    return _rows(conn, f"loose IN ({holders})", names, limit)


def with_prefix(conn: Connection, stem: str, limit: int) -> list[Word]:
    """Words that start with ``stem``: a B-tree range on the primary key, no scan."""
    return _rows(conn, "word >= :lo AND word < :hi", {"lo": stem, "hi": stem + "\U0010ffff"}, limit)


def near(conn: Connection, loose: str, limit: int, *, also: Iterable[str] = ()) -> list[Word]:
    """Words whose loose key is within one edit of ``loose`` (SymSpell: shared deletions),
    or is one of the keys ``also`` names (the known misreadings of longer stretches)."""
    probes = sorted(deletions(loose) | {loose})
    names = {f"v{i}": v for i, v in enumerate(probes)}
    holders = ", ".join(f":{k}" for k in names)
    keys = {f"k{i}": k for i, k in enumerate(sorted(set(also) | {loose})[:_CHUNK])}
    key_holders = ", ".join(f":{k}" for k in keys)
    # One UNION of index probes: an OR across the two tables' indexes makes PostgreSQL
    # scan the vocabulary instead (15 ms at a million pages, 1 ms this way).
    where = (
        f"word IN (SELECT word FROM {DELETES} WHERE variant IN ({holders})"
        f" UNION SELECT word FROM {VOCABULARY} WHERE loose IN ({holders})"
        f" UNION SELECT word FROM {VOCABULARY} WHERE loose IN ({key_holders}))"
    )
    return _rows(conn, where, {**names, **keys}, limit)
