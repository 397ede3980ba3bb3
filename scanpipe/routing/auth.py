"""Password hashing: argon2id with the library's current parameters (RFC 9106 defaults).

``needs_rehash`` lets sign-in upgrade old hashes when the parameters change.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from scanpipe.errors import ExitCode, ScanpipeError

_HASHER = PasswordHasher()
MIN_PASSWORD = 8


class PasswordError(ScanpipeError):
    exit_code = ExitCode.BAD_ARGS


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise PasswordError(
            f"the password is shorter than {MIN_PASSWORD} characters",
            advice="choose a longer password",
        )
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """False for a wrong password, a missing hash or a damaged hash; never raises."""
    if not stored:
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
