"""Full-text search over page text: the backend protocol and the SQLite FTS5 backend.

Rules (DESIGN.md §4):

* The query goes through the same ``normalise_for_search`` + ``tokenise`` as
  the indexed text, so nukta, ZWNJ, Devanagari digits and case never matter.
* What the user typed is never parsed as FTS5 syntax. Every token is quoted;
  the tokens of one whitespace-separated chunk form a phrase (``ई-ऑफिस`` ->
  ``"ई ऑफिस"``, the two words side by side); chunks are ANDed. ``AND``, ``*``,
  ``:``, ``"`` and ``(`` are therefore plain words or plain separators.
* Matching is by whole tokens, so a short word is still exact: ``कल`` does not
  match ``कलेक्टर``. This needs no LIKE/trigram fallback (DESIGN.md suggested
  one); partial-word search can come later as an explicit option.
* Snippets are cut from the ORIGINAL page text, so people see what the OCR
  read (nukta, Devanagari digits and all), with the matched words flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import regex
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from scanpipe.errors import RegistryError, SearchQueryError
from scanpipe.text import normalise_for_search, token_spans, tokenise

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

    def search(self, conn: Connection, query: str, limit: int) -> list[Hit]:
        """Best hits first, pages and notes together; raises SearchQueryError for a blank query."""
        ...


@dataclass(frozen=True)
class ParsedQuery:
    """A user query as phrases of normalised tokens (one phrase per typed chunk)."""

    phrases: tuple[tuple[str, ...], ...]

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
    for chunk in normalise_for_search(query).split():
        phrase = tuple(tokenise(chunk))
        if phrase and phrase not in seen:
            seen.add(phrase)
            phrases.append(phrase)
    return ParsedQuery(tuple(phrases))


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


class SqliteFtsSearch:
    """The embedded backend: an FTS5 table (see migration 0001) keyed by pages.id.

    bm25 answers a top-20 query in milliseconds for rare words, but it scores
    every matching page: a word on 150,000 of 200,000 pages took 250-450 ms.
    Counting or walking the matches in rowid order is 20-50x cheaper than
    scoring them, so a query matching more than ``rank_window`` pages is
    ranked among its ``rank_window`` most recently registered matches only
    (found by one rowid-ordered probe), which keeps every query in tens of
    milliseconds at a million pages. Such a word says little about which page
    is wanted; the officer narrows it with a second word or a filter, and the
    window never applies then unless that pair is just as common.
    """

    def __init__(self, rank_window: int = 5000) -> None:
        self.rank_window = rank_window

    def index_page(self, conn: Connection, page_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (:id, :body)"),
            {"id": page_id, "body": normalise_for_search(text)},
        )

    def index_note(self, conn: Connection, note_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {NOTES_FTS}(rowid, body) VALUES (:id, :body)"),
            {"id": note_id, "body": normalise_for_search(text)},
        )

    def remove_page(self, conn: Connection, page_id: int) -> None:
        conn.execute(sql(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": page_id})

    def remove_note(self, conn: Connection, note_id: int) -> None:
        conn.execute(sql(f"DELETE FROM {NOTES_FTS} WHERE rowid = :id"), {"id": note_id})

    def search(self, conn: Connection, query: str, limit: int) -> list[Hit]:
        if limit < 1:
            raise SearchQueryError(
                f"the result limit must be at least 1, not {limit}", advice="use --limit 20"
            )
        parsed = parse_query(query)
        if not parsed.phrases:
            return []
        params: dict[str, object] = {"q": parsed.fts5(), "limit": limit}
        # Rank inside FTS5 first, then join. bm25() is called by name, not through the
        # hidden "rank" column: "ORDER BY rank" sorts every match before the rowid bound
        # applies (221 ms p95 for common words at 1M pages, against 40 ms this way).
        # bm25: lower is better.
        stmt = sql(
            f"""
            SELECT p.id, p.file_id, p.number, p.text, f.source_path, m.score
            FROM (SELECT rowid AS page_id, bm25({FTS_TABLE}) AS score FROM {FTS_TABLE}
                  WHERE {FTS_TABLE} MATCH :q AND rowid >= :floor
                  ORDER BY score LIMIT :limit) AS m
            JOIN pages AS p ON p.id = m.page_id
            JOIN files AS f ON f.id = p.file_id
            ORDER BY m.score, p.id
            """
        )
        try:
            floor = conn.execute(
                sql(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q "
                    "ORDER BY rowid DESC LIMIT 1 OFFSET :window"
                ),
                {"q": params["q"], "window": self.rank_window},
            ).scalar()
            params["floor"] = floor if floor is not None else 0  # 0: rank every match
            rows = conn.execute(stmt, params).all()
        except OperationalError as exc:
            raise RegistryError(
                f"the search index could not answer: {exc.orig}",
                advice="try again; if it keeps failing, check the database with "
                "sqlite3 <db> 'PRAGMA integrity_check'",
            ) from exc
        tokens = parsed.tokens
        hits = [
            Hit(
                file_id=file_id,
                page_number=number,
                page_id=page_id,
                score=-float(rank),
                source_path=Path(source_path),
                snippet=make_snippet(page_text, tokens),
            )
            for page_id, file_id, number, page_text, source_path, rank in rows
        ]
        notes = conn.execute(
            sql(
                f"""
                SELECT n.id, n.file_id, n.number, n.body, m.rank
                FROM (SELECT rowid AS note_id, rank FROM {NOTES_FTS}
                      WHERE {NOTES_FTS} MATCH :q ORDER BY rank LIMIT :limit) AS m
                JOIN notes AS n ON n.id = m.note_id
                """
            ),
            {"q": parsed.fts5(), "limit": limit},
        ).all()
        hits += [
            Hit(
                file_id,
                number or 0,
                0,
                -float(rank),
                Path(""),
                make_snippet(body, tokens),
                kind="note",
                note_id=note_id,
            )
            for note_id, file_id, number, body, rank in notes
        ]
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]
