"""``/notifications``: what the officer has been told, newest first; opening marks it read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from scanpipe.routing import UserInfo
from scanpipe.web.pages import redirect, render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")


@router.get("/notifications")
def notifications(request: Request, user: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    notices = request.app.state.routing.notices(user.login)
    return render(request, "notifications.html", {"notices": notices})


@router.post("/notifications/read")
def mark_read(request: Request, user: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    request.app.state.routing.mark_read(user.login)
    return redirect("/notifications")
