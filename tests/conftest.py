"""Shared fixtures. Every scan used by the tests is generated here by scanpipe.samples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanpipe import samples

# Known text for the two-page letter; the conjunct words are checked in the PDF layer.
PAGE1_LINES = [
    "Government of Chhattisgarh",
    "Office of the Collector, District Mungeli",
    "File No. F-847/2022/GAD-36",
    "विषय: ई-ऑफिस प्रणाली के क्रियान्वयन के संबंध में",
    "कलेक्टर श्री ने जिला कार्यालय में प्रशिक्षण दिया।",
    "इस क्षेत्र में सभी प्रशासनिक कार्य डिजिटल होंगे।",
    "Copies of the orders are attached for reference.",
]
PAGE2_LINES = [
    "उपरोक्त विषयांतर्गत लेख है कि फाइलों का निपटारा समय पर करें।",
    "दिनांक १८ अक्टूबर २०२० की बैठक में निर्णय लिया गया।",
    "The matter may be placed before the competent authority.",
    "कलेक्टर, जिला मुंगेली (छ.ग.)",
]


@dataclass(frozen=True)
class Letter:
    path: Path
    truth: tuple[str, str]  # per page
    skews: tuple[float, float]
    orientations: tuple[int, int]


def run_cli(
    home: Path, *args: str | os.PathLike[str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as an operator would."""
    env = {**os.environ, "SCANPIPE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "scanpipe", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def normalise(text: str) -> str:
    """The corpus README's scoring normalisation: NFC, no zero-widths, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff")))
    return " ".join(text.split())


@pytest.fixture(scope="session")
def letter(tmp_path_factory: pytest.TempPathFactory) -> Letter:
    """A two-page Hindi/English letter as a scanned PDF: page 1 skewed 8°,
    page 2 upside down and skewed 1.5°."""
    folder = tmp_path_factory.mktemp("letter")
    skews, orientations = (8.0, 1.5), (0, 180)
    pages = [
        samples.degrade(samples.render_page(lines, seed=i), skew_deg=s, orientation_deg=o, seed=i)
        for i, (lines, s, o) in enumerate(
            zip((PAGE1_LINES, PAGE2_LINES), skews, orientations, strict=True)
        )
    ]
    path = folder / "letter.pdf"
    samples.write_pdf(path, pages)
    truth = ("\n".join(PAGE1_LINES), "\n".join(PAGE2_LINES))
    return Letter(path, truth, skews, orientations)


@pytest.fixture(scope="session")
def converted(letter: Letter, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The letter converted once by the real pipeline (real Tesseract)."""
    home = tmp_path_factory.mktemp("home")
    proc = run_cli(home, "convert", "--json", "--jobs", "2", letter.path)
    assert proc.returncode == 0, proc.stderr
    (line,) = json_lines(proc.stdout)
    return home, line
