"""Full-text search over page text: the backend protocol and the SQLite FTS5 backend.

Rules (DESIGN.md §4):

* The query goes through the same ``normalise_for_search`` + ``tokenise`` as
  the indexed text, so nukta, ZWNJ, Devanagari digits and case never matter.
* What the user typed is never parsed as FTS5 syntax. Every token is quoted;
  the tokens of one whitespace-separated chunk form a phrase (``ई-ऑफिस`` ->
  ``"ई ऑफिस"``, the two words side by side); chunks are ANDed. ``AND``, ``*``,
  ``:``, ``"`` and ``(`` are therefore plain words or plain separators.
* Matching is by whole tokens, so a short word is still exact: ``कल`` does not
  match ``कलेक्टर``. A word typed with a trailing ``*`` (``तहसील*``) asks for
  the words it begins, looked up in the vocabulary, never a scan.
* Expansion is tiered (``registry.expansion``): exact words first; only when
  they give fewer than ``limit`` hits are other spellings, then phonetic
  matches, then OCR-style misreadings tried, each tier ranked after the one
  before, so an exact hit is never pushed down by a variant.
* Snippets are cut from the ORIGINAL page text, so people see what the OCR
  read (nukta, Devanagari digits and all), with the matched words flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import regex
from sqlalchemy.engine import Connection

from scanpipe.errors import SearchQueryError
from scanpipe.text import normalise_for_search, token_spans, tokenise

if TYPE_CHECKING:
    from scanpipe.registry.search_filter import SearchFilter

FTS_TABLE = "pages_fts"
NOTES_FTS = "notes_fts"  # final notes (migration 0003); rowid is notes.id
SNIPPET_BEFORE = 6  # tokens of context before the first match
SNIPPET_AFTER = 6  # ... and after it
ELLIPSIS = "…"

_SPACE = regex.compile(r"\s+")

Segment = tuple[str, bool]


@dataclass(frozen=True)
class Hit:
    """One matching page, or a final note (``kind`` "note": ``page_number`` is its paragraph).

    ``score`` is higher for better matches (negated bm25).
    """

    file_id: int
    page_number: int
    page_id: int
    score: float
    source_path: Path
    snippet: tuple[Segment, ...]  # (original text, is a matched word)
    kind: str = "page"
    note_id: int | None = None
    tier: int = 0  # expansion.Kind of the weakest alternative needed; 0 is exact
    also_matched: tuple[str, ...] = ()  # words in the snippet matched as other spellings

    @property
    def snippet_text(self) -> str:
        """The snippet as plain text, for logs and simple output."""
        return "".join(part for part, _ in self.snippet)


@runtime_checkable
class SearchBackend(Protocol):
    """What the registry needs from a search engine; SQLite FTS5 now, PostgreSQL later.

    Every method runs on the caller's connection so that indexing happens in the
    same transaction as the page rows (no page without its index entry).
    """

    def index_page(self, conn: Connection, page_id: int, text: str) -> None:
        """Index the ORIGINAL page text; the backend applies normalise_for_search."""
        ...

    def index_note(self, conn: Connection, note_id: int, text: str) -> None:
        """Index a final note so officers find notes and OCR text in one search."""
        ...

    def remove_page(self, conn: Connection, page_id: int) -> None:
        """Take a page out of the index (its text was corrected, blanked or re-read)."""
        ...

    def remove_note(self, conn: Connection, note_id: int) -> None:
        """Take a final note out of the index (its author corrected it)."""
        ...

    def search(
        self,
        conn: Connection,
        query: str,
        limit: int,
        *,
        exact: bool = False,
        where: SearchFilter | None = None,
    ) -> list[Hit]:
        """Best hits first, pages and notes together; raises SearchQueryError for a blank query.

        ``exact`` turns expansion off (the anchor of bench/findability.py); ``where``
        keeps only the pages and notes of the files it lets through, before ranking.
        """
        ...


@dataclass(frozen=True)
class ParsedQuery:
    """A user query as phrases of normalised tokens (one phrase per typed chunk)."""

    phrases: tuple[tuple[str, ...], ...]
    prefix: tuple[bool, ...] = ()  # per phrase: typed with a trailing "*"

    @property
    def tokens(self) -> frozenset[str]:
        return frozenset(tok for phrase in self.phrases for tok in phrase)

    def fts5(self) -> str:
        """An FTS5 MATCH expression in which every token is a quoted string."""
        return " ".join(
            '"' + " ".join(tok.replace('"', '""') for tok in phrase) + '"'
            for phrase in self.phrases
        )


def parse_query(query: str) -> ParsedQuery:
    """Normalise and tokenise ``query``; raise SearchQueryError if nothing was typed.

    A query of punctuation only (``*``, ``"``) is not an error: it just has no
    words, so ``phrases`` is empty and the search finds nothing.
    """
    if not query or not query.strip():
        raise SearchQueryError(
            "the search query is empty",
            advice="type one or more words, e.g. scanpipe search 'कलेक्टर आदेश'",
        )
    seen: set[tuple[str, ...]] = set()
    phrases: list[tuple[str, ...]] = []
    prefix: list[bool] = []
    for chunk in normalise_for_search(query).split():
        phrase = tuple(tokenise(chunk))
        if phrase and phrase not in seen:
            seen.add(phrase)
            phrases.append(phrase)
            prefix.append(chunk.endswith("*") and len(phrase) == 1 and len(phrase[0]) >= 2)
    return ParsedQuery(tuple(phrases), tuple(prefix))


def make_snippet(text: str, tokens: frozenset[str]) -> tuple[Segment, ...]:
    """Cut a window of the original ``text`` around the first matched word.

    Words are compared after ``normalise_for_search``, so ``फ़ाइल`` in the page is
    flagged for the query ``फाइल``. Runs of whitespace are shown as one space
    (a snippet is one line); an ellipsis marks text cut off at either end.
    """
    spans = token_spans(text)
    if not spans:
        return ()

    def is_match(i: int) -> bool:
        a, b = spans[i]
        return normalise_for_search(text[a:b]) in tokens

    # Only the words up to the first match and in the window are normalised.
    first = next((i for i in range(len(spans)) if is_match(i)), 0)
    start = max(0, first - SNIPPET_BEFORE)
    end = min(len(spans), first + SNIPPET_AFTER + 1)

    segments: list[Segment] = []

    def add(part: str, matched: bool) -> None:
        if not part:
            return
        if segments and not matched and not segments[-1][1]:
            segments[-1] = (segments[-1][0] + part, False)
        else:
            segments.append((part, matched))

    if start > 0:
        add(ELLIPSIS + " ", False)
    for i in range(start, end):
        a, b = spans[i]
        if i > start:
            add(_SPACE.sub(" ", text[spans[i - 1][1] : a]), False)
        add(text[a:b], is_match(i))
    if end < len(spans):
        add(" " + ELLIPSIS, False)
    return tuple(segments)
