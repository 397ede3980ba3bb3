"""Web settings: frozen, built once by ``scanpipe serve`` and handed to ``create_app``.

Cookies are ``Secure`` by default: a district network is not a trusted one,
and a session cookie sent over plain http can be read by anyone on it.
``secure_cookies=False`` exists only for tests and demos on
``http://127.0.0.1``, where browsers would otherwise drop the cookie.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from scanpipe.errors import ExitCode, ScanpipeError

SECRET_FILE = "web-secret"


class WebConfigError(ScanpipeError):
    exit_code = ExitCode.BAD_ARGS


@dataclass(frozen=True)
class WebConfig:
    secret_key: str
    secure_cookies: bool = True
    session_max_age_s: int = 8 * 3600  # one working day; sign in again tomorrow
    same_site: str = "strict"  # no cross-site request carries the session at all
    login_attempts: int = 5  # failed sign-ins per login per window
    ip_attempts: int = 20  # failed sign-ins per client address per window
    attempt_window_s: float = 15 * 60
    default_lang: str = "hi"


def load_secret(home: Path) -> str:
    """``SCANPIPE_WEB_SECRET``, else a random key kept in ``$SCANPIPE_HOME/web-secret`` (0600).

    Keeping it on disk means a restart does not sign everyone out; several
    server processes on one data folder share it.
    """
    env = os.environ.get("SCANPIPE_WEB_SECRET")
    if env:
        if len(env) < 32:
            raise WebConfigError(
                "SCANPIPE_WEB_SECRET is shorter than 32 characters",
                advice="use 64 random hex digits, e.g. from: openssl rand -hex 32",
            )
        return env
    path = home / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise WebConfigError(
            f"cannot read the session key: {exc.strerror}",
            advice="check the data folder's permissions, or set SCANPIPE_WEB_SECRET",
            path=path,
        ) from exc
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server process wrote it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key
