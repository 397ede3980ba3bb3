"""A Hindi page carries no English of its own: every Latin word on it is data (a file
number, a name, OCR text of an English letter), never a label, status or history word."""

from __future__ import annotations

import html
import re

import httpx

from scanpipe.registry.store import Registry
from scanpipe.routing import Routing
from web.support import Server, csrf_from, sign_in

# Words that are the same in both languages in Indian offices' Hindi.
SAME_IN_HINDI = {"PDF", "OCR", "scanpipe", "Kruti", "Dev", "DevLys"}
SWITCH = {"English"}  # the language switch offers English by its own name
_LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


def _visible(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)  # tags, with their attributes
    return html.unescape(page)


def _data_words(server: Server) -> set[str]:
    """Every Latin word the registry holds as data, the words a page may show as they are."""
    reg = server.app.state.registry  # type: ignore[attr-defined]
    words: set[str] = set()
    routing = Routing(reg)
    for user in routing.list_users():
        words |= set(_LATIN.findall(f"{user.login} {user.name} {user.designation} {user.section}"))
    for fid in (server.data.letter_id, server.data.review_id):
        record = reg.get_record(fid)
        info = reg.get_file(fid)
        words |= set(_LATIN.findall(" ".join(str(v) for v in vars(record).values() if v)))
        words |= set(_LATIN.findall(reg.page_text(fid)))
        for page in info.pages:
            words |= set(_LATIN.findall(f"{page.reason} {page.source_note}"))
        for move in routing.where(fid).path:
            words |= set(_LATIN.findall(move.remarks))
    assert isinstance(reg, Registry)
    return words


def test_hindi_pages_show_no_english_label(server: Server) -> None:
    allowed = _data_words(server) | SAME_IN_HINDI | SWITCH
    fid = server.data.letter_id
    pages = ["/", f"/files/{fid}", "/search?q=कलेक्टर", "/notifications", "/dashboard"]
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        sign_in(client, "o.verma")
        client.cookies.set("lang", "hi")
        leftovers = {}
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            english = set(_LATIN.findall(_visible(response.text))) - allowed
            if english:
                leftovers[path] = sorted(english)
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        sign_in(client, "admin")  # the review queue is the admin's page
        client.cookies.set("lang", "hi")
        response = client.get("/review")
        english = set(_LATIN.findall(_visible(response.text))) - allowed
        if english:
            leftovers["/review"] = sorted(english)
    assert leftovers == {}


def test_a_refused_action_is_explained_in_hindi_without_shell_advice(server: Server) -> None:
    fid = server.data.review_id  # nobody holds it: o.verma may not pull it back
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        sign_in(client, "o.verma")
        client.cookies.set("lang", "hi")
        token = csrf_from(client.get(f"/files/{fid}").text)
        refused = client.post(f"/files/{fid}/pullback", data={"csrf": token})
        assert refused.status_code == 409
        page = _visible(refused.text)
        assert 'class="explain"' in refused.text and re.search("[\u0900-\u097f]{3}", page)
        assert "scanpipe file" not in page  # the CLI's advice stays in the CLI
        assert "व्यवस्थापक" in page  # the web's own advice, in Hindi


def test_a_missing_file_is_explained_in_hindi(server: Server) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        sign_in(client, "o.verma")
        client.cookies.set("lang", "hi")
        missing = client.get("/files/99999")
        assert missing.status_code == 404
        assert "ऐसा कोई पृष्ठ या फ़ाइल नहीं है" in missing.text
        client.cookies.set("lang", "en")
        assert "There is no such page or file" in client.get("/files/99999").text
