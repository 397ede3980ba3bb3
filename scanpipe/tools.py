"""The one seam to external programs: run them, probe versions, advise installs.

Every subprocess in scanpipe goes through ``run`` so that timeouts, missing
programs and stderr tails are handled once and turned into our own errors.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scanpipe.errors import ExternalToolError, MissingDependencyError

# Debian package that provides each program; used in advice messages.
APT_PACKAGE = {
    "tesseract": "tesseract-ocr",
    "pdftoppm": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdftotext": "poppler-utils",
    "gs": "ghostscript",
}


def install_advice(program: str) -> str:
    pkg = APT_PACKAGE.get(program, program)
    return f"install it with: sudo apt-get install {pkg}  (or run 'make demo', which installs it)"


def _tail(data: bytes | str | None, lines: int = 12) -> str:
    if not data:
        return ""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return "\n".join(text.strip().splitlines()[-lines:])


def which(program: str) -> str:
    found = shutil.which(program)
    if not found:
        raise MissingDependencyError(f"'{program}' was not found", advice=install_advice(program))
    return found


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    timeout: float = 300.0,
    env: dict[str, str] | None = None,
    about: Path | str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run a program with a timeout; raise ExternalToolError with its stderr tail on failure."""
    argv = [str(a) for a in args]
    program = which(argv[0])
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(
            [program, *argv[1:]],
            capture_output=True,
            timeout=timeout,
            env=full_env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExternalToolError(
            f"{argv[0]} did not finish within {timeout:.0f} s",
            advice="retry later, or raise the timeout; a very large page may need it",
            path=about,
            stderr_tail=_tail(exc.stderr),
        ) from exc
    if check and proc.returncode != 0:
        raise ExternalToolError(
            f"{argv[0]} failed with exit code {proc.returncode}: {_tail(proc.stderr, 3)}",
            advice="see the error above; if the input is damaged, rescan it",
            path=about,
            stderr_tail=_tail(proc.stderr),
        )
    return proc


@dataclass(frozen=True)
class Version:
    program: str
    text: str
    major: int


@cache
def version(program: str) -> Version:
    """Ask a program its version (cached: versions do not change during a run)."""
    flag = {"pdftoppm": "-v", "gs": "--version"}.get(program, "--version")
    proc = run([program, flag], timeout=30, check=False)
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return Version(program, m.group(0) if m else "?", int(m.group(1)) if m else 0)


@cache
def tesseract_languages() -> frozenset[str]:
    proc = run(["tesseract", "--list-langs"], timeout=30)
    lines = (proc.stdout or proc.stderr).decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def require_languages(langs: str) -> None:
    """Fail early, with the apt package to install, when a model is missing."""
    have = tesseract_languages()
    for lang in langs.split("+"):
        if lang not in have:
            pkg = "tesseract-ocr-script-deva" if lang == "Devanagari" else f"tesseract-ocr-{lang}"
            raise MissingDependencyError(
                f"Tesseract language model '{lang}' is not installed",
                advice=f"install it with: sudo apt-get install {pkg}",
            )
