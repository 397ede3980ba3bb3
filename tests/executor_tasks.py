"""Task functions for the executor contract suite, importable by name on Celery workers.

Workers run only functions from scanpipe or from modules listed in
``SCANPIPE_CELERY_TASK_MODULES``; the worker fixture lists this one.
"""

from __future__ import annotations

import os


def square(n: int) -> int:
    return n * n


def describe(item: tuple[str, int]) -> dict[str, object]:
    """Structured values survive the trip: tuples stay tuples, dicts stay dicts."""
    label, n = item
    return {"label": label, "pair": (n, -n), "pid": os.getpid()}


def fail_on_13(n: int) -> int:
    if n == 13:
        raise ValueError("thirteen is unlucky")
    return n
