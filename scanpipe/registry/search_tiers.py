"""The tiered search both backends share: exact words first, then expansion, tier by tier.

A backend only has to answer one question, ``match(conn, groups, limit,
highlight)``: the best ``limit`` pages and notes holding, for every group,
any one of its phrases. This module decides which groups to ask for and in
what order, so SQLite and PostgreSQL expand, rank and bound alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Connection

from scanpipe.eoffice.glossary import Glossary
from scanpipe.errors import SearchQueryError
from scanpipe.registry.expansion import Alternative, Kind, Term, expand
from scanpipe.registry.search import Hit, parse_query
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.text import normalise_for_search

Phrase = tuple[str, ...]
Groups = Sequence[tuple[Phrase, ...]]  # AND over groups, OR within a group
Match = Callable[[Connection, Groups, int, frozenset[str], SearchFilter], list[Hit]]


def check_limit(limit: int) -> None:
    if limit < 1:
        raise SearchQueryError(
            f"the result limit must be at least 1, not {limit}", advice="use --limit 20"
        )


def terms_of(conn: Connection, query: str, glossary: Glossary, *, exact: bool) -> list[Term]:
    """The typed chunks of ``query``, each with its alternatives (only itself when exact)."""
    parsed = parse_query(query)
    if exact:
        return [Term(p, (Alternative(p, Kind.EXACT),)) for p in parsed.phrases]
    return [
        expand(conn, phrase, glossary, prefix=prefix)
        for phrase, prefix in zip(parsed.phrases, parsed.prefix, strict=True)
    ]


def tiered(
    match: Match,
    conn: Connection,
    query: str,
    limit: int,
    glossary: Glossary,
    *,
    exact: bool,
    where: SearchFilter | None = None,
) -> list[Hit]:
    """Best hits of each tier, exact ones first and the rest in turns (``_interleave``).

    ``where`` is applied inside every tier's match, before ranking.
    """
    where = where or SearchFilter()
    check_limit(limit)
    terms = terms_of(conn, query, glossary, exact=exact)
    if not terms:
        return []
    typed = frozenset(w for t in terms for w in t.typed)
    tiers: list[tuple[Kind, list[Hit]]] = []
    seen: set[tuple[str, int, int | None]] = set()
    for kind in Kind:
        if kind > Kind.EXACT and not any(t.gains(kind) for t in terms):
            continue
        groups = [t.upto(kind) for t in terms]
        if not all(groups):
            continue  # some typed word has no indexed alternative yet: nothing can match
        highlight = frozenset(w for g in groups for phrase in g for w in phrase)
        fresh = []
        # The groups are cumulative, so earlier tiers' hits come back: ask for room.
        for hit in match(conn, groups, limit + len(seen), highlight, where):
            key = (hit.kind, hit.page_id, hit.note_id)
            if key not in seen:
                seen.add(key)
                fresh.append(
                    dataclasses.replace(hit, tier=int(kind), also_matched=_also(hit, typed))
                )
        tiers.append((kind, fresh))
        if kind <= Kind.VARIANT and sum(len(h) for k, h in tiers) >= limit:
            break  # a common word: its spellings fill the page, nothing else is tried
    return _interleave(tiers, limit)


def _interleave(tiers: list[tuple[Kind, list[Hit]]], limit: int) -> list[Hit]:
    """The word as typed and its accepted spellings first, then the other tiers in turns.

    Filling tier by tier would let translations (``Revenue`` for राजस्व) or
    pages in the other script take every place left, and starve the page where
    the OCR misread the very word typed; in turns, each kind of evidence is
    seen, the better kind first in each turn.
    """
    out = [h for kind, hits in tiers if kind <= Kind.VARIANT for h in hits]
    rest = [hits for kind, hits in tiers if kind > Kind.VARIANT]
    turn = 0
    while len(out) < limit and any(turn < len(hits) for hits in rest):
        out += [hits[turn] for hits in rest if turn < len(hits)]
        turn += 1
    return out[:limit]


def _also(hit: Hit, typed: frozenset[str]) -> tuple[str, ...]:
    """The highlighted words of the snippet that are not what was typed, as printed."""
    shown: dict[str, None] = {}
    for part, matched in hit.snippet:
        if matched and normalise_for_search(part) not in typed:
            shown.setdefault(part, None)
    return tuple(shown)


def fts5_expression(groups: Groups) -> str:
    """An FTS5 MATCH expression: every token quoted, alternatives ORed, groups ANDed."""

    def quoted(phrase: Phrase) -> str:
        return '"' + " ".join(tok.replace('"', '""') for tok in phrase) + '"'

    parts = []
    for group in groups:
        if len(group) == 1:
            parts.append(quoted(group[0]))
        else:
            parts.append("(" + " OR ".join(quoted(p) for p in group) + ")")
    return " AND ".join(parts)
