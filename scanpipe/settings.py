"""Frozen settings, built once from the environment and passed explicitly.

Nothing reads the environment after start-up; workers receive the settings
they need inside their job, so a pool or a Celery worker behaves the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

# Measured on the corpora (docs/benchmarks.md): the Devanagari script model reads
# Hindi and English better than hin+eng and in about half the time.
DEFAULT_LANGS = "Devanagari"


@dataclass(frozen=True)
class OcrSettings:
    """What a page worker needs; small and picklable."""

    langs: str = DEFAULT_LANGS
    target_dpi: int = 300
    min_dpi: int = 200  # images below this are upscaled to target_dpi
    max_pixels: int = 120_000_000  # decompression-bomb cap per page
    psm: int = 3
    timeout_s: float = 300.0
    review_confidence: float = 70.0  # mean word confidence below this -> review
    rotate: int | None = None  # force a quarter turn (review retry), else detect
    engine: str = "tesseract"  # or "module:Class" implementing ocr.engine.OcrEngine


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    jobs: int
    ocr: OcrSettings = field(default_factory=OcrSettings)

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    @property
    def failed_dir(self) -> Path:
        return self.home / "failed"

    def with_ocr(self, **changes: object) -> Settings:
        return replace(self, ocr=replace(self.ocr, **changes))


def load_settings(
    home: str | Path | None = None, jobs: int | None = None, langs: str | None = None
) -> Settings:
    """Build settings from arguments, then ``SCANPIPE_*`` variables, then defaults."""
    home_path = Path(home or os.environ.get("SCANPIPE_HOME") or "scanpipe-data").absolute()
    db_url = os.environ.get("SCANPIPE_DB_URL") or f"sqlite:///{home_path / 'registry.sqlite3'}"
    n_jobs = jobs or int(os.environ.get("SCANPIPE_JOBS", "0")) or (os.cpu_count() or 1)
    ocr = OcrSettings(langs=langs or os.environ.get("SCANPIPE_LANGS") or DEFAULT_LANGS)
    return Settings(home=home_path, db_url=db_url, jobs=max(1, n_jobs), ocr=ocr)
