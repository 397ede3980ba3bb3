"""The review queue through the real CLI: list, show, retry with other settings, accept, reject.

Also the settings file, and a scanned stack with QR cover sheets dropped into
an inbox. The fake engine keeps every conversion under a second.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fakes import DARK
from PIL import Image
from test_watch import Site, page

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError
from scanpipe.hotfolder.claim import take_next
from scanpipe.hotfolder.review import accept, find, items, reject, requeue
from scanpipe.settings import ConfigError, load_settings


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


def failed_job(site: Site) -> str:
    (job,) = os.listdir(site.home / "failed")
    return job


def test_retry_with_other_settings_registers_a_failed_drop(site: Site, tmp_path: Path) -> None:
    site.write_config(engine="fakes:CrashingEngine", max_attempts=1)
    page(site.inbox / "dark.png", 300, 400, tone=DARK // 2)
    proc = site.run("watch", "--once")
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    job = failed_job(site)
    listing = json.loads(site.run("review", "list", "--json").stdout)
    assert listing["job"] == job and listing["original_name"] == "dark.png"
    assert listing["inbox"] == str(site.inbox) and listing["time"]
    assert "no page could be read" in listing["why"]
    assert "fake OCR crash" in listing["why"]

    fixed = tmp_path / "fixed.toml"
    fixed.write_text('[ocr]\nengine = "fakes:FakeEngine"\n')
    proc = site.run("review", "retry", job, "--rotate", "90", "--config", str(fixed))
    assert proc.returncode == 0, proc.stderr
    assert "registered dark.png as file 1" in proc.stdout
    with site.registry() as registry:
        text = registry.page_text(1)
    assert "page of 400x300" in text, "the forced quarter turn was used"
    assert items(site.home) == [], "nothing left to review"
    assert not any((site.home / "work" / "claims").iterdir())


def test_failed_again_stays_in_the_queue_with_its_history(site: Site) -> None:
    (site.inbox / "locked.pdf").write_bytes(b"%PDF-1.4 not really\n%%EOF\n")
    site.run("watch", "--once")
    job = failed_job(site)
    proc = site.run("review", "retry", job, "--dpi", "200")
    assert proc.returncode != 0 and "failed again" in proc.stderr
    reason = json.loads((site.home / "failed" / job / "reason.json").read_text())
    assert len(reason["history"]) == 2
    assert json.loads((site.home / "failed" / job / "job.json").read_text())["ocr"] == {
        "target_dpi": 200
    }


def test_accept_deletes_a_duplicate_copy_and_reject_keeps_the_original(site: Site) -> None:
    data = page(site.inbox / "a.png", 350).read_bytes()
    (site.inbox / "a-again.png").write_bytes(data)
    (site.inbox / "junk.pdf").write_bytes(b"%PDF-1.4 junk\n%%EOF\n")
    site.run("watch", "--once")
    by_kind = {i.kind: i for i in items(site.home)}
    assert set(by_kind) == {"duplicate", "failed"}
    dup, bad = by_kind["duplicate"].job, by_kind["failed"].job

    shown = site.run("review", "show", bad)
    assert "junk.pdf" in shown.stdout and "damaged" in shown.stdout
    with pytest.raises(ScanpipeError, match="nothing registered to accept"):
        accept(site.home, bad)

    proc = site.run("review", "accept", dup)
    assert proc.returncode == 0, proc.stderr
    assert not (site.home / "reviewed" / dup / "payload").exists(), "the extra copy is gone"
    decided = json.loads((site.home / "reviewed" / dup / "reason.json").read_text())
    assert decided["decision"] == "accepted"

    assert "kept in" in reject(site.home, bad, "not ours")
    assert (site.home / "reviewed" / bad / "payload" / "junk.pdf").exists()
    assert items(site.home) == []
    with pytest.raises(NotFoundError):
        find(site.home, bad)


def test_requeue_puts_the_job_back_into_claims_so_a_crash_loses_nothing(site: Site) -> None:
    (site.inbox / "x.pdf").write_bytes(b"%PDF-1.4 x\n%%EOF\n")
    site.run("watch", "--once")
    job_id = failed_job(site)
    settings = load_settings(site.home)
    job = requeue(settings, job_id, {"rotate": 180})
    assert job.dir == site.home / "work" / "claims" / job_id and job.locked
    assert not (site.home / "failed" / job_id).exists()
    job.release()  # as if the retrying process died here
    again = take_next(site.home / "work" / "claims")
    assert again is not None and again.id == job_id and again.ocr == {"rotate": 180}
    again.release()


# -- the settings file -------------------------------------------------------------------------


def test_settings_file_inboxes_defaults_and_precedence(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "conf" / "scanpipe.toml"
    config.parent.mkdir()
    config.write_text(
        "jobs = 3\n[ocr]\nlangs = 'hin'\ntimeout_s = 60\n[watch]\nstability_s = 5\n"
        "markers = ['READY']\n[[inbox]]\npath = 'revenue'\noffice = 'Mungeli'\nlangs = 'eng'\n"
    )
    monkeypatch.delenv("SCANPIPE_JOBS", raising=False)
    monkeypatch.delenv("SCANPIPE_LANGS", raising=False)
    s = load_settings(tmp_path / "home", config=config)
    assert s.jobs == 3 and s.ocr.langs == "hin" and s.ocr.timeout_s == 60.0
    assert s.watch.stability_s == 5.0 and s.watch.markers == ("READY",)
    (inbox,) = s.watch.inboxes
    assert inbox.path == config.parent / "revenue", "relative to the settings file"
    assert inbox.office == "Mungeli" and inbox.langs == "eng"
    monkeypatch.setenv("SCANPIPE_LANGS", "Devanagari")
    assert load_settings(tmp_path / "home", jobs=1, config=config).ocr.langs == "Devanagari"
    assert load_settings(tmp_path / "home", jobs=1, config=config).jobs == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[watch]\nstabilty_s = 3\n", "unknown setting 'stabilty_s'"),
        ("[watch]\nstability_s = 'slow'\n", "wrong type"),
        ("[watch]\npolling = 'sometimes'\n", "polling must be"),
        ("[[inbox]]\noffice = 'x'\n", "needs a path"),
        ("[wach]\n", "unknown section"),
        ("[watch\n", "not valid TOML"),
    ],
)
def test_settings_file_mistakes_are_errors_that_say_what_is_wrong(
    tmp_path: Path, text: str, words: str
) -> None:
    config = tmp_path / "scanpipe.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=words) as info:
        load_settings(tmp_path, config=config)
    assert info.value.exit_code == ExitCode.BAD_ARGS


# -- a scanned stack with QR cover sheets ------------------------------------------------------


def test_a_stack_with_two_cover_sheets_becomes_two_files_and_a_wrong_count_is_flagged(
    site: Site,
) -> None:
    render = pytest.importorskip("scanpipe.sheets.render")
    sheets = pytest.importorskip("scanpipe.sheets.split")
    from scanpipe import samples

    cover = sheets.SheetKind.COVER
    first = sheets.Sheet(cover, file_no="A-21001/5/2008", subject="भूमि", declared_pages=2)
    second = sheets.Sheet(cover, file_no="B-77/2/2011", subject="Roads", declared_pages=3)
    pages = [
        render.render_sheet(first, dpi=100).convert("L"),
        Image.new("L", (827, 1169), 250),
        Image.new("L", (828, 1169), 250),
        render.render_sheet(second, dpi=100).convert("L"),
        Image.new("L", (829, 1169), 250),  # one page where the cover declares three
    ]
    stack = site.home.parent / "stack.pdf"
    samples.write_pdf(stack, pages, dpi=100)
    os.replace(stack, site.inbox / "stack.pdf")
    proc = site.run("watch", "--once", timeout=300)
    assert proc.returncode == 0, proc.stderr
    files = sorted(site.registered(), key=lambda f: f.id)
    assert [f.page_count for f in files] == [2, 1], "sheets are not pages"
    (done,) = site.events("done")
    assert done["file_nos"] == ["A-21001/5/2008", "B-77/2/2011"]
    flagged = [i for i in items(site.home) if i.kind == "flagged"]
    assert len(flagged) == 1 and "declares 3 pages but 1" in flagged[0].summary
