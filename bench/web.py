"""Web search page: server-side render time over 100k registered pages, against the bare search.

    .venv/bin/python bench/web.py [--pages 100000] [--seed 7]

A fresh SQLite registry (real migrations) is filled with synthetic Hindi and
English pages by ``search_scale``'s bulk loader (Zipf-distributed words, so a
few words are on most pages). A signed-in admin then asks for
``/search?q=...`` through the whole ASGI app in process (session and CSRF
middleware, access check, search, file facts, filters, Jinja2), for 80
queries: 20 rare, 20 medium, 20 common words and 20 two-word phrases. The
anchor is ``Registry.search`` for the same query in the same run; the
ratio of the two p95s is what the web layer costs. Thumbnails are separate
requests (lazy images), so they are not part of a page render.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from search_scale import (
    CHUNK,
    SqliteLoader,
    page_texts,
    pct,
    queries,
    share_with_reader,
    vocabulary,
)

from scanpipe.registry import Registry
from scanpipe.registry import vocabulary as vocabulary_table
from scanpipe.registry.db import parse_url
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.routing import Routing
from scanpipe.settings import load_settings
from scanpipe.web import WebConfig, create_app

TARGET_MS = 150.0
PASSWORD = "bench password 1"


def build(home: Path, count: int, seed: int) -> dict[str, list[str]]:
    settings = load_settings(home)
    rng = np.random.default_rng(seed)
    vocab = vocabulary(60_000, rng)
    Registry.open(settings.db_url, settings.archive_dir).close()  # the real migrations
    loader = SqliteLoader(Path(parse_url(settings.db_url).database or ""))
    df: Counter[str] = Counter()
    for start in range(0, count, CHUNK):
        texts = page_texts(vocab, min(CHUNK, count - start), rng)
        for text in texts:
            df.update(set(text.split()))
        loader.load(start, texts)
    loader.close()
    with Registry.open(settings.db_url, settings.archive_dir) as registry:  # as indexing keeps it
        by_df: dict[int, list[str]] = {}
        for word, n in df.items():
            by_df.setdefault(n, []).append(word)
        with registry.writing("filling the vocabulary") as session:
            for n, words in by_df.items():
                vocabulary_table.count(session.connection(), words, n)
    return queries(vocab, {w: n / count for w, n in df.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reader-share",
        type=float,
        default=0.0,
        help="sign in as an officer who may read this share of the files (the read rule)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scanpipe-bench-web-") as tmp:
        home = Path(tmp) / "home"
        started = time.perf_counter()
        mix = build(home, args.pages, args.seed)
        print(f"built {args.pages:,} pages in {time.perf_counter() - started:.0f} s")
        settings = load_settings(home)
        with Registry.open(settings.db_url, settings.archive_dir) as registry:
            where = None
            if args.reader_share:
                where = share_with_reader(registry, args.reader_share)  # bench.officer
                Routing(registry).edit_user("bench.officer", password=PASSWORD)
                user = "bench.officer"
            else:
                Routing(registry).add_user(
                    "bench", name="Bench", designation="Admin", role="admin", password=PASSWORD
                )
                user = "bench"
            app = create_app(settings, WebConfig(secret_key="b" * 64), registry=registry)
            with TestClient(app, base_url="https://testserver", follow_redirects=False) as web:
                login = web.get("/login").text
                token = login.split('name="csrf" value="')[1].split('"')[0]
                signed = web.post(
                    "/login", data={"login": user, "password": PASSWORD, "csrf": token}
                )
                assert signed.status_code == 303, signed.text
                rows = run(registry, web, mix, where)
    if args.reader_share:
        print(f"signed in as an officer who may read {args.reader_share:.0%} of the files")
    print_table(rows, args.pages)
    return 0


def run(
    registry: Registry, web: TestClient, mix: dict[str, list[str]], where: SearchFilter | None
) -> dict[str, tuple]:
    """The anchor is ``Registry.search`` with the same filter the page applies."""
    everything = [q for qs in mix.values() for q in qs]
    for q in everything[:5]:  # warm caches, templates and the page cache
        registry.search(q, where=where)
        web.get("/search", params={"q": q})
    rows: dict[str, tuple[list[float], list[float]]] = {}
    for kind, qs in mix.items():
        bare, page = rows.setdefault(kind, ([], []))
        for q in qs:
            t = time.perf_counter()
            registry.search(q, where=where)
            bare.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            response = web.get("/search", params={"q": q})
            page.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (q, response.status_code)
            if " " not in q and where is None:  # a word from the pages is on some page
                assert 'li class="card hit"' in response.text, q
    every_bare = [v for b, _ in rows.values() for v in b]
    every_page = [v for _, p in rows.values() for v in p]
    rows["all"] = (every_bare, every_page)
    return rows


def print_table(rows: dict[str, tuple[list[float], list[float]]], pages: int) -> None:
    print(f"\n/search render over {pages:,} pages (ms)")
    print(
        f"{'queries':<10} {'n':>3} {'search p50':>11} {'search p95':>11} {'page p50':>9} "
        f"{'page p95':>9} {'ratio p95':>10}"
    )
    for kind, (bare, page) in rows.items():
        ratio = pct(page, 95) / max(pct(bare, 95), 1e-6)
        print(
            f"{kind:<10} {len(bare):>3} {pct(bare, 50):>11.1f} {pct(bare, 95):>11.1f} "
            f"{pct(page, 50):>9.1f} {pct(page, 95):>9.1f} {ratio:>9.2f}x"
        )
    p95 = pct(rows["all"][1], 95)
    verdict = "met" if p95 <= TARGET_MS else "NOT met"
    print(f"\npage render p95 {p95:.1f} ms; target <= {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    raise SystemExit(main())
