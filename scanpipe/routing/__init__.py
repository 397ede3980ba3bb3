"""Routing and noting: who holds a file, how it moves, what was noted and approved.

A thin library API over the registry's tables; the CLI (``commands/routing``)
and the web app call the same ``Routing`` methods. Rules are in ``rules.py``.
"""

from scanpipe.routing.base import UserError, utc_now
from scanpipe.routing.rules import AGE_BUCKETS, RULES, Role, RuleError, can
from scanpipe.routing.tracking import TrackingMixin
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


class Routing(TrackingMixin):
    """``Routing(registry, clock=...)``: every routing, noting and tracking action."""


__all__ = [
    "AGE_BUCKETS",
    "RULES",
    "AuditEntry",
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
