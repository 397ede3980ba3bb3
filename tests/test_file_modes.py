"""A new SCANPIPE_HOME is closed to other accounts (umask 027, docs/web.md "Files")."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path


def _run(home: Path, *args: str, umask: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SCANPIPE_UMASK"}
    env["SCANPIPE_HOME"] = str(home)
    if umask is not None:
        env["SCANPIPE_UMASK"] = umask
    exe = Path(sys.executable).parent / "scanpipe"
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, check=False)


ADD_CLERK = ("user", "add", "clerk", "--name", "C", "--designation", "Clerk", "--role", "records")


def _others(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode) & 0o007


def test_a_new_home_and_its_registry_are_closed_to_others(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = os.umask(0o022)  # a permissive login shell
    try:
        done = _run(home, *ADD_CLERK)
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    made = [home, *home.rglob("*")]
    assert any(p.name == "registry.sqlite3" for p in made)
    assert {str(p): oct(_others(p)) for p in made if _others(p)} == {}


def test_a_looser_umask_is_tightened_for_others(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = _run(home, *ADD_CLERK, umask="000")
    assert done.returncode == 0, done.stderr
    assert _others(home / "registry.sqlite3") == 0
    refused = _run(tmp_path / "other", "user", "list", umask="rw-")
    assert refused.returncode != 0
    assert "SCANPIPE_UMASK" in refused.stdout + refused.stderr
