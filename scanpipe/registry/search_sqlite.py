"""The embedded search backend: SQLite FTS5, with the vocabulary kept in step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text as sql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from scanpipe.eoffice import glossary as glossaries
from scanpipe.errors import RegistryError
from scanpipe.registry import vocabulary
from scanpipe.registry.search import FTS_TABLE, NOTES_FTS, Hit, make_snippet
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.registry.search_tiers import Groups, fts5_expression, tiered
from scanpipe.text import normalise_for_search


class SqliteFtsSearch:
    """An FTS5 table (see migration 0001) keyed by pages.id, and notes_fts by notes.id.

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

    def __init__(
        self, rank_window: int = 5000, glossary: glossaries.Glossary | None = None
    ) -> None:
        self.rank_window = rank_window
        # A filtered walk joins every match it visits (``_filtered_pages``); it ranks
        # among fewer of them so that a reader who sees 5% of a million pages still gets
        # an answer in tens of milliseconds.
        self.filtered_window = max(100, rank_window // 5)
        self.glossary = glossary if glossary is not None else glossaries.load()

    def index_page(self, conn: Connection, page_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (:id, :body)"),
            {"id": page_id, "body": normalise_for_search(text)},
        )
        vocabulary.count(conn, vocabulary.words_of(text), +1)

    def index_note(self, conn: Connection, note_id: int, text: str) -> None:
        conn.execute(
            sql(f"INSERT INTO {NOTES_FTS}(rowid, body) VALUES (:id, :body)"),
            {"id": note_id, "body": normalise_for_search(text)},
        )
        vocabulary.count(conn, vocabulary.words_of(text), +1)

    def remove_page(self, conn: Connection, page_id: int) -> None:
        self._remove(conn, FTS_TABLE, page_id)

    def remove_note(self, conn: Connection, note_id: int) -> None:
        self._remove(conn, NOTES_FTS, note_id)

    def _remove(self, conn: Connection, table: str, rowid: int) -> None:
        body = conn.execute(
            sql(f"SELECT body FROM {table} WHERE rowid = :id"), {"id": rowid}
        ).scalar()
        if body is None:
            return
        conn.execute(sql(f"DELETE FROM {table} WHERE rowid = :id"), {"id": rowid})
        vocabulary.count(conn, vocabulary.words_of(body), -1)

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

    def _pages(self, conn: Connection, params: dict[str, object]) -> list[Any]:
        """Unfiltered: the best ``limit`` among the newest ``rank_window`` matches.

        bm25() is called by name, not through the hidden "rank" column: "ORDER BY
        rank" sorts every match before the rowid bound applies (221 ms p95 for
        common words at 1M pages, against 40 ms this way). bm25: lower is better.
        """
        floor = conn.execute(
            sql(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q "
                "ORDER BY rowid DESC LIMIT 1 OFFSET :window"
            ),
            {**params, "window": self.rank_window},
        ).scalar()
        return conn.execute(
            sql(
                f"""
                SELECT p.id, p.file_id, p.number, p.text, f.source_path, m.score
                FROM (SELECT rowid AS page_id, bm25({FTS_TABLE}) AS score FROM {FTS_TABLE}
                      WHERE {FTS_TABLE} MATCH :q AND rowid >= :floor
                      ORDER BY score LIMIT :limit) AS m
                JOIN pages AS p ON p.id = m.page_id
                JOIN files AS f ON f.id = p.file_id
                ORDER BY m.score, p.id
                """
            ),
            {**params, "floor": floor if floor is not None else 0},  # 0: rank every match
        ).all()

    def _filtered_pages(
        self, conn: Connection, where: SearchFilter, params: dict[str, object]
    ) -> list[Any]:
        """Filtered: matches walked newest first, the filter applied row by row.

        ``rowid IN (pages that pass)`` made FTS5 look up every passing page's
        rowid in the match (two minutes for a common word at a million pages and
        a reader who sees 5%). Walking the match newest first and joining the file
        stops after ``filtered_window`` passing pages; only those are scored, so the
        filter still applies before ranking.
        """
        condition = where.file_condition(params)
        if where.doc_type:
            params["f_doc_type"] = where.doc_type
            condition += " AND p.doc_type = :f_doc_type"
        return conn.execute(
            sql(
                f"""
                SELECT page_id, file_id, number, text, source_path, score FROM (
                    SELECT p.id AS page_id, p.file_id, p.number, p.text, f.source_path,
                           bm25({FTS_TABLE}) AS score
                    FROM {FTS_TABLE}
                    JOIN pages AS p ON p.id = {FTS_TABLE}.rowid
                    JOIN files AS f ON f.id = p.file_id
                    WHERE {FTS_TABLE} MATCH :q AND {condition}
                    ORDER BY {FTS_TABLE}.rowid DESC LIMIT :window
                )
                ORDER BY score, page_id LIMIT :limit
                """
            ),
            {**params, "window": self.filtered_window},
        ).all()

    def _notes(self, conn: Connection, where: SearchFilter, params: dict[str, object]) -> list[Any]:
        """Notes, joined to their file in the match walk like filtered pages (not ``IN``)."""
        if where.doc_type:
            return []  # a page kind was asked for: notes have none
        condition = where.file_condition(params) if where.active else "1 = 1"
        return conn.execute(
            sql(
                f"""
                SELECT n.id, n.file_id, n.number, n.body, {NOTES_FTS}.rank
                FROM {NOTES_FTS}
                JOIN notes AS n ON n.id = {NOTES_FTS}.rowid
                JOIN files AS f ON f.id = n.file_id
                WHERE {NOTES_FTS} MATCH :q AND {condition}
                ORDER BY {NOTES_FTS}.rank LIMIT :limit
                """
            ),
            params,
        ).all()

    def match(
        self,
        conn: Connection,
        groups: Groups,
        limit: int,
        highlight: frozenset[str],
        where: SearchFilter,
    ) -> list[Hit]:
        """The best ``limit`` pages and notes for one tier's FTS5 expression, filtered first."""
        q = fts5_expression(groups)
        params: dict[str, object] = {"q": q, "limit": limit}
        try:
            rows = (
                self._filtered_pages(conn, where, params)
                if where.active
                else self._pages(conn, params)
            )
            notes = self._notes(conn, where, params)
        except OperationalError as exc:
            raise RegistryError(
                f"the search index could not answer: {exc.orig}",
                advice="try again; if it keeps failing, check the database with "
                "sqlite3 <db> 'PRAGMA integrity_check'",
            ) from exc
        hits = [
            Hit(
                file_id=file_id,
                page_number=number,
                page_id=page_id,
                score=-float(rank),
                source_path=Path(source_path),
                snippet=make_snippet(page_text, highlight),
            )
            for page_id, file_id, number, page_text, source_path, rank in rows
        ]
        hits += [
            Hit(
                file_id,
                number or 0,
                0,
                -float(rank),
                Path(""),
                make_snippet(body, highlight),
                kind="note",
                note_id=note_id,
            )
            for note_id, file_id, number, body, rank in notes
        ]
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]
