"""The e-Office movement and noting rules as data and small checks (CSMOP, DOMAIN.md).

Every refusal is a ``RuleError`` that names its rule, so a clerk told "no"
can look the rule up, and tests can assert which rule fired rather than
matching message text.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from scanpipe.errors import ExitCode, ScanpipeError


class Role(StrEnum):
    OPERATOR = "operator"  # scans and registers pages; does not route or decide
    RECORDS = "records"  # records room: registers, routes, records, issues paper
    OFFICER = "officer"  # notes, approves, routes
    ADMIN = "admin"  # everything, plus users and the review queue


class Move(StrEnum):
    CREATE = "create"
    SEND = "send"
    RECEIVE = "receive"
    PULLBACK = "pullback"
    PARK = "park"
    UNPARK = "unpark"
    CLOSE = "close"
    REOPEN = "reopen"
    RECORD = "record"


class NoteStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class Purpose(StrEnum):
    NOTE = "note"
    CLOSE = "close"
    REOPEN = "reopen"


class Custody(StrEnum):
    LOCATE = "locate"  # placed in the record room
    ISSUE = "issue"  # handed to a person
    RETURN = "return"  # back in the record room


#: Rule id -> the rule in words. RuleError messages cite these ids.
RULES: dict[str, str] = {
    "role": "the user's role does not allow this action",
    "holder-only": "only a current holder of a file can act on it",
    "notify-choice": "notifications are chosen per event: both, inapp, mail or off",
    "drafts-pending": "a file is sent with its sender's drafts finalised or kept, by choice",
    "receive-first": "a physical file must be received before anyone acts on it",
    "pullback-unopened": "a file can be pulled back only while the recipient has not opened it",
    "pullback-sender": "only the sender can pull a file back, and only from that send",
    "open-only": "a parked, closed or recorded file cannot be sent or noted",
    "close-creator": "only the file's creator can close it",
    "close-approved": "a file is closed only after an officer has approved it",
    "reopen-approved": "a closed file is reopened only with an officer's approval",
    "record-closed": "only a closed file is recorded into the record room",
    "note-author": "only its author can edit, delete or finalise a note",
    "final-note-immutable": "a final note cannot change once the file has been forwarded",
    "final-note-permanent": "a final note is permanent and cannot be deleted",
    "note-text": "a note has some text, and at most 20,000 characters",
    "recipient": "a file is sent to other active users",
    "custody": "the paper original is issued from and returned to the record room",
}

#: Which roles may do what. Anything not listed is open to every role.
ALLOWED: dict[str, frozenset[Role]] = {
    "route": frozenset({Role.RECORDS, Role.OFFICER, Role.ADMIN}),
    "finalise": frozenset({Role.RECORDS, Role.OFFICER, Role.ADMIN}),
    "approve": frozenset({Role.OFFICER, Role.ADMIN}),
    "record": frozenset({Role.RECORDS, Role.ADMIN}),
    "custody": frozenset({Role.RECORDS, Role.ADMIN}),
    "users": frozenset({Role.ADMIN}),
    "review": frozenset({Role.ADMIN}),
}


class RuleError(ScanpipeError):
    """An action the e-Office rules or the user's role forbid; nothing was changed."""

    exit_code = ExitCode.REFUSED

    def __init__(self, rule: str, message: str, *, advice: str = "") -> None:
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}")
        self.rule = rule
        self.key = f"rule_{rule.replace('-', '_')}"
        super().__init__(f"{message} (rule {rule}: {RULES[rule]})", advice=advice)


def can(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``; the web UI hides what this refuses."""
    allowed = ALLOWED.get(action)
    return allowed is None or Role(role) in allowed


def require(role: str, action: str, login: str) -> None:
    if not can(role, action):
        roles = ", ".join(sorted(r.value for r in ALLOWED[action]))
        raise RuleError(
            "role",
            f"{login} is {role!s}; '{action}' needs one of: {roles}",
            advice="ask an admin to do it, or to change your role with 'scanpipe user edit'",
        )


#: Offices date their work in India Standard Time: a file due "today" is due until
#: midnight in Mungeli, not in UTC.
OFFICE_TZ = ZoneInfo("Asia/Kolkata")


def office_date(now: datetime) -> date:
    """The calendar date in the office at ``now`` (an aware datetime)."""
    return now.astimezone(OFFICE_TZ).date()


def overdue(due_on: date | None, now: datetime) -> bool:
    """Past its due date in the office's calendar: due today is not yet overdue."""
    return due_on is not None and due_on < office_date(now)


#: Pendency ageing buckets in days: (label, lowest age, highest age or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-15", 8, 15),
    ("16-30", 16, 30),
    (">30", 31, None),
)
