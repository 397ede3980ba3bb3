"""The file registry: SQLAlchemy tables, the atomic store, search backends, migrations.

Only the parent process (the registry writer) uses this package; page workers
never touch the database (DESIGN.md §1).
"""

from scanpipe.registry.models import FileInfo, FileSummary, PageInfo, RegistryStats
from scanpipe.registry.search import Hit, SearchBackend, SqliteFtsSearch
from scanpipe.registry.store import ARTEFACT_COLUMNS, DuplicateFileError, Registry

__all__ = [
    "ARTEFACT_COLUMNS",
    "DuplicateFileError",
    "FileInfo",
    "FileSummary",
    "Hit",
    "PageInfo",
    "Registry",
    "RegistryStats",
    "SearchBackend",
    "SqliteFtsSearch",
]
