"""Password hashing: argon2id with the library's current parameters (RFC 9106 defaults).

``needs_rehash`` lets sign-in upgrade old hashes when the parameters change.
"""

from __future__ import annotations

import contextlib
from functools import cache

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


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("no such account, and no password")


def verify_password(stored: str | None, password: str) -> bool:
    """False for a wrong password, a missing hash or a damaged hash; never raises.

    A missing hash (unknown or inactive login) is checked against a dummy hash
    all the same, so that a wrong login takes as long as a wrong password and
    the answer's timing does not say which logins exist.
    """
    if not stored:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _HASHER.verify(_dummy_hash(), password)
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
