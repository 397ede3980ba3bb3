"""Notification fan-out (issue 13): 10,000 files overdue at once, told and mailed once each.

    .venv/bin/python bench/notify_fanout.py [--files 10000] [--users 200]

Builds a registry (SQLite, real migrations) where ``--files`` open files are held
by ``--users`` officers with mail addresses, every one of them past its due date,
then times the library's sweep (``Routing.sweep``: overdue notices, no digest)
and the outbox's delivery (``routing.mailer.deliver``) to a real SMTP server on
loopback (aiosmtpd), which counts what it receives. A second sweep and delivery
must add nothing. Anchor, in the same run: inserting the same number of
notification rows with one ``executemany`` (the floor for writing them at all).
Target: sweep + delivery <= 60 s, each message seen exactly once by the server.
"""

from __future__ import annotations

import argparse
import socket
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime
from email import message_from_bytes
from pathlib import Path

from runners import ensure_repo_importable

ensure_repo_importable()

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from scanpipe.registry import Registry  # noqa: E402
from scanpipe.registry.models import FileRow  # noqa: E402
from scanpipe.registry.routing_models import HoldingRow, UserRow  # noqa: E402
from scanpipe.routing import Routing  # noqa: E402
from scanpipe.routing.mailer import deliver  # noqa: E402
from scanpipe.settings import MailSettings  # noqa: E402

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


class Counter:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.ids.append(message_from_bytes(envelope.original_content)["Message-ID"])
        return "250 OK"


def build(reg: Registry, files: int, users: int) -> None:
    with reg._engine.begin() as conn:
        conn.execute(insert(UserRow), [
            {"login": f"o{u}", "name": f"Officer {u}", "designation": "SO", "role": "officer",
             "active": True, "created_at": NOW, "email": f"o{u}@office.example"}
            for u in range(users)])  # fmt: skip
        conn.execute(insert(FileRow), [
            {"id": f, "page_count": 0, "size_bytes": 0, "created_at": NOW, "status": "registered",
             "pages_for_review": 0, "computer_no": 500000 + f, "file_no": f"{f}/2026/EST",
             "nature": "electronic", "file_state": "open", "volume": 1, "grading": "normal"}
            for f in range(1, files + 1)])  # fmt: skip
        conn.execute(insert(HoldingRow), [
            {"file_id": f, "user_id": 1 + f % users, "since": NOW, "opened_at": NOW,
             "due_on": date(2026, 11, 1 + f % 20), "priority": "normal"}
            for f in range(1, files + 1)])  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=200)
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    mail = MailSettings(host="127.0.0.1", port=port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "r.db"
            with Registry.open(f"sqlite:///{db}", Path(tmp) / "a") as reg:
                build(reg, args.files, args.users)
                routing = Routing(reg, clock=lambda: NOW)
                t0 = time.perf_counter()
                made = routing.sweep(digest=False)
                swept = time.perf_counter() - t0
                t0 = time.perf_counter()
                sent = 0
                while True:
                    report = deliver(routing.desk, mail, limit=5000)
                    sent += report.sent
                    if not report.sent:
                        break
                delivered = time.perf_counter() - t0
                again = routing.sweep(digest=False)
                resent = deliver(routing.desk, mail).sent
            anchor = sqlite3.connect(Path(tmp) / "anchor.db")
            anchor.execute("CREATE TABLE n (user_id INT, kind TEXT, text TEXT, dedupe TEXT UNIQUE)")
            t0 = time.perf_counter()
            anchor.executemany(
                "INSERT INTO n VALUES (?, 'overdue', ?, ?)",
                [(f % args.users, f"File {f} is overdue", f"o:{f}") for f in range(args.files)],
            )
            anchor.commit()
            floor = time.perf_counter() - t0
            anchor.close()
    finally:
        controller.stop()
    unique = len(set(counter.ids))
    print(f"{args.files} overdue files, {args.users} officers")
    print(f"sweep: {made} notifications in {swept:.1f} s "
          f"(raw executemany of the rows: {floor:.2f} s, ratio {swept / floor:.0f}x)")  # fmt: skip
    print(f"delivery: {sent} mails in {delivered:.1f} s; server saw {len(counter.ids)} "
          f"messages, {unique} distinct")  # fmt: skip
    print(f"second sweep: {again} new, {resent} re-sent; total {swept + delivered:.1f} s "
          f"(target <= 60 s)")  # fmt: skip


if __name__ == "__main__":
    main()
