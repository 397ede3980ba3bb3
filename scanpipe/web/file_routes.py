"""``/files/<id>``: metadata, pages beside their text, the PDF/A, notes and movements."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from scanpipe.eoffice.terms import Priority
from scanpipe.errors import NotFoundError
from scanpipe.registry import access
from scanpipe.routing import UserInfo
from scanpipe.routing.moves import DRAFT_CHOICES
from scanpipe.web.highlight import highlight, query_tokens
from scanpipe.web.images import page_image
from scanpipe.web.page_marks import word_boxes
from scanpipe.web.pages import BadFormValue, PageNumber, RecordId, redirect, render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")  # every signed-in role reads files
NOTE = Access("note")  # drafting is open to every role; the routing rules decide the rest
FINALISE = Access("finalise")
ROUTE = Access("route")
RECEIVE = Access("receive")


_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def as_lines(text: str) -> str:
    """The page's lines as printed: Tesseract ends each block with a blank line, and
    on a letter most lines are blocks of their own, so the text read double-spaced."""
    return _BLANK_LINES.sub("\n", text.strip("\n"))


@router.get("/files/{file_id}")
def file_view(
    request: Request, file_id: RecordId, user: Annotated[UserInfo, Depends(VIEW)], q: str = ""
) -> Response:
    state = request.app.state
    registry, routing = state.registry, state.routing
    routing.open_file(user.login, file_id, "view", **({"q": q} if q else {}))  # the read rule
    record = registry.get_record(file_id)
    info = registry.get_file(file_id)
    texts = registry.page_text(file_id).split("\f") if info.pages else []
    tokens = query_tokens(q, registry)
    pages = [
        {"info": p, "segments": highlight(as_lines(text), tokens)}
        for p, text in zip(info.pages, texts, strict=False)
    ]
    where = routing.where(file_id)
    notes = [
        {"n": n, "segments": highlight(n.body, tokens)}
        for n in routing.notes(file_id, viewer=user.login)
    ]
    people = [
        u
        for u in routing.list_users()
        if u.active and u.login != user.login and u.role != "operator"
    ]
    holders = {h.user.login for h in where.holders}
    last_send = next((m for m in reversed(where.path) if m.kind == "send"), None)
    return render(
        request,
        "file.html",
        {
            "record": record,
            "info": info,
            "pages": pages,
            "q": q,
            "where": where,
            "notes": notes,
            "people": people,
            "holds": user.login in holders,
            "untracked": where.creator is None,
            "can_pullback": last_send is not None
            and last_send.actor.login == user.login
            and last_send.pulled_back_at is None
            and last_send.opened_at is None,
            "can_route": ROUTE.allows(user.role),
            "can_finalise": FINALISE.allows(user.role),
            "my_drafts": sum(
                1 for n in notes if n["n"].status == "draft" and n["n"].author.login == user.login
            ),
            "priorities": [p.value for p in Priority],
        },
    )


@router.get("/files/{file_id}/pdf")
def download_pdf(
    request: Request, file_id: RecordId, user: Annotated[UserInfo, Depends(VIEW)]
) -> Response:
    request.app.state.routing.open_file(user.login, file_id, "download", what="pdf")
    info = request.app.state.registry.get_file(file_id)
    if info.pdf_path is None or not info.pdf_path.exists():
        raise NotFoundError(
            f"file {file_id} has no archived PDF/A",
            advice="it was registered by hand from paper; scan it to archive it",
        )
    name = f"file-{file_id}.pdf"
    return FileResponse(
        info.pdf_path,
        media_type="application/pdf",
        filename=name,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/files/{file_id}/pages/{number}/marks.json")
def page_marks(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    user: Annotated[UserInfo, Depends(VIEW)],
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """The query's words on the page image, as fractions of the page (the viewer draws them)."""
    state = request.app.state
    check_image_read(state, user.login, file_id, number, "marks")
    info = state.registry.get_file(file_id)
    words = query_tokens(q, state.registry)
    boxes = word_boxes(info.pdf_path, number, words) if info.pdf_path and words else []
    return JSONResponse({"boxes": boxes}, headers={"Cache-Control": "no-store"})


@router.get("/files/{file_id}/pages/{number}/{size}.png")
def page_png(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    size: str,
    user: Annotated[UserInfo, Depends(VIEW)],
) -> Response:
    state = request.app.state
    check_image_read(state, user.login, file_id, number, size)
    path = page_image(state.registry, state.settings.home / "cache", file_id, number, size)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-store"})


IMAGE_READS_REMEMBERED = 50_000  # per worker process; a page read again re-checks, unaudited


def check_image_read(state: object, login: str, file_id: int, number: int, size: str) -> None:
    """The read rule on every image; audited once per user, page and size in this process.

    A search page shows twenty thumbnails and a file page every page, so one
    audit line per image request would bury the log; the first read of each
    page is what the trail needs. Reads after the first are still checked.
    """
    routing = state.routing  # type: ignore[attr-defined]
    seen: dict[tuple[str, int, int, str], None] = state.image_reads  # type: ignore[attr-defined]
    key = (login, file_id, number, size)
    if key in seen:
        with routing.registry.reading("checking who may read the file") as session:
            if access.may_read(session, routing.reader(login), file_id):
                return
    routing.open_file(login, file_id, "page-image", page=number, size=size)
    if len(seen) >= IMAGE_READS_REMEMBERED:
        seen.clear()
    seen[key] = None


@router.post("/files/{file_id}/notes")
def add_note(
    request: Request,
    file_id: RecordId,
    user: Annotated[UserInfo, Depends(NOTE)],
    body: Annotated[str, Form(max_length=20_000)],
) -> Response:
    note = request.app.state.routing.add_note(file_id, user.login, body)
    return redirect(f"/files/{file_id}#note-{note.id}", "note_saved", request)


@router.post("/notes/{note_id}/finalise")
def finalise_note(
    request: Request, note_id: RecordId, user: Annotated[UserInfo, Depends(FINALISE)]
) -> Response:
    note = request.app.state.routing.finalise_note(note_id, user.login)
    return redirect(f"/files/{note.file_id}#note-{note.id}", "note_final", request)


@router.post("/files/{file_id}/send")
def send(
    request: Request,
    file_id: RecordId,
    user: Annotated[UserInfo, Depends(ROUTE)],
    to: Annotated[list[str], Form()],
    remarks: Annotated[str, Form(max_length=2000)] = "",
    due: Annotated[str, Form(max_length=10)] = "",
    priority: Annotated[str, Form(max_length=16)] = Priority.NORMAL.value,
    drafts: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        due_on = date.fromisoformat(due) if due else None
    except ValueError as exc:
        raise BadFormValue(
            f"{due!r} is not a date", advice="pick the due date from the calendar"
        ) from exc
    request.app.state.routing.send(
        file_id,
        user.login,
        to,
        remarks=remarks,
        due_on=due_on,
        priority=priority,
        drafts=drafts if drafts in DRAFT_CHOICES else None,
    )
    return redirect(f"/files/{file_id}#movements", "sent", request)


@router.post("/files/{file_id}/receive")
def receive(
    request: Request, file_id: RecordId, user: Annotated[UserInfo, Depends(RECEIVE)]
) -> Response:
    request.app.state.routing.receive(file_id, user.login)
    return redirect(f"/files/{file_id}#movements", "received", request)


@router.post("/files/{file_id}/pullback")
def pullback(
    request: Request,
    file_id: RecordId,
    user: Annotated[UserInfo, Depends(ROUTE)],
    remarks: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    request.app.state.routing.pullback(file_id, user.login, remarks=remarks)
    return redirect(f"/files/{file_id}#movements", "pulled_back", request)
