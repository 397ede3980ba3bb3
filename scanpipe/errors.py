"""Errors that carry an exit code and a message that tells the user what to do.

The CLI translates these in exactly one place (``cli.main``), so library code
raises them freely and never prints or exits itself.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes; stable, documented in the README."""

    OK = 0
    BAD_ARGS = 2
    INPUT_FILE = 3  # the input file is unreadable, corrupt, encrypted or too big
    MISSING_DEPENDENCY = 4  # an external program or model is missing
    PARTIAL = 5  # some files were converted, some failed
    OCR_FAILED = 6
    DATABASE = 7
    SEARCH_QUERY = 8
    NOT_FOUND = 9
    OUT_OF_SPACE = 10
    REFUSED = 11  # an e-Office rule or the user's role forbids the action
    INTERRUPTED = 130
    INTERNAL = 15


class ScanpipeError(Exception):
    """Base class. ``advice`` says what the user should do next.

    ``key`` names the error's kind for an interface that speaks another language:
    the web shows the kind's own sentence from its catalog (in Hindi or English)
    above the message; "" when the kind has no such sentence.
    """

    exit_code: ExitCode = ExitCode.INTERNAL
    retryable: bool = False
    key: str = ""

    def __init__(self, message: str, *, advice: str = "", path: Path | str | None = None):
        self.message = message
        self.advice = advice
        self.path = Path(path) if path is not None else None
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.path}: {self.message}" if self.path else self.message
        return f"{head}\n  → {self.advice}" if self.advice else head


class InputFileError(ScanpipeError):
    """The input itself is bad: empty, truncated, encrypted, not an image/PDF, too many pixels.

    These are permanent failures: retrying the same bytes cannot help, so the
    file is quarantined for a person to look at.
    """

    exit_code = ExitCode.INPUT_FILE


class MissingDependencyError(ScanpipeError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class ExternalToolError(ScanpipeError):
    """An external program failed or timed out; may succeed on retry."""

    exit_code = ExitCode.OCR_FAILED
    retryable = True

    def __init__(self, message: str, *, advice: str = "", path=None, stderr_tail: str = ""):
        self.stderr_tail = stderr_tail
        super().__init__(message, advice=advice, path=path)


class OutOfSpaceError(ScanpipeError):
    exit_code = ExitCode.OUT_OF_SPACE
    retryable = True


class RegistryError(ScanpipeError):
    exit_code = ExitCode.DATABASE


class NotFoundError(ScanpipeError):
    exit_code = ExitCode.NOT_FOUND


class SearchQueryError(ScanpipeError):
    exit_code = ExitCode.SEARCH_QUERY
