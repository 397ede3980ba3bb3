"""The registry's one way in: ``reading()`` and ``writing()`` transactions.

Everything that reads or changes registry rows outside ``store.add_file``
(routing, page review, the facts screens show, the audit log) goes through
these two context managers, so every caller gets the same things without
reaching into the engine: database errors translated into RegistryError with
advice (``db.db_errors``), and for writes one ``BEGIN IMMEDIATE`` transaction,
so two clerks acting at once are serialised instead of one failing with
"database is locked" half-way through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanpipe.registry.db import BEGIN_MODE, db_errors
from scanpipe.registry.search import SearchBackend


class Transactions:
    """Holds the engine and the search backend; ``Registry`` builds on it."""

    def __init__(self, engine: Engine, search: SearchBackend) -> None:
        self._engine = engine
        self._search = search
        self.hold_classified = True  # Registry.open(hold_classified=False) refuses gradings

    @property
    def search_backend(self) -> SearchBackend:
        """The search index, for callers that change indexed text inside ``writing()``."""
        return self._search

    @contextlib.contextmanager
    def reading(self, action: str) -> Iterator[Session]:
        """A session for reads; ``action`` ("reading the notes") names the step in errors."""
        with db_errors(action), Session(self._engine) as session:
            yield session

    @contextlib.contextmanager
    def writing(self, action: str) -> Iterator[Session]:
        """One write transaction (``BEGIN IMMEDIATE``): committed on success, else rolled back.

        Index changes made on ``session.connection()`` belong to the same
        transaction, so rows and their search entries change together.
        """
        with db_errors(action), Session(self._engine) as session:
            session.connection(execution_options={BEGIN_MODE: "IMMEDIATE"})
            session.info["hold_classified"] = self.hold_classified  # records.set_fields
            yield session
            session.commit()
