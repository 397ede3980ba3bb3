"""Pages out of the web app: the template context, redirects, and errors as pages.

Routes and ``app.create_app`` both use these, so they live apart from the
app: a route module imports this, never ``app`` (which imports the routes).
Errors become responses in one place, ``error_page``: a rule the routing
library enforces is a 403 or 409 with the rule's own message, a missing file
a 404, and the rest by their exit code (``HTTP_STATUS``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import Form, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError, SearchQueryError
from scanpipe.routing import RuleError
from scanpipe.routing.signin import SignInDelayed
from scanpipe.routing.tokens import TokenRefused
from scanpipe.web.i18n import LANGS, flash_text, label
from scanpipe.web.messages import MESSAGES
from scanpipe.web.reasons import reason_text
from scanpipe.web.security import (
    CsrfError,
    Forbidden,
    SignInRequired,
    csrf_token,
)


def lang_of(request: Request) -> str:
    lang = request.cookies.get("lang")
    return lang if lang in LANGS else request.app.state.web.default_lang


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """A page with what every template needs: the user, the language, a CSRF token."""
    lang = lang_of(request)
    user = getattr(request.state, "user", None)
    ctx = {
        "user": user,
        "unread": request.app.state.routing.unread(user.login) if user is not None else 0,
        "lang": lang,
        "t": lambda key: label(key, lang),
        "reason": lambda text: reason_text(text, lang),
        "csrf": csrf_token(request),
        "flash": flash_text(request.session.pop("flash"), lang)
        if "flash" in request.session
        else None,
        "path": request.url.path,
        **(context or {}),
    }
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(url: str, flash: str | None = None, request: Request | None = None) -> Response:
    if flash and request is not None:
        request.session["flash"] = flash
    return RedirectResponse(url, status_code=HTTPStatus.SEE_OTHER)


#: The HTTP status of an error by its exit code, when no error class below is more specific:
#: what the person asked for was wrong (400), or the server could not do it (500). Named,
#: so that a new ExitCode member shows up here as a decision rather than as a number range.
HTTP_STATUS: Final[Mapping[ExitCode, HTTPStatus]] = {
    ExitCode.BAD_ARGS: HTTPStatus.BAD_REQUEST,
    ExitCode.INPUT_FILE: HTTPStatus.BAD_REQUEST,
    ExitCode.MISSING_DEPENDENCY: HTTPStatus.BAD_REQUEST,
    ExitCode.PARTIAL: HTTPStatus.BAD_REQUEST,
    ExitCode.OCR_FAILED: HTTPStatus.BAD_REQUEST,
    ExitCode.DATABASE: HTTPStatus.BAD_REQUEST,
    ExitCode.SEARCH_QUERY: HTTPStatus.BAD_REQUEST,
    ExitCode.NOT_FOUND: HTTPStatus.BAD_REQUEST,
    ExitCode.REFUSED: HTTPStatus.BAD_REQUEST,
    ExitCode.OUT_OF_SPACE: HTTPStatus.INTERNAL_SERVER_ERROR,
    ExitCode.INTERNAL: HTTPStatus.INTERNAL_SERVER_ERROR,
    ExitCode.INTERRUPTED: HTTPStatus.INTERNAL_SERVER_ERROR,
}
#: Which error page title a status gets.
TITLE_KEYS: Final[Mapping[HTTPStatus, str]] = {
    HTTPStatus.NOT_FOUND: "not_found",
    HTTPStatus.FORBIDDEN: "refused",
    HTTPStatus.CONFLICT: "refused",
}


def _status(exc: ScanpipeError) -> HTTPStatus:
    if isinstance(exc, RuleError):
        return HTTPStatus.FORBIDDEN if exc.rule == "role" else HTTPStatus.CONFLICT
    if isinstance(exc, Forbidden | CsrfError):
        return HTTPStatus.FORBIDDEN
    if isinstance(exc, TokenRefused):
        return HTTPStatus.UNAUTHORIZED
    if isinstance(exc, SignInDelayed):
        return HTTPStatus.TOO_MANY_REQUESTS
    if isinstance(exc, NotFoundError):
        return HTTPStatus.NOT_FOUND
    if isinstance(exc, SearchQueryError | BadFormValue):
        return HTTPStatus.BAD_REQUEST
    return HTTP_STATUS.get(exc.exit_code, HTTPStatus.INTERNAL_SERVER_ERROR)


def error_page(request: Request, exc: Exception) -> Response:
    """The one place errors become responses."""
    if isinstance(exc, SignInRequired):
        # The whole address, query included: a search link opened signed out still
        # searches once the officer has signed in.
        target = request.url.path if request.method == "GET" else "/"
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(
            f"/login?next={quote(target, safe='')}", status_code=HTTPStatus.SEE_OTHER
        )
    status: int
    if isinstance(exc, ScanpipeError):
        status, message, advice = _status(exc), exc.message, exc.advice
    elif isinstance(exc, RequestValidationError):
        status = HTTPStatus.BAD_REQUEST
        message, advice = "a field of the form or address is wrong", "go back"
    elif isinstance(exc, HTTPException):
        status, message, advice = exc.status_code, str(exc.detail), ""
    else:  # pragma: no cover - a bug; uvicorn logs the traceback
        raise exc
    kind = getattr(exc, "key", "") if isinstance(exc, ScanpipeError) else ""
    if request.url.path.startswith("/api/"):
        body = {"error": message, "advice": advice, **({"key": kind} if kind else {})}
        return JSONResponse(body, status_code=int(status))
    key = TITLE_KEYS.get(status, "error")
    lang = lang_of(request)
    explain = label(kind, lang) if kind in MESSAGES else ""
    if not explain and f"explain_{int(status)}" in MESSAGES:  # the kind of error, in words
        explain = label(f"explain_{int(status)}", lang)
    if _CLI_ADVICE.search(advice):  # "run 'scanpipe file where 3'": a shell's advice, not ours
        advice = label("web_advice", lang)
    return render(
        request,
        "error.html",
        {
            "status": int(status),
            "message": message,
            "advice": advice,
            "title_key": key,
            "explain": explain,
        },
        status=int(status),
    )


_CLI_ADVICE = re.compile(r"scanpipe |--[a-z]|SCANPIPE_")


#: Ids and page numbers in addresses and forms: out of range is a 422, never a 500.
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]
PageNumber = Annotated[int, Path(ge=1, le=1_000_000)]
FormRecordId = Annotated[int, Form(ge=1, le=2**63 - 1)]


def form_int(value: str, name: str, low: int, high: int) -> int | None:
    """An optional whole number from a form field; a bad one is the user's error, said so."""
    value = value.strip()
    if not value:
        return None
    if not value.isascii() or not value.lstrip("-").isdigit() or not low <= int(value) <= high:
        raise BadFormValue(
            f"{name} must be a whole number from {low} to {high}, not {value[:20]!r}",
            advice="correct the field and submit again",
        )
    return int(value)


class BadFormValue(ScanpipeError):
    exit_code = ExitCode.BAD_ARGS
