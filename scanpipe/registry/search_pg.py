"""The PostgreSQL search backend: a ``tsvector`` under a Hindi-safe config, plus pg_trgm.

The config is ``scanpipe_hindi``, which migration 0001 creates as a copy of
``simple``: no stemming and no stop words, only lower-casing. (PostgreSQL
15's built-in ``hindi`` is a Snowball config that stems Hindi and drops
English stop words, so "of" and exact whole words would not be found.) We
never rely on PostgreSQL to fold or split Hindi:
``pages_fts.body`` holds the page's ``tokenise(normalise_for_search(text))``
joined by single spaces, exactly the tokens SQLite FTS5 indexes, and the
column ``tsv`` is generated from it with ``to_tsvector('scanpipe_hindi', body)``. With a
UTF-8 LC_CTYPE the default parser keeps each of those tokens whole (vowel
signs and virama included; tests/test_pg_search.py checks the lexemes equal
our tokens), so the two backends agree on what a word is.

Queries follow the same rules as FTS5 (``registry.search``): each typed chunk
is a phrase of normalised tokens (``phraseto_tsquery``, which takes plain
text, so nothing the user types is ever parsed as tsquery syntax), chunks are
ANDed, and ranking is ``ts_rank`` (higher is better).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text as sql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from scanpipe.errors import RegistryError, SearchQueryError
from scanpipe.registry.search import FTS_TABLE, NOTES_FTS, Hit, make_snippet, parse_query
from scanpipe.text import normalise_for_search, tokenise

TS_CONFIG = "scanpipe_hindi"
#: PostgreSQL drops (with a NOTICE) words longer than this many bytes from a tsvector.
MAX_LEXEME_BYTES = 2046


def search_body(text: str) -> str:
    """What goes into ``pages_fts.body``: the normalised tokens, space-joined."""
    return " ".join(
        tok
        for tok in tokenise(normalise_for_search(text))
        if len(tok.encode("utf-8")) <= MAX_LEXEME_BYTES
    )


class PostgresSearch:
    """``SearchBackend`` over ``pages_fts`` (page_id, body, tsv) and ``notes_fts`` (note_id,
    body, tsv), each with a GIN index on tsv.

    Like ``SqliteFtsSearch``, a query matching more than ``rank_window`` pages is
    ranked among its ``rank_window`` newest matches only: ``ts_rank`` reads every
    matching row's tsvector, 7 s p95 for words on 10-60% of a million pages
    (docs/benchmarks.md), while finding the window's boundary reads page ids only.
    """

    def __init__(self, rank_window: int = 5000) -> None:
        self.rank_window = rank_window

    def index_page(self, conn: Connection, page_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {FTS_TABLE} (page_id, body) VALUES (:id, :body)"),
            {"id": page_id, "body": search_body(text)},
        )

    def index_note(self, conn: Connection, note_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {NOTES_FTS} (note_id, body) VALUES (:id, :body)"),
            {"id": note_id, "body": search_body(text)},
        )

    def remove_note(self, conn: Connection, note_id: int) -> None:
        conn.execute(sql(f"DELETE FROM {NOTES_FTS} WHERE note_id = :id"), {"id": note_id})

    def search(self, conn: Connection, query: str, limit: int) -> list[Hit]:
        if limit < 1:
            raise SearchQueryError(
                f"the result limit must be at least 1, not {limit}", advice="use --limit 20"
            )
        parsed = parse_query(query)
        if not parsed.phrases:
            return []
        params: dict[str, object] = {"limit": limit, "window": self.rank_window}
        parts = []
        for i, phrase in enumerate(parsed.phrases):
            params[f"p{i}"] = " ".join(phrase)
            parts.append(f"phraseto_tsquery('{TS_CONFIG}', :p{i})")
        tsquery = " && ".join(parts)
        # Rank the matches inside each index first, then join only the top ``limit`` rows.
        floor = sql(
            f"""
            SELECT s.page_id FROM {FTS_TABLE} AS s WHERE s.tsv @@ ({tsquery})
            ORDER BY s.page_id DESC OFFSET :window LIMIT 1
            """
        )
        pages = sql(
            f"""
            WITH q AS (SELECT {tsquery} AS q),
            m AS (
                SELECT s.page_id, ts_rank(s.tsv, q.q) AS rank
                FROM {FTS_TABLE} AS s, q WHERE s.tsv @@ q.q AND s.page_id >= :floor
                ORDER BY rank DESC, s.page_id LIMIT :limit
            )
            SELECT p.id, p.file_id, p.number, p.text, f.source_path, m.rank
            FROM m JOIN pages AS p ON p.id = m.page_id JOIN files AS f ON f.id = p.file_id
            ORDER BY m.rank DESC, p.id
            """
        )
        notes = sql(
            f"""
            WITH q AS (SELECT {tsquery} AS q),
            m AS (
                SELECT s.note_id, ts_rank(s.tsv, q.q) AS rank
                FROM {NOTES_FTS} AS s, q WHERE s.tsv @@ q.q
                ORDER BY rank DESC, s.note_id LIMIT :limit
            )
            SELECT n.id, n.file_id, n.number, n.body, m.rank
            FROM m JOIN notes AS n ON n.id = m.note_id
            """
        )
        try:
            params["floor"] = conn.execute(floor, params).scalar() or 0  # 0: rank every match
            page_rows = conn.execute(pages, params).all()
            note_rows = conn.execute(notes, params).all()
        except DBAPIError as exc:
            raise RegistryError(
                f"the search index could not answer: {exc.orig}",
                advice="try again; if it keeps failing, check the PostgreSQL server log",
            ) from exc
        tokens = parsed.tokens
        hits = [
            Hit(
                file_id=file_id,
                page_number=number,
                page_id=page_id,
                score=float(rank),
                source_path=Path(source_path or ""),
                snippet=make_snippet(page_text, tokens),
            )
            for page_id, file_id, number, page_text, source_path, rank in page_rows
        ]
        hits += [
            Hit(
                file_id=file_id,
                page_number=number or 0,
                page_id=0,
                score=float(rank),
                source_path=Path(""),
                snippet=make_snippet(body, tokens),
                kind="note",
                note_id=note_id,
            )
            for note_id, file_id, number, body, rank in note_rows
        ]
        hits.sort(key=lambda h: -h.score)  # stable: pages before notes on equal scores
        return hits[:limit]
