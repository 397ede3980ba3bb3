"""Dropped files' names are data from outside: shown escaped, refused when they are tricks.

Split out of ``claim.py``; every part of the hot folder that prints, logs or
stores a dropped name goes through these three functions.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path


def display_name(name: str) -> str:
    """A name that is safe to print and log: undecodable bytes and controls escaped."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(
        c if unicodedata.category(c)[0] != "C" or c == " " else f"\\x{ord(c):02x}" for c in text
    )


def unsafe_name_reason(name: str) -> str | None:
    """Why a name is refused, or None. Names are data from outside, never trusted as paths."""
    raw = os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the file name is not valid UTF-8 (broken encoding)"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in text):
        return "the file name holds control or invisible format characters"
    parts = text.replace("\\", "/").split("/")
    if ".." in parts or text.startswith(".."):
        return "the file name holds '..' (a path trick)"
    if "\\" in text:
        return "the file name holds a backslash (a Windows path trick)"
    if len(raw) > 200:
        return "the file name is longer than 200 bytes"
    return None


def safe_name(name: str) -> str:
    """The name a payload is stored under: the original if safe, else a plain stand-in."""
    if unsafe_name_reason(name) is None and not name.startswith("."):
        return name
    suffix = Path(display_name(name)).suffix.lower()
    return "file" + (suffix if suffix[1:].isalnum() and len(suffix) <= 6 else "")
