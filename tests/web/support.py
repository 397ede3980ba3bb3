"""Helpers shared by the web tests: signing in over http, CSRF tokens, screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from web import webdata

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@dataclass
class Server:
    url: str
    data: webdata.WebData
    app: object


def sign_in(client: httpx.Client, login: str, password: str = webdata.PASSWORD) -> httpx.Response:
    """Sign in like the form does: fetch the page for its CSRF token, then post."""
    page = client.get("/login")
    token = csrf_from(page.text)
    return client.post(
        "/login", data={"login": login, "password": password, "csrf": token, "next": "/search"}
    )


def csrf_from(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def shoot(page: object, name: str) -> Path:
    """Save a full-page screenshot as a build artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
