"""Real servers for the scale-out tests: PostgreSQL and Redis, found through env variables.

``SCANPIPE_TEST_PG_URL`` (a role that may create databases) and
``SCANPIPE_TEST_REDIS_URL`` name them; ``. .ci/services.sh`` starts both and
sets both. Without them the tests skip, unless ``SCANPIPE_REQUIRE_SERVERS=1``
(set by .ci/run), which turns the skip into a failure so CI can never pass by
skipping.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from scanpipe.distributed.config import CelerySettings

PG_ENV = "SCANPIPE_TEST_PG_URL"
REDIS_ENV = "SCANPIPE_TEST_REDIS_URL"
REQUIRE_ENV = "SCANPIPE_REQUIRE_SERVERS"


def server_url(env: str) -> str:
    """The URL in ``env``; skip (or fail, in CI) the test when it is unset."""
    url = os.environ.get(env)
    if url:
        return url
    message = f"{env} is not set; run '. .ci/services.sh' to start the servers"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {message}", pytrace=False)
    pytest.skip(message)


def _admin_url() -> str:
    from scanpipe.registry.db import parse_url

    return parse_url(server_url(PG_ENV)).render_as_string(hide_password=False)


@contextlib.contextmanager
def pg_database(ctype: str = "C.UTF-8") -> Iterator[str]:
    """A new, empty database with LC_CTYPE ``ctype``; dropped afterwards. Yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = _admin_url()
    name = f"scanpipe_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(
                text(
                    f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                    f"LC_COLLATE '{ctype}' LC_CTYPE '{ctype}'"
                )
            )
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


TESTS_DIR = Path(__file__).resolve().parent


def celery_settings(**changes: object) -> CelerySettings:
    """Fast test settings on the test Redis, in a queue of their own."""
    from scanpipe.distributed.config import CelerySettings

    base = CelerySettings(
        broker_url=server_url(REDIS_ENV),
        queue=f"scanpipe-test-{uuid.uuid4().hex[:8]}",
        range_pages=3,
        window_pages=12,
        time_limit_s=20,
        visibility_timeout_s=30,
        lease_s=3.0,
        poll_s=0.05,
        task_modules=("executor_tasks",),
    )
    return replace(base, **changes).check()  # type: ignore[arg-type]


def celery_env(cfg: CelerySettings, home: Path) -> dict[str, str]:
    """The environment that gives a worker process the same settings as ``cfg``."""
    env = {**os.environ, "SCANPIPE_HOME": str(home), "SCANPIPE_BROKER_URL": cfg.broker_url}
    for name in cfg.__dataclass_fields__:
        value = getattr(cfg, name)
        if name != "broker_url":
            env[f"SCANPIPE_CELERY_{name.upper()}"] = (
                ",".join(value) if isinstance(value, tuple) else str(value)
            )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), env.get("PYTHONPATH")]))
    return env


@contextlib.contextmanager
def celery_worker(
    cfg: CelerySettings, home: Path, concurrency: int = 2, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``scanpipe worker`` process (prefork pool) until the block ends."""
    (home / "work").mkdir(parents=True, exist_ok=True)
    log = home / f"worker-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanpipe", "worker", "-c", str(concurrency)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**celery_env(cfg, home), **(env or {})},
            start_new_session=True,  # its own process group: the pool children go with it
        )
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        proc.log_path = log  # type: ignore[attr-defined]
        yield proc
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop a worker and its pool children (TERM, then KILL after 10 s)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # orphaned pool children, if any
