"""API tokens: a user's key to the JSON API, under the same read rule as the browser.

A token is shown once, when it is made; only its SHA-256 is kept, so a copy
of the registry gives no one API access. Revoking a token, deactivating its
user, or ending the user's sessions does not touch the others' tokens; a
revoked token is refused at once by every server process, since the check is
a registry read. Making and revoking a token are audited; what a token reads
is audited by the API like any read.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError
from scanpipe.registry.routing_models import ApiTokenRow, UserRow
from scanpipe.routing.base import Desk, active_user, find_user, user_info
from scanpipe.routing.views import UserInfo

PREFIX = "sp_"


class TokenRefused(ScanpipeError):
    """No token, an unknown one, a revoked one, or one of an inactive user."""

    exit_code = ExitCode.REFUSED


@dataclass(frozen=True)
class TokenInfo:
    id: int
    login: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Tokens:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def create_token(self, login: str, name: str, by: str | None = None) -> tuple[TokenInfo, str]:
        """A new token for ``login``; the second value is the token, shown this once."""
        token = PREFIX + secrets.token_urlsafe(32)
        with self.desk.writing("making an API token") as session:
            user = active_user(session, login)
            row = ApiTokenRow(
                user_id=user.id,
                name=name.strip()[:64] or "token",
                token_hash=_digest(token),
                created_at=self.desk.now(),
            )
            session.add(row)
            session.flush()
            self.desk.audit(session, user, "token-create", None, token=row.id, by=by or "")
            return _info(row, user.login), token

    def revoke_token(self, token_id: int, by: str | None = None) -> TokenInfo:
        with self.desk.writing("revoking an API token") as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFoundError(f"no API token {token_id}", advice="run 'scanpipe token list'")
            user = session.get(UserRow, row.user_id)
            assert user is not None
            if row.revoked_at is None:
                row.revoked_at = self.desk.now()
                self.desk.audit(session, user, "token-revoke", None, token=row.id, by=by or "")
            return _info(row, user.login)

    def list_tokens(self, login: str | None = None) -> list[TokenInfo]:
        with self.desk.reading("listing API tokens") as session:
            stmt = select(ApiTokenRow, UserRow.login).join(
                UserRow, UserRow.id == ApiTokenRow.user_id
            )
            if login:
                stmt = stmt.where(UserRow.id == find_user(session, login).id)
            return [_info(row, who) for row, who in session.execute(stmt.order_by(ApiTokenRow.id))]

    def token_user(self, token: str | None) -> UserInfo:
        """The active user a token stands for; ``TokenRefused`` otherwise (said alike)."""
        refused = TokenRefused(
            "no valid API token was given",
            advice="send 'Authorization: Bearer TOKEN'; make one with 'scanpipe token create'",
        )
        if not token or not token.startswith(PREFIX) or len(token) > 200:
            raise refused
        with self.desk.reading("checking an API token") as session:
            found = session.execute(
                select(ApiTokenRow, UserRow)
                .join(UserRow, UserRow.id == ApiTokenRow.user_id)
                .where(ApiTokenRow.token_hash == _digest(token))
            ).first()
            if found is None or found[0].revoked_at is not None or not found[1].active:
                raise refused
            return user_info(session, found[1])


def _info(row: ApiTokenRow, login: str) -> TokenInfo:
    return TokenInfo(row.id, login, row.name, row.created_at, row.revoked_at)
