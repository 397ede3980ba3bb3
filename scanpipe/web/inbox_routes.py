"""``/``: the landing page is the officer's inbox, the same lists as ``scanpipe inbox``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from scanpipe.routing import UserInfo
from scanpipe.routing.inbox import SORTS
from scanpipe.web.pages import render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")


@router.get("/")
def inbox(
    request: Request,
    user: Annotated[UserInfo, Depends(VIEW)],
    sort: Annotated[str, Query(max_length=16)] = "age",
    overdue: bool = False,
) -> Response:
    sort = sort if sort in SORTS else "age"
    view = request.app.state.routing.inbox(user.login, sort=sort, overdue_only=overdue)
    return render(
        request, "inbox.html", {"view": view, "sort": sort, "overdue": overdue, "sorts": SORTS}
    )
