"""Scale-out throughput: pages/min on the local pool and on Celery workers, same pages, same run.

    .venv/bin/python bench/scale.py DIR --broker redis://127.0.0.1:6390/0 [--pages 12]

DIR holds page images (``../shared/corpus/synthetic-dev``); the first
``--pages`` are copied into folders of ``--per-file`` pages (one folder = one
file) in a temp dir, never into the repo. Each configuration converts the
same folders with the real CLI and real Tesseract into a fresh SCANPIPE_HOME:

- local 1 (the anchor), local 2: ``scanpipe convert --jobs N``;
- celery 1, celery 2: ``scanpipe worker -c N`` started (and ready) first, then
  ``scanpipe convert --executor celery``; only the convert is timed.

Printed: pages/min and the ratio to the anchor for each; scaling efficiency
(2-process rate / (2 x 1-process rate)); Celery's per-page overhead
(celery 1 page time / local 1 page time - 1).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable


def prepare(corpus: Path, pages: int, per_file: int, root: Path) -> list[Path]:
    images = sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".jpg", ".png", ".tif"))
    if len(images) < pages:
        sys.exit(f"{corpus} has {len(images)} page images; --pages {pages} needs more")
    folders = []
    for i in range(0, pages, per_file):
        folder = root / "inbox" / f"file-{i // per_file + 1:02d}"
        folder.mkdir(parents=True)
        for n, image in enumerate(images[i : i + per_file], start=1):
            shutil.copyfile(image, folder / f"page-{n:02d}{image.suffix}")
        folders.append(folder)
    return folders


def convert(home: Path, folders: list[Path], env: dict[str, str], *extra: str) -> float:
    t = time.perf_counter()
    proc = subprocess.run(
        [PY, "-m", "scanpipe", "convert", "--json", *extra, *map(str, folders)],
        env={**env, "SCANPIPE_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - t
    registered = proc.stdout.count('"status": "registered"')
    if proc.returncode != 0 or registered != len(folders):
        sys.exit(f"convert failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return elapsed


def start_worker(home: Path, env: dict[str, str], n: int) -> subprocess.Popen[bytes]:
    (home / "work").mkdir(parents=True, exist_ok=True)
    log = home / "worker.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [PY, "-m", "scanpipe", "worker", "-c", str(n), "-l", "INFO"],
            env={**env, "SCANPIPE_HOME": str(home)},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.time() + 60
    while b"ready." not in log.read_bytes():
        if proc.poll() is not None or time.time() > deadline:
            stop_worker(proc)
            sys.exit(f"worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    return proc


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--broker", default=os.environ.get("SCANPIPE_TEST_REDIS_URL"))
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--per-file", type=int, default=4)
    args = ap.parse_args()
    if not args.broker:
        sys.exit("give --broker redis://... (or run '. .ci/services.sh' first)")
    root = Path(tempfile.mkdtemp(prefix="scanpipe-scale-bench-"))
    folders = prepare(args.corpus, args.pages, args.per_file, root)
    env = {
        **os.environ,
        "SCANPIPE_BROKER_URL": args.broker,
        "SCANPIPE_CELERY_QUEUE": f"bench-{os.getpid()}",
        # Ranges of per_file/2 pages, so two worker processes share even one file.
        "SCANPIPE_CELERY_RANGE_PAGES": str(max(1, args.per_file // 2)),
    }
    env.pop("SCANPIPE_DB_URL", None)
    times: dict[str, float] = {}
    try:
        for jobs in (1, 2):
            times[f"local {jobs}"] = convert(root / f"local-{jobs}", folders, env, "-j", str(jobs))
            print(f"local {jobs}: {times[f'local {jobs}']:.1f} s", flush=True)
        for n in (1, 2):
            home = root / f"celery-{n}"
            worker = start_worker(home, env, n)
            try:
                times[f"celery {n}"] = convert(home, folders, env, "--executor", "celery")
            finally:
                stop_worker(worker)
            print(f"celery {n}: {times[f'celery {n}']:.1f} s", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rate = {k: args.pages / t * 60 for k, t in times.items()}
    anchor = rate["local 1"]
    print(f"\n{args.pages} pages, {len(folders)} files; anchor = local 1 ({anchor:.1f} pages/min)")
    for k, r in rate.items():
        print(f"  {k:<9} {r:6.1f} pages/min  {r / anchor:5.2f}x anchor")
    for kind in ("local", "celery"):
        eff = rate[f"{kind} 2"] / (2 * rate[f"{kind} 1"])
        print(f"  scaling efficiency {kind} 1 -> 2 processes: {eff:.2f}")
    overhead = times["celery 1"] / times["local 1"] - 1
    print(f"  Celery per-page overhead vs local pool (1 process): {overhead * 100:+.1f}%")
    print(f"  Celery 2 vs local 2: {times['celery 2'] / times['local 2'] - 1:+.1%} time")


if __name__ == "__main__":
    main()
