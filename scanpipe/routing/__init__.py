"""Routing and noting: who holds a file, how it moves, what was noted and approved.

A thin library API over the registry's tables; the CLI (``commands/routing``)
and the web app call the same ``Routing`` methods. Rules are in ``rules.py``.
"""

from scanpipe.routing.base import Desk, UserError, utc_now
from scanpipe.routing.facade import Routing
from scanpipe.routing.rules import AGE_BUCKETS, RULES, Role, RuleError, can
from scanpipe.routing.views import (
    AuditEntry,
    Holder,
    MovementInfo,
    NoteInfo,
    Pendency,
    PendencyRow,
    PendingFile,
    UserInfo,
    WhereIs,
)

__all__ = [
    "AGE_BUCKETS",
    "RULES",
    "AuditEntry",
    "Desk",
    "Holder",
    "MovementInfo",
    "NoteInfo",
    "Pendency",
    "PendencyRow",
    "PendingFile",
    "Role",
    "Routing",
    "RuleError",
    "UserError",
    "UserInfo",
    "WhereIs",
    "can",
    "utc_now",
]
