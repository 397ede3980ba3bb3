"""The audit log's one writer: who did what, when, appended in the action's own transaction.

Every library action that changes or reveals a file records itself here:
routing and noting, reads of a file, page review and intake decisions. The
row is added on the caller's session, inside its ``Registry.writing()``
transaction, so an action and its log line exist together or not at all, and
the CLI, the web app and any later interface audit alike because none of them
writes the log itself. The table is append-only (triggers refuse UPDATE and
DELETE, migration 0003).

Who acted is a login. A login that names a user account is linked to it; any
other, such as ``os:clerk`` for an operator at a shell, is kept as written.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanpipe.registry.routing_models import AuditRow, UserRow
from scanpipe.registry.session import Transactions

OS_PREFIX = "os:"
MAX_LOGIN = 64  # audit_log.login


def os_login() -> str:
    """The operating-system account as an audit login (``os:<name>``), for shell operators."""
    try:
        return f"{OS_PREFIX}{getpass.getuser()}"
    except (KeyError, OSError):
        return f"{OS_PREFIX}unknown"


def write(
    session: Session,
    action: str,
    file_id: int | None,
    *,
    login: str | None,
    user_id: int | None = None,
    at: datetime | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry on ``session``; ``login`` None means the OS account.

    ``user_id`` is looked up from ``login`` when not given, so an entry made
    by a user account is found by ``audit --user`` whichever interface made it.
    """
    who = (login or os_login()).strip()[:MAX_LOGIN]
    if user_id is None and not who.startswith(OS_PREFIX):
        found = session.execute(
            select(UserRow.id, UserRow.login).where(UserRow.login == who.lower())
        ).first()
        if found is not None:
            user_id, who = found
    session.add(
        AuditRow(
            at=at or datetime.now(UTC),
            user_id=user_id,
            login=who,
            action=action,
            file_id=file_id,
            detail=json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def record(
    registry: Transactions,
    login: str | None,
    action: str,
    file_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry in its own transaction, for actions outside the database."""
    with registry.writing("writing the audit log") as session:
        write(session, action, file_id, login=login, detail=detail)
