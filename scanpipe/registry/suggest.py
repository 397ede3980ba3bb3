""" "Did you mean": when a search finds nothing, the indexed words nearest to what was typed."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from scanpipe.registry import vocabulary
from scanpipe.registry.expansion import edit_cost
from scanpipe.registry.search import parse_query
from scanpipe.text import loose_key, phonetic_key, roman_form

MAX_COST = 2.0


def suggestions(conn: Connection, query: str, limit: int) -> list[str]:
    """Words within two edits (OCR confusions cheaper) or sharing the phonetic key.

    Only words the index does not hold get suggestions; nearer words come
    first, then commoner ones.
    """
    words = [w for phrase in parse_query(query).phrases for w in phrase]
    known = vocabulary.lookup(conn, words)
    scored: dict[str, tuple[float, int]] = {}
    for word in words:
        if word in known or len(word) < 3:
            continue
        loose = loose_key(word)
        candidates = [(w, edit_cost(loose, w.loose)) for w in vocabulary.near(conn, loose, 100)]
        skeleton = phonetic_key(word)
        if len(skeleton) >= 3:
            spelt = roman_form(word)  # compared in Roman letters: kalektar ~ कलेक्टर
            candidates += [
                (w, edit_cost(spelt, w.roman)) for w in vocabulary.same_phonetic(conn, skeleton, 50)
            ]
        for w, cost in candidates:
            if w.word != word and cost <= MAX_COST:
                best = scored.get(w.word)
                if best is None or (cost, -w.df) < best:
                    scored[w.word] = (cost, -w.df)
    return [w for w, _ in sorted(scored.items(), key=lambda kv: (kv[1], kv[0]))[:limit]]
