"""``/search``: ranked hits with highlighted snippets, thumbnails and filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from scanpipe.eoffice.fileno import parse_file_no
from scanpipe.eoffice.terms import DOCUMENT_KINDS
from scanpipe.errors import ScanpipeError
from scanpipe.registry.page_facts import browse_files, file_facts, filter_options
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.routing import UserInfo
from scanpipe.web.pages import render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")
SHOWN = 20  # hits on the page


def by_file(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Hits grouped under their file, files in the order of their best hit."""
    groups: dict[int, dict[str, object]] = {}
    for row in rows:
        hit = row["hit"]
        group = groups.setdefault(hit.file_id, {"file": row["file"], "hits": []})  # type: ignore[attr-defined]
        group["hits"].append(hit)  # type: ignore[attr-defined]
    return list(groups.values())


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
    groups: list[dict[str, object]] = []
    browsed: list[object] = []
    nearest: list[str] = []
    problem = None
    wanted_no = ""
    if file_no.strip():
        try:
            wanted_no = parse_file_no(file_no).normalised
        except ScanpipeError as exc:
            problem = exc.message
    where = SearchFilter(
        office=office.strip(),
        section=section.strip(),
        year=int(year) if year.strip().isdigit() else None,
        file_no=wanted_no,
        doc_type=doc_type.strip(),
        reader=request.app.state.routing.reader(user.login),  # the read rule, before ranking
    )
    if year.strip() and where.year is None:
        problem = problem or f"{year!r}: not a year / यह वर्ष नहीं है"
    browsing = not q.strip() and any(v.strip() for v in filters.values()) and not problem
    if q.strip():
        hits = registry.search(q, limit=SHOWN, where=where)
        request.app.state.routing.log_access(None, user.login, "search", q=q, hits=len(hits))
        facts = file_facts(registry, {h.file_id for h in hits})
        rows = [{"hit": h, "file": facts[h.file_id]} for h in hits if h.file_id in facts]
        groups = by_file(rows)
        if not hits:
            nearest = registry.suggest(q)
    elif browsing:  # filters alone: the files themselves, e.g. a section's files of 2019
        ids = browse_files(registry, where)
        facts = file_facts(registry, set(ids))
        browsed = [facts[i] for i in ids if i in facts]
        request.app.state.routing.log_access(None, user.login, "browse", hits=len(browsed))
    return render(
        request,
        "search.html",
        {
            "q": q,
            "rows": rows,
            "groups": groups,
            "browsing": browsing,
            "browsed": browsed,
            "filters": filters,
            "options": filter_options(registry),
            "kinds": DOCUMENT_KINDS,
            "problem": problem,
            "nearest": nearest,
        },
    )
