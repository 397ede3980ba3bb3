"""``/files/<id>``: metadata, pages beside their text, the PDF/A, notes and movements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, Response

from scanpipe.errors import NotFoundError
from scanpipe.routing import UserInfo
from scanpipe.web.highlight import highlight, query_tokens
from scanpipe.web.images import page_image
from scanpipe.web.pages import redirect, render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")  # every signed-in role reads files
NOTE = Access("note")  # drafting is open to every role; the routing rules decide the rest
FINALISE = Access("finalise")
ROUTE = Access("route")
RECEIVE = Access("receive")


@router.get("/files/{file_id}")
def file_view(
    request: Request, file_id: int, user: Annotated[UserInfo, Depends(VIEW)], q: str = ""
) -> Response:
    state = request.app.state
    registry, routing = state.registry, state.routing
    record = registry.get_record(file_id)
    info = registry.get_file(file_id)
    texts = registry.page_text(file_id).split("\f") if info.pages else []
    tokens = query_tokens(q, registry)
    pages = [
        {"info": p, "segments": highlight(text, tokens)}
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
    routing.log_access(file_id, user.login, "view", **({"q": q} if q else {}))
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
        },
    )


@router.get("/files/{file_id}/pdf")
def download_pdf(
    request: Request, file_id: int, user: Annotated[UserInfo, Depends(VIEW)]
) -> Response:
    info = request.app.state.registry.get_file(file_id)
    if info.pdf_path is None or not info.pdf_path.exists():
        raise NotFoundError(
            f"file {file_id} has no archived PDF/A",
            advice="it was registered by hand from paper; scan it to archive it",
        )
    request.app.state.routing.log_access(file_id, user.login, "download", what="pdf")
    name = f"file-{file_id}.pdf"
    return FileResponse(info.pdf_path, media_type="application/pdf", filename=name)


@router.get("/files/{file_id}/pages/{number}/{size}.png")
def page_png(
    request: Request,
    file_id: int,
    number: int,
    size: str,
    _: Annotated[UserInfo, Depends(VIEW)],
) -> Response:
    state = request.app.state
    path = page_image(state.registry, state.settings.home / "cache", file_id, number, size)
    return FileResponse(
        path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.post("/files/{file_id}/notes")
def add_note(
    request: Request,
    file_id: int,
    user: Annotated[UserInfo, Depends(NOTE)],
    body: Annotated[str, Form(max_length=20_000)],
) -> Response:
    note = request.app.state.routing.add_note(file_id, user.login, body)
    return redirect(f"/files/{file_id}#note-{note.id}", "note_saved", request)


@router.post("/notes/{note_id}/finalise")
def finalise_note(
    request: Request, note_id: int, user: Annotated[UserInfo, Depends(FINALISE)]
) -> Response:
    note = request.app.state.routing.finalise_note(note_id, user.login)
    return redirect(f"/files/{note.file_id}#note-{note.id}", "note_final", request)


@router.post("/files/{file_id}/send")
def send(
    request: Request,
    file_id: int,
    user: Annotated[UserInfo, Depends(ROUTE)],
    to: Annotated[list[str], Form()],
    remarks: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    request.app.state.routing.send(file_id, user.login, to, remarks=remarks)
    return redirect(f"/files/{file_id}#movements", "sent", request)


@router.post("/files/{file_id}/receive")
def receive(
    request: Request, file_id: int, user: Annotated[UserInfo, Depends(RECEIVE)]
) -> Response:
    request.app.state.routing.receive(file_id, user.login)
    return redirect(f"/files/{file_id}#movements", "received", request)


@router.post("/files/{file_id}/pullback")
def pullback(
    request: Request,
    file_id: int,
    user: Annotated[UserInfo, Depends(ROUTE)],
    remarks: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    request.app.state.routing.pullback(file_id, user.login, remarks=remarks)
    return redirect(f"/files/{file_id}#movements", "pulled_back", request)
