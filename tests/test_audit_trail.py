"""The library audits what people do, whichever interface they use (docs/architecture.md).

Page review and intake decisions write their own audit entries; the CLI and
the web only say who is acting, by the one rule of ``commands/_shared.py``.
The renamed queue commands answer under their new and their old names.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest
from conftest import json_lines, run_cli
from fakes import DARK
from servers import pg_database
from test_watch import Site, page
from web import webdata

from scanpipe.errors import ExitCode
from scanpipe.model import FileSource, PageResult, PageStatus
from scanpipe.registry import page_review
from scanpipe.registry.store import Registry
from scanpipe.routing import Routing


@pytest.fixture
def data(tmp_path: Path) -> webdata.WebData:
    return webdata.build(tmp_path / "home")


def _actions(registry: Registry, file_id: int | None = None) -> list[tuple[str, str]]:
    return [(e.action, e.login) for e in Routing(registry).audit_log(file_id=file_id)]


def test_page_review_actions_reach_the_audit_log(data: webdata.WebData) -> None:
    settings, review = data.settings, data.review_id
    with Registry.open(settings.db_url, settings.archive_dir) as registry:
        page_review.correct_text(registry, review, 3, "स्पष्ट पत्र", "admin")
        page_review.mark_blank(registry, review, 1, "admin")
        page_review.move_page(registry, review, 3, data.letter_id, "admin")
        log = Routing(registry).audit_log(login="admin")
    assert [(e.action, e.file_id) for e in log] == [
        ("page-correct", review),
        ("page-blank", review),
        ("page-move", data.letter_id),
    ]
    assert json.loads(log[-1].detail) == {"page": 3, "from_file": review, "from_page": 3}


def test_cli_page_review_is_audited_as_the_acting_user(
    data: webdata.WebData, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, review = data.home, str(data.review_id)
    monkeypatch.delenv("SCANPIPE_USER", raising=False)
    mine = run_cli(home, "page", "accept", review, "3")
    theirs = run_cli(home, "page", "blank", review, "1", "--as", "r.sahu")
    assert mine.returncode == 0 and theirs.returncode == 0, mine.stderr + theirs.stderr
    with Registry.open(data.settings.db_url, data.settings.archive_dir) as registry:
        actions = _actions(registry, data.review_id)
    assert actions[0][0] == "page-accept" and actions[0][1].startswith("os:")
    assert actions[1] == ("page-blank", "r.sahu")


def test_intake_decisions_are_audited_and_answer_under_both_names(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.write_config(engine="fakes:CrashingEngine", max_attempts=1)
    page(site.inbox / "dark.png", 300, 400, tone=DARK // 2)
    assert site.run("watch", "--once").returncode == ExitCode.PARTIAL
    new = site.run("intake", "list", "--json")
    old = site.run("review", "list", "--json")
    assert new.returncode == old.returncode == 0
    assert json_lines(new.stdout) == json_lines(old.stdout) != []
    assert "scanpipe intake" in old.stderr
    listed = [
        line.split()[0] for line in site.run("--help").stdout.splitlines() if line[:2] == "  "
    ]
    assert "intake" in listed and "review" not in listed, "the old name is hidden"
    (job,) = os.listdir(site.home / "failed")
    rejected = site.run("intake", "reject", job, "--note", "not ours", "--as", "r.sahu")
    assert rejected.returncode == 0, rejected.stderr
    with site.registry() as registry:
        (entry,) = Routing(registry).audit_log()
    assert (entry.action, entry.login) == ("intake-reject", "r.sahu")
    assert json.loads(entry.detail)["job"] == job


def test_file_suggestions_and_file_pages_keep_their_old_names(data: webdata.WebData) -> None:
    home, letter = data.home, str(data.letter_id)
    for new, old in [(["file", "suggestions"], ["file", "review"]),
                     (["file", "pages", letter], ["show", letter])]:  # fmt: skip
        now, before = run_cli(home, *new), run_cli(home, *old)
        assert now.returncode == before.returncode == 0, now.stderr + before.stderr
        assert now.stdout == before.stdout
        assert "is deprecated" in before.stderr and "is deprecated" not in now.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_remove_page_takes_a_page_out_of_the_index(tmp_path: Path, backend: str) -> None:
    sqlite = contextlib.nullcontext(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    database = pg_database() if backend == "postgresql" else sqlite
    with database as url, Registry.open(url, tmp_path / "archive") as registry:
        source = FileSource(tmp_path / "scan.pdf", (), "ab" * 32, 10)
        file_id = registry.add_file(source, [_page("तहसीलदार मुंगेली")], {})
        assert [h.file_id for h in registry.search("तहसीलदार")] == [file_id]
        (page_id,) = {h.page_id for h in registry.search("तहसीलदार")}
        with registry.writing("removing a page from the index") as session:
            registry.search_backend.remove_page(session.connection(), page_id)
        assert registry.search("तहसीलदार") == []


def _page(text: str) -> PageResult:
    return PageResult(number=1, status=PageStatus.OK, text=text, confidence=90.0)
