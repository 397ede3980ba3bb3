"""Accessibility: axe-core (the engine behind most WCAG checkers) finds no serious or
critical violation on the officer's pages, in Hindi, at desktop and phone sizes. GIGW,
India's guidelines for government websites, ask for WCAG 2.x AA."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.support import DESKTOP, PHONE, Server, shoot
from web.test_web_flows import _context, _sign_in

axe_package = pytest.importorskip("axe_playwright_python")
AXE = Path(axe_package.__file__).with_name("axe.min.js").read_text(encoding="utf-8")
SERIOUS = ("serious", "critical")


def _violations(page: object) -> list[str]:
    page.evaluate(AXE)  # type: ignore[attr-defined]  # through the debugger: the CSP allows it
    result = page.evaluate(  # type: ignore[attr-defined]
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_officers_pages_have_no_serious_accessibility_violation(
    browser: object, server: Server, viewport: dict[str, int]
) -> None:
    context = _context(browser, viewport)
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
    found = {"/login": _violations(page)}
    _sign_in(page, server, "admin")
    for path in (
        "/",
        "/search?q=कलेक्टर",
        "/search?section=REV",
        f"/files/{server.data.letter_id}",
        "/notifications",
        "/dashboard",
        "/review",
    ):
        page.goto(f"{server.url}{path}")  # type: ignore[attr-defined]
        found[path] = _violations(page)
    size = "desktop" if viewport is DESKTOP else "phone"
    for lang in ("hi", "en"):  # the artefacts to look at: both languages, both sizes
        context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])  # type: ignore[attr-defined]
        for name, path in (("inbox", "/"), ("file", f"/files/{server.data.letter_id}")):
            page.goto(f"{server.url}{path}")  # type: ignore[attr-defined]
            shoot(page, f"{name}-{lang}-{size}")
    context.close()  # type: ignore[attr-defined]
    assert {path: v for path, v in found.items() if v} == {}
