"""The hot-folder watcher as operators run it: a real ``scanpipe watch`` process.

The fake OCR engine (tests/fakes.py) is configured through the settings file,
so these run in seconds; one test at the end uses the real Tesseract. Every
claim, failure and registration is checked from outside: the registry, the
failed/ folders with their reason.json, and the engine's call log.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from fakes import LOG_ENV, read_log
from PIL import Image
from test_bad_inputs import huge_png_header

from scanpipe import samples
from scanpipe.hotfolder.journal import Journal, read_events
from scanpipe.hotfolder.watch import IntakeGate
from scanpipe.registry.store import Registry

TESTS = Path(__file__).parent
FAST = {
    "stability_s": 0.5,
    "batch_idle_s": 30.0,
    "max_age_s": 2.5,
    "rescan_s": 2.0,
    "poll_s": 0.3,
    "min_free_mb": 1,
    "max_attempts": 2,
    "retry_after_s": 0.5,
}


class Site:
    """A data folder with one inbox and a settings file using the fake engine."""

    def __init__(self, root: Path, engine: str = "fakes:FakeEngine", **watch: object) -> None:
        self.home = root / "home"
        self.inbox = root / "inbox"
        self.home.mkdir()
        self.inbox.mkdir()
        self.engine_log = root / "engine.jsonl"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.write_config(engine, **watch)

    def write_config(self, engine: str = "fakes:FakeEngine", **watch: object) -> None:
        values = {**FAST, **watch}
        lines = ["jobs = 1", "[ocr]", f'engine = "{engine}"', "[watch]"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
        lines += ["[[inbox]]", f'path = "{self.inbox}"', 'office = "Collectorate Mungeli"']
        (self.home / "scanpipe.toml").write_text("\n".join(lines) + "\n")

    def env(self) -> dict[str, str]:
        path = os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])
        return {
            **os.environ,
            "SCANPIPE_HOME": str(self.home),
            "PYTHONPATH": path,
            LOG_ENV: str(self.engine_log),
        }

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.home / f"watcher-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanpipe", "watch", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env(),
        )
        self.procs.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scanpipe", *args],
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=timeout,
            check=False,
        )

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.home.glob("watcher-*")))

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def registry(self) -> Registry:
        return Registry.open(f"sqlite:///{self.home / 'registry.sqlite3'}", self.home / "archive")

    def registered(self) -> list:
        if not (self.home / "registry.sqlite3").exists():
            return []
        with self.registry() as reg:
            return reg.list_files(limit=1000)

    def failed(self) -> dict[str, dict]:
        """original name -> reason.json of every item in failed/."""
        out = {}
        for reason in (self.home / "failed").glob("*/reason.json"):
            data = json.loads(reason.read_text())
            out[data["original_name"]] = data
        return out

    def events(self, kind: str) -> list[dict]:
        return [e for e in read_events(self.home) if e["event"] == kind]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    s = Site(tmp_path)
    yield s
    s.stop_all()


def wait_for(check: Callable[[], object], timeout: float = 60, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")


def page(path: Path, width: int, height: int = 400, tone: int = 250) -> Path:
    Image.new("L", (width, height), tone).save(path, dpi=(300, 300))
    return path


# -- readiness ---------------------------------------------------------------------------------


def test_a_slowly_copied_file_is_processed_once_and_only_when_complete(
    site: Site, tmp_path: Path
) -> None:
    # A PNG's header is readable from its first bytes, so only stability can tell
    # that the copy is still going: parse checks alone would take it half-written.
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (900, 700), dtype=np.uint8)
    source = tmp_path / "slow.png"
    Image.fromarray(noise).save(source, dpi=(300, 300))
    data = source.read_bytes()
    # Stability well above the writer's gaps, even on a busy machine.
    site.write_config(stability_s=1.5, max_age_s=60)
    watcher = site.start()
    wait_for(lambda: site.events("claimed") or "watching" in site.log_text(), 30, "start-up")
    target = site.inbox / "slow.png"
    chunks = 8
    with target.open("wb") as fh:
        for i in range(chunks):  # 8 chunks 0.45 s apart: ~3.2 s, gaps shorter than stability_s
            fh.write(data[i * len(data) // chunks : (i + 1) * len(data) // chunks])
            fh.flush()
            os.fsync(fh.fileno())
            time.sleep(0.45)
    finished_writing = time.time()
    files = wait_for(site.registered, 60, "registration")
    assert watcher.poll() is None
    (only,) = files
    assert only.size_bytes == len(data)
    claimed = site.events("claimed")
    assert len(claimed) == 1 and claimed[0]["t"] >= finished_writing - 0.05
    assert len(read_log(site.engine_log)) == 1, "OCRed once: never a half-written copy"
    assert not (site.home / "failed").exists()


# -- exactly once ------------------------------------------------------------------------------


def test_two_watchers_on_one_inbox_register_each_drop_exactly_once(site: Site) -> None:
    first, second = site.start(), site.start()
    names = []
    for i in range(12):
        names.append(page(site.inbox / f"scan-{i:02d}.png", 300 + i).name)
        time.sleep(0.05)
    batch = site.inbox / "file-17"
    batch.mkdir()
    page(batch / "p1.png", 500)
    page(batch / "p2.png", 501)
    (batch / "READY").write_bytes(b"")
    names.append("file-17")
    files = wait_for(lambda: len(site.registered()) == 13 and site.registered(), 90, "13 files")
    time.sleep(1.0)  # give a double claim the chance to show up
    assert first.poll() is None and second.poll() is None
    assert len(site.registered()) == 13
    claimed = Counter(e["name"] for e in site.events("claimed"))
    assert claimed == Counter(names), "every drop claimed exactly once between the two"
    assert len({e["pid"] for e in site.events("claimed")}) >= 1
    assert not (site.home / "duplicates").exists() and not (site.home / "failed").exists()
    assert sorted(f.page_count for f in files)[-1] == 2, "the batch is one two-page file"
    assert os.listdir(site.inbox) == []


def test_kill_9_mid_job_then_restart_registers_the_file_exactly_once(site: Site) -> None:
    batch = site.inbox / "big-file"
    batch.mkdir()
    pages = 25
    for i in range(pages):
        Image.new("L", (1240 + i, 1754), 250).save(batch / f"p{i + 1}.png", dpi=(150, 150))
    (batch / ".done").write_bytes(b"")
    watcher = site.start()
    wait_for(lambda: len(read_log(site.engine_log)) >= 5, 60, "five pages OCRed")
    os.kill(watcher.pid, signal.SIGKILL)
    watcher.wait(10)
    done_before = len(read_log(site.engine_log))
    assert site.registered() == [], "killed before the file was finished"
    assert list((site.home / "work" / "claims").iterdir()), "the job waits in claims/"

    site.start()
    (file,) = wait_for(site.registered, 90, "registration after restart")
    assert file.page_count == pages
    wait_for(lambda: not any((site.home / "work" / "claims").iterdir()), 20, "claims emptied")
    calls = len(read_log(site.engine_log))
    assert calls <= pages + 2, f"pages finished before the kill were not redone ({calls})"
    assert done_before < pages
    assert not (site.home / "duplicates").exists(), "its own registration is not a duplicate"
    time.sleep(1.5)
    assert len(site.registered()) == 1


def test_a_duplicate_drop_is_kept_and_reported_never_registered_twice(site: Site) -> None:
    data = page(site.inbox / "letter.png", 333).read_bytes()
    (site.inbox / "letter (copy).png").write_bytes(data)
    proc = site.run("watch", "--once")
    assert proc.returncode == 0, proc.stderr
    (file,) = site.registered()
    (dup,) = (site.home / "duplicates").iterdir()
    reason = json.loads((dup / "reason.json").read_text())
    kept = reason["original_name"]
    assert kept in ("letter.png", "letter (copy).png") and Path(file.source_path).name != kept
    assert reason["existing_file_ids"] == [file.id]
    assert (dup / "payload" / kept).read_bytes() == data
    assert os.listdir(site.inbox) == []


# -- hostile input -----------------------------------------------------------------------------


def small_pdf(path: Path) -> Path:
    samples.write_pdf(path, [Image.new("L", (200, 280), 255)], dpi=100)
    return path


def test_hostile_inputs_are_quarantined_with_a_reason_and_the_watcher_keeps_going(
    site: Site, tmp_path: Path
) -> None:
    watcher = site.start("--poll")
    inbox = site.inbox
    secret = tmp_path / "secret.pdf"
    small_pdf(secret)
    expected = {  # original name -> words its reason must contain
        "link.pdf": "symbolic link",
        "pipe.pdf": "FIFO",
        "..\\..\\evil.pdf": "'..'",
        "bad-\\xff.png": "UTF-8",
        "empty.pdf": "empty",
        "bomb.png": "megapixels",
        "locked.pdf": "encrypted",
        "garbage.pdf": "damaged",
        "notes.txt": "not a PDF",
    }
    (inbox / "link.pdf").symlink_to(secret)
    os.mkfifo(inbox / "pipe.pdf")
    if os.geteuid() == 0:
        os.mknod(inbox / "dev.pdf", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        expected["dev.pdf"] = "device"
    page(inbox / "..\\..\\evil.pdf", 301)
    with open(os.fsencode(inbox) + b"/bad-\xff.png", "wb") as fh:
        fh.write(page(tmp_path / "p.png", 302).read_bytes())
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "bomb.png").write_bytes(huge_png_header())
    with pikepdf.open(secret) as pdf:
        pdf.save(inbox / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    (inbox / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n")
    (inbox / "notes.txt").write_text("not a scan")
    gone = page(inbox / "gone.png", 303)
    time.sleep(0.3)
    gone.unlink()  # deleted while the watcher was looking at it

    failed = wait_for(lambda: set(site.failed()) >= set(expected) and site.failed(), 60, "all")
    for name, words in expected.items():
        assert words in failed[name]["why"], (name, failed[name]["why"])
        assert failed[name]["inbox"] == str(inbox)
        assert failed[name]["exit_code"] == 3
    assert watcher.poll() is None, "hostile input never stops the watcher"
    assert secret.exists() and os.listdir(inbox) == []
    assert "gone.png" not in site.failed()

    page(inbox / "good.png", 404)
    (file,) = wait_for(site.registered, 30, "a good file after all that")
    assert file.page_count == 1 and watcher.poll() is None
    listing = site.run("review", "list")
    assert "bomb.png" in listing.stdout and "encrypted" in listing.stdout


def test_a_batch_folder_with_anything_but_page_images_is_kept_whole_not_registered(
    site: Site, tmp_path: Path
) -> None:
    batch = site.inbox / "file-9"
    batch.mkdir()
    page(batch / "p1.png", 310)
    small_pdf(batch / "annexure.pdf")  # would be lost if the folder were registered and deleted
    (batch / "p2.png").symlink_to(page(tmp_path / "elsewhere.png", 311))
    (batch / "READY").write_bytes(b"")
    proc = site.run("watch", "--once")
    assert proc.returncode == 5, proc.stderr
    assert site.registered() == []
    why = site.failed()["file-9"]["why"]
    assert "'annexure.pdf' is not a page image" in why and "'p2.png' is a symbolic link" in why
    kept = next((site.home / "failed").iterdir()) / "payload" / "file-9"
    assert sorted(os.listdir(kept)) == ["READY", "annexure.pdf", "p1.png", "p2.png"]


# -- full disk ---------------------------------------------------------------------------------


def test_intake_pauses_on_a_full_disk_and_says_so(site: Site) -> None:
    site.write_config(min_free_mb=10**9)  # a petabyte: never there
    page(site.inbox / "waiting.png", 320)
    proc = site.run("watch", "--once")
    assert proc.returncode == 10, proc.stderr
    assert "intake paused" in proc.stderr and "MB free" in proc.stderr
    assert (site.inbox / "waiting.png").exists(), "nothing claimed while paused"
    status = json.loads(site.run("status", "--json").stdout)
    assert status["intake"].startswith("paused") and status["queue_depth"] == 1


def test_the_gate_resumes_when_space_returns(tmp_path: Path) -> None:
    free = [50 * 2**20]
    gate = IntakeGate(tmp_path, 100, Journal(tmp_path), free_bytes=lambda _p: free[0])
    assert not gate.open() and gate.paused
    free[0] = 500 * 2**20
    assert gate.open() and not gate.paused
    kinds = [e["event"] for e in read_events(tmp_path)]
    assert kinds == ["paused", "resumed"]


# -- status ------------------------------------------------------------------------------------


def test_status_counts_queue_failures_and_pages(site: Site) -> None:
    page(site.inbox / "a.png", 310)
    page(site.inbox / "b.png", 311)
    (site.inbox / "bad.pdf").write_bytes(b"%PDF-1.4 nonsense\n%%EOF\n")
    proc = site.run("watch", "--once")
    assert proc.returncode == 5, proc.stderr  # one drop failed: cron hears about it
    status = json.loads(site.run("status", "--json").stdout)
    assert status["done_today"] == 2 and status["pages_today"] == 2
    assert status["failures_open"] == 1 and status["queue_depth"] == 0
    assert status["pages_per_minute_today"] > 0


# -- the real Tesseract ------------------------------------------------------------------------


@pytest.mark.slow
def test_real_tesseract_drop_becomes_searchable(tmp_path: Path) -> None:
    site = Site(tmp_path, engine="tesseract")
    lines = ["कार्यालय कलेक्टर, जिला मुंगेली", "Office of the Collector, District Mungeli"]
    samples.write_letter(site.inbox / "letter.png", seed=3, lines=lines, dpi=200)
    proc = site.run("watch", "--once", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "done letter.png" in proc.stderr
    hits = site.run("search", "कलेक्टर")
    assert "file 1 page 1" in hits.stdout, hits.stdout + hits.stderr


def test_a_drop_waiting_for_its_writer_is_shown_with_why_and_until_when(site: Site) -> None:
    site.write_config(max_age_s=600)
    watcher = site.start("--poll")
    (site.inbox / "empty.pdf").write_bytes(b"")

    def waiting() -> list[dict]:
        figures = json.loads(site.run("status", "--json").stdout)
        return figures["waiting_for_writer"]

    (item,) = wait_for(waiting, 30, "the empty drop on the waiting board")
    assert item["name"] == "empty.pdf" and "empty" in item["reason"]
    assert "waiting for the writer" in item["reason"]
    assert 500 < item["until"] - item["since"] <= 600
    shown = site.run("status").stdout
    assert "empty.pdf" in shown and "until" in shown
    page(site.inbox / "empty.png", 410)  # another drop: the watcher goes on meanwhile
    wait_for(site.registered, 60, "the next drop registered while empty.pdf waits")
    (site.inbox / "empty.pdf").unlink()  # the operator removes it
    wait_for(lambda: not waiting(), 30, "the board cleared")
    assert watcher.poll() is None
