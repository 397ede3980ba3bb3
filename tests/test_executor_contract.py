"""One contract for every Executor: the local process pool and Celery (real Redis, real worker).

The Celery executor runs against a real ``scanpipe worker`` process with a
prefork pool, on the Redis named by SCANPIPE_TEST_REDIS_URL (DESIGN.md §7:
no ``task_always_eager``). Page tasks use the fake OCR engine so the suite is
fast; the pipeline and its task function are the real ones.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from executor_tasks import describe, fail_on_13, square
from fakes import LOG_ENV, page_text
from PIL import Image
from servers import REDIS_ENV, celery_settings, celery_worker, server_url

from scanpipe.distributed.config import CelerySettings
from scanpipe.distributed.executor import CeleryExecutor
from scanpipe.executors import Executor, LocalPool
from scanpipe.pipeline import Outcome, convert
from scanpipe.registry.store import Registry
from scanpipe.settings import Settings

SIZES = [(300 + 10 * i, 220) for i in range(7)]  # page sizes tell the pages apart


@pytest.fixture(scope="module")
def celery_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CelerySettings, Path]]:
    """One worker (2 processes) for the module, sharing ``home`` with the tests."""
    server_url(REDIS_ENV)
    home = tmp_path_factory.mktemp("celery-home")
    cfg = celery_settings()
    log = home / "engine-calls.jsonl"
    with celery_worker(cfg, home, concurrency=2, env={LOG_ENV: str(log)}):
        yield cfg, home


@pytest.fixture(params=["local", "celery"])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


def make(kind: str, request: pytest.FixtureRequest, **changes: object) -> Executor:
    if kind == "local":
        return LocalPool(2)
    cfg, home = request.getfixturevalue("celery_home")
    from dataclasses import replace

    return CeleryExecutor(replace(cfg, **changes), home / "work", require_worker=False)


@pytest.fixture
def executor(kind: str, request: pytest.FixtureRequest) -> Iterator[Executor]:
    ex = make(kind, request)
    yield ex
    ex.close()


def test_every_job_comes_back_once_with_its_result(executor: Executor) -> None:
    got = list(executor.imap_unordered(square, range(25)))
    assert sorted(job for job, _ in got) == list(range(25))
    assert all(result == job * job for job, result in got)


def test_no_jobs_no_results(executor: Executor) -> None:
    assert list(executor.imap_unordered(square, iter([]))) == []


def test_structured_values_survive(executor: Executor) -> None:
    jobs = [("a", 1), ("b", 2), ("a", 1)]  # a repeated job is still two jobs
    got = list(executor.imap_unordered(describe, jobs))
    assert sorted(job for job, _ in got) == sorted(jobs)
    for (label, n), result in got:
        assert result["label"] == label and result["pair"] == (n, -n)


def test_window_bounds_jobs_in_flight(executor: Executor) -> None:
    pulled = 0

    def jobs() -> Iterator[int]:
        nonlocal pulled
        for n in range(30):
            pulled += 1
            yield n

    seen = 0
    for _job, _result in executor.imap_unordered(square, jobs(), window=4):
        seen += 1
        assert pulled - seen <= 4, f"{pulled} pulled with only {seen} done"
    assert seen == 30


def test_task_exception_reaches_the_caller(executor: Executor) -> None:
    with pytest.raises(Exception, match="thirteen is unlucky"):
        list(executor.imap_unordered(fail_on_13, range(20)))


def write_page(path: Path, size: tuple[int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", size, 250).save(path, dpi=(300, 300))


def test_pipeline_pages_through_the_same_task_function(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """convert() over the executor: every page OCRed, the file registered once."""
    home = request.getfixturevalue("celery_home")[1] if kind == "celery" else tmp_path
    folder = home / "inbox" / f"file-{kind}"
    for i, size in enumerate(SIZES):
        write_page(folder / f"p{i + 1}.png", size)
    settings = Settings(home=home, db_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", jobs=2)
    settings = settings.with_ocr(engine="fakes:FakeEngine")
    executor = make(kind, request)
    try:
        with Registry.open(settings.db_url, settings.archive_dir) as registry:
            (outcome,) = convert([folder], settings, registry, executor)
            assert outcome.outcome is Outcome.REGISTERED, outcome.error
            assert [p.text for p in outcome.pages] == [page_text(*s) for s in SIZES]
            assert registry.stats().files == 1 and registry.stats().pages == len(SIZES)
            hits = registry.search(page_text(*SIZES[3]).split()[-1])
            assert [(h.file_id, h.page_number) for h in hits] == [(outcome.file_id, 4)]
    finally:
        executor.close()
    assert not (home / "work" / outcome.sha256).exists()  # work and task files cleaned up


# -- Celery only ------------------------------------------------------------------------------


def test_messages_carry_only_the_task_id(tmp_path: Path) -> None:
    """With no worker on the queue the message stays in Redis, where we can read it."""
    import redis

    cfg = celery_settings()
    executor = CeleryExecutor(cfg, tmp_path / "work", require_worker=False)
    try:
        job = executor._pending([7], nonce="test", n=0)
        executor._submit("executor_tasks:square", job, {})
        client = redis.Redis.from_url(cfg.broker_url)
        (raw,) = client.lrange(cfg.queue, 0, -1)
        client.delete(cfg.queue)
    finally:
        executor.close()
    envelope = json.loads(raw)
    assert envelope["content-type"] == "application/json"
    args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
    assert args == [job.files.id] and kwargs == {}
    assert job.files.task.exists()  # the job itself waits on the shared storage
