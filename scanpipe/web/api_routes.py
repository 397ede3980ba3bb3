"""The JSON API, ``/api/v1``: search, file facts, page text and images, where-is, notes.

Every call carries ``Authorization: Bearer TOKEN`` (``scanpipe token create``)
and answers with that user's rights under the one read rule, exactly as the
browser does: a file the user may not read is "not found", search never
returns it, and every read is audited. Errors are JSON ``{"error", "advice"}``
with the same statuses as the pages (``web/pages.error_page``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from scanpipe.registry.search_filter import SearchFilter
from scanpipe.routing import UserInfo
from scanpipe.web.file_routes import check_image_read
from scanpipe.web.images import page_image
from scanpipe.web.pages import PageNumber, RecordId
from scanpipe.web.security import Access

router = APIRouter(prefix="/api/v1")
MAX_HITS = 100


class TokenAccess(Access):
    """The API's access rule: a bearer token instead of the session cookie.

    It is an ``Access`` ("view": every signed-in role), so the route table's
    tests see it like every other route's rule. No CSRF check: the API takes
    no cookie, so a browser on another site cannot make it act.
    """

    async def __call__(self, request: Request) -> UserInfo:  # type: ignore[override]
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        routing = request.app.state.routing
        user = await run_in_threadpool(
            routing.token_user, token.strip() if scheme.lower() == "bearer" else None
        )
        request.state.user = user
        return user


API = TokenAccess("view")
User = Annotated[UserInfo, Depends(API)]


@router.get("/search")
def search(
    request: Request,
    user: User,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=MAX_HITS)] = 20,
) -> dict[str, Any]:
    state = request.app.state
    where = SearchFilter(reader=state.routing.reader(user.login))  # the read rule, first
    hits = state.registry.search(q, limit=limit, where=where)
    state.routing.log_access(None, user.login, "search", q=q, hits=len(hits), via="api")
    return {
        "query": q,
        "hits": [
            {
                "file_id": h.file_id,
                "kind": h.kind,
                "page": h.page_number if h.kind == "page" else None,
                "note_id": h.note_id,
                "score": round(h.score, 4),
                "snippet": h.snippet_text,
                "matched": [part for part, matched in h.snippet if matched],
                "also_matched": list(h.also_matched),
            }
            for h in hits
        ],
    }


@router.get("/files/{file_id}")
def file_facts(request: Request, file_id: RecordId, user: User) -> dict[str, Any]:
    state = request.app.state
    state.routing.open_file(user.login, file_id, "view", via="api")
    r = state.registry.get_record(file_id)
    return {
        "id": r.id,
        "computer_no": r.computer_no,
        "file_no": r.file_no,
        "subject": r.subject,
        "nature": r.nature,
        "state": r.file_state,
        "grading": r.grading,
        "office": r.office,
        "section": r.section,
        "year": r.year,
        "pages": r.page_count,
    }


@router.get("/files/{file_id}/pages/{number}/text")
def page_text(
    request: Request, file_id: RecordId, number: PageNumber, user: User
) -> dict[str, Any]:
    state = request.app.state
    state.routing.open_file(user.login, file_id, "page-text", page=number, via="api")
    return {"file_id": file_id, "page": number, "text": state.registry.page_text(file_id, number)}


@router.get("/files/{file_id}/pages/{number}/{size}.png", response_class=FileResponse)
def page_png(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    size: Annotated[str, Path(pattern="^(thumb|view)$")],
    user: User,
) -> FileResponse:
    """The page image the file page shows (``thumb`` 160 px, ``view`` 900 px), never cached."""
    state = request.app.state
    check_image_read(state, user.login, file_id, number, size)  # the rule, audited once
    path = page_image(state.registry, state.settings.home / "cache", file_id, number, size)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/files/{file_id}/where")
def where_is(request: Request, file_id: RecordId, user: User) -> dict[str, Any]:
    state = request.app.state
    state.routing.open_file(user.login, file_id, "where", via="api")
    return state.routing.where(file_id).as_json()


@router.get("/files/{file_id}/notes")
def notes(request: Request, file_id: RecordId, user: User) -> dict[str, Any]:
    state = request.app.state
    state.routing.open_file(user.login, file_id, "notes-view", via="api")
    return {
        "file_id": file_id,
        "notes": [
            {"number": n.number, "author": n.author.login, "status": n.status, "body": n.body}
            for n in state.routing.notes(file_id, viewer=user.login)
        ],
    }


@router.get("/openapi.json")
def openapi(request: Request, user: User) -> dict[str, Any]:
    """The API's own OpenAPI description, for token holders (the pages are not in it)."""
    from fastapi.openapi.utils import get_openapi

    return get_openapi(title="scanpipe API", version="1", routes=router.routes)
