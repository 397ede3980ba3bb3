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

import time
from pathlib import Path
from typing import Any

from sqlalchemy import text as sql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from scanpipe.eoffice import glossary as glossaries
from scanpipe.errors import RegistryError
from scanpipe.registry import vocabulary
from scanpipe.registry.search import FTS_TABLE, NOTES_FTS, Hit, make_snippet
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.registry.search_tiers import Groups, tiered
from scanpipe.text import normalise_for_search, tokenise

TS_CONFIG = "scanpipe_hindi"
STATS_TTL_S = 600.0  # word shares from pg_stats: ANALYZE (autovacuum) refreshes them
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
    ranked among about ``rank_window`` of its newest matches only: ``ts_rank`` reads
    every matching row's tsvector, 7 s p95 for words on 10-60% of a million pages
    (docs/benchmarks.md). The window is smaller than SQLite's (1,000, not 5,000)
    because each ranked row costs more here: its tsvector is TOASTed, about eight
    buffer reads a row, so 5,000 rows took 85-135 ms and 1,000 take about 20.
    """

    def __init__(
        self, rank_window: int = 1000, glossary: glossaries.Glossary | None = None
    ) -> None:
        self.rank_window = rank_window
        self.glossary = glossary if glossary is not None else glossaries.load()
        self._stats: tuple[float, dict[str, float]] | None = None

    def index_page(self, conn: Connection, page_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {FTS_TABLE} (page_id, body) VALUES (:id, :body)"),
            {"id": page_id, "body": search_body(text)},
        )
        vocabulary.count(conn, vocabulary.words_of(text), +1)

    def index_note(self, conn: Connection, note_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {NOTES_FTS} (note_id, body) VALUES (:id, :body)"),
            {"id": note_id, "body": search_body(text)},
        )
        vocabulary.count(conn, vocabulary.words_of(text), +1)

    def remove_page(self, conn: Connection, page_id: int) -> None:
        self._remove(conn, FTS_TABLE, "page_id", page_id)

    def remove_note(self, conn: Connection, note_id: int) -> None:
        self._remove(conn, NOTES_FTS, "note_id", note_id)

    def _remove(self, conn: Connection, table: str, key: str, row_id: int) -> None:
        body = conn.execute(
            sql(f"DELETE FROM {table} WHERE {key} = :id RETURNING body"), {"id": row_id}
        ).scalar()
        if body is not None:
            vocabulary.count(conn, vocabulary.words_of(body), -1)

    def _ranked(
        self,
        conn: Connection,
        pages: Any,
        params: dict[str, object],
        groups: Groups,
        limit: int,
    ) -> list[Any]:
        """Rank at most about ``rank_window`` matches, choosing the page-id range from the
        column statistics instead of walking the matches to find the window's edge.

        Walking the newest matches by page id, and testing each page's tsvector, costs
        1/selectivity rows per match: fine for a word on half the pages, 250 ms for one
        on 2% of a million. The planner's statistics already know each common word's
        share of pages (``most_common_elems``), so the newest ``rank_window / share``
        page ids hold about ``rank_window`` matches, and PostgreSQL combines that range
        with the GIN index. A word not among the common ones is rare: every match is
        ranked. Too few hits in the range (a skewed word) widens it until it is enough.
        """
        share = self._share(conn, groups)
        top = conn.execute(sql(f"SELECT max(page_id) FROM {FTS_TABLE}")).scalar() or 0
        span = int(self.rank_window / share) if share > 0 else top
        while True:
            params["floor"] = top - span if span < top else 0
            rows = conn.execute(pages, params).all()
            if len(rows) >= min(limit, self.rank_window) or params["floor"] == 0:
                return list(rows)
            span *= 4

    def _share(self, conn: Connection, groups: Groups) -> float:
        """An upper bound on the share of pages the query matches: the smallest over its
        groups (an AND matches no more) of the sum over a group's alternatives (an OR
        matches no more), each phrase as its rarest word; 0.0 when too rare to be listed."""
        now = time.monotonic()
        if self._stats is None or now - self._stats[0] > STATS_TTL_S:
            row = conn.execute(
                sql(
                    "SELECT most_common_elems::text::text[], most_common_elem_freqs "
                    "FROM pg_stats WHERE tablename = :t AND attname = 'tsv'"
                ),
                {"t": FTS_TABLE},
            ).first()
            freqs = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
            self._stats = (now, freqs)
        freqs = self._stats[1]
        return min(
            (
                sum(min((freqs.get(t, 0.0) for t in phrase), default=0.0) for phrase in group)
                for group in groups
            ),
            default=0.0,
        )

    def search(
        self,
        conn: Connection,
        query: str,
        limit: int,
        *,
        exact: bool = False,
        where: SearchFilter | None = None,
    ) -> list[Hit]:
        return tiered(self.match, conn, query, limit, self.glossary, exact=exact, where=where)

    def match(
        self,
        conn: Connection,
        groups: Groups,
        limit: int,
        highlight: frozenset[str],
        where: SearchFilter,
    ) -> list[Hit]:
        """The best ``limit`` pages and notes for one tier: alternatives ORed (``||``), filtered
        before ranking."""
        params: dict[str, object] = {"limit": limit, "window": self.rank_window}
        pages_in = notes_in = ""
        if where.active:
            pages_in = f" AND s.page_id IN ({where.page_ids_sql(params)})"
            notes_in = (
                " AND s.note_id IN (SELECT n.id FROM notes AS n WHERE n.file_id IN "
                f"({where.note_files_sql(params)}))"
            )
        parts = []
        for i, group in enumerate(groups):
            ors = []
            for j, phrase in enumerate(group):
                params[f"p{i}_{j}"] = " ".join(phrase)
                ors.append(f"phraseto_tsquery('{TS_CONFIG}', :p{i}_{j})")
            parts.append("(" + " || ".join(ors) + ")")
        tsquery = " && ".join(parts)
        # Rank the matches inside each index first, then join only the top ``limit`` rows.
        pages = sql(
            f"""
            WITH q AS (SELECT {tsquery} AS q),
            m AS (
                SELECT s.page_id, ts_rank(s.tsv, q.q) AS rank
                FROM {FTS_TABLE} AS s, q WHERE s.tsv @@ q.q AND s.page_id >= :floor{pages_in}
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
                FROM {NOTES_FTS} AS s, q WHERE s.tsv @@ q.q{notes_in}
                ORDER BY rank DESC, s.note_id LIMIT :limit
            )
            SELECT n.id, n.file_id, n.number, n.body, m.rank
            FROM m JOIN notes AS n ON n.id = m.note_id
            """
        )
        try:
            page_rows = self._ranked(conn, pages, params, groups, limit)
            note_rows = conn.execute(notes, params).all()
        except DBAPIError as exc:
            raise RegistryError(
                f"the search index could not answer: {exc.orig}",
                advice="try again; if it keeps failing, check the PostgreSQL server log",
            ) from exc
        hits = [
            Hit(
                file_id=file_id,
                page_number=number,
                page_id=page_id,
                score=float(rank),
                source_path=Path(source_path or ""),
                snippet=make_snippet(page_text, highlight),
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
                snippet=make_snippet(body, highlight),
                kind="note",
                note_id=note_id,
            )
            for note_id, file_id, number, body, rank in note_rows
        ]
        hits.sort(key=lambda h: -h.score)  # stable: pages before notes on equal scores
        return hits[:limit]
