"""Search at scale: SQLite FTS5 against PostgreSQL on synthetic pages, and bulk insert rate.

    .venv/bin/python bench/search_scale.py --pg URL [--pages 1000000] [--budget-s 600]

Each backend gets a fresh registry (Registry.open runs the real migrations),
then pages are bulk-inserted in chunks (SQLite: executemany in one
transaction per chunk; PostgreSQL: COPY), with the search index maintained
as they go, as it would be for a live registry. At each checkpoint (100k,
250k, 500k, 1M pages) the same query mix runs through ``Registry.search``
(ranking, join and snippets included), once exact (``exact=True``, the
anchor) and once with expansion (other spellings, phonetic, fuzzy: issue 12),
so the cost of expansion is measured beside exact search in the same run.
The vocabulary table is filled at each checkpoint from document frequencies
sampled on the first 5,000 pages (scaled), as ``vocabulary.count`` keeps it
on a live registry. If a backend's build runs past ``--budget-s`` it stops
at the last checkpoint reached, and says so.

Pages: ~150 words drawn from a Zipf distribution over a vocabulary of real
Hindi/English words from the sample letters (the most frequent ranks) and
generated Devanagari words, so a few words are on most pages, as कलेक्टर and
the district name are in a collectorate. Queries: 20 rare, 20 medium and 20
common words plus 20 two-word phrases; p50/p95 are over all 80, and per class.
Two more classes go through expansion only: 20 misread words (a vowel sign
dropped or swapped) and 20 words typed in Roman letters.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import text as sql_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanpipe import sample_text
from scanpipe.errors import NotFoundError
from scanpipe.registry import Registry
from scanpipe.registry import vocabulary as vocabulary_table
from scanpipe.registry.db import parse_url
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.routing import Routing
from scanpipe.text import normalise_for_search, roman_form, tokenise

CHECKPOINTS = (100_000, 250_000, 500_000, 1_000_000)
CHUNK = 50_000
WORDS_PER_PAGE = 150
PAGES_PER_FILE = 10
CONSONANTS = "कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह"
SIGNS = ["", "ा", "ि", "ी", "ु", "ू", "े", "ै", "ो", "ौ", "ं", "्र"]


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    real: list[str] = []
    for seed in range(200):
        for line in sample_text.letter_lines(seed):
            for tok in tokenise(normalise_for_search(line)):
                if tok not in real:
                    real.append(tok)
    words = list(real)
    seen = set(words)
    while len(words) < size:
        n = int(rng.integers(2, 5))
        word = "".join(
            CONSONANTS[int(rng.integers(len(CONSONANTS)))] + SIGNS[int(rng.integers(len(SIGNS)))]
            for _ in range(n)
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def page_texts(vocab: list[str], count: int, rng: np.random.Generator) -> list[str]:
    ranks = rng.zipf(1.15, size=(count, WORDS_PER_PAGE)) - 1
    ranks = np.where(ranks < len(vocab), ranks, rng.integers(len(vocab), size=ranks.shape))
    arr = np.array(vocab, dtype=object)
    return [" ".join(row) for row in arr[ranks]]


def queries(vocab: list[str], doc_freq: dict[str, float]) -> dict[str, list[str]]:
    by_df = sorted(doc_freq.items(), key=lambda kv: kv[1])
    rare = [w for w, f in by_df if 0 < f < 0.001][:20]
    medium = [w for w, f in by_df if 0.01 <= f < 0.05][:20]
    common = [w for w, f in by_df if f >= 0.1][-20:]
    phrases = [
        f"{a} {b}" for a, b in zip(common[:10] + medium[:10], medium[10:] + rare[:10], strict=False)
    ]
    long = [w for w in rare + medium if len(w) >= 5]
    misread = [w[:-1] if w[-1] in SIGNS else w + "ा" for w in long][:20]
    roman = [roman_form(w) for w in long][:20]
    return {
        "rare": rare,
        "medium": medium,
        "common": common,
        "two words": phrases,
        "misread": misread,
        "roman": roman,
    }


EXPANSION_ONLY = ("misread", "roman")


def timed_search(
    reg: Registry, mix: dict[str, list[str]], exact: bool, where: SearchFilter | None = None
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for q in [w for ws in mix.values() for w in ws][:5]:
        reg.search(q, exact=exact, where=where)  # warm the cache
    for kind, qs in mix.items():
        if exact and kind in EXPANSION_ONLY:
            continue
        for q in qs:
            t = time.perf_counter()
            reg.search(q, exact=exact, where=where)
            out.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
    return out


def fill_vocabulary(reg: Registry, df_counts: dict[str, int], vocab: list[str], pages: int) -> None:
    """What vocabulary.count would hold after indexing ``pages`` pages (df scaled from 5,000)."""
    by_df: dict[int, list[str]] = {}
    for w in vocab:
        by_df.setdefault(max(1, round(df_counts.get(w, 0) * pages / 5000)), []).append(w)
    with reg.writing("filling the vocabulary") as session:
        conn = session.connection()
        conn.exec_driver_sql("DELETE FROM vocabulary_deletes")
        conn.exec_driver_sql("DELETE FROM vocabulary")
        for df, words in by_df.items():
            vocabulary_table.count(conn, words, df)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class SqliteLoader:
    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA synchronous = NORMAL")

    def load(self, start: int, texts: list[str]) -> None:
        now = datetime.now(UTC).isoformat(sep=" ")
        files, pages, fts = _rows(start, texts, now)
        c = self.con
        c.execute("BEGIN")
        c.executemany(
            "INSERT INTO files (id, source_path, sha256, page_count, size_bytes, created_at, "
            "status, pages_for_review, computer_no) VALUES (?,?,?,?,?,?,?,?,?)",
            files,
        )
        c.executemany(
            "INSERT INTO pages (id, file_id, number, text, confidence, skew_deg, orientation_deg,"
            " status, reason, dpi, width, height, words) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            pages,
        )
        c.executemany("INSERT INTO pages_fts (rowid, body) VALUES (?, ?)", fts)
        c.execute("COMMIT")

    def close(self) -> None:
        self.con.close()


class PostgresLoader:
    def __init__(self, url: str) -> None:
        import psycopg

        dsn = parse_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.con = psycopg.connect(dsn)

    def load(self, start: int, texts: list[str]) -> None:
        now = datetime.now(UTC).isoformat(sep=" ")
        files, pages, fts = _rows(start, texts, now)
        with self.con.cursor() as cur:
            for table, cols, rows in (
                ("files", "id, source_path, sha256, page_count, size_bytes, created_at, status,"
                 " pages_for_review, computer_no", files),
                ("pages", "id, file_id, number, text, confidence, skew_deg, orientation_deg,"
                 " status, reason, dpi, width, height, words", pages),
                ("pages_fts", "page_id, body", fts),
            ):  # fmt: skip
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        self.con.commit()

    def close(self) -> None:
        with self.con.cursor() as cur:
            cur.execute("ANALYZE")
        self.con.commit()
        self.con.close()


def _rows(start: int, texts: list[str], now: str) -> tuple[list, list, list]:
    files, pages, fts = [], [], []
    for i, text in enumerate(texts):
        pid = start + i + 1
        fid = (pid - 1) // PAGES_PER_FILE + 1
        number = (pid - 1) % PAGES_PER_FILE + 1
        if number == 1:
            sha = f"{fid:064x}"
            files.append((fid, f"/bench/{fid}.pdf", sha, PAGES_PER_FILE, 1, now, "registered", 0,
                          100000 + fid))  # fmt: skip
        pages.append((pid, fid, number, text, 90.0, 0.0, 0, "ok", "", 300, 2480, 3508,
                      WORDS_PER_PAGE))  # fmt: skip
        fts.append((pid, text))  # generated text is already normalised and tokenised
    return files, pages, fts


def run_backend(name: str, url: str, archive: Path, target: int, budget_s: float, seed: int):
    rng = np.random.default_rng(seed)
    vocab = vocabulary(60_000, rng)
    Registry.open(url, archive).close()  # the real migrations
    loader = SqliteLoader(parse_url(url).database) if name == "sqlite" else PostgresLoader(url)
    df_counts: dict[str, int] = {}
    results = []
    loaded, insert_s, started = 0, 0.0, time.perf_counter()
    stopped_early = False
    for checkpoint in [c for c in CHECKPOINTS if c <= target] or [target]:
        while loaded < checkpoint:
            texts = page_texts(vocab, min(CHUNK, checkpoint - loaded), rng)
            if loaded == 0:
                for t in texts[:5000]:
                    for w in set(t.split()):
                        df_counts[w] = df_counts.get(w, 0) + 1
            t0 = time.perf_counter()
            loader.load(loaded, texts)
            insert_s += time.perf_counter() - t0
            loaded += len(texts)
            print(f"  {name}: {loaded:,} pages, {loaded / insert_s:,.0f} pages/s", flush=True)
        if name == "postgresql":
            loader.close()
            loader = PostgresLoader(url)
        doc_freq = {w: c / 5000 for w, c in df_counts.items()}
        with Registry.open(url, archive) as reg:
            fill_vocabulary(reg, df_counts, vocab, loaded)
            mix = queries(vocab, doc_freq)
            times = timed_search(reg, mix, exact=True)
            expanded = timed_search(reg, mix, exact=False)
        every = [v for vs in times.values() for v in vs]
        every_x = [v for k, vs in expanded.items() if k not in EXPANSION_ONLY for v in vs]
        row = {
            "backend": name,
            "pages": loaded,
            "insert_pages_per_s": loaded / insert_s,
            "p50_ms": pct(every, 50),
            "p95_ms": pct(every, 95),
            **{f"p95_{k}_ms": pct(v, 95) for k, v in times.items()},
            **{f"p50_{k}_ms": pct(v, 50) for k, v in times.items()},
            "expanded_p50_ms": pct(every_x, 50),
            "expanded_p95_ms": pct(every_x, 95),
            **{f"expanded_p95_{k}_ms": pct(v, 95) for k, v in expanded.items()},
        }
        results.append(row)
        print(f"  {name} @ {loaded:,}: {row}", flush=True)
        if time.perf_counter() - started > budget_s and checkpoint < target:
            stopped_early = True
            break
    loader.close()
    return results, stopped_early


def share_with_reader(reg: Registry, share: float) -> SearchFilter:
    """An officer of section BA who may read ``share`` of the files (the rest are BB's).

    The read rule (registry/access.py) lets an officer read normal files of their own
    section; every file gets a section, one in ``1/share`` of them the officer's.
    """
    routing = Routing(reg)
    for login, section in (("bench.officer", "BA"), ("bench.other", "BB")):
        try:
            routing.get_user(login)
        except NotFoundError:
            routing.add_user(login, name=login, designation="SO", role="officer", section=section)
    every = max(1, round(1 / share))
    with reg.writing("giving files sections") as session:
        ids = dict(session.execute(sql_text("SELECT code, id FROM sections")).all())
        session.execute(
            sql_text(
                "UPDATE files SET section_id = CASE WHEN id % :n = 0 THEN :a ELSE :b END, "
                "grading = 'normal'"
            ),
            {"n": every, "a": ids["BA"], "b": ids["BB"]},
        )
    return SearchFilter(reader=routing.reader("bench.officer"))


def requery(
    name: str, url: str, archive: Path, pages: int, seed: int, reader_share: float = 0.0
) -> dict[str, object]:
    """Time the query mix again over a registry this bench built (``--requery``).

    The mix depends only on the seed (the first chunk's document frequencies), so a
    code change is measured on the very same million pages without rebuilding them.
    """
    rng = np.random.default_rng(seed)
    vocab = vocabulary(60_000, rng)
    df_counts: dict[str, int] = {}
    for t in page_texts(vocab, min(CHUNK, pages), rng)[:5000]:
        for w in set(t.split()):
            df_counts[w] = df_counts.get(w, 0) + 1
    doc_freq = {w: c / 5000 for w, c in df_counts.items()}
    with Registry.open(url, archive) as reg:
        where = share_with_reader(reg, reader_share) if reader_share else None
        mix = queries(vocab, doc_freq)
        times = timed_search(reg, mix, exact=True, where=where)
        expanded = timed_search(reg, mix, exact=False, where=where)
    every = [v for vs in times.values() for v in vs]
    every_x = [v for k, vs in expanded.items() if k not in EXPANSION_ONLY for v in vs]
    return {
        "backend": name,
        "pages": pages,
        "reader_share": reader_share,
        "p95_ms": pct(every, 95),
        "expanded_p95_ms": pct(every_x, 95),
        **{f"expanded_p95_{k}_ms": pct(v, 95) for k, v in expanded.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", required=True, help="PostgreSQL URL of an EMPTY UTF-8 database")
    ap.add_argument("--pages", type=int, default=1_000_000)
    ap.add_argument("--budget-s", type=float, default=600.0, help="build time per backend")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--dir", type=Path, help="where the SQLite database goes (default: a tmp dir)")
    ap.add_argument(
        "--reader-share",
        type=float,
        default=0.0,
        help="with --requery: search as an officer who may read this share of the files",
    )
    ap.add_argument(
        "--requery",
        action="store_true",
        help="time the queries again over databases this bench built (--dir, --pg, --pages)",
    )
    args = ap.parse_args()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="scanpipe-search-bench-"))
    if args.requery:
        for name in args.backends.split(","):
            url = f"sqlite:///{workdir / 'registry.sqlite3'}" if name == "sqlite" else args.pg
            row = requery(name, url, workdir / "archive", args.pages, 7, args.reader_share)
            print({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()})
        return
    all_rows = []
    for name in args.backends.split(","):
        url = f"sqlite:///{workdir / 'registry.sqlite3'}" if name == "sqlite" else args.pg
        rows, early = run_backend(name, url, workdir / "archive", args.pages, args.budget_s, 7)
        all_rows += rows
        if early:
            print(f"  {name}: stopped at {rows[-1]['pages']:,} pages (build budget reached)")
    anchor = next((r for r in all_rows if r["backend"] == "sqlite"), None)
    print(
        "\nbackend     pages      insert/s   p50 ms  p95 ms  p95 rare/medium/common/2w ms"
        "   expanded p95 (x exact)  misread/roman p95 ms"
    )
    for r in all_rows:
        print(
            f"{r['backend']:<10} {r['pages']:>9,} {r['insert_pages_per_s']:>9,.0f}  "
            f"{r['p50_ms']:6.1f}  {r['p95_ms']:6.1f}  "
            f"{r['p95_rare_ms']:.1f}/{r['p95_medium_ms']:.1f}/{r['p95_common_ms']:.1f}/"
            f"{r['p95_two words_ms']:.1f}   "
            f"{r['expanded_p95_ms']:6.1f} ({r['expanded_p95_ms'] / r['p95_ms']:.2f}x)  "
            f"{r['expanded_p95_misread_ms']:.1f}/{r['expanded_p95_roman_ms']:.1f}"
        )
    if anchor:
        for r in all_rows:
            same = [a for a in all_rows if a["backend"] == "sqlite" and a["pages"] == r["pages"]]
            if same and r["backend"] != "sqlite":
                a = same[0]
                print(
                    f"ratio postgresql/sqlite @ {r['pages']:,}: p95 {r['p95_ms'] / a['p95_ms']:.2f}"
                    f", insert rate {r['insert_pages_per_s'] / a['insert_pages_per_s']:.2f}"
                )


if __name__ == "__main__":
    main()
