"""Query words marked in page text, matched the way search matches them.

The page keeps what OCR read (nukta, Devanagari digits and all); a word is
marked when its ``normalise_for_search`` form is one of the query's tokens,
exactly the comparison the index made, so what is marked is what was found.
"""

from __future__ import annotations

from scanpipe.errors import SearchQueryError
from scanpipe.registry import Registry
from scanpipe.registry.search import Segment, parse_query
from scanpipe.text import normalise_for_search, token_spans


def query_tokens(query: str | None, registry: Registry | None = None) -> frozenset[str]:
    """The words to mark: with a registry, every spelling the search accepted as well."""
    if not query:
        return frozenset()
    try:
        if registry is not None:
            return registry.matched_words(query)
        return parse_query(query).tokens
    except SearchQueryError:
        return frozenset()


def highlight(text: str, tokens: frozenset[str]) -> list[Segment]:
    """The whole text as (part, matched) segments; one segment when nothing matches."""
    if not tokens:
        return [(text, False)]
    out: list[Segment] = []
    pos = 0
    for a, b in token_spans(text):
        if normalise_for_search(text[a:b]) in tokens:
            if a > pos:
                out.append((text[pos:a], False))
            out.append((text[a:b], True))
            pos = b
    if pos < len(text):
        out.append((text[pos:], False))
    return out
