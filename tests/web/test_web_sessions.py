"""Sessions and sign-in: revocation on every process, shared limits, trusted addresses.

A second ``scanpipe serve`` process on the same data folder shows that what one
process decides (a session ended, an address slowed) holds on the other.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from scanpipe.registry.store import Registry
from scanpipe.routing import Routing
from scanpipe.routing.signin import Limits, SignInDelayed
from scanpipe.web import WebConfig, create_app
from web import webdata
from web.support import Server, csrf_from, sign_in

ROLES = {role: login for login, role, _ in webdata.USERS}


def _client(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _from(server: Server, reg: Registry, address: str) -> TestClient:
    web = WebConfig(secret_key="s" * 64, login_attempts=3, ip_attempts=5)
    app = create_app(server.data.settings, web, registry=reg)
    return TestClient(
        app, base_url="https://testserver", follow_redirects=False, client=(address, 50000)
    )


def test_sign_in_failures_slow_one_address_not_the_officer(server: Server) -> None:
    """Wrong passwords from one machine delay that machine, not the officer at their desk."""
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        with _from(server, reg, "10.9.9.9") as attacker:
            for _ in range(3):
                assert sign_in(attacker, "a.khan", "wrong password").status_code == 401
            delayed = sign_in(attacker, "a.khan")  # the right password, too soon
            assert delayed.status_code == 429
            assert "wait" in delayed.text
            assert sign_in(attacker, "o.verma", "wrong password").status_code == 401
            assert sign_in(attacker, "o.verma", "wrong again!").status_code == 401
            # five failures from this address now: every login waits from it (spraying)
            assert sign_in(attacker, "admin").status_code == 429
        # the limits are in the registry: another process (app) sees the same count
        with _from(server, reg, "10.9.9.9") as again:
            assert sign_in(again, "a.khan").status_code == 429
        with _from(server, reg, "10.1.1.1") as desk:
            assert sign_in(desk, "a.khan").status_code == 303
        failed = [
            e
            for e in Routing(reg).audit_log(limit=10_000)
            if e.action == "sign-in-failed" and json.loads(e.detail)["ip"] == "10.9.9.9"
        ]
        assert len(failed) == 5
        assert {e.login for e in failed} == {"a.khan", "o.verma"}


def test_delays_grow_and_are_forgotten_after_the_window(server: Server) -> None:
    now = [datetime(2026, 12, 2, 10, 0, tzinfo=UTC)]
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        limits = Routing(reg, clock=lambda: now[0]).sign_ins(
            Limits(free=2, per_address=100, window_s=3600, base_delay_s=30)
        )

        def wait_after(seconds: float) -> bool:
            now[0] += timedelta(seconds=seconds)
            try:
                limits.check("x", "192.0.2.7")
            except SignInDelayed:
                return True
            return False

        limits.failed("x", "192.0.2.7")
        limits.failed("x", "192.0.2.7")
        assert wait_after(10)  # 2 failures: wait 30 s
        assert not wait_after(25)
        limits.failed("x", "192.0.2.7")
        assert wait_after(50)  # 3 failures: wait 60 s
        assert not wait_after(15)
        limits.check("y", "192.0.2.7")  # another login from the address is not held back
        now[0] += timedelta(hours=2)
        limits.check("x", "192.0.2.7")


@pytest.fixture
def second_process(server: Server) -> Iterator[str]:
    """``scanpipe serve`` in its own process on the same data folder and session key."""
    port = _free_port()
    env = {
        **os.environ,
        "SCANPIPE_HOME": str(server.data.settings.home),
        "SCANPIPE_WEB_SECRET": "t" * 64,
    }
    exe = Path(sys.executable).parent / "scanpipe"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--insecure-cookies"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"the second server did not start: {err[-800:]}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _copied_cookie_works(url: str, cookies: httpx.Cookies) -> bool:
    with httpx.Client(base_url=url, cookies=cookies, follow_redirects=False, timeout=30) as c:
        response = c.get("/search")
    return response.status_code == 200


def test_ending_a_session_voids_copied_cookies_on_every_process(
    server: Server, second_process: str
) -> None:
    login = ROLES["officer"]
    ends = {
        "sign-out": None,
        "password change": lambda r: r.edit_user(login, password=webdata.PASSWORD),
        "sign out everywhere": lambda r: r.end_sessions(login),
        "deactivation": lambda r: (
            r.edit_user(login, active=False),
            r.edit_user(login, active=True),  # back at once: the old cookie stays dead
        ),
    }
    for how, end in ends.items():
        with _client(server) as client:
            assert sign_in(client, login).status_code == 303
            saved = httpx.Cookies(client.cookies)
            assert _copied_cookie_works(second_process, saved), how
            if end is None:
                token = csrf_from(client.get("/search").text)
                assert client.post("/logout", data={"csrf": token}).status_code == 303
            else:
                with Registry.open(
                    server.data.settings.db_url, server.data.settings.archive_dir
                ) as reg:
                    end(Routing(reg))
        assert not _copied_cookie_works(second_process, saved), how
        assert not _copied_cookie_works(server.url, saved), how


def test_forged_forwarded_for_changes_nothing(server: Server, second_process: str) -> None:
    with httpx.Client(base_url=second_process, follow_redirects=False, timeout=30) as client:
        page = client.get("/login")
        token = csrf_from(page.text)
        response = client.post(
            "/login",
            data={"login": "r.sahu", "password": webdata.PASSWORD, "csrf": token},
            headers={"X-Forwarded-For": "203.0.113.66"},
        )
        assert response.status_code == 303
    with Registry.open(server.data.settings.db_url, server.data.settings.archive_dir) as reg:
        entries = [e for e in Routing(reg).audit_log(login="r.sahu") if e.action == "sign-in"]
    assert entries
    assert json.loads(entries[-1].detail)["ip"] == "127.0.0.1"
