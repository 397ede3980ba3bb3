"""Who may see and do what: sessions, role checks and CSRF tokens.

Every route declares one ``Access`` dependency (``PUBLIC`` or an action from
``routing.rules``), so the test suite can list the app's routes and prove
that none was left open by accident. ``Access`` also checks the CSRF token
of every state-changing request before the handler runs.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Final

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError
from scanpipe.routing import UserInfo, can
from scanpipe.routing.rules import ALLOWED

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD: Final = "csrf"


class SignInRequired(ScanpipeError):
    exit_code = ExitCode.REFUSED


class Forbidden(ScanpipeError):
    """The user's role does not allow the action (the route's, not a routing rule's)."""

    exit_code = ExitCode.REFUSED


class CsrfError(ScanpipeError):
    exit_code = ExitCode.REFUSED


def csrf_token(request: Request) -> str:
    """The session's token, created on first use (the sign-in form gets one too)."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def check_csrf(request: Request) -> None:
    expected = request.session.get(CSRF_FIELD)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfError(
            "the form's security token is missing or out of date",
            advice="reload the page and submit the form again",
        )


class Access:
    """A route's access rule; ``action`` None means anyone, signed in or not.

    Other actions are ``routing.rules`` actions ("route", "finalise",
    "review" ...), or "view" for what every signed-in user may do.
    """

    def __init__(self, action: str | None) -> None:
        self.action = action

    def allows(self, role: str) -> bool:
        return self.action is not None and can(role, self.action)

    @property
    def roles(self) -> frozenset[str] | None:
        """The roles allowed, or None when every signed-in role is."""
        if self.action is None or self.action not in ALLOWED:
            return None
        return frozenset(r.value for r in ALLOWED[self.action])

    def __repr__(self) -> str:
        return f"Access({self.action!r})"

    async def __call__(self, request: Request) -> UserInfo | None:
        if self.action is None:
            if request.method not in SAFE_METHODS:
                await check_csrf(request)
            return None
        user = await run_in_threadpool(signed_in_user, request)
        if not can(user.role, self.action):
            raise Forbidden(
                f"{user.login} is {user.role}; this needs one of: "
                f"{', '.join(sorted(self.roles or ()))}",
                advice="ask an admin to do it, or to change your role",
            )
        if request.method not in SAFE_METHODS:
            await check_csrf(request)
        request.state.user = user
        return user


PUBLIC: Final = Access(None)


def signed_in_user(request: Request) -> UserInfo:
    """The session's user, still active, within the session's lifetime."""
    login = request.session.get("login")
    if not isinstance(login, str):
        raise SignInRequired("you are not signed in", advice="sign in first")
    app = request.app.state
    started = request.session.get("at", 0)
    if not isinstance(started, int | float) or time.time() - started > app.web.session_max_age_s:
        request.session.clear()
        raise SignInRequired("your session has expired", advice="sign in again")
    try:
        user = app.routing.get_user(login)
    except NotFoundError:
        user = None
    if user is None or not user.active:
        request.session.clear()
        raise SignInRequired("this account is no longer active", advice="ask an admin")
    if request.session.get("v") != user.session_version:
        # Signed out elsewhere, a new password, or an admin ended the user's sessions.
        request.session.clear()
        raise SignInRequired("this session has been ended", advice="sign in again")
    return user


def optional_user(request: Request) -> UserInfo | None:
    try:
        return signed_in_user(request)
    except SignInRequired:
        return None
