"""Sign-in, sign-out and the language switch: the only pages open without a session."""

from __future__ import annotations

import secrets
import time
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from scanpipe.routing import UserInfo
from scanpipe.routing.auth import needs_rehash, verify_password
from scanpipe.web.i18n import LANGS, label
from scanpipe.web.pages import lang_of, redirect, render
from scanpipe.web.security import CSRF_FIELD, PUBLIC, Access, optional_user

router = APIRouter()
VIEW = Access("view")
LANG_COOKIE_AGE = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """Only a path on this site: ``//evil.example`` and ``https://...`` go to the inbox instead."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, _: Annotated[None, Depends(PUBLIC)], next: str = "") -> Response:
    if optional_user(request) is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    _: Annotated[None, Depends(PUBLIC)],
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    state = request.app.state
    who = login.strip().lower()
    ip = request.client.host if request.client else "?"
    limits = state.routing.sign_ins(state.sign_in_limits)
    limits.check(who, ip)
    stored = state.routing.password_hash(who)
    if not verify_password(stored, password):
        limits.failed(who, ip)
        error = label("bad_login", lang_of(request))
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "error": error},
            status=HTTPStatus.UNAUTHORIZED,
        )
    limits.succeeded(who, ip)
    if stored and needs_rehash(stored):
        state.routing.edit_user(who, password=password)
    version = state.routing.get_user(who).session_version
    request.session.clear()  # a fresh session: nothing from before sign-in carries over
    request.session.update(
        {
            "login": who,
            "at": int(time.time()),
            "v": version,
            CSRF_FIELD: secrets.token_urlsafe(32),
        }
    )
    state.routing.log_access(None, who, "sign-in", ip=ip)
    return redirect(safe_next(next))


@router.post("/logout")
def logout(request: Request, user: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    """Sign-out ends every session of the user, so a copied cookie is void as well."""
    request.app.state.routing.end_sessions(user.login, by=user.login)
    request.session.clear()
    return redirect("/login")


@router.get("/lang/{code}")
def switch_language(
    request: Request, code: str, _: Annotated[None, Depends(PUBLIC)], next: str = "/"
) -> Response:
    response = redirect(safe_next(next))
    if code in LANGS:
        response.set_cookie(
            "lang",
            code,
            max_age=LANG_COOKIE_AGE,
            httponly=True,
            secure=request.app.state.web.secure_cookies,
            samesite="lax",
        )
    return response
