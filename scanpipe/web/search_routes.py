"""``/search``: ranked hits with highlighted snippets, thumbnails and filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from scanpipe.eoffice.fileno import parse_file_no
from scanpipe.eoffice.terms import DOCUMENT_KINDS
from scanpipe.errors import ScanpipeError
from scanpipe.registry.page_facts import FileFacts, file_facts, filter_options, page_kinds
from scanpipe.registry.search import Hit
from scanpipe.routing import UserInfo
from scanpipe.web.pages import redirect, render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")
SHOWN = 20  # hits on the page
FILTERED_POOL = 500  # hits ranked before filtering, when filters are set


@router.get("/")
def home(_: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    return redirect("/search")


@router.get("/search")
def search(
    request: Request,
    user: Annotated[UserInfo, Depends(VIEW)],
    q: Annotated[str, Query(max_length=500)] = "",
    office: str = "",
    section: str = "",
    year: Annotated[str, Query(max_length=4)] = "",
    doc_type: str = "",
    file_no: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    registry = request.app.state.registry
    filters = {
        "office": office,
        "section": section,
        "year": year,
        "doc_type": doc_type,
        "file_no": file_no,
    }
    rows: list[dict[str, object]] = []
    nearest: list[str] = []
    problem = None
    if q.strip():
        wanted_no = None
        if file_no.strip():
            try:
                wanted_no = parse_file_no(file_no).normalised
            except ScanpipeError as exc:
                problem = exc.message
        filtered = any(v.strip() for v in filters.values())
        hits = registry.search(q, limit=FILTERED_POOL if filtered else SHOWN)
        facts = file_facts(registry, {h.file_id for h in hits})
        kinds = (
            page_kinds(registry, {h.page_id for h in hits if h.kind == "page"}) if doc_type else {}
        )
        for hit in hits:
            fact = facts.get(hit.file_id)
            if fact is None or not _keep(
                hit, fact, kinds, office, section, year, doc_type, wanted_no
            ):
                continue
            rows.append({"hit": hit, "file": fact})
            if len(rows) == SHOWN:
                break
        if not hits:
            nearest = registry.suggest(q)
    return render(
        request,
        "search.html",
        {
            "q": q,
            "rows": rows,
            "filters": filters,
            "options": filter_options(registry),
            "kinds": DOCUMENT_KINDS,
            "problem": problem,
            "nearest": nearest,
        },
    )


def _keep(
    hit: Hit,
    fact: FileFacts,
    kinds: dict[int, str | None],
    office: str,
    section: str,
    year: str,
    doc_type: str,
    file_no: str | None,
) -> bool:
    if office and fact.office != office:
        return False
    if section and fact.section != section:
        return False
    if year and str(fact.year or "") != year.strip():
        return False
    if file_no is not None and fact.file_no_norm != file_no:
        return False
    return not doc_type or (hit.kind == "page" and kinds.get(hit.page_id) == doc_type)
