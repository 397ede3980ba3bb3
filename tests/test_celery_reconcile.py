"""The reconciler: which tasks are sent again, and a lost task finished by a real worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from servers import REDIS_ENV, celery_settings, celery_worker, server_url

from scanpipe.distributed.app import make_app, run_task
from scanpipe.distributed.config import CelerySettings, load_celery_settings
from scanpipe.distributed.reconcile import reconcile, task_files
from scanpipe.distributed.taskstore import TaskFiles, needs_requeue, task_id, write_json
from scanpipe.settings import ConfigError

GROUP = "ab" * 32
FN = "executor_tasks:square"


def _task(tmp_path: Path, first: int = 1, age: float = 10.0) -> TaskFiles:
    """A task enqueued ``age`` seconds ago."""
    files = TaskFiles(tmp_path, task_id(GROUP, first, first))
    files.write_task(FN, [first + 1])
    data = files.read_task() or {}
    write_json(files.task, {**data, "enqueued": time.time() - age})
    return files


def _lease(files: TaskFiles, until: float) -> None:
    write_json(files.lease, {"host": "ocr-2", "pid": 4242, "until": until})


def test_waiting_and_running_tasks_are_left_alone(tmp_path: Path) -> None:
    files = _task(tmp_path)
    now = time.time()
    assert needs_requeue(files, now, 60)[0] is False  # queued a moment ago
    _lease(files, now + 5)
    assert needs_requeue(files, now, 60)[0] is False  # a worker holds it


def test_expired_lease_is_sent_again_once(tmp_path: Path) -> None:
    files = _task(tmp_path)
    now = time.time()
    _lease(files, now - 1)
    again, attempts, why = needs_requeue(files, now, 60)
    assert again and attempts == 1 and "ocr-2" in why and "4242" in why
    files.mark_enqueued(2)
    # The dead worker's lease predates the new message: wait for a new worker, do not resend.
    assert needs_requeue(files, time.time(), 60)[0] is False
    assert needs_requeue(files, time.time() + 61, 60)[0] is True  # ...unless it was lost too


def test_never_started_task_is_sent_after_the_visibility_timeout(tmp_path: Path) -> None:
    files = _task(tmp_path, age=0)
    assert needs_requeue(files, time.time() + 59, 60)[0] is False
    assert needs_requeue(files, time.time() + 61, 60)[1] == 1


def test_finished_task_is_never_sent(tmp_path: Path) -> None:
    files = _task(tmp_path)
    _lease(files, time.time() - 100)
    files.write_out([4])
    assert needs_requeue(files, time.time(), 60)[0] is False


def test_repeated_delivery_runs_nothing(tmp_path: Path) -> None:
    cfg = CelerySettings(task_modules=("executor_tasks",))
    files = _task(tmp_path, first=3)
    assert run_task(files, cfg) == "ran"
    assert files.read_out(cfg.task_modules) == ([16], None)
    assert run_task(files, cfg) == "done"
    files.remove(1)
    assert run_task(files, cfg) == "gone"


def test_task_ids_cannot_name_other_paths(tmp_path: Path) -> None:
    for bad in ("../../etc/passwd", f"{GROUP}/../x", f"{GROUP}/0001-0002/..", "x/0001-0001"):
        with pytest.raises(ValueError):
            TaskFiles(tmp_path, bad)


def test_time_limit_must_be_below_visibility_timeout() -> None:
    with pytest.raises(ConfigError) as info:
        load_celery_settings({"SCANPIPE_CELERY_TIME_LIMIT_S": "4000"})
    assert "visibility timeout" in info.value.message
    with pytest.raises(ConfigError):
        load_celery_settings({"SCANPIPE_CELERY_RANGE_PAGES": "four"})
    cfg = load_celery_settings({"SCANPIPE_BROKER_URL": "redis://b:6379/2"})
    assert cfg.broker_url == "redis://b:6379/2" and cfg.time_limit_s < cfg.visibility_timeout_s


def test_lost_task_of_a_dead_parent_is_finished_by_a_worker(tmp_path: Path) -> None:
    """Nobody waits for this task: its parent died and its worker's lease ran out."""
    server_url(REDIS_ENV)
    cfg = celery_settings(max_attempts=3)
    home = tmp_path / "home"
    work = home / "work"
    lost = _task(work, first=8)
    _lease(lost, time.time() - 1)
    running = _task(work, first=1)
    _lease(running, time.time() + 600)
    assert {f.id for f in task_files(work)} == {lost.id, running.id}
    with celery_worker(cfg, home, concurrency=1):
        sent = reconcile(work, cfg, make_app(cfg))
        assert [(s.task_id, s.attempts) for s in sent] == [(lost.id, 2)]
        deadline = time.monotonic() + 30
        while not lost.out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert lost.read_out(cfg.task_modules) == ([81], None)  # square(8 + 1)
    assert not running.out.exists()  # a live lease is left alone
