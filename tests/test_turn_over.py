"""A page the orientation step left upside down is read turned over, and kept that way."""

from __future__ import annotations

from pathlib import Path

import fakes
import pytest
from PIL import Image

from scanpipe import samples
from scanpipe.model import PageJob, PageRef, PageStatus, SourceKind
from scanpipe.ocr.page import process_page
from scanpipe.settings import OcrSettings

DPI = 150
# English only: Latin letters give the headline vote nothing, and the fake's OSD has
# no opinion, so orientation stays 0 and only the reading can tell.
LINES = [
    "Government of Chhattisgarh",
    "Office of the Collector, District Mungeli",
    "File No. F-847/2022/GAD-36",
    "Copies of the orders are attached for reference.",
    "The matter may be placed before the competent authority.",
    "All sections shall send their files by Monday.",
]


def _page(path: Path, upside_down: bool) -> Path:
    page = samples.render_page(LINES, dpi=DPI, seed=3)
    if upside_down:
        page = page.transpose(Image.Transpose.ROTATE_180)
    page.save(path, dpi=(DPI, DPI))
    return path


def _process(path: Path, tmp_path: Path) -> object:
    settings = OcrSettings(engine="fakes:TopHeavyEngine", min_dpi=100)
    job = PageJob(PageRef(path, 0, SourceKind.IMAGE), 1, tmp_path / "out", settings)
    return process_page(job)


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "engine.log"
    monkeypatch.setenv(fakes.LOG_ENV, str(path))
    return path


def test_an_upside_down_page_is_turned_over_by_its_reading(tmp_path: Path, log: Path) -> None:
    result = _process(_page(tmp_path / "turned.png", upside_down=True), tmp_path)
    assert result.orientation_deg == 180
    assert result.status is PageStatus.OK, result.reason
    assert result.confidence == 90.0


def test_an_upright_page_is_read_once(tmp_path: Path, log: Path) -> None:
    result = _process(_page(tmp_path / "upright.png", upside_down=False), tmp_path)
    assert result.orientation_deg == 0 and result.confidence == 90.0
    assert len(fakes.read_log(log)) == 1
