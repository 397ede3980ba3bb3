"""The layers hold where a contract file cannot see: what a page worker loads at run time.

``lint-imports`` (the ``.importlinter`` contracts, run by ``make lint`` and
``make test``) checks the import graph. This checks the consequence that
matters for throughput: an OCR page worker starts without SQLAlchemy and
without the registry, so every worker process of the pool stays small and
quick to start (docs/architecture.md).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after ``statement`` (nothing cached here)."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(proc.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "statement",
    [
        "import scanpipe.ocr.page",
        "import scanpipe.ocr.reread",
        "import scanpipe.eoffice.fileno, scanpipe.eoffice.terms",
        "import scanpipe.sources",
    ],
)
def test_page_workers_and_the_vocabulary_never_load_the_database(statement: str) -> None:
    loaded = _modules_after(statement)
    assert "sqlalchemy" not in loaded
    assert not {m for m in loaded if m == "scanpipe.registry" or m.startswith("scanpipe.registry.")}
