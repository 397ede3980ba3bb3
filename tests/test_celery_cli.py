"""``scanpipe convert --executor celery`` and ``scanpipe worker`` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image
from servers import REDIS_ENV, celery_env, celery_settings, celery_worker, server_url

from scanpipe.errors import ExitCode


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanpipe", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _home(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    (home / "scanpipe.toml").write_text('[ocr]\nengine = "fakes:FakeEngine"\n', encoding="utf-8")
    folder = home / "inbox" / "file-1"
    folder.mkdir(parents=True)
    for i in range(5):
        Image.new("L", (300 + 10 * i, 220), 250).save(folder / f"p{i + 1}.png", dpi=(300, 300))
    return home, folder


def test_convert_on_celery_workers_registers_the_file(tmp_path: Path) -> None:
    server_url(REDIS_ENV)
    cfg = celery_settings()
    home, folder = _home(tmp_path)
    env = celery_env(cfg, home)
    with celery_worker(cfg, home, concurrency=2):
        proc = _cli(env, "convert", "--executor", "celery", "--json", str(folder))
        again = _cli(env, "convert", "--executor", "celery", "--json", str(folder))
    assert proc.returncode == 0, proc.stderr
    (line,) = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    assert line["status"] == "registered" and len(line["pages"]) == 5
    assert again.returncode == 0 and '"status": "duplicate"' in again.stdout
    text = _cli(env, "text", str(line["file_id"]), "--page", "5")
    assert text.returncode == 0 and text.stdout.strip() == "page of 340x220"


def test_convert_without_a_worker_says_what_to_start(tmp_path: Path) -> None:
    server_url(REDIS_ENV)
    cfg = celery_settings()
    home, folder = _home(tmp_path)
    proc = _cli(celery_env(cfg, home), "convert", "--executor", "celery", str(folder))
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY, proc.stderr
    assert "no scanpipe worker consumes the queue" in proc.stderr
    assert "start one on each OCR machine: scanpipe worker" in proc.stderr


def test_convert_with_an_unreachable_broker(tmp_path: Path) -> None:
    home, folder = _home(tmp_path)
    env = {**os.environ, "SCANPIPE_HOME": str(home), "SCANPIPE_BROKER_URL": "redis://127.0.0.1:1/0"}
    proc = _cli(env, "convert", "--executor", "celery", str(folder))
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY, proc.stderr
    assert "cannot reach the Celery broker" in proc.stderr and "redis-server" in proc.stderr
