"""Where-is and pendency at district scale: 100k files with 20 movements each.

    .venv/bin/python bench/tracking.py [--files 100000] [--moves 20] [--queries 1000]

Builds a registry (SQLite, the embedded default) with the real migrations,
fills it with files, users in sections, 20 movements per file (create, then
sends and receives between random people, spread over the last 120 days),
the current holders and some parked/closed files, then times the library
calls officers make: ``Routing.where`` (holders + the full path) for random
files and ``Routing.pending`` for each section and for single users.

Anchor, measured in the same run: the same answers read with one hand-written
SQL query each over the same database through plain ``sqlite3`` -- the floor
for any API on this schema. Ratios say what the library's ORM views cost.
Targets (issue 5): where-is p95 <= 20 ms, a section's pendency p95 <= 200 ms.

``--heavy 2000`` (issue 13) then gives one officer 2,000 of the open files (a third
not yet received, a quarter with a due date, some overdue) and makes them the sender
of 2,000 others, and times ``Routing.inbox`` for that officer against one raw SQL
query per list. Target: inbox p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runners import OUT_DIR, ensure_repo_importable

ensure_repo_importable()

from sqlalchemy import insert  # noqa: E402

from scanpipe.registry import Registry  # noqa: E402
from scanpipe.registry.models import FileRow  # noqa: E402
from scanpipe.registry.records import resolve_section  # noqa: E402
from scanpipe.registry.routing_models import (  # noqa: E402
    HoldingRow,
    MovementRow,
    TrackingRow,
    UserRow,
)
from scanpipe.routing import Routing  # noqa: E402

SECTIONS = ("EST", "REV", "ACC", "LR", "ELE", "GAD", "PLAN", "NAZ", "RRC", "SW",
            "FOOD", "MIN", "EDU", "HLT", "PWD", "AGR", "LAB", "DEV", "LAW", "REC")  # fmt: skip
USERS_PER_SECTION = 10
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build(reg: Registry, files: int, moves: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = reg._engine
    with engine.begin() as conn:
        from sqlalchemy.orm import Session

        with Session(bind=conn) as session:
            section_ids = [resolve_section(session, "COLL-MUNGELI", s)[1] for s in SECTIONS]
            session.flush()
        users = []
        for s_i, sid in enumerate(section_ids):
            for u in range(USERS_PER_SECTION):
                users.append({"login": f"u{s_i}-{u}", "name": f"User {s_i}-{u}",
                              "designation": "Assistant" if u else "Section Officer",
                              "section_id": sid, "role": "officer", "password_hash": None,
                              "active": True, "created_at": NOW})  # fmt: skip
        conn.execute(insert(UserRow), users)
    user_ids = list(range(1, len(users) + 1))
    chunk = 5000
    move_id = 0
    for start in range(0, files, chunk):
        file_rows, tracks, move_rows, holds = [], [], [], []
        for fid in range(start + 1, min(files, start + chunk) + 1):
            states = ("open",) * 17 + ("parked", "closed", "recorded")
            file_rows.append({"id": fid, "source_path": None, "sha256": None, "page_count": 0,
                              "size_bytes": 0, "created_at": NOW, "status": "registered",
                              "pages_for_review": 0, "computer_no": 100000 + fid,
                              "file_no": f"{fid}/{2000 + fid % 25}/EST", "subject": f"विषय {fid}",
                              "nature": "electronic", "file_state": rng.choice(states),
                              "volume": 1, "grading": "normal"})  # fmt: skip
            last = NOW - timedelta(days=rng.uniform(0, 120))
            at = last - timedelta(days=moves * rng.uniform(0.5, 3))
            holder = rng.choice(user_ids)
            tracks.append({"file_id": fid, "creator_id": holder, "since": at})
            sender = None
            for m in range(moves):
                move_id += 1
                if m == 0:
                    kind, to = "create", None
                elif m % 2 == 1:
                    kind, sender = "send", holder
                    to = rng.choice([u for u in rng.sample(user_ids, 3) if u != holder])
                else:
                    kind, to = "receive", None
                at = last if m == moves - 1 else at + (last - at) / (moves - m)
                move_rows.append({"id": move_id, "file_id": fid, "kind": kind, "actor_id": holder,
                                  "to_user_id": to, "batch": move_id if kind == "send" else None,
                                  "at": at, "remarks": "", "due_on": None,
                                  "opened_at": at if kind == "send" else None,
                                  "pulled_back_at": None})  # fmt: skip
                if kind == "send" and to is not None:
                    holder = to
            holds.append({"file_id": fid, "user_id": holder, "movement_id": move_id,
                          "sent_by_id": sender, "since": last, "opened_at": last,
                          "due_on": None})  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(FileRow), file_rows)
            conn.execute(insert(TrackingRow), tracks)
            conn.execute(insert(MovementRow), move_rows)
            conn.execute(insert(HoldingRow), holds)
        print(f"  built {min(files, start + chunk)}/{files} files", file=sys.stderr, end="\r")
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(file=sys.stderr)


HEAVY = "u0-0"


def load_heavy(reg: Registry, files: int, heavy: int, seed: int) -> None:
    """One officer holds ``heavy`` open files and is the sender of ``heavy`` more."""
    rng = random.Random(seed + 1)
    with reg._engine.begin() as conn:
        me = conn.exec_driver_sql("SELECT id FROM users WHERE login = ?", (HEAVY,)).scalar()
        ids = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM files WHERE file_state = 'open'").fetchall()]  # fmt: skip
        rng.shuffle(ids)
        for n, fid in enumerate(ids[:heavy]):
            opened = None if n % 3 == 0 else NOW - timedelta(days=rng.uniform(0, 60))
            due = (NOW - timedelta(days=rng.randint(-20, 20))).date() if n % 4 == 0 else None
            conn.exec_driver_sql(
                "UPDATE holdings SET user_id = ?, opened_at = ?, due_on = ?, priority = ? "
                "WHERE file_id = ?",
                (me, opened, due, rng.choice(("normal", "normal", "immediate", "today")), fid),
            )
        for fid in ids[heavy : 2 * heavy]:
            conn.exec_driver_sql(
                "UPDATE holdings SET sent_by_id = ? WHERE file_id = ? AND user_id != ?",
                (me, fid, me),
            )
        conn.exec_driver_sql("ANALYZE")


def anchor_inbox(db: sqlite3.Connection, me: int) -> None:
    db.execute(
        "SELECT h.*, f.file_no, f.subject, u.name FROM holdings h JOIN files f ON f.id = "
        "h.file_id LEFT JOIN users u ON u.id = h.sent_by_id WHERE h.user_id = ? AND "
        "f.file_state = 'open' ORDER BY h.since", (me,)).fetchall()  # fmt: skip
    db.execute(
        "SELECT h.*, f.file_no, f.subject, u.name FROM holdings h JOIN files f ON f.id = "
        "h.file_id JOIN users u ON u.id = h.user_id WHERE h.sent_by_id = ? AND h.user_id != ? "
        "AND f.file_state = 'open' ORDER BY h.since", (me, me)).fetchall()  # fmt: skip


def time_calls(fn, args_list) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def anchor_where(db: sqlite3.Connection, fid: int) -> None:
    db.execute(
        "SELECT user_id, since, opened_at FROM holdings WHERE file_id = ?", (fid,)
    ).fetchall()
    db.execute("SELECT m.kind, m.at, a.name, t.name FROM movements m JOIN users a ON a.id = "
               "m.actor_id LEFT JOIN users t ON t.id = m.to_user_id WHERE m.file_id = ? "
               "ORDER BY m.id", (fid,)).fetchall()  # fmt: skip


def anchor_pending(db: sqlite3.Connection, section: str, cuts: list[str]) -> None:
    db.execute(
        "SELECT h.user_id, SUM(h.since > ?), SUM(h.since <= ? AND h.since > ?), "
        "SUM(h.since <= ? AND h.since > ?), SUM(h.since <= ?) FROM holdings h "
        "JOIN files f ON f.id = h.file_id JOIN users u ON u.id = h.user_id "
        "JOIN sections s ON s.id = u.section_id WHERE f.file_state = 'open' AND s.code = ? "
        "GROUP BY h.user_id",
        (cuts[0], cuts[0], cuts[1], cuts[1], cuts[2], cuts[2], section),
    ).fetchall()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--heavy", type=int, default=0, help="files held by one officer (inbox)")
    ap.add_argument("--out", type=Path, default=OUT_DIR / "tracking.json")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="scanpipe-tracking-") as tmp:
        db_file = Path(tmp) / "registry.db"
        with Registry.open(f"sqlite:///{db_file}", Path(tmp) / "archive") as reg:
            t0 = time.perf_counter()
            build(reg, args.files, args.moves, args.seed)
            built = time.perf_counter() - t0
            routing = Routing(reg, clock=lambda: NOW)
            picks = [(rng.randint(1, args.files),) for _ in range(args.queries)]
            routing.where(1)  # warm the connection pool and statement caches
            where_ms = time_calls(routing.where, picks)
            sections = [(s,) for s in SECTIONS] * 5
            section_ms = time_calls(lambda s: routing.pending(section=s), sections)
            users = [(f"u{rng.randrange(len(SECTIONS))}-{rng.randrange(USERS_PER_SECTION)}",)
                     for _ in range(200)]  # fmt: skip
            user_ms = time_calls(lambda u: routing.pending(user=u), users)
            mine_ms = time_calls(routing.pending_with_others, users[:50])
            sample = routing.pending(section="EST")
            inbox_ms: list[float] = []
            if args.heavy:
                load_heavy(reg, args.files, args.heavy, args.seed)
                routing.inbox(HEAVY)
                inbox_ms = time_calls(lambda: routing.inbox(HEAVY), [()] * 50)
                box = routing.inbox(HEAVY)
                held, mine, others = box.totals
                print(f"inbox of {HEAVY}: {held} to receive, {mine} with me, {others} with "
                      f"others, {box.overdue} overdue")  # fmt: skip
        db = sqlite3.connect(db_file)
        cuts = [(NOW - timedelta(days=d)).strftime("%Y-%m-%d %H:%M:%S.%f") for d in (8, 16, 31)]
        a_where = time_calls(lambda f: anchor_where(db, f), picks)
        a_section = time_calls(lambda s: anchor_pending(db, s, cuts), sections)
        a_inbox: list[float] = []
        if args.heavy:
            me = db.execute("SELECT id FROM users WHERE login = ?", (HEAVY,)).fetchone()[0]
            a_inbox = time_calls(lambda: anchor_inbox(db, me), [()] * 50)
        db.close()
    result = {
        "files": args.files, "movements": args.files * args.moves, "build_s": round(built, 1),
        "where_ms": {"p50": pct(where_ms, 50), "p95": pct(where_ms, 95)},
        "where_anchor_ms": {"p50": pct(a_where, 50), "p95": pct(a_where, 95)},
        "section_pendency_ms": {"p50": pct(section_ms, 50), "p95": pct(section_ms, 95)},
        "section_anchor_ms": {"p50": pct(a_section, 50), "p95": pct(a_section, 95)},
        "user_pendency_ms": {"p50": pct(user_ms, 50), "p95": pct(user_ms, 95)},
        "mine_with_others_ms": {"p50": pct(mine_ms, 50), "p95": pct(mine_ms, 95)},
        "est_section_open_files": sample.total,
    }  # fmt: skip
    if inbox_ms:
        result["inbox_ms"] = {"p50": pct(inbox_ms, 50), "p95": pct(inbox_ms, 95)}
        result["inbox_anchor_ms"] = {"p50": pct(a_inbox, 50), "p95": pct(a_inbox, 95)}
    print(f"registry: {args.files} files, {args.files * args.moves} movements, built in "
          f"{built:.0f} s")  # fmt: skip
    pairs = [
        ("where-is", "where_ms", "where_anchor_ms"),
        ("section pendency", "section_pendency_ms", "section_anchor_ms"),
    ]
    if inbox_ms:
        pairs.append((f"inbox ({args.heavy} held)", "inbox_ms", "inbox_anchor_ms"))
    for name, key, anchor in pairs:
        ours, floor = result[key], result[anchor]
        print(f"{name:18} p50 {ours['p50']:7.2f} ms  p95 {ours['p95']:7.2f} ms   raw SQL p95 "
              f"{floor['p95']:7.2f} ms   ratio {ours['p95'] / floor['p95']:.2f}x")  # fmt: skip
    for name, key in (
        ("user pendency", "user_pendency_ms"),
        ("mine with others", "mine_with_others_ms"),
    ):
        print(f"{name:18} p50 {result[key]['p50']:7.2f} ms  p95 {result[key]['p95']:7.2f} ms")
    print(f"EST section: {sample.total} open files held, buckets {sample.buckets}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
