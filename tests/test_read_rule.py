"""The read rule (registry/access.py) as a generated matrix, and search that never leaks.

Roles x gradings x (own section, other section, no section) x (on the movement path or
not), each cell checked against ``expected``: the rule written out again here from
docs/access.md, independently of the SQL it is implemented as.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanpipe.eoffice.terms import Grading
from scanpipe.registry import FileDraft, Registry
from scanpipe.registry.access import readable
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.routing import Routing
from scanpipe.routing.readers import FileNotReadable

ROLES = ["operator", "officer", "records", "admin"]
PLACES = ["own", "other", "none"]  # the file's section against the reader's (EST)
ON_PATH = ["officer", "records", "admin"]  # files are never sent to scanning operators


def expected(role: str, grading: Grading, place: str, on_path: bool) -> bool:
    if role in ("admin", "records"):
        return True
    if on_path:
        return True
    if place == "other":
        return False
    if grading is Grading.NORMAL:
        return True
    return grading is Grading.CONFIDENTIAL and role == "officer"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Routing, dict]]:
    tmp = tmp_path_factory.mktemp("read-rule")
    with Registry.open(f"sqlite:///{tmp / 'r.db'}", tmp / "archive") as reg:
        r = Routing(reg)
        r.add_user("sender", name="Records", designation="Clerk", role="records", section="REC")
        for role in ROLES:
            r.add_user(role, name=role, designation=role, role=role, section="EST")
        r.add_user("peer", name="Peer", designation="SO", role="officer", section="REV")
        files = {}
        for i, (grading, place, path_role) in enumerate(
            itertools.product(Grading, PLACES, [None, *ON_PATH])
        ):
            section = {"own": "EST", "other": "REV", "none": None}[place]
            fid = reg.register_file(
                FileDraft(
                    file_no=f"{i + 1}/2026-GAD",
                    subject=f"विषय कलेक्टर {grading.value}",
                    grading=grading,
                    section=section,
                )
            )
            if path_role is not None:
                r.send(fid, "sender", [path_role])  # the reader is on its movement path
            files[(grading, place, path_role)] = fid
        yield r, files


@pytest.mark.parametrize("role", ROLES)
def test_every_cell_of_the_matrix(world: tuple[Routing, dict], role: str) -> None:
    r, files = world
    wrong = []
    for (grading, place, path_role), fid in files.items():
        want = expected(role, grading, place, path_role == role)
        try:
            r.open_file(role, fid, "view")
            got = True
        except FileNotReadable:
            got = False
        if got != want:
            wrong.append((grading.value, place, path_role, got))
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_readable_agrees_with_the_table(world: tuple[Routing, dict], role: str) -> None:
    r, files = world
    with r.registry.reading("test") as session:
        seen = readable(session, r.reader(role), set(files.values()))
    want = {
        fid
        for (g, place, path_role), fid in files.items()
        if expected(role, g, place, path_role == role)
    }
    assert seen == want


def test_search_filters_by_the_rule_before_ranking(tmp_path: Path) -> None:
    """Scanned pages of graded files: a reader's search shows only what they may read,
    even when the hidden files rank first."""
    _search_under_the_rule(f"sqlite:///{tmp_path / 'r.db'}", tmp_path)


def test_search_filters_by_the_rule_on_postgresql(tmp_path: Path) -> None:
    from servers import pg_database

    with pg_database() as url:
        _search_under_the_rule(url, tmp_path)


def _search_under_the_rule(url: str, tmp_path: Path) -> None:
    from test_search_expansion import _add

    with Registry.open(url, tmp_path / "archive") as reg:
        r = Routing(reg)
        r.add_user("so", name="SO", designation="SO", role="officer", section="EST")
        r.add_user("op", name="Op", designation="Op", role="operator", section="EST")
        hidden = [_add(reg, tmp_path, f"h{i}", "कलेक्टर कलेक्टर कलेक्टर") for i in range(5)]
        for fid in hidden:
            reg.edit_file(fid, {"grading": "secret", "section": "EST"})
        conf = _add(reg, tmp_path, "conf", "कलेक्टर आदेश")
        reg.edit_file(conf, {"grading": "confidential", "section": "EST"})
        plain = _add(reg, tmp_path, "plain", "कलेक्टर पत्र")
        for login, want in (("so", {conf, plain}), ("op", {plain})):
            where = SearchFilter(reader=r.reader(login))
            assert {h.file_id for h in reg.search("कलेक्टर", limit=2, where=where)} == want
            assert {h.file_id for h in reg.search("kalektar", limit=2, where=where)} == want
        assert len(reg.search("कलेक्टर", limit=20)) == 7  # unfiltered: all of them


def test_refused_read_is_audited_without_the_title(world: tuple[Routing, dict]) -> None:
    r, files = world
    fid = files[(Grading.TOP_SECRET, "own", None)]
    with pytest.raises(FileNotReadable) as exc:
        r.open_file("officer", fid, "view")
    assert "विषय" not in exc.value.message and "top-secret" not in exc.value.message
    missing = max(files.values()) + 100
    with pytest.raises(FileNotReadable) as gone:
        r.open_file("officer", missing, "view")
    assert gone.value.message.replace(str(missing), "N") == exc.value.message.replace(str(fid), "N")
    last = r.audit_log(login="officer", limit=2)
    assert [e.action for e in last] == ["read-refused", "read-refused"]
    assert f'"file": {fid}' in last[0].detail


def test_a_share_opens_a_secret_file_to_one_user(world: tuple[Routing, dict]) -> None:
    r, files = world
    fid = files[(Grading.SECRET, "other", None)]
    with pytest.raises(FileNotReadable):
        r.open_file("officer", fid, "view")
    r.share(fid, "officer", by="sender")
    assert r.open_file("officer", fid, "view").login == "officer"
    with pytest.raises(FileNotReadable):
        r.open_file("operator", fid, "view")


def test_clearance_below_confidential_shuts_the_section_path(world: tuple[Routing, dict]) -> None:
    r, files = world
    fid = files[(Grading.CONFIDENTIAL, "own", None)]
    r.open_file("officer", fid, "view")
    r.set_clearance("officer", "normal")
    try:
        with pytest.raises(FileNotReadable):
            r.open_file("officer", fid, "view")
    finally:
        r.set_clearance("officer", "confidential")


def test_cli_tracking_and_notes_follow_the_rule(tmp_path: Path) -> None:
    """``file where``, ``file history`` and ``note list`` refuse like ``show`` does."""
    from click.testing import CliRunner

    from scanpipe.cli import cli

    home = tmp_path / "home"
    with Registry.open(f"sqlite:///{home / 'registry.sqlite3'}", home / "archive") as reg:
        r = Routing(reg)
        r.add_user("op", name="Op", designation="Operator", role="operator", section="EST")
        r.add_user("boss", name="Boss", designation="SO", role="officer", section="EST")
        fid = reg.register_file(
            FileDraft(
                file_no="9/2026-GAD", subject="गुप्त जाँच", grading=Grading.SECRET, section="EST"
            )
        )
    runner = CliRunner()
    for args in (["file", "where"], ["file", "history"], ["note", "list"]):
        for login, allowed in (("op", False), ("boss", False)):
            result = runner.invoke(cli, ["--home", str(home), *args, str(fid), "--as", login])
            assert (result.exit_code == 0) is allowed, (args, login, result.output)
            assert "गुप्त" not in result.output, (args, login)
        shell = runner.invoke(cli, ["--home", str(home), *args, str(fid)])  # os: account
        assert shell.exit_code == 0, (args, shell.output)
    with Registry.open(f"sqlite:///{home / 'registry.sqlite3'}", home / "archive") as reg:
        refused = [e for e in Routing(reg).audit_log(limit=100) if e.action == "read-refused"]
    assert len(refused) == 6


def test_a_deployment_may_refuse_classified_files(tmp_path: Path) -> None:
    """``hold_classified = false``: no grading above normal enters, by any path."""
    from scanpipe.eoffice.terms import RecordError
    from scanpipe.settings import load_settings

    (tmp_path / "scanpipe.toml").write_text("hold_classified = false\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.hold_classified is False
    with Registry.open(
        settings.db_url, settings.archive_dir, hold_classified=settings.hold_classified
    ) as reg:
        with pytest.raises(RecordError, match="may not hold secret files"):
            reg.register_file(FileDraft(file_no="1/2026-GAD", grading=Grading.SECRET))
        fid = reg.register_file(FileDraft(file_no="2/2026-GAD"))
        with pytest.raises(RecordError, match="may not hold confidential files"):
            reg.edit_file(fid, {"grading": "confidential"})
        assert reg.get_record(fid).grading == Grading.NORMAL.value
    with Registry.open(settings.db_url, settings.archive_dir) as reg:  # the default holds them
        reg.edit_file(fid, {"grading": "confidential"})
        assert reg.get_record(fid).grading == Grading.CONFIDENTIAL.value
