"""``/review`` (admins): pages OCR could not read well, and failed intake jobs.

Each page is shown as its image beside its text with the reason it is here;
the actions call ``registry.page_review`` and ``page_retry``, the same
functions as ``scanpipe page ...``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from scanpipe.hotfolder import review as intake
from scanpipe.page_retry import ROTATIONS, retry_page
from scanpipe.registry import page_review
from scanpipe.routing import UserInfo
from scanpipe.web.pages import FormRecordId, PageNumber, RecordId, form_int, redirect, render
from scanpipe.web.security import Access

router = APIRouter()
REVIEW = Access("review")
LANG_CHOICES = ("Devanagari", "hin+eng", "hin", "eng")


@router.get("/review")
def review_queue(request: Request, _: Annotated[UserInfo, Depends(REVIEW)]) -> Response:
    state = request.app.state
    pages = page_review.review_pages(state.registry)
    jobs = [i for i in intake.items(state.settings.home) if i.kind == "failed"]
    return render(
        request,
        "review.html",
        {"pages": pages, "jobs": jobs, "rotations": ROTATIONS, "langs": LANG_CHOICES},
    )


def _back(request: Request, file_id: RecordId, number: PageNumber, flash: str) -> Response:
    return redirect(f"/review#page-{file_id}-{number}", flash, request)


@router.post("/review/pages/{file_id}/{number}/retry")
def retry(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    user: Annotated[UserInfo, Depends(REVIEW)],
    rotate: Annotated[str, Form()] = "",
    langs: Annotated[str, Form(max_length=40)] = "",
    dpi: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    state = request.app.state
    result = retry_page(
        state.registry,
        state.settings,
        file_id,
        number,
        by=user.login,
        rotate=form_int(rotate, "rotate", -360, 360),
        langs=langs.strip() or None,
        dpi=form_int(dpi, "dpi", 50, 1200),
    )
    return _back(request, file_id, number, f"retried:{result.status}")


@router.post("/review/pages/{file_id}/{number}/correct")
def correct(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    user: Annotated[UserInfo, Depends(REVIEW)],
    text: Annotated[str, Form(max_length=200_000)],
) -> Response:
    page_review.correct_text(request.app.state.registry, file_id, number, text, user.login)
    return _back(request, file_id, number, "corrected")


@router.post("/review/pages/{file_id}/{number}/blank")
def blank(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    user: Annotated[UserInfo, Depends(REVIEW)],
) -> Response:
    page_review.mark_blank(request.app.state.registry, file_id, number, user.login)
    return _back(request, file_id, number, "blanked")


@router.post("/review/pages/{file_id}/{number}/move")
def move(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    user: Annotated[UserInfo, Depends(REVIEW)],
    to_file: FormRecordId,
) -> Response:
    page_review.move_page(request.app.state.registry, file_id, number, to_file, user.login)
    return _back(request, file_id, number, "moved")


@router.post("/review/pages/{file_id}/{number}/accept")
def accept(
    request: Request,
    file_id: RecordId,
    number: PageNumber,
    user: Annotated[UserInfo, Depends(REVIEW)],
) -> Response:
    page_review.accept_page(request.app.state.registry, file_id, number, user.login)
    return _back(request, file_id, number, "accepted")


@router.post("/review/jobs/{job}/retry")
def retry_job(
    request: Request,
    job: Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Za-z._-]+$")],
    user: Annotated[UserInfo, Depends(REVIEW)],
    rotate: Annotated[str, Form()] = "",
    langs: Annotated[str, Form(max_length=40)] = "",
    dpi: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """Put a failed intake job back in the queue with other settings; the watcher converts it.

    Converting in the request would hold a browser for minutes; ``scanpipe intake retry``
    on the CLI is the way to convert at once and watch the result.
    """
    ocr = intake.ocr_overrides(
        form_int(rotate, "rotate", -360, 360),
        langs.strip() if langs.strip() in LANG_CHOICES else None,
        form_int(dpi, "dpi", 50, 1200),
    )
    state = request.app.state
    queued = intake.requeue(state.settings, job, ocr, by=user.login, registry=state.registry)
    queued.release()
    return redirect("/review#intake", "requeued", request)


@router.post("/review/jobs/{job}/reject")
def reject_job(
    request: Request,
    job: Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Za-z._-]+$")],
    user: Annotated[UserInfo, Depends(REVIEW)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    state = request.app.state
    note = note or f"rejected on the web by {user.login}"
    intake.reject(state.settings.home, job, note, by=user.login, registry=state.registry)
    return redirect("/review#intake", "rejected", request)
