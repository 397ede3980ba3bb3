"""The registry's search half: the calls the CLI, the web and the API search through.

``Registry`` inherits it; the tiers, the expansion and the backends do the work
(``search_tiers``, ``expansion``, ``search_sqlite``, ``search_pg``).
"""

from __future__ import annotations

from pathlib import Path

from scanpipe.eoffice.glossary import load as load_glossary
from scanpipe.errors import RegistryError
from scanpipe.registry.db import db_errors as _db_errors
from scanpipe.registry.expansion import Kind
from scanpipe.registry.search import Hit, SearchBackend
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.registry.search_sqlite import SqliteFtsSearch
from scanpipe.registry.search_tiers import terms_of
from scanpipe.registry.session import Transactions
from scanpipe.registry.suggest import suggestions


class Searching(Transactions):
    def search(
        self,
        query: str,
        limit: int = 20,
        *,
        exact: bool = False,
        where: SearchFilter | None = None,
    ) -> list[Hit]:
        """Pages matching every word of ``query``, best first (see ``registry.search``).

        Other spellings, phonetic and OCR-style matches follow the exact ones
        (``registry.expansion``) unless ``exact``. ``where`` filters by file
        before ranking (``registry.search_filter``).
        """
        with _db_errors("searching"), self._engine.connect() as conn:
            return self._search.search(conn, query, limit, exact=exact, where=where)

    def matched_words(self, query: str) -> frozenset[str]:
        """Every word ``search`` would accept for ``query`` (typed, spellings, phonetic,
        fuzzy), normalised: what a page opened from a hit marks."""
        with _db_errors("expanding the query"), self._engine.connect() as conn:
            terms = terms_of(conn, query, self._search.glossary, exact=False)
        phrases = [p for t in terms for p in t.upto(Kind.FUZZY)] + [t.typed for t in terms]
        return frozenset(w for phrase in phrases for w in phrase)

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        """ "Did you mean": indexed words near the typed ones, commonest first."""
        with _db_errors("suggesting words"), self._engine.connect() as conn:
            return suggestions(conn, query, limit)


def make_search_backend(backend: str, extra_glossary: Path) -> SearchBackend:
    """SCANPIPE_DB_URL chooses the backend: SQLite FTS5 (default) or PostgreSQL tsvector.

    The admins' glossary sits in SCANPIPE_HOME, beside the archive folder.
    """
    glossary = load_glossary(extra_glossary)
    if backend == "sqlite":
        return SqliteFtsSearch(glossary=glossary)
    if backend == "postgresql":
        from scanpipe.registry.search_pg import PostgresSearch

        return PostgresSearch(glossary=glossary)
    raise RegistryError(
        f"scanpipe has no registry backend for {backend!r} databases",
        advice="set SCANPIPE_DB_URL to a sqlite:///path or postgresql://user:pw@host/db URL",
    )
