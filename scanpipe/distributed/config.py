"""Celery settings: frozen, read once from ``SCANPIPE_*`` variables, passed explicitly.

The delivery guarantees (DESIGN.md §7) are not settings: ``app.make_app``
always sets late acks, reject-on-worker-lost, prefetch 1 and JSON. What can
be tuned is here, with the one rule that matters checked: a task's hard time
limit must be shorter than the broker's visibility timeout, or Redis hands a
still-running task to a second worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from scanpipe.settings import ConfigError

ENV_PREFIX = "SCANPIPE_CELERY_"


@dataclass(frozen=True)
class CelerySettings:
    broker_url: str = "redis://localhost:6379/0"
    queue: str = "scanpipe"
    range_pages: int = 4  # pages per task: fewer messages, still spread over workers
    window_pages: int = 32  # pages enqueued and not yet collected, per enqueuing process
    time_limit_s: int = 1800  # hard limit of one task (4 pages x 300 s OCR timeout + margin)
    visibility_timeout_s: int = 3600  # Redis re-delivers an unacked message after this
    lease_s: float = 900.0  # a running task renews its lease after every page
    poll_s: float = 0.1  # how often the enqueuing process looks for finished tasks
    max_attempts: int = 3  # re-enqueues after expired leases before the task is failed
    task_modules: tuple[str, ...] = ()  # extra modules whose functions workers may run

    @property
    def soft_time_limit_s(self) -> int:
        """Raised inside the task first, so it can record why it stopped."""
        return max(1, self.time_limit_s - max(1, self.time_limit_s // 20))

    def check(self) -> CelerySettings:
        if self.time_limit_s >= self.visibility_timeout_s:
            raise ConfigError(
                f"the Celery task time limit ({self.time_limit_s} s) must be below the broker "
                f"visibility timeout ({self.visibility_timeout_s} s), or a slow task is "
                "delivered twice while it still runs",
                advice=f"lower {ENV_PREFIX}TIME_LIMIT_S or raise {ENV_PREFIX}VISIBILITY_TIMEOUT_S",
            )
        if self.range_pages < 1 or self.window_pages < 1 or self.lease_s <= 0:
            raise ConfigError(
                "range_pages and window_pages must be ≥ 1 and lease_s > 0",
                advice=f"check the {ENV_PREFIX}* variables",
            )
        return self


def load_celery_settings(env: Mapping[str, str] | None = None) -> CelerySettings:
    """``SCANPIPE_BROKER_URL`` and ``SCANPIPE_CELERY_<FIELD>`` over the defaults."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    if env.get("SCANPIPE_BROKER_URL"):
        values["broker_url"] = env["SCANPIPE_BROKER_URL"]
    for name, default in CelerySettings.__dataclass_fields__.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is None or name == "broker_url":
            continue
        kind = type(default.default)
        try:
            if kind is tuple:
                values[name] = tuple(m.strip() for m in raw.split(",") if m.strip())
            else:
                values[name] = kind(raw)
        except ValueError as exc:
            raise ConfigError(
                f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}",
                advice=f"write it like the default: {default.default!r}",
            ) from exc
    return CelerySettings(**values).check()  # type: ignore[arg-type]
