"""``/notifications``: what the officer has been told, newest first; opening marks it read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from scanpipe.routing import UserInfo
from scanpipe.routing.notify import CHANNELS, KINDS
from scanpipe.web.pages import redirect, render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")


@router.get("/notifications")
def notifications(request: Request, user: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    routing = request.app.state.routing
    return render(
        request,
        "notifications.html",
        {
            "notices": routing.notices(user.login),
            "channels": routing.channels(user.login),
            "choices": CHANNELS,
        },
    )


@router.post("/notifications/choices")
async def choose(request: Request, user: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    form = await request.form()
    routing = request.app.state.routing
    for kind in KINDS:
        value = form.get(kind)
        if isinstance(value, str) and value in CHANNELS:
            await run_in_threadpool(routing.set_channel, user.login, kind, value)
    return redirect("/notifications", "saved", request)


@router.post("/notifications/read")
def mark_read(request: Request, user: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    request.app.state.routing.mark_read(user.login)
    return redirect("/notifications")
