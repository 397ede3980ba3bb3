"""Check that this machine can run scanpipe, and say how to fix what is missing."""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scanpipe import tools
from scanpipe.errors import ScanpipeError
from scanpipe.settings import Settings

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
NEEDED_MODELS = {
    "hin": "tesseract-ocr-hin",
    "eng": "tesseract-ocr-eng",
    "osd": "tesseract-ocr-osd",
    "Devanagari": "tesseract-ocr-script-deva",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _program(name: str, minimum: int = 0) -> Check:
    try:
        found = tools.version(name)
    except ScanpipeError as exc:
        return Check(name, False, "not found", exc.advice)
    if found.major < minimum:
        return Check(
            name,
            False,
            f"version {found.text}, need ≥ {minimum}",
            tools.install_advice(name) + " (from a newer release)",
        )
    return Check(name, True, f"version {found.text}")


def _models() -> list[Check]:
    try:
        have = tools.tesseract_languages()
    except ScanpipeError:
        have = frozenset()
    return [
        Check(
            f"tesseract model {lang}",
            lang in have,
            "installed" if lang in have else "missing",
            "" if lang in have else f"sudo apt-get install {pkg}",
        )
        for lang, pkg in NEEDED_MODELS.items()
    ]


def find_devanagari_font() -> Path | None:
    for root in FONT_DIRS:
        if root.is_dir():
            for pattern in (
                "NotoSansDevanagari-Regular.*",
                "Lohit-Devanagari.*",
                "*Devanagari*.ttf",
            ):
                hit = next(root.rglob(pattern), None)
                if hit:
                    return hit
    return None


def _data_dir(home: Path) -> Check:
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home):
            pass
        return Check("data folder", True, str(home))
    except OSError as exc:
        return Check(
            "data folder",
            False,
            f"{home}: {exc.strerror}",
            "set SCANPIPE_HOME to a writable folder, or fix its permissions",
        )


def _fts5() -> Check:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return Check("SQLite FTS5", True, f"SQLite {sqlite3.sqlite_version}")
    except sqlite3.OperationalError:
        return Check("SQLite FTS5", False, "not compiled in", "use a Python built with FTS5")


def run_checks(settings: Settings) -> list[Check]:
    font = find_devanagari_font()
    return [
        _program("tesseract", 5),
        *_models(),
        _program("pdftoppm"),
        _program("gs"),
        Check(
            "Devanagari font",
            font is not None,
            str(font) if font else "not found",
            "" if font else "sudo apt-get install fonts-noto-core",
        ),
        _data_dir(settings.home),
        _fts5(),
    ]
