"""The FastAPI app: server-rendered pages over the same library API as the CLI.

``create_app`` takes frozen settings and opens (or is given) one Registry for
the process; handlers are plain functions run in the thread pool, so the
SQLAlchemy engine's pool serves them. Errors become pages in one place,
``pages.error_page``; routes render through ``pages`` too, so no route module
imports this one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount

from scanpipe.errors import ScanpipeError
from scanpipe.registry.store import Registry
from scanpipe.routing import Routing
from scanpipe.routing.signin import Limits
from scanpipe.settings import Settings
from scanpipe.web.config import WebConfig
from scanpipe.web.pages import error_page, render

HERE = Path(__file__).parent
log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}


def create_app(settings: Settings, web: WebConfig, registry: Registry | None = None) -> FastAPI:
    """The app for one data folder; pass ``registry`` to share one already open (tests, bench)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = registry is None
        reg = registry or Registry.open(
            settings.db_url, settings.archive_dir, hold_classified=settings.hold_classified
        )
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
    app.state.sign_in_limits = Limits(
        free=web.login_attempts, per_address=web.ip_attempts, window_s=web.attempt_window_s
    )
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.image_reads = {}  # (login, file, page, size) audited once (file_routes.py)
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
        app.add_exception_handler(exc_type, error_page)  # type: ignore[arg-type]

    def internal_error(request: Request, exc: Exception) -> Response:
        """A bug: the normal error page, with every security header, and no detail leaked.

        Starlette runs this outside the other middleware, so the headers are set here.
        """
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        response = render(
            request,
            "error.html",
            {
                "status": 500,
                "message": "something went wrong on the server",
                "advice": "try again; if it happens again, tell an admin the time",
                "title_key": "error",
            },
            status=500,
        )
        for key, value in SECURITY_HEADERS.items():
            response.headers[key] = value
        return response

    app.add_exception_handler(Exception, internal_error)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from scanpipe.web import (
        api_routes,
        auth_routes,
        dashboard_routes,
        file_routes,
        inbox_routes,
        notice_routes,
        review_routes,
        search_routes,
    )

    for module in (
        auth_routes,
        inbox_routes,
        notice_routes,
        search_routes,
        file_routes,
        review_routes,
        dashboard_routes,
        api_routes,
    ):
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
