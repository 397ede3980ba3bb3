"""Every read route, HTML and API, against the read rule's own table.

Routes (every GET with a file id) x roles (operator and officer of the file's
section, officer of another section, records, admin) x gradings x (on the
file's movement path or not). ``expected`` is the rule written out again from
docs/access.md, independently of its SQL; each cell is one request to the
running server. Holders come last, since a movement path is never undone.
"""

from __future__ import annotations

import re

import httpx
import pytest

from scanpipe.eoffice.terms import Grading
from scanpipe.routing import Routing
from scanpipe.web.app import page_routes
from web.support import Server, sign_in

USERS = {  # login: (role, the file's section is theirs)
    "op.das": ("operator", True),
    "o.verma": ("officer", True),
    "a.khan": ("officer", False),
    "r.sahu": ("records", True),
    "admin": ("admin", False),
}


def expected(role: str, grading: Grading, own_section: bool, on_path: bool) -> bool:
    if role in ("admin", "records") or on_path:
        return True
    if not own_section:
        return False
    if grading is Grading.NORMAL:
        return True
    return grading is Grading.CONFIDENTIAL and role == "officer"


def _read_paths(server: Server, fid: int) -> list[str]:
    values = {"file_id": str(fid), "number": "1", "size": "thumb"}
    paths = []
    for route in page_routes(server.app):  # type: ignore[arg-type]
        if "GET" in (route.methods or ()) and "{file_id}" in route.path:
            paths.append(re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path))
    return paths


@pytest.fixture(scope="module")
def clients(server: Server) -> dict[str, tuple[httpx.Client, httpx.Client]]:
    routing = Routing(server.app.state.registry)  # type: ignore[attr-defined]
    out = {}
    for login in USERS:
        browser = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
        assert sign_in(browser, login).status_code == 303
        token = routing.create_token(login, "matrix")[1]
        api = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        out[login] = (browser, api)
    yield out
    for browser, api in out.values():
        browser.close()
        api.close()


def test_every_read_route_follows_the_rule(
    server: Server, clients: dict[str, tuple[httpx.Client, httpx.Client]]
) -> None:
    fid = server.data.letter_id  # the Revenue section's file
    reg = server.app.state.registry  # type: ignore[attr-defined]
    paths = _read_paths(server, fid)
    assert len(paths) >= 8  # page, pdf, image; API facts, text, image, where, notes
    before = reg.get_record(fid).grading
    checked = 0
    try:
        for on_path in (False, True):
            if on_path:  # the records room sends the file to everyone else
                Routing(reg).send(fid, "r.sahu", ["o.verma", "a.khan", "admin"])
            for grading in Grading:
                reg.edit_file(fid, {"grading": grading.value})
                for login, (role, own) in USERS.items():
                    # operators are never sent files; records holds it by sending
                    path_now = on_path and role in ("officer", "admin", "records")
                    want = expected(role, grading, own, path_now)
                    browser, api = clients[login]
                    for path in paths:
                        client = api if path.startswith("/api/") else browser
                        status = client.get(path).status_code
                        assert status == (200 if want else 404), (
                            login, grading.value, on_path, path, status
                        )  # fmt: skip
                        checked += 1
    finally:
        reg.edit_file(fid, {"grading": str(before)})
    assert checked == 2 * len(Grading) * len(USERS) * len(paths)
