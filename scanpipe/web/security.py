"""Who may see and do what: sessions, role checks, CSRF tokens and sign-in rate limits.

Every route declares one ``Access`` dependency (``PUBLIC`` or an action from
``routing.rules``), so the test suite can list the app's routes and prove
that none was left open by accident. ``Access`` also checks the CSRF token
of every state-changing request before the handler runs.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
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


class TooManyAttempts(ScanpipeError):
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
    return user


def optional_user(request: Request) -> UserInfo | None:
    try:
        return signed_in_user(request)
    except SignInRequired:
        return None


class Attempts:
    """Failed sign-ins per login and per client address in a sliding window.

    Counting failures only (a success clears the login's count) means an
    officer who mistypes twice is not locked out, while guessing passwords
    for one account, or many accounts from one machine, stops quickly.
    """

    def __init__(
        self,
        per_login: int,
        per_ip: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_login, self.per_ip, self.window_s, self.clock = per_login, per_ip, window_s, clock
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _count(self, key: str, now: float) -> int:
        times = self._fails.get(key)
        if not times:
            return 0
        while times and now - times[0] > self.window_s:
            times.popleft()
        return len(times)

    def check(self, login: str, ip: str) -> None:
        with self._lock:
            now = self.clock()
            if (
                self._count(f"login:{login}", now) >= self.per_login
                or self._count(f"ip:{ip}", now) >= self.per_ip
            ):
                minutes = max(1, round(self.window_s / 60))
                raise TooManyAttempts(
                    "too many failed sign-in attempts",
                    advice=f"wait {minutes} minutes and try again, or ask an admin",
                )

    def failed(self, login: str, ip: str) -> None:
        with self._lock:
            now = self.clock()
            self._fails[f"login:{login}"].append(now)
            self._fails[f"ip:{ip}"].append(now)

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._fails.pop(f"login:{login}", None)
