"""Sign-in timing (issue 14): does a wrong login answer as fast as a wrong password?

    .venv/bin/python bench/signin_timing.py [--tries 30]

A fresh registry with one user; the whole ASGI app in process (TestClient). Each try
posts the sign-in form from its own client address (so the limits never delay it):
a known login with a wrong password (the anchor: one argon2 verification) against an
unknown login. Before the dummy hash, an unknown login answered in about 10 ms and a
known one in about 400 ms, which told an attacker which logins exist. Target: the
unknown login's median within 20% of the known login's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from scanpipe.registry import Registry
from scanpipe.routing import Routing
from scanpipe.settings import load_settings
from scanpipe.web import WebConfig, create_app

PASSWORD = "bench password 1"


def timed_tries(app: object, login: str, tries: int, first_address: int) -> list[float]:
    out = []
    for i in range(tries):
        address = f"198.51.{(first_address + i) // 250}.{(first_address + i) % 250 + 1}"
        with TestClient(app, base_url="https://testserver", client=(address, 5000)) as c:  # type: ignore[arg-type]
            page = c.get("/login")
            marker = 'name="csrf" value="'
            start = page.text.index(marker) + len(marker)
            token = page.text[start : page.text.index('"', start)]
            t = time.perf_counter()
            response = c.post(
                "/login", data={"login": login, "password": "wrong password!", "csrf": token}
            )
            out.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 401, response.status_code
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tries", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(Path(tmp))
        with Registry.open(settings.db_url, settings.archive_dir) as reg:
            Routing(reg).add_user(
                "real.user", name="R", designation="Clerk", role="officer", password=PASSWORD
            )
            app = create_app(settings, WebConfig(secret_key="b" * 64), registry=reg)
            timed_tries(app, "real.user", 3, 9000)  # warm up
            known, unknown = [], []
            for k in range(args.tries):  # interleaved, so drift hits both alike
                known += timed_tries(app, "real.user", 1, 2 * k)
                unknown += timed_tries(app, "no.such.user", 1, 2 * k + 1)
    km, um = statistics.median(known), statistics.median(unknown)
    print(f"sign-in answer, median of {args.tries} (ms)")
    print(f"  known login, wrong password (anchor): {km:7.1f}")
    print(f"  unknown login:                        {um:7.1f}   ratio {um / km:.2f}x")
    verdict = "met" if abs(um / km - 1) <= 0.2 else "NOT met"
    print(f"target: within 20% of each other: {verdict}")


if __name__ == "__main__":
    main()
