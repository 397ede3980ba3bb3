"""The FastAPI app: server-rendered pages over the same library API as the CLI.

``create_app`` takes frozen settings and opens (or is given) one Registry for
the process; handlers are plain functions run in the thread pool, so the
SQLAlchemy engine's pool serves them. Errors become pages in one place
(``_error_page``): a rule the routing library enforces is a 403 or 409 with
the rule's own message, a missing file a 404, and so on.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError, SearchQueryError
from scanpipe.registry.store import Registry
from scanpipe.routing import Routing, RuleError
from scanpipe.settings import Settings
from scanpipe.web.config import WebConfig
from scanpipe.web.i18n import LANGS, flash_text, label
from scanpipe.web.security import (
    Attempts,
    CsrfError,
    Forbidden,
    SignInRequired,
    TooManyAttempts,
    csrf_token,
)

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}


def lang_of(request: Request) -> str:
    lang = request.cookies.get("lang")
    return lang if lang in LANGS else request.app.state.web.default_lang


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """A page with what every template needs: the user, the language, a CSRF token."""
    lang = lang_of(request)
    ctx = {
        "user": getattr(request.state, "user", None),
        "lang": lang,
        "t": lambda key: label(key, lang),
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
    if isinstance(exc, TooManyAttempts):
        return HTTPStatus.TOO_MANY_REQUESTS
    if isinstance(exc, NotFoundError):
        return HTTPStatus.NOT_FOUND
    if isinstance(exc, SearchQueryError):
        return HTTPStatus.BAD_REQUEST
    return HTTP_STATUS.get(exc.exit_code, HTTPStatus.INTERNAL_SERVER_ERROR)


def _error_page(request: Request, exc: Exception) -> Response:
    """The one place errors become responses."""
    if isinstance(exc, SignInRequired):
        target = request.url.path if request.method == "GET" else "/search"
        return RedirectResponse(f"/login?next={target}", status_code=HTTPStatus.SEE_OTHER)
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
    key = TITLE_KEYS.get(status, "error")
    return render(
        request,
        "error.html",
        {"status": int(status), "message": message, "advice": advice, "title_key": key},
        status=int(status),
    )


def create_app(settings: Settings, web: WebConfig, registry: Registry | None = None) -> FastAPI:
    """The app for one data folder; pass ``registry`` to share one already open (tests, bench)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = registry is None
        reg = registry or Registry.open(settings.db_url, settings.archive_dir)
        app.state.registry = reg
        app.state.routing = Routing(reg)
        try:
            yield
        finally:
            if own:
                reg.close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.web = web
    app.state.attempts = Attempts(web.login_attempts, web.ip_attempts, web.attempt_window_s)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    if registry is not None:  # usable before the lifespan runs (ASGI transports without it)
        app.state.registry = registry
        app.state.routing = Routing(registry)
    app.add_middleware(
        SessionMiddleware,
        secret_key=web.secret_key,
        session_cookie="scanpipe_session",
        max_age=web.session_max_age_s,
        same_site=web.same_site,  # type: ignore[arg-type]
        https_only=web.secure_cookies,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    for exc_type in (ScanpipeError, RequestValidationError, HTTPException):
        app.add_exception_handler(exc_type, _error_page)  # type: ignore[arg-type]
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from scanpipe.web import (
        auth_routes,
        dashboard_routes,
        file_routes,
        review_routes,
        search_routes,
    )

    for module in (auth_routes, search_routes, file_routes, review_routes, dashboard_routes):
        app.include_router(module.router)
    return app


def page_routes(app: FastAPI) -> list[APIRoute]:
    """Every endpoint of the app, through included routers (FastAPI may keep them nested)."""
    found: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif hasattr(route, "routes") and not isinstance(route, Mount):
                walk(route.routes)

    walk(app.routes)
    return found


def access_of(route: APIRoute) -> Any:
    """The route's ``Access`` dependency, or None if it has none (a bug the tests catch)."""
    from scanpipe.web.security import Access

    for dep in route.dependant.dependencies:
        if isinstance(dep.call, Access):
            return dep.call
    return None
