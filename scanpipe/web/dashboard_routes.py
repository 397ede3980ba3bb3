"""``/dashboard``: throughput, queues, why pages need review, and pendency by section."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from scanpipe.hotfolder import review as intake
from scanpipe.hotfolder import status
from scanpipe.registry.page_facts import digitisation_by_room, pages_since, review_reasons
from scanpipe.routing import AGE_BUCKETS, UserInfo
from scanpipe.web.i18n import label
from scanpipe.web.pages import lang_of, render
from scanpipe.web.security import Access

router = APIRouter()
VIEW = Access("view")


@router.get("/dashboard")
def dashboard(request: Request, _: Annotated[UserInfo, Depends(VIEW)]) -> Response:
    state = request.app.state
    now = datetime.now().astimezone()  # "today" is the office's day, not UTC's
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = day - timedelta(days=day.weekday())
    intake_status = status.collect(state.settings)
    reasons = review_reasons(state.registry)
    for item in intake.items(state.settings.home):
        if item.kind == "failed":
            reasons.append((f"intake: {item.reason.get('what', 'failed')}", 1))
    merged: dict[str, int] = defaultdict(int)
    for key, n in reasons:
        merged[key] += n
    lang = lang_of(request)

    def shown(key: str) -> str:  # "review: low OCR confidence N": the status in the reader's words
        status_word, sep, rest = key.partition(": ")
        if status_word in ("review", "failed", "ok"):
            return label(f"status_{status_word}", lang) + (sep + rest if sep else "")
        return key

    failures = sorted(((shown(k), n) for k, n in merged.items()), key=lambda kv: -kv[1])
    pendency = state.routing.pending()
    sections: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    late: dict[str, int] = defaultdict(int)
    for row in pendency.rows:
        counts = sections[row.user.section or "—"]
        for i, n in enumerate(row.buckets):
            counts[i] += n
        late[row.user.section or "—"] += row.overdue
    by_section = sorted(sections.items(), key=lambda kv: -sum(kv[1]))
    return render(
        request,
        "dashboard.html",
        {
            "today": pages_since(state.registry, day.astimezone(UTC)),
            "week": pages_since(state.registry, week.astimezone(UTC)),
            "ppm": intake_status["pages_per_minute_today"],
            "queue": intake_status["queue_depth"],
            "in_progress": intake_status["in_progress"],
            "waiting": [
                {**item, "until_text": datetime.fromtimestamp(item["until"]).strftime("%H:%M")}
                for item in intake_status["waiting_for_writer"]
            ],
            "failures": failures,
            "failures_max": max((n for _, n in failures), default=1),
            "sections": by_section,
            "sections_max": max((sum(c) for _, c in by_section), default=1),
            "buckets": [b[0] for b in AGE_BUCKETS],
            "late": late,
            "overdue_total": pendency.overdue,
            "stuck": state.routing.stuck_longest(10),
            "rooms": digitisation_by_room(state.registry),
        },
    )
