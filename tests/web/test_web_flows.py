"""What officers and admins do, in a real browser (Debian's Chromium, headless).

Screenshots of every page at 1366x768 and at phone width go to
build/screenshots/ as artefacts. The steps share one server and run in order:
sign in, search, open the page, note, send, review.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from scanpipe.registry import FileDraft
from scanpipe.registry.store import Registry
from scanpipe.routing import Routing
from web import webdata
from web.support import DESKTOP, PHONE, Server, shoot

pytest.importorskip("playwright")


def _context(browser: object, viewport: dict[str, int]) -> object:
    return browser.new_context(viewport=viewport, locale="hi-IN")  # type: ignore[attr-defined]


def _sign_in(page: object, server: Server, login: str) -> None:
    page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
    page.fill("#login", login)  # type: ignore[attr-defined]
    page.fill("#password", webdata.PASSWORD)  # type: ignore[attr-defined]
    page.click("form[action='/login'] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]  # lands on the inbox
    assert page.locator("#with-me").count() == 1  # type: ignore[attr-defined]


def _fits(page: object) -> bool:
    """No sideways scrolling: the layout fits the viewport's width."""
    return page.evaluate(  # type: ignore[attr-defined]
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def _image_loaded(page: object, selector: str, timeout_s: float = 15) -> bool:
    """Wait until the image has pixels (polled: the app's CSP forbids eval'd predicates)."""
    deadline = time.monotonic() + timeout_s
    while True:
        loaded = page.eval_on_selector(  # type: ignore[attr-defined]
            selector, "img => img.complete && img.naturalWidth > 0"
        )
        if loaded or time.monotonic() > deadline:
            return loaded
        time.sleep(0.1)


@pytest.fixture(scope="module")
def officer(browser: object, server: Server) -> Iterator[object]:
    context = _context(browser, DESKTOP)
    page = context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "o.verma")
    yield page
    context.close()  # type: ignore[attr-defined]


def test_sign_in_page_renders_hindi(browser: object, server: Server) -> None:
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = _context(browser, viewport)
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto(f"{server.url}/search")
        assert page.url.startswith(f"{server.url}/login")  # signed out: sent to sign in
        assert page.inner_text("h1") == "साइन इन करें"
        # Devanagari is shaped by a real font, not tofu boxes: the heading has width
        assert page.eval_on_selector("h1", "e => e.getBoundingClientRect().width") > 50
        assert _fits(page)
        shoot(page, f"login-{name}")
        context.close()  # type: ignore[attr-defined]


def test_search_a_hindi_word_shows_highlighted_snippet(officer: object, server: Server) -> None:
    page = officer
    page.fill("input[name=q]", "कलेक्टर")  # type: ignore[attr-defined]
    page.click("form[role=search] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("li.hit")  # type: ignore[attr-defined]
    hits = page.locator("li.hit")  # type: ignore[attr-defined]
    assert hits.count() == 1  # only the letter says कलेक्टर
    marks = hits.first.locator("mark").all_inner_texts()
    assert marks and all(m == "कलेक्टर" for m in marks)
    group = page.locator("li.file-group")  # type: ignore[attr-defined]
    assert group.count() == 1 and "A-11011/5/2020-REV" in group.first.inner_text()
    assert _image_loaded(page, "li.hit img")
    shoot(page, "search-desktop")
    # a filter that excludes the letter's section leaves nothing
    page.goto(f"{server.url}/search?q=कलेक्टर&section=EST")  # type: ignore[attr-defined]
    assert page.locator("li.hit").count() == 0  # type: ignore[attr-defined]
    page.goto(f"{server.url}/search?q=कलेक्टर&section=REV&year=2020")  # type: ignore[attr-defined]
    assert page.locator("li.hit").count() == 1  # type: ignore[attr-defined]


def test_search_in_roman_letters_says_what_matched(officer: object, server: Server) -> None:
    page = officer
    page.goto(f"{server.url}/search?q=kalektar")  # type: ignore[attr-defined]
    hits = page.locator("li.hit")  # type: ignore[attr-defined]
    assert hits.count() == 1
    assert "कलेक्टर" in hits.first.locator(".also-matched").inner_text()
    assert hits.first.locator("mark").all_inner_texts()[0] == "कलेक्टर"
    hits.first.locator("a.where").click()  # the page opened from the hit marks the variant
    page.wait_for_url("**/files/*")  # type: ignore[attr-defined]
    assert "कलेक्टर" in page.locator("#page-1 mark").all_inner_texts()  # type: ignore[attr-defined]
    page.goto(f"{server.url}/search?q=kal")  # type: ignore[attr-defined]
    assert page.locator("li.hit").count() == 0  # type: ignore[attr-defined]
    page.goto(f"{server.url}/search?q=कलेक्टर")  # type: ignore[attr-defined]  # the next test starts here


def test_open_the_page_from_a_hit(officer: object, server: Server) -> None:
    page = officer
    page.click("li.hit a.where")  # type: ignore[attr-defined]
    page.wait_for_url(f"**/files/{server.data.letter_id}?q=*#page-1")  # type: ignore[attr-defined]
    section = page.locator("#page-1")  # type: ignore[attr-defined]
    assert section.locator("pre.ocr mark").first.inner_text() == "कलेक्टर"
    assert _image_loaded(page, "#page-1 img")
    assert page.locator("#download").count() == 1  # type: ignore[attr-defined]
    shoot(page, "file-desktop")
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        log = Routing(reg).audit_log(file_id=server.data.letter_id, login="o.verma")
    assert any(e.action == "view" and "कलेक्टर" in e.detail for e in log)


def test_add_a_note_and_finalise_it(officer: object, server: Server) -> None:
    page = officer
    page.fill("#note-body", "प्रस्ताव अनुमोदन हेतु प्रस्तुत है।")  # type: ignore[attr-defined]
    page.click("#note-form button[type=submit]")  # type: ignore[attr-defined]
    draft = page.locator(".note.draft")  # type: ignore[attr-defined]
    assert draft.count() == 1
    assert "प्रस्ताव अनुमोदन" in draft.inner_text()
    draft.locator("button.finalise").click()
    final = page.locator(".note.final")  # type: ignore[attr-defined]
    assert final.count() == 1 and "¶1" in final.inner_text()
    assert page.locator(".note.draft").count() == 0  # type: ignore[attr-defined]
    # a final note is searchable, and its hit leads to the notes
    page.goto(f"{server.url}/search?q=अनुमोदन")  # type: ignore[attr-defined]
    hit = page.locator("li.hit[data-kind=note]")  # type: ignore[attr-defined]
    assert hit.count() == 1
    hit.locator("a.where").click()
    page.wait_for_url("**#note-*")  # type: ignore[attr-defined]
    assert page.locator(".note.final mark").first.inner_text() == "अनुमोदन"  # type: ignore[attr-defined]


def test_send_pull_back_and_receive(officer: object, browser: object, server: Server) -> None:
    page = officer
    file_url = f"{server.url}/files/{server.data.letter_id}"
    page.goto(file_url)  # type: ignore[attr-defined]
    page.select_option("#send-to", "a.khan")  # type: ignore[attr-defined]
    page.fill("#send-remarks", "कृपया देखें")  # type: ignore[attr-defined]
    page.click("#send-form button[type=submit]")  # type: ignore[attr-defined]
    history = page.locator("table.history")  # type: ignore[attr-defined]
    assert "भेजी गई" in history.inner_text() and "कृपया देखें" in history.inner_text()
    assert "Khan" in page.locator("#movements ul").inner_text()  # type: ignore[attr-defined]
    page.click("#pullback")  # type: ignore[attr-defined]
    assert "वापस ली गई" in page.locator("table.history").inner_text()  # type: ignore[attr-defined]
    assert "Verma" in page.locator("#movements ul").inner_text()  # type: ignore[attr-defined]
    page.select_option("#send-to", "a.khan")  # type: ignore[attr-defined]
    page.fill("#send-due", "2001-01-31")  # type: ignore[attr-defined]
    page.select_option("#send-priority", "immediate")  # type: ignore[attr-defined]
    page.click("#send-form button[type=submit]")  # type: ignore[attr-defined]
    assert page.locator("#pullback").count() == 1  # type: ignore[attr-defined]
    assert page.locator("#movements .late").count() == 1  # type: ignore[attr-defined]

    context = _context(browser, DESKTOP)
    khan = context.new_page()  # type: ignore[attr-defined]
    _sign_in(khan, server, "a.khan")  # lands on the inbox: the file waits, overdue
    waiting = khan.locator("#to-receive tr.overdue")
    assert waiting.count() == 1 and "31/01/2001" in waiting.inner_text()
    assert "तत्काल" in waiting.inner_text() or "Immediate" in waiting.inner_text()
    assert khan.locator("#notices .badge").count() == 1  # told in the app, unread
    khan.click("#notices")
    arrived = khan.locator("ul.notices li[data-kind=arrived].unread")
    assert arrived.count() >= 1 and "31/01/2001" in arrived.first.inner_text()
    khan.click("#mark-read")
    assert khan.locator("#notices .badge").count() == 0
    khan.goto(file_url)
    khan.click("#receive")
    assert "प्राप्त की गई" in khan.locator("table.history").inner_text()
    assert khan.locator("#receive").count() == 0
    context.close()  # type: ignore[attr-defined]
    page.goto(file_url)  # type: ignore[attr-defined]
    assert page.locator("#pullback").count() == 0  # opened: pull back is no longer offered
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        where = Routing(reg).where(server.data.letter_id)
    assert [h.user.login for h in where.holders] == ["a.khan"]
    assert where.holders[0].opened_at is not None


def test_dashboard_and_language_switch(browser: object, server: Server) -> None:
    context = _context(browser, DESKTOP)
    page = context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "admin")
    page.goto(f"{server.url}/dashboard")
    assert page.inner_text("#stat-today .value") == "5"  # both files were registered today
    failures = page.inner_text("#failures")
    # the status in Hindi (a hi-IN browser), the reason as the pipeline wrote it
    assert "विफल: OCR failed" in failures and "समीक्षा हेतु: low OCR confidence N" in failures
    assert "EST" in page.inner_text("#pendency")  # a.khan (EST) holds the letter
    stuck = page.locator("#stuck tbody tr")
    assert stuck.count() >= 1 and "A-11011/5/2020-REV" in page.inner_text("#stuck")
    rooms = page.inner_text("#rooms")  # both files digitised: 100% of their room
    assert "100%" in rooms
    shoot(page, "dashboard-desktop")
    page.click("#lang-switch")
    page.wait_for_url("**/dashboard")
    assert page.inner_text("h1") == "Dashboard"
    assert "Pages converted today" in page.inner_text("#stat-today")
    context.close()  # type: ignore[attr-defined]


def test_review_a_failed_page_and_retry_it(browser: object, server: Server) -> None:
    context = _context(browser, DESKTOP)
    page = context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "admin")
    page.goto(f"{server.url}/review")
    review_id = server.data.review_id
    failed = page.locator(f"#page-{review_id}-2")
    assert "OCR failed" in failed.locator(".reason").inner_text()
    assert _image_loaded(page, f"#page-{review_id}-2 img")
    assert page.locator(f"#page-{review_id}-3").count() == 1
    shoot(page, "review-desktop")
    page.set_viewport_size(PHONE)
    assert _fits(page)
    shoot(page, "review-phone")
    page.set_viewport_size(DESKTOP)
    failed.locator("form.retry select[name=rotate]").select_option("0")
    failed.locator("form.retry input[name=dpi]").fill("150")
    failed.locator("form.retry button[type=submit]").click()
    page.wait_for_selector(".flash")
    assert page.locator(f"#page-{review_id}-2").count() == 0  # read, so out of the queue
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        text = reg.page_text(review_id, 2)
        hits = reg.search("page", limit=5)
    assert text.startswith("page of ")  # what the fake engine reads from the real image
    assert [(h.file_id, h.page_number) for h in hits] == [(review_id, 2)]
    # the low-confidence page: correct its text by hand; search finds the new words
    low = page.locator(f"#page-{review_id}-3")
    low.locator("textarea").fill("धुंधला पत्र सुधारा गया सीमांकन")
    low.locator("form.correct button[type=submit]").click()
    page.wait_for_selector(".flash")
    assert page.locator("section.review-page").count() == 0
    page.goto(f"{server.url}/search?q=सुधारा")
    # the corrected page comes first; near spellings (सुधार) may follow it
    assert "सुधारा गया" in page.locator("li.hit").first.inner_text()
    context.close()  # type: ignore[attr-defined]


def test_every_page_fits_a_phone(browser: object, server: Server) -> None:
    context = _context(browser, PHONE)
    page = context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "admin")
    for name, path in (
        ("search", "/search?q=कलेक्टर"),
        ("file", f"/files/{server.data.letter_id}?q=कलेक्टर"),
        ("dashboard", "/dashboard"),
    ):
        page.goto(f"{server.url}{path}")
        assert _fits(page), name
        shoot(page, f"{name}-phone")
    context.close()  # type: ignore[attr-defined]


def test_read_a_page_zoomed_and_on_a_phone_the_actions_come_first(
    browser: object, server: Server
) -> None:
    context = _context(browser, DESKTOP)
    page = context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "admin")
    page.goto(f"{server.url}/files/{server.data.letter_id}")
    viewer = page.locator("#viewer-1")
    fitted = viewer.locator("img").bounding_box()
    viewer.locator("button.zoom").click()
    loaded = "(() => { const i = document.querySelector('#viewer-1 img');"
    loaded += " return i.src.endsWith('/large.png') && i.complete && i.naturalWidth > 0; })()"
    for _ in range(100):  # the page's CSP forbids wait_for_function's eval: poll from here
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(100)
    assert "zoomed" in viewer.get_attribute("class")
    assert page.evaluate("document.querySelector('#viewer-1 img').naturalWidth") == 1800
    zoomed = viewer.locator("img").bounding_box()
    assert zoomed["width"] > 1.5 * fitted["width"]  # full size, panned inside its frame
    text = page.locator("#page-1 pre.ocr").inner_text()
    assert "\n\n" not in text  # the page's lines, not double-spaced
    context.close()  # type: ignore[attr-defined]
    phone = _context(browser, {"width": 390, "height": 844})
    small = phone.new_page()  # type: ignore[attr-defined]
    _sign_in(small, server, "admin")
    small.goto(f"{server.url}/files/{server.data.letter_id}")
    actions = small.locator("#movements").bounding_box()
    first_image = small.locator("#page-1").bounding_box()
    assert actions["y"] < first_image["y"]
    assert _fits(small)
    shoot(small, "file-phone")
    phone.close()  # type: ignore[attr-defined]


def test_an_officers_day_receive_note_finalise_on_send_and_notify(
    browser: object, server: Server
) -> None:
    reg = server.app.state.registry  # type: ignore[attr-defined]
    fid = reg.register_file(
        FileDraft(file_no="77/2026-EST", subject="दिवस की फ़ाइल", nature="electronic")
    )
    Routing(reg).send(fid, "admin", ["o.verma"], due_on=date(2001, 1, 31), priority="today")
    context = _context(browser, DESKTOP)
    page = context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "o.verma")  # lands on the inbox
    row = page.locator(f"#to-receive tr.overdue:has(a[href='/files/{fid}'])")
    assert row.count() == 1 and "आज ही" in row.inner_text()
    row.locator("a").first.click()
    page.click("#receive")
    page.fill("#note-body", "कृपया अनुमोदन करें।")
    page.click("#note-form button[type=submit]")
    assert page.locator("#drafts-warning").count() == 1  # the send form warns of the draft
    page.select_option("#send-to", "a.khan")
    page.click("#send-finalise")
    assert page.locator(".flash").count() == 1
    assert (
        page.locator(".note.final").count() == 1
        and "¶1" in page.locator(".note.final").inner_text()
    )
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as check:
        where = Routing(check).where(fid)
        assert [h.user.login for h in where.holders] == ["a.khan"]
        assert any(n.kind == "arrived" for n in Routing(check).notices("a.khan"))
    context.close()  # type: ignore[attr-defined]


def _born_digital_letter(server: Server) -> int:
    """A letter with its own text layer, through the pipeline into the server's registry."""
    from scanpipe.digital_samples import write_text_pdf
    from scanpipe.executors import LocalPool
    from scanpipe.pipeline import convert
    from scanpipe.sample_text import letter_lines

    settings = server.data.settings.with_ocr(engine="fakes:FakeEngine")
    source = write_text_pdf(settings.home / "born-digital.pdf", [letter_lines(3)])
    pool = LocalPool(1)
    try:
        reg = server.app.state.registry  # type: ignore[attr-defined]
        (outcome,) = list(convert([source], settings, reg, pool))
    finally:
        pool.close()
    assert outcome.file_id is not None
    return outcome.file_id


def test_a_searched_word_is_marked_on_the_page_image(browser: object, server: Server) -> None:
    context = _context(browser, DESKTOP)
    page = context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "admin")
    fid = _born_digital_letter(server)  # its archive keeps the words' positions
    page.goto(f"{server.url}/files/{fid}?q=कलेक्टर#page-1")
    for _ in range(100):  # the viewer fetches the boxes after the page loads
        if page.evaluate("document.querySelector('#viewer-1').dataset.marked !== undefined"):
            break
        page.wait_for_timeout(100)
    marks = page.locator("#viewer-1 .mark-box")
    assert marks.count() >= 1
    box, sheet = marks.first.bounding_box(), page.locator("#viewer-1 img").bounding_box()
    assert sheet["x"] <= box["x"] < sheet["x"] + sheet["width"] and box["width"] > 5
    page.goto(f"{server.url}/files/{fid}")  # no query, no marks
    assert page.locator("#viewer-1[data-marks]").count() == 0
    context.close()  # type: ignore[attr-defined]
