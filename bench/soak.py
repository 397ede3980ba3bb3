"""Soak test of the hot folder: drop files while killing and restarting the watcher.

    .venv/bin/python bench/soak.py [--files 300] [--kills 10] [--engine fake|tesseract]
        [--rate 5] [--seed 1] [--jobs 1] [--keep DIR]

A real ``scanpipe watch`` process watches a fresh inbox. A dropper drops
``--files`` items at about ``--rate`` per second: unique good scans (most are
copied in with a temporary name and renamed, as careful copiers do; a tenth
are written in place slowly, in chunks over 1-3 s), byte-identical duplicates
of earlier drops, and hostile items (symlink, FIFO, empty file, pixel bomb,
encrypted and corrupt PDFs, a broken-encoding name). Meanwhile the watcher is
``kill -9``ed ``--kills`` times at random moments and restarted at once.

Afterwards every dropped name must be accounted for exactly once: registered
(the registry's source path ends in the name), kept in duplicates/, or kept in
failed/. It reports files in, registered, duplicates, quarantined, lost and
registered twice (both must be 0), and the time from the end of a drop to its
text being searchable (registry commit), p50 and p95.

``--engine fake`` uses the deterministic engine from tests/fakes.py, so the
protocol is exercised quickly; ``--engine tesseract`` drops real one-page
Hindi/English letters and gives the latency figure. Results go to
bench/out/soak-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pikepdf  # noqa: E402
from PIL import Image  # noqa: E402

from scanpipe import samples  # noqa: E402
from scanpipe.hotfolder.claim import display_name  # noqa: E402

HOSTILE = ("symlink", "fifo", "empty", "bomb", "encrypted", "garbage", "badname")


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels; the data is a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


@dataclass
class Drop:
    name: str  # as it will be reported (escaped display name)
    kind: str  # good | slow | duplicate | hostile:<what>
    sha_of: str | None = None  # good/slow: its own name; duplicate: the original's name
    dropped_at: float = 0.0  # when the last byte was in place


@dataclass
class Soak:
    root: Path
    engine: str
    jobs: int
    drops: list[Drop] = field(default_factory=list)
    seen: dict[str, float] = field(default_factory=dict)  # registered source name -> time
    proc: subprocess.Popen[bytes] | None = None
    kills: int = 0
    restarts: int = 0

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def configure(self) -> None:
        self.home.mkdir(parents=True)
        self.inbox.mkdir()
        engine = "fakes:FakeEngine" if self.engine == "fake" else "tesseract"
        stability = 1.0 if self.engine == "fake" else 3.0  # tesseract run: the default
        (self.home / "scanpipe.toml").write_text(
            f"jobs = {self.jobs}\n[ocr]\nengine = '{engine}'\n[watch]\n"
            f"stability_s = {stability}\nmax_age_s = 8.0\nbatch_idle_s = 10.0\n"
            "rescan_s = 5.0\nmin_free_mb = 64\nmax_attempts = 3\nretry_after_s = 1.0\n"
            f"[[inbox]]\npath = '{self.inbox}'\n"
        )

    def start(self) -> None:
        env = {
            **os.environ,
            "SCANPIPE_HOME": str(self.home),
            "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), str(REPO)]),
        }
        log = (self.home / "watcher.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scanpipe", "watch"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )

    def kill(self) -> None:
        """kill -9 the watcher and its page workers, as systemd does to the unit's cgroup."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.kills += 1

    # -- what gets dropped -------------------------------------------------------------------

    def good_bytes(self, n: int, staging: Path) -> bytes:
        path = staging / f"g{n}.png"
        if self.engine == "fake":
            rng = random.Random(n)
            img = Image.new("L", (600 + n % 97, 800 + n // 97), 250)
            for _ in range(20):  # a little ink, so every page is unique
                x, y = rng.randrange(550), rng.randrange(750)
                img.paste(rng.randrange(0, 120), (x, y, x + 30, y + 8))
            img.save(path, dpi=(300, 300))
        else:
            lines = samples.letter_lines(n)[:8]
            samples.write_letter(path, seed=n, lines=lines, dpi=300)
        return path.read_bytes()

    def plan(self, n: int, rng: random.Random) -> list[tuple[Drop, object]]:
        staging = self.root / "staging"
        staging.mkdir()
        plan: list[tuple[Drop, object]] = []
        goods: list[tuple[str, bytes]] = []
        hostile = iter(HOSTILE * (n // len(HOSTILE) + 1))
        for i in range(n):
            roll = rng.random()
            if roll < 0.10 and goods:
                orig, data = rng.choice(goods)
                name = f"dup-{i:04d}.png"
                plan.append((Drop(name, "duplicate", orig), data))
            elif roll < 0.20:
                what = next(hostile)
                plan.append((Drop(f"hostile-{i:04d}-{what}", f"hostile:{what}"), None))
            else:
                kind = "slow" if roll < 0.30 else "good"
                name = f"{kind}-{i:04d}.png"
                data = self.good_bytes(i, staging)
                goods.append((name, data))
                plan.append((Drop(name, kind, name), data))
        return plan

    def drop(self, item: Drop, data: object, rng: random.Random) -> None:
        target = self.inbox / item.name
        if item.kind.startswith("hostile:"):
            item.name = self._drop_hostile(item, target)
        elif item.kind == "slow":
            with target.open("wb") as fh:
                chunks = 6
                pause = rng.uniform(1.0, 3.0) / chunks
                for c in range(chunks):
                    fh.write(data[c * len(data) // chunks : (c + 1) * len(data) // chunks])
                    fh.flush()
                    time.sleep(pause)
        else:
            tmp = self.inbox / f"{item.name}.part"
            tmp.write_bytes(data)  # type: ignore[arg-type]
            os.replace(tmp, target)
        item.dropped_at = time.time()

    def _drop_hostile(self, item: Drop, target: Path) -> str:
        what = item.kind.split(":")[1]
        scratch = self.root / "staging" / f"{item.name}.pdf"
        samples.write_pdf(scratch, [Image.new("L", (200, 280), 255)], dpi=100)
        if what == "symlink":
            target.symlink_to(scratch)
        elif what == "fifo":
            os.mkfifo(target)
        elif what == "empty":
            target.write_bytes(b"")
        elif what == "bomb":
            target.write_bytes(bomb_png(30_000, 30_000))
        elif what == "encrypted":
            with pikepdf.open(scratch) as pdf:
                pdf.save(target, encryption=pikepdf.Encryption(owner="o", user="u"))
        elif what == "garbage":
            target.write_bytes(b"%PDF-1.7\n" + os.urandom(4000) + b"\n%%EOF\n")
        else:  # a name in a legacy 8-bit encoding
            raw = os.fsencode(str(target)) + b"-\xe9\xff.pdf"
            with open(raw, "wb") as fh:
                fh.write(scratch.read_bytes())
            return display_name(os.fsdecode(raw).rsplit("/", 1)[1])
        return item.name

    # -- watching the registry -------------------------------------------------------------

    def poll_registry(self, stop: threading.Event) -> None:
        db = self.home / "registry.sqlite3"
        while not stop.is_set():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                rows = con.execute("select source_path from files").fetchall()
                con.close()
                now = time.time()
                for (source,) in rows:
                    self.seen.setdefault(Path(source).name, now)
            except sqlite3.Error:
                pass
            stop.wait(0.2)


def quiet(soak: Soak, timeout: float) -> bool:
    """Everything dropped has left the inbox and claims/, and stayed so for a while."""
    deadline = time.time() + timeout
    calm_since = None
    while time.time() < deadline:
        busy = os.listdir(soak.inbox) or any(
            not n.startswith(".") for n in os.listdir(soak.home / "work" / "claims")
        )
        if busy:
            calm_since = None
        elif calm_since is None:
            calm_since = time.time()
        elif time.time() - calm_since > 3:
            return True
        time.sleep(0.5)
    return False


def account(soak: Soak) -> dict[str, object]:
    def names(folder: str) -> list[str]:
        out = []
        for reason in (soak.home / folder).glob("*/reason.json"):
            out.append(json.loads(reason.read_text())["original_name"])
        return out

    db = sqlite3.connect(soak.home / "registry.sqlite3")
    rows = [Path(s).name for (s,) in db.execute("select source_path from files")]
    db.close()
    duplicates, failed = names("duplicates"), names("failed")
    where: dict[str, int] = {}
    for name in rows + duplicates + failed:
        where[name] = where.get(name, 0) + 1
    dropped = [d.name for d in soak.drops]
    lost = [n for n in dropped if n not in where]
    twice = [n for n, count in where.items() if count > 1]
    uniques = {d.name for d in soak.drops if d.kind in ("good", "slow")}
    misfiled = [d.name for d in soak.drops if d.kind.startswith("hostile") and d.name in rows]
    latencies = sorted(
        soak.seen[d.name] - d.dropped_at
        for d in soak.drops
        if d.kind in ("good", "slow") and d.name in soak.seen
    )
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [0.0] * 19
    return {
        "files_in": len(dropped),
        "good_unique": len(uniques),
        "registered": len(rows),
        "duplicates": len(duplicates),
        "quarantined": len(failed),
        "lost": len(lost),
        "lost_names": lost[:20],
        "registered_twice": len(twice) + len(misfiled),
        "twice_names": (twice + misfiled)[:20],
        "latency_p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "latency_p95_s": round(q[18], 2) if latencies else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--engine", choices=["fake", "tesseract"], default="fake")
    ap.add_argument("--rate", type=float, default=5.0, help="drops per second (average)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    root = args.keep or Path(tempfile.mkdtemp(prefix="scanpipe-soak-"))
    soak = Soak(root, args.engine, args.jobs)
    soak.configure()
    print(f"preparing {args.files} drops in {root} ...", flush=True)
    plan = soak.plan(args.files, rng)
    soak.drops = [d for d, _ in plan]
    stop = threading.Event()
    poller = threading.Thread(target=soak.poll_registry, args=(stop,), daemon=True)
    soak.start()
    poller.start()
    started = time.time()
    span = args.files / args.rate
    kill_at = sorted(rng.uniform(1.0, span * 1.2 + 2) for _ in range(args.kills))

    def killer() -> None:
        for moment in kill_at:
            time.sleep(max(0.0, started + moment - time.time()))
            soak.kill()
            time.sleep(rng.uniform(0.0, 0.5))
            soak.start()
            soak.restarts += 1

    killing = threading.Thread(target=killer)
    killing.start()
    writers = []
    for drop, data in plan:
        time.sleep(rng.expovariate(args.rate))
        if drop.kind == "slow":  # slow copies overlap with later drops, as on a busy share
            w = threading.Thread(target=soak.drop, args=(drop, data, random.Random(rng.random())))
            w.start()
            writers.append(w)
        else:
            soak.drop(drop, data, rng)
    for w in writers:
        w.join()
    killing.join()
    settled = quiet(soak, timeout=max(300.0, args.files * (2 if args.engine == "fake" else 30)))
    elapsed = time.time() - started
    stop.set()
    poller.join()
    assert soak.proc is not None
    os.killpg(soak.proc.pid, signal.SIGTERM)
    soak.proc.wait(30)
    result = {
        "engine": args.engine,
        "files": args.files,
        "kills": soak.kills,
        "settled": settled,
        "elapsed_s": round(elapsed, 1),
        **account(soak),
    }
    out = REPO / "bench" / "out" / f"soak-{args.engine}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    print(f"written to {out}")
    ok = settled and result["lost"] == 0 and result["registered_twice"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
