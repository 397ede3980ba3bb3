"""The JSON API against a running server: tokens, revocation, and the same read rule.

httpx talks to the live uvicorn of the ``server`` fixture (a module of its own,
so the grading changes here touch no other module's data).
"""

from __future__ import annotations

import json

import httpx
import pytest

from scanpipe.routing import Routing
from web.support import Server


def _api(server: Server, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, follow_redirects=False, timeout=30)


@pytest.fixture(scope="module")
def tokens(server: Server) -> dict[str, str]:
    routing = Routing(server.app.state.registry)  # type: ignore[attr-defined]
    return {
        login: routing.create_token(login, "test")[1]
        for login in ("admin", "o.verma", "a.khan", "op.das")
    }


def test_no_token_or_a_wrong_one_is_refused(server: Server) -> None:
    fid = server.data.letter_id
    for token in (None, "sp_not-a-real-token", "Basic abc"):
        with _api(server, token) as api:
            for path in ("/api/v1/search?q=कलेक्टर", f"/api/v1/files/{fid}"):
                response = api.get(path)
                assert response.status_code == 401, (token, path)
                body = response.json()
                assert "token" in body["error"] and body["advice"]
                assert "कलेक्टर" not in response.text


def test_a_token_reads_what_its_user_may(server: Server, tokens: dict[str, str]) -> None:
    fid = server.data.letter_id
    with _api(server, tokens["o.verma"]) as api:  # an officer of the letter's section
        facts = api.get(f"/api/v1/files/{fid}").json()
        assert facts["file_no"] == "A-11011/5/2020-REV" and "Revenue" in facts["section"]
        text = api.get(f"/api/v1/files/{fid}/pages/1/text").json()["text"]
        assert "कलेक्टर" in text
        hits = api.get("/api/v1/search", params={"q": "कलेक्टर"}).json()["hits"]
        assert fid in {h["file_id"] for h in hits}
        roman = api.get("/api/v1/search", params={"q": "kalektar"}).json()["hits"]
        assert fid in {h["file_id"] for h in roman}  # the same expansion as the pages
        assert api.get(f"/api/v1/files/{fid}/where").json()["file_id"] == fid
        image = api.get(f"/api/v1/files/{fid}/pages/1/thumb.png")
        assert image.status_code == 200 and image.content[:4] == b"\x89PNG"
        assert image.headers["cache-control"] == "no-store"
        assert "notes" in api.get(f"/api/v1/files/{fid}/notes").json()
        assert api.get("/api/v1/files/0").status_code == 400
        assert api.get(f"/api/v1/files/{2**63}").status_code == 400
        spec = api.get("/api/v1/openapi.json").json()
        assert "/api/v1/search" in spec["paths"] and "/search" not in spec["paths"]


def test_the_read_rule_holds_for_tokens(server: Server, tokens: dict[str, str]) -> None:
    fid = server.data.letter_id
    reg = server.app.state.registry  # type: ignore[attr-defined]
    before = reg.get_record(fid).grading
    reg.edit_file(fid, {"grading": "secret"})
    try:
        for login in ("o.verma", "a.khan", "op.das"):  # secret: need to know only
            with _api(server, tokens[login]) as api:
                for path in ("", "/pages/1/text", "/pages/1/view.png", "/where", "/notes"):
                    response = api.get(f"/api/v1/files/{fid}{path}")
                    assert response.status_code == 404, (login, path)
                    assert "कलेक्टर" not in response.text
                hits = api.get("/api/v1/search", params={"q": "कलेक्टर"}).json()["hits"]
                assert fid not in {h["file_id"] for h in hits}, login
        with _api(server, tokens["admin"]) as api:
            assert api.get(f"/api/v1/files/{fid}").status_code == 200
    finally:
        reg.edit_file(fid, {"grading": str(before)})
    entries = Routing(reg).audit_log(limit=500)
    refused = [e for e in entries if e.action == "read-refused"]
    assert len(refused) >= 12
    assert any(json.loads(e.detail).get("via") == "api" for e in entries if e.action == "view")


def test_a_revoked_token_is_refused_at_once(server: Server) -> None:
    routing = Routing(server.app.state.registry)  # type: ignore[attr-defined]
    info, token = routing.create_token("r.sahu", "to revoke")
    with _api(server, token) as api:
        assert api.get(f"/api/v1/files/{server.data.letter_id}").status_code == 200
        routing.revoke_token(info.id)
        assert api.get(f"/api/v1/files/{server.data.letter_id}").status_code == 401
    stored = {t.id: t for t in routing.list_tokens("r.sahu")}
    assert stored[info.id].revoked_at is not None
    actions = [e.action for e in routing.audit_log(login="r.sahu")]
    assert "token-create" in actions and "token-revoke" in actions
