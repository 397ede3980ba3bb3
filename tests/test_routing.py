"""Routing and noting: the full file scenario, rule violations, where-is and pendency on a
fixed clock, and an audit entry for every step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from scanpipe.eoffice.terms import Nature
from scanpipe.registry import FileDraft, Registry
from scanpipe.routing import Routing, RuleError


class Clock:
    """A clock the test moves by hand, so ages and 'since' are exact."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(tmp_path: Path, clock: Clock) -> Iterator[Routing]:
    with Registry.open(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "archive") as reg:
        r = Routing(reg, clock=clock)
        r.add_user(
            "clerk", name="रमेश साहू", designation="Records Clerk", role="records", section="REC"
        )
        r.add_user(
            "so", name="Sunita Verma", designation="Section Officer", role="officer", section="EST"
        )
        r.add_user(
            "collector", name="कलेक्टर मुंगेली", designation="Collector", role="officer", section="EST"
        )
        r.add_user("op", name="Anil", designation="Scanning Operator", role="operator")
        yield r


def new_file(r: Routing, nature: Nature = Nature.ELECTRONIC, no: str = "8/3/11-Adm") -> int:
    return r.registry.register_file(FileDraft(file_no=no, subject="भूमि आवंटन", nature=nature))


def rule_of(excinfo: pytest.ExceptionInfo[RuleError]) -> str:
    return excinfo.value.rule


def test_full_scenario_register_note_approve_close_record(office: Routing, clock: Clock) -> None:
    r = office
    fid = new_file(r, Nature.PHYSICAL)
    # 1. The records clerk registers the file and sends it to the section officer.
    r.send(fid, "clerk", ["so"], remarks="for necessary action", due_on=date(2026, 1, 12))
    where = r.where(fid)
    assert [h.user.login for h in where.holders] == ["so"]
    assert where.creator is not None and where.creator.login == "clerk"
    clock.advance(hours=2)
    # 2. The section officer receives (paper), notes and sends it to the Collector.
    r.receive(fid, "so")
    note = r.add_note(fid, "so", "प्रस्ताव अनुमोदन हेतु प्रस्तुत है। Land allotment proposal.")
    assert note.status == "draft" and note.number is None
    final = r.finalise_note(note.id, "so")
    assert final.number == 1 and final.designation == "Section Officer"
    clock.advance(hours=1)
    r.send(fid, "so", ["collector"])
    clock.advance(days=1)
    # 3. The Collector receives and approves.
    r.receive(fid, "collector")
    approval = r.approve(fid, "collector", remarks="अनुमोदित")
    assert approval.note_id == final.id
    assert [a.approver.login for a in r.notes(fid)[0].approvals] == ["collector"]
    r.send(fid, "collector", ["clerk"], remarks="approved; close and record")
    r.receive(fid, "clerk")
    # 4. The file is closed and recorded.
    r.close(fid, "clerk", approver="collector")
    r.record(
        fid,
        "clerk",
        category="C",
        retention_years=5,
        location={"room": "R-1", "almirah": "A-3", "shelf": "2", "bundle": "17"},
    )
    rec = r.registry.get_record(fid)
    assert rec.file_state == "recorded" and rec.category == "C"
    assert rec.review_year == clock.now.year + 5
    where = r.where(fid)
    assert where.state == "recorded"
    assert where.custody is not None and "R-1 / A-3 / 2 / 17" in where.custody.location
    kinds = [m.kind for m in where.path]
    assert kinds == [
        "create",
        "send",
        "receive",
        "send",
        "receive",
        "send",
        "receive",
        "close",
        "record",
    ]
    actions = [e.action for e in r.audit_log(file_id=fid)]
    assert actions == [
        "create",
        "send",
        "receive",
        "note-add",
        "note-finalise",
        "send",
        "receive",
        "approve",
        "send",
        "receive",
        "close",
        "record",
    ]
    assert all(e.login in {"clerk", "so", "collector"} for e in r.audit_log(file_id=fid))


def test_pullback_only_before_the_recipient_opens(office: Routing, clock: Clock) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    r.pullback(fid, "clerk")
    assert [h.user.login for h in r.where(fid).holders] == ["clerk"]
    r.send(fid, "clerk", ["so"])
    r.receive(fid, "so")
    with pytest.raises(RuleError) as exc:
        r.pullback(fid, "clerk")
    assert rule_of(exc) == "pullback-unopened"
    assert "Sunita Verma" in str(exc.value)
    assert [h.user.login for h in r.where(fid).holders] == ["so"]  # nothing changed


def test_electronic_file_is_opened_by_acting_on_it(office: Routing) -> None:
    r = office
    fid = new_file(r, Nature.ELECTRONIC)
    r.send(fid, "clerk", ["so"])
    r.add_note(fid, "so", "noted")  # acting opens an electronic file
    with pytest.raises(RuleError) as exc:
        r.pullback(fid, "clerk")
    assert rule_of(exc) == "pullback-unopened"


def test_physical_file_must_be_received_before_action(office: Routing) -> None:
    r = office
    fid = new_file(r, Nature.PHYSICAL)
    r.send(fid, "clerk", ["so"])
    with pytest.raises(RuleError) as exc:
        r.add_note(fid, "so", "noted")
    assert rule_of(exc) == "receive-first"


def test_close_only_by_creator_and_after_approval(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    with pytest.raises(RuleError) as exc:
        r.close(fid, "so", approver="collector")
    assert rule_of(exc) == "close-creator"
    r.send(fid, "so", ["clerk"])
    with pytest.raises(RuleError) as exc:
        r.close(fid, "clerk", approver="collector")
    assert rule_of(exc) == "close-approved"
    assert r.where(fid).state == "open"


def test_final_note_is_immutable_once_forwarded(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    note = r.finalise_note(r.add_note(fid, "so", "पहला पैरा").id, "so")
    assert r.edit_note(note.id, "so", "पहला पैरा (सुधार)").body == "पहला पैरा (सुधार)"
    r.send(fid, "so", ["collector"])
    with pytest.raises(RuleError) as exc:
        r.edit_note(note.id, "so", "changed later")
    assert rule_of(exc) == "final-note-immutable"
    with pytest.raises(RuleError) as exc:
        r.delete_note(note.id, "so")
    assert rule_of(exc) == "final-note-permanent"
    assert r.notes(fid)[0].body == "पहला पैरा (सुधार)"


def test_drafts_belong_to_their_author(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so", "collector"])
    draft = r.add_note(fid, "so", "draft by so")
    with pytest.raises(RuleError) as exc:
        r.edit_note(draft.id, "collector", "hijack")
    assert rule_of(exc) == "note-author"
    assert [n.id for n in r.notes(fid, viewer="collector")] == []
    assert [n.id for n in r.notes(fid, viewer="so")] == [draft.id]
    r.delete_note(draft.id, "so")
    assert r.notes(fid, viewer="so") == []


def test_notes_are_numbered_in_notesheet_order(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    a = r.add_note(fid, "so", "first drafted")
    b = r.add_note(fid, "so", "second drafted")
    r.finalise_note(b.id, "so")
    r.finalise_note(a.id, "so")
    assert [(n.number, n.body) for n in r.notes(fid)] == [
        (1, "second drafted"),
        (2, "first drafted"),
    ]


def test_operator_cannot_finalise_or_route(office: Routing) -> None:
    r = office
    fid = new_file(r)
    with pytest.raises(RuleError) as exc:
        r.send(fid, "op", ["so"])
    assert rule_of(exc) == "role"
    r.send(fid, "clerk", ["so"])
    with pytest.raises(RuleError) as exc:
        r.send(fid, "so", ["op"])
    assert rule_of(exc) == "role"


def test_parked_file_cannot_move_until_unparked(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    r.park(fid, "so", remarks="awaiting court order")
    with pytest.raises(RuleError) as exc:
        r.send(fid, "so", ["collector"])
    assert rule_of(exc) == "open-only"
    r.unpark(fid, "so")
    r.send(fid, "so", ["collector"])
    assert [h.user.login for h in r.where(fid).holders] == ["collector"]


def test_reopen_needs_an_approval_after_closing(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["collector"])
    r.approve(fid, "collector", purpose="close")
    r.send(fid, "collector", ["clerk"])
    r.close(fid, "clerk", approver="collector")
    with pytest.raises(RuleError) as exc:
        r.reopen(fid, "clerk", approver="collector")
    assert rule_of(exc) == "reopen-approved"
    r.approve(fid, "collector", purpose="reopen", remarks="court case revived")
    r.reopen(fid, "clerk", approver="collector")
    assert r.where(fid).state == "open"


def test_where_is_and_pendency_on_a_fixed_clock(office: Routing, clock: Clock) -> None:
    r = office
    start = clock.now
    ages = [0, 3, 7, 8, 15, 16, 30, 31, 90]  # days each file has waited with "so"
    files = [new_file(r, no=f"{i + 1}/3/11-Adm") for i in range(len(ages))]
    for fid, age in zip(files, ages, strict=True):
        clock.now = start - timedelta(days=age)
        r.send(fid, "clerk", ["so"])
    clock.now = start
    extra = new_file(r, no="99/3/11-Adm")
    r.send(extra, "clerk", ["collector"])
    where = r.where(files[3])
    assert where.holders[0].since == start - timedelta(days=8)
    assert where.holders[0].user.login == "so"
    assert where.holders[0].sent_by is not None and where.holders[0].sent_by.login == "clerk"
    mine = r.pending(user="so")
    assert [row.user.login for row in mine.rows] == ["so"]
    assert mine.rows[0].buckets == (3, 2, 2, 2)
    section = r.pending(section="EST")
    assert {row.user.login: row.buckets for row in section.rows} == {
        "so": (3, 2, 2, 2),
        "collector": (1, 0, 0, 0),
    }
    assert section.total == 10
    assert r.pending(section="REC").rows == ()
    others = r.pending_with_others("clerk")
    assert len(others) == 10 and others[0].since == start - timedelta(days=90)
    r.park(files[0], "so")
    assert r.pending(user="so").rows[0].buckets == (2, 2, 2, 2)


def test_send_to_several_people(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so", "collector"], remarks="for comments")
    assert sorted(h.user.login for h in r.where(fid).holders) == ["collector", "so"]
    r.pullback(fid, "clerk")
    assert [h.user.login for h in r.where(fid).holders] == ["clerk"]


def test_audit_log_is_append_only(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    r.log_access(fid, "so", "view", what="page 1")
    entries = r.audit_log(file_id=fid)
    assert entries[-1].action == "view" and json.loads(entries[-1].detail) == {"what": "page 1"}
    with r.registry._engine.connect() as conn:
        for stmt in ("UPDATE audit_log SET login = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"):
                conn.execute(text(stmt))
    assert not hasattr(r, "delete_audit") and not hasattr(r, "update_audit")


def test_final_notes_are_searchable_with_page_text(office: Routing) -> None:
    r = office
    fid = new_file(r)
    r.send(fid, "clerk", ["so"])
    draft = r.add_note(fid, "so", "नामांतरण प्रकरण में पटवारी प्रतिवेदन")
    assert r.registry.search("पटवारी") == []  # drafts are private
    r.finalise_note(draft.id, "so")
    hits = r.registry.search("पटवारी")
    assert [(h.kind, h.file_id, h.page_number) for h in hits] == [("note", fid, 1)]
    assert any(matched and "पटवारी" in seg for seg, matched in hits[0].snippet)
    r.edit_note(draft.id, "so", "सीमांकन प्रतिवेदन")
    assert r.registry.search("पटवारी") == []
    assert len(r.registry.search("सीमांकन")) == 1


def test_paper_custody_issue_and_return(office: Routing) -> None:
    r = office
    fid = new_file(r, Nature.PHYSICAL)
    r.registry.edit_file(fid, {"room": "R-1", "shelf": "4"})
    r.issue_paper(fid, "clerk", "so", remarks="for hearing")
    assert r.where(fid).custody is not None
    assert r.where(fid).custody.summary.startswith("paper original issued to Sunita Verma")
    with pytest.raises(RuleError) as exc:
        r.issue_paper(fid, "clerk", "collector")
    assert rule_of(exc) == "custody"
    r.return_paper(fid, "clerk")
    assert "R-1 / ? / 4 / ?" in r.where(fid).custody.summary


def test_month_wise_counts_of_created_received_forwarded(office: Routing, clock: Clock) -> None:
    r = office
    clock.now = datetime(2026, 2, 10, tzinfo=UTC)
    a, b = new_file(r, no="1/3/11-Adm"), new_file(r, no="2/3/11-Adm")
    r.send(a, "clerk", ["so"])  # February: two created (send starts tracking), two forwarded
    r.send(b, "clerk", ["so"])
    clock.now = datetime(2026, 3, 2, tzinfo=UTC)
    r.receive(a, "so")
    r.send(a, "so", ["collector"])
    r.send(a, "collector", ["clerk"])  # the same file twice in March counts once
    months = {m.month: (m.created, m.received, m.forwarded) for m in r.monthly(2026)}
    assert months[2] == (2, 0, 2) and months[3] == (0, 1, 1) and months[1] == (0, 0, 0)
    est = {m.month: (m.created, m.received, m.forwarded) for m in r.monthly(2026, section="EST")}
    assert est[2] == (0, 0, 0) and est[3] == (0, 1, 1)
    assert all(m.forwarded == 0 for m in r.monthly(2025))
