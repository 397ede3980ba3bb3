"""Access control over every route, CSRF, cookies, sign-in limits and error pages.

The route table is read from the app itself, so a route added later without
an access rule, or open to the wrong roles, fails here.
"""

from __future__ import annotations

import html
import re

import httpx
from fastapi.testclient import TestClient

from scanpipe.registry.store import Registry
from scanpipe.routing import Routing
from scanpipe.web import WebConfig, create_app
from scanpipe.web.app import access_of, page_routes
from web import webdata
from web.support import Server, csrf_from, sign_in

PUBLIC_ROUTES = {("GET", "/login"), ("POST", "/login"), ("GET", "/lang/{code}")}
ROLES = {role: login for login, role, _ in webdata.USERS}


def _url(path: str, server: Server) -> str:
    values = {
        "file_id": str(server.data.letter_id),
        "number": "1",
        "size": "thumb",
        "note_id": "1",
        "code": "en",
        "job": "20260101-000000-abcdef",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _routes(server: Server) -> list[tuple[str, str, object]]:
    out = []
    for route in page_routes(server.app):  # type: ignore[arg-type]
        for method in sorted(route.methods or ()):
            out.append((method, route.path, access_of(route)))
    return out


def _client(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)


def test_every_route_declares_who_may_use_it(server: Server) -> None:
    routes = _routes(server)
    assert len(routes) >= 20
    missing = [(m, p) for m, p, access in routes if access is None]
    assert not missing, f"routes without an Access dependency: {missing}"
    public = {(m, p) for m, p, access in routes if access.action is None}  # type: ignore[attr-defined]
    assert public == PUBLIC_ROUTES


def test_signed_out_requests_go_to_sign_in(server: Server) -> None:
    with _client(server) as client:
        for method, path, access in _routes(server):
            if access.action is None:  # type: ignore[attr-defined]
                continue
            response = client.request(method, _url(path, server), data={"body": "x"})
            if path.startswith("/api/"):  # the API takes a token, not a session: 401, JSON
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.json()["error"]
                continue
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login"), (method, path)
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        assert Routing(reg).notes(server.data.letter_id) == []  # the POST did nothing


def test_wrong_roles_are_refused_on_every_restricted_route(server: Server) -> None:
    checked = 0
    for method, path, access in _routes(server):
        roles = access.roles  # type: ignore[attr-defined]
        if access.action is None or roles is None:  # type: ignore[attr-defined]
            continue
        for role, login in ROLES.items():
            if role in roles:
                continue
            with _client(server) as client:
                assert sign_in(client, login).status_code == 303
                token = csrf_from(client.get("/search").text)
                response = client.request(method, _url(path, server), data={"csrf": token})
                assert response.status_code == 403, (role, method, path, response.status_code)
                checked += 1
    assert checked >= 10  # operator, records, officer refused review; operator refused routing


def test_operator_cannot_finalise_and_only_admins_see_review(server: Server) -> None:
    with _client(server) as client:
        sign_in(client, "op.das")
        assert client.get("/review").status_code == 403
        assert "/review" not in client.get("/search").text  # not even offered
    with _client(server) as client:
        sign_in(client, "admin")
        assert client.get("/review").status_code == 200


def test_forms_without_their_csrf_token_are_refused(server: Server) -> None:
    file_id = server.data.letter_id
    with _client(server) as client:
        sign_in(client, "o.verma")
        token = csrf_from(client.get(f"/files/{file_id}").text)
        for data in ({"body": "बिना टोकन"}, {"body": "गलत टोकन", "csrf": "x" * 43}):
            response = client.post(f"/files/{file_id}/notes", data=data)
            assert response.status_code == 403
            assert "security token" in response.text
        ok = client.post(f"/files/{file_id}/notes", data={"body": "टोकन सहित", "csrf": token})
        assert ok.status_code == 303
        page = client.get(f"/files/{file_id}").text
    assert "टोकन सहित" in page
    assert "बिना टोकन" not in page and "गलत टोकन" not in page


def test_sign_in_form_needs_its_token_too(server: Server) -> None:
    with _client(server) as client:
        response = client.post("/login", data={"login": "admin", "password": webdata.PASSWORD})
        assert response.status_code == 403
        assert client.get("/search").status_code == 303  # still signed out


def test_sign_in_redirects_only_within_the_site(server: Server) -> None:
    with _client(server) as client:
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={"login": "admin", "password": webdata.PASSWORD, "csrf": token,
                  "next": "//evil.example/x"},
        )  # fmt: skip
        assert response.status_code == 303
        assert response.headers["location"] == "/"


def test_wrong_password_is_refused(server: Server) -> None:
    with _client(server) as client:
        response = sign_in(client, "a.khan", "not the password")
        assert response.status_code == 401
        assert client.get("/search").status_code == 303


def _fresh_app(server: Server, registry: Registry, secure: bool = True) -> TestClient:
    web = WebConfig(secret_key="s" * 64, secure_cookies=secure, login_attempts=3, ip_attempts=5)
    app = create_app(server.data.settings, web, registry=registry)
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def test_cookies_are_secure_httponly_and_samesite_by_default(server: Server) -> None:
    with (
        Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg,
        _fresh_app(server, reg) as client,
    ):
        response = sign_in(client, "admin")
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert "scanpipe_session=" in cookie
        assert "; secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
        lang = client.get("/lang/en").headers["set-cookie"].lower()
        assert "; secure" in lang and "httponly" in lang
    with _client(server) as client:  # the test server turned Secure off for plain http
        assert "; secure" not in sign_in(client, "admin").headers["set-cookie"].lower()


def test_library_errors_become_pages_with_their_rule(server: Server) -> None:
    with _client(server) as client:
        sign_in(client, "a.khan")
        missing = client.get("/files/99999")
        assert missing.status_code == 404
        assert "file 99999 was not found, or you may not read it" in missing.text
        token = csrf_from(client.get("/search").text)
        refused = client.post(f"/files/{server.data.letter_id}/pullback", data={"csrf": token})
        assert refused.status_code == 409
        assert "pullback-sender" in refused.text


def test_security_headers_and_no_store(server: Server) -> None:
    with _client(server) as client:
        sign_in(client, "admin")
        response = client.get("/search")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_graded_file_is_refused_on_every_read_path(server: Server) -> None:
    """An operator cannot open, download, see the pages of, or find a top-secret file;
    an admin can, and the file page shows the grading."""
    fid = server.data.letter_id
    reg = server.app.state.registry  # type: ignore[attr-defined]
    with _client(server) as client:
        sign_in(client, "admin")
        page = client.get(f"/files/{fid}")
        assert page.status_code == 200
        assert "सुरक्षा वर्गीकरण" in page.text or "Security grading" in page.text
    before = reg.get_record(fid).grading
    reg.edit_file(fid, {"grading": "top-secret"})
    try:
        with _client(server) as client:
            sign_in(client, "op.das")
            for path in (
                f"/files/{fid}",
                f"/files/{fid}/pdf",
                f"/files/{fid}/pages/1/view.png",
                f"/files/{fid}/pages/1/thumb.png",
            ):
                response = client.get(path)
                assert response.status_code == 404, path
                assert "कलेक्टर" not in response.text
            found = client.get("/search?q=कलेक्टर")
            assert found.status_code == 200 and 'class="hit"' not in found.text
            browsed = client.get("/search", params={"section": "REV"}).text
            assert f'data-file="{fid}"' not in browsed  # nor by browsing the filters
        with _client(server) as client:
            sign_in(client, "admin")
            assert client.get(f"/files/{fid}").status_code == 200
            assert 'class="hit"' in client.get("/search?q=कलेक्टर").text
    finally:
        reg.edit_file(fid, {"grading": str(before)})


BAD_IDS = ["0", "-1", str(2**63), "abc", "..%2Fx", "1e3", "99999999999999999999"]


def test_no_route_answers_a_bad_id_with_a_server_error(server: Server) -> None:
    """Every route, every bad id or number: a 4xx page with the security headers, never 500."""
    with _client(server) as client:
        sign_in(client, "admin")
        token = csrf_from(client.get("/search").text)
        checked = 0
        for method, path, _access in _routes(server):
            names = re.findall(r"\{(\w+)\}", path)
            if not {"file_id", "number", "note_id"} & set(names):
                continue
            for bad in BAD_IDS:
                for name in {"file_id", "number", "note_id"} & set(names):
                    url = re.sub(r"\{" + name + r"\}", bad, _url_keep(path, server, name))
                    response = client.request(method, url, data={"csrf": token, "body": "x"})
                    assert response.status_code < 500, (method, url, response.status_code)
                    assert response.headers.get("x-frame-options") == "DENY", (method, url)
                    checked += 1
        assert checked >= 60
        for field, bad in (("rotate", "abc"), ("dpi", "abc"), ("rotate", "99999")):
            url = f"/review/pages/{server.data.letter_id}/1/retry"
            response = client.post(url, data={"csrf": token, field: bad})
            assert response.status_code == 400, (field, bad, response.status_code)
            assert field in response.text


def _url_keep(path: str, server: Server, keep: str) -> str:
    """``_url`` with every placeholder but ``keep`` filled in."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: m.group(0) if m.group(1) == keep else _url("{" + m.group(1) + "}", server),
        path,
    )


def test_an_unexpected_error_gets_the_normal_page_with_headers(server: Server) -> None:
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        app = create_app(server.data.settings, WebConfig(secret_key="s" * 64), registry=reg)

        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("a bug with a secret in it")

        with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
            response = c.get("/boom")
    assert response.status_code == 500
    assert "secret" not in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src" in response.headers["content-security-policy"]


def test_the_file_page_says_where_each_page_text_came_from(server: Server) -> None:
    with _client(server) as client:
        sign_in(client, "admin")
        page = client.get(f"/files/{server.data.letter_id}").text
    labels = re.findall(r'<span class="text-source" title="[^"]*">([^<]+)</span>', page)
    assert labels and set(labels) <= {"read by OCR", "ओसीआर से पढ़ा गया"}


def test_a_search_link_opened_signed_out_keeps_its_query_through_sign_in(server: Server) -> None:
    with _client(server) as client:
        first = client.get("/search", params={"q": "कलेक्टर", "section": "REV"})
        assert first.status_code == 303
        target = first.headers["location"]
        assert target.startswith("/login?next=")
        form = client.get(target)
        token = csrf_from(form.text)
        nxt = re.search(r'name="next" value="([^"]*)"', form.text)
        assert nxt is not None
        back = client.post(
            "/login",
            data={"login": "admin", "password": webdata.PASSWORD, "csrf": token,
                  "next": html.unescape(nxt.group(1))},
        )  # fmt: skip
        assert back.status_code == 303
        landed = back.headers["location"]
        assert landed.startswith("/search?") and "section=REV" in landed
        assert "कलेक्टर" in client.get(landed).text


def test_filters_alone_list_files_and_hits_group_under_their_file(server: Server) -> None:
    with _client(server) as client:
        sign_in(client, "admin")
        listed = client.get("/search", params={"section": "REV", "year": "2020"}).text
        assert f'data-file="{server.data.letter_id}"' in listed
        assert f'data-file="{server.data.review_id}"' not in listed
        none = client.get("/search", params={"year": "1999"}).text
        assert 'class="card browsed"' not in none
        found = client.get("/search", params={"q": "कलेक्टर"}).text
        groups = re.findall(r'<li class="card file-group" data-file="(\d+)"', found)
        assert len(groups) == len(set(groups)) >= 1  # each file once, its hits beneath


def test_an_officer_chooses_how_to_be_told_from_the_web(server: Server) -> None:
    routing = Routing(server.app.state.registry)  # type: ignore[attr-defined]
    with _client(server) as client:
        sign_in(client, "a.khan")
        page = client.get("/notifications").text
        token = csrf_from(page)
        assert 'id="notify-choices"' in page
        refused = client.post("/notifications/choices", data={"arrived": "off"})
        assert refused.status_code == 403  # no CSRF token, no change
        assert routing.channels("a.khan")["arrived"] == "both"
        saved = client.post(
            "/notifications/choices", data={"csrf": token, "arrived": "off", "digest": "mail"}
        )
        assert saved.status_code == 303
    assert routing.channels("a.khan") == {"arrived": "off", "overdue": "both", "digest": "mail"}
    routing.set_channel("a.khan", "arrived", "both")
    routing.set_channel("a.khan", "digest", "both")
