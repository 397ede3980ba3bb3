"""Chaos: SIGKILL a Celery worker in the middle of a page; the file is registered once, whole.

Two ways to die: only the pool process running the task (Celery's main
process sees it and re-queues the message: ``task_reject_on_worker_lost``),
and the whole worker at once, as when a machine loses power (nobody tells
the broker; the task's lease runs out and the enqueuing process sends it
again, to a worker started afterwards). Both times the pages finished before
the kill are not OCRed again.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pikepdf
import pytest
from fakes import DELAY_ENV, LOG_ENV, page_text, read_log
from PIL import Image
from servers import REDIS_ENV, celery_settings, celery_worker, server_url, stop_group

from scanpipe.distributed.executor import CeleryExecutor
from scanpipe.distributed.taskstore import read_json
from scanpipe.pipeline import FileOutcome, Outcome, convert
from scanpipe.registry.store import Registry
from scanpipe.settings import Settings

SIZES = [(300 + 10 * i, 220) for i in range(6)]


def _wait_for(what: str, check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.parametrize("victim", ["pool-process", "whole-worker"])
def test_sigkill_mid_page_registers_the_file_once_with_all_pages(
    tmp_path: Path, victim: str
) -> None:
    server_url(REDIS_ENV)
    home = tmp_path / "home"
    folder = home / "inbox" / "file-1"
    for i, size in enumerate(SIZES):
        folder.mkdir(parents=True, exist_ok=True)
        Image.new("L", size, 250).save(folder / f"p{i + 1}.png", dpi=(300, 300))
    cfg = celery_settings(range_pages=3, lease_s=2.0)
    log = tmp_path / "engine.jsonl"
    env = {LOG_ENV: str(log), DELAY_ENV: "0.7"}
    settings = Settings(home=home, db_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", jobs=1)
    settings = settings.with_ocr(engine="fakes:FakeEngine")
    outcomes: list[FileOutcome] = []
    failures: list[BaseException] = []

    def parent() -> None:
        executor = CeleryExecutor(cfg, settings.work_dir, require_worker=False)
        try:
            with Registry.open(settings.db_url, settings.archive_dir) as registry:
                outcomes.extend(convert([folder], settings, registry, executor))
        except BaseException as exc:
            failures.append(exc)
        finally:
            executor.close()

    with celery_worker(cfg, home, concurrency=1, env=env) as first:
        thread = threading.Thread(target=parent, daemon=True)
        thread.start()
        # Page 1 of the first range is done and saved; page 2 is being OCRed.
        item = _wait_for(
            "the first page's result",
            lambda: next(iter(home.glob("work/*/tasks/0001-0003.item-0000.json")), None),
        )
        lease = read_json(item.with_name("0001-0003.lease.json"))
        assert lease is not None
        if victim == "pool-process":
            os.kill(lease["pid"], signal.SIGKILL)
            thread.join(timeout=60)
        else:
            stop_group(first, signal.SIGKILL)
    if victim == "whole-worker":
        with celery_worker(cfg, home, concurrency=1, env=env):
            thread.join(timeout=60)
    assert not thread.is_alive(), "convert did not finish"
    assert failures == []

    (outcome,) = outcomes
    assert outcome.outcome is Outcome.REGISTERED, outcome.error
    assert [p.text for p in outcome.pages] == [page_text(*s) for s in SIZES]
    with Registry.open(settings.db_url, settings.archive_dir) as registry:
        stats = registry.stats()
        assert (stats.files, stats.pages) == (1, len(SIZES))
        info = registry.get_file(outcome.file_id or 0)
    assert [p.number for p in info.pages] == list(range(1, len(SIZES) + 1))
    assert info.pdf_path is not None
    with pikepdf.open(info.pdf_path) as pdf:
        assert len(pdf.pages) == len(SIZES)

    calls = read_log(log)
    done = [c["page"] for c in calls]
    assert sorted(set(done)) == [f"page-{n:04d}" for n in range(1, len(SIZES) + 1)]
    assert done.count("page-0001") == 1  # finished before the kill: not OCRed again
    assert len({c["pid"] for c in calls}) >= 2  # another process finished the job
    assert not list(home.glob("work/*/tasks/*"))  # nothing left behind
