"""Kill ``scanpipe convert`` midway (SIGKILL: no clean-up runs) and run it again.

Real CLI, real Tesseract, ``--jobs 1``. Pages are small 200 dpi letters so a
page takes about a second.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import json_lines, run_cli

from scanpipe import samples
from scanpipe.registry.store import Registry

DPI = 200  # the pipeline's min_dpi: read as is, not upscaled


def write_pages(folder: Path, seeds: list[int]) -> Path:
    folder.mkdir(parents=True)
    for n, seed in enumerate(seeds, start=1):
        samples.write_letter(
            folder / f"page{n}.png", seed=seed, lines=samples.letter_lines(seed)[:5], dpi=DPI
        )
    return folder


def open_registry(home: Path) -> Registry:
    return Registry.open(f"sqlite:///{home / 'registry.sqlite3'}", home / "archive")


def start_convert(home: Path, *paths: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SCANPIPE_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "scanpipe", "convert", "--json", "--jobs", "1", *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def finished_pages(home: Path) -> list[Path]:
    return sorted((home / "work").glob("*/page-*.json"))


def test_killed_convert_resumes_without_duplicates(tmp_path: Path) -> None:
    # Two folder-files, 3 + 2 pages. With --jobs 1 the pool hands pages back in pairs, so
    # the kill below lands after page 2 of the first file. (The layout also keeps every
    # file from ending on a window boundary, which trips the KeyError bug pinned down in
    # test_pipeline_unit.py; this test is about resuming.)
    files = [
        write_pages(tmp_path / "file-a", [11, 12, 13]),
        write_pages(tmp_path / "file-b", [21, 22]),
    ]
    home = tmp_path / "home"

    proc = start_convert(home, *files)
    try:
        deadline = time.monotonic() + 120
        while len(finished_pages(home)) < 2:
            assert proc.poll() is None, f"convert ended before it was killed:\n{proc.stderr}"
            assert time.monotonic() < deadline, "no page was finished within 120 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    kept = finished_pages(home)
    assert len(kept) >= 2, "the finished pages must survive the kill"
    with open_registry(home) as registry:
        before = registry.list_files()
    assert len(before) < len(files), "the kill must land before everything was registered"

    again = run_cli(home, "convert", "--json", "--jobs", "1", *files)

    assert again.returncode == 0, again.stderr
    lines = {line["source"]: line for line in json_lines(again.stdout)}
    assert set(lines) == {str(f) for f in files}
    assert all(line["status"] in ("registered", "duplicate") for line in lines.values()), lines
    with open_registry(home) as registry:
        summaries = registry.list_files()
        infos = {Path(s.source_path): registry.get_file(s.id) for s in summaries}
    # Every file exactly once, with every page.
    assert sorted(str(s.source_path) for s in summaries) == sorted(map(str, files))
    assert len({s.sha256 for s in summaries}) == len(files)
    for folder, pages in zip(files, (3, 2), strict=True):
        info = infos[folder]
        assert info.page_count == pages
        assert [p.number for p in info.pages] == list(range(1, pages + 1))
        assert lines[str(folder)]["file_id"] == info.id
        assert not (home / "work" / info.sha256).exists(), "work folder left behind"
    # The archive holds exactly one PDF per file, named by its sha256.
    pdfs = sorted(p.name for p in (home / "archive").rglob("*.pdf"))
    assert pdfs == sorted(f"{s.sha256}.pdf" for s in summaries)
    assert finished_pages(home) == []


def test_jobs1_run_of_several_single_page_files_completes(tmp_path: Path) -> None:
    scans = []
    for n, seed in enumerate((31, 32, 33), start=1):
        path = tmp_path / f"scan-{n}.png"
        samples.write_letter(path, seed=seed, lines=samples.letter_lines(seed)[:3], dpi=DPI)
        scans.append(path)
    home = tmp_path / "home"

    proc = run_cli(home, "convert", "--json", "--jobs", "1", *scans)

    with open_registry(home) as registry:
        registered = sorted(str(f.source_path) for f in registry.list_files())
    assert registered == sorted(map(str, scans)), proc.stderr[-2000:]
    assert proc.returncode == 0, proc.stderr[-2000:]
