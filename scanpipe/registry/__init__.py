"""The file registry: SQLAlchemy tables, the atomic store, search backends, migrations.

Only the parent process (the registry writer) uses this package; page workers
never touch the database (DESIGN.md §1).
"""

from scanpipe.registry import (
    eoffice_models,  # noqa: F401  (registers the e-Office tables)
    routing_models,  # noqa: F401  (registers the routing tables)
)
from scanpipe.registry.eoffice_models import FileRecord, PartInfo, SuggestionInfo
from scanpipe.registry.models import FileInfo, FileSummary, PageInfo, RegistryStats
from scanpipe.registry.records import FileDraft
from scanpipe.registry.search import Hit, SearchBackend
from scanpipe.registry.search_sqlite import SqliteFtsSearch
from scanpipe.registry.store import ARTEFACT_COLUMNS, DuplicateFileError, Registry

__all__ = [
    "ARTEFACT_COLUMNS",
    "DuplicateFileError",
    "FileDraft",
    "FileInfo",
    "FileRecord",
    "FileSummary",
    "Hit",
    "PageInfo",
    "PartInfo",
    "Registry",
    "RegistryStats",
    "SearchBackend",
    "SqliteFtsSearch",
    "SuggestionInfo",
]
