"""An officer's day: the inbox lists, due dates and priority, overdue on a moved clock,
and the stranded-draft rule on every interface's one send."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from scanpipe.registry import FileDraft, Registry
from scanpipe.routing import Routing, RuleError
from scanpipe.routing.rules import office_date, overdue


class Clock:
    def __init__(self) -> None:
        # 20:00 UTC is already the next day in Mungeli (01:30 IST).
        self.now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)

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
        r.add_user("clerk", name="रमेश साहू", designation="Clerk", role="records", section="REC")
        r.add_user("so", name="Sunita Verma", designation="SO", role="officer", section="EST")
        r.add_user("dc", name="उप कलेक्टर", designation="Deputy Collector", role="officer")
        yield r


def new_file(r: Routing, no: str) -> int:
    return r.registry.register_file(FileDraft(file_no=no, subject=f"विषय {no}"))


def test_the_office_day_is_indian_standard_time(clock: Clock) -> None:
    assert office_date(clock.now) == date(2026, 3, 3)
    assert not overdue(date(2026, 3, 3), clock.now)  # due today is not late yet
    assert overdue(date(2026, 3, 2), clock.now)


def test_the_inbox_lists_to_receive_with_me_with_others_and_drafts(
    office: Routing, clock: Clock
) -> None:
    r = office
    first, second, third = (new_file(r, f"{n}/2026-EST") for n in (1, 2, 3))
    r.send(first, "clerk", ["so"], due_on=date(2026, 3, 5))
    clock.advance(days=1)
    r.send(second, "clerk", ["so"], priority="immediate")
    r.send(third, "clerk", ["dc"])
    r.receive(first, "so")
    r.add_note(first, "so", "मसौदा टिप्पणी")
    so = r.inbox("so")
    assert [i.file_id for i in so.with_me] == [first]
    assert [i.file_id for i in so.to_receive] == [second]
    assert so.to_receive[0].priority == "immediate" and so.to_receive[0].person.login == "clerk"
    assert so.with_me[0].age_days == 1 and so.with_me[0].due_on == date(2026, 3, 5)
    assert [d.file_id for d in so.drafts] == [first]
    clerk = r.inbox("clerk")
    assert [(i.file_id, i.person.login) for i in clerk.with_others] == [
        (first, "so"),
        (second, "so"),
        (third, "dc"),
    ]
    assert not clerk.with_me and not clerk.drafts


def test_overdue_is_marked_in_the_inbox_where_is_and_pendency(
    office: Routing, clock: Clock
) -> None:
    r = office
    late, on_time = new_file(r, "4/2026-EST"), new_file(r, "5/2026-EST")
    r.send(late, "clerk", ["so"], due_on=date(2026, 3, 4))
    r.send(on_time, "clerk", ["so"], due_on=date(2026, 3, 20))
    assert r.inbox("so").overdue == 0
    clock.advance(days=2)  # 5 March in the office
    view = r.inbox("so")
    assert view.overdue == 1
    assert [i.file_id for i in r.inbox("so", overdue_only=True).to_receive] == [late]
    assert [i.file_id for i in r.inbox("so", sort="due").to_receive] == [late, on_time]
    (holder,) = r.where(late).holders
    assert holder.overdue and holder.due_on == date(2026, 3, 4)
    assert not r.where(on_time).holders[0].overdue
    row = next(row for row in r.pending().rows if row.user.login == "so")
    assert row.overdue == 1 and r.pending().overdue == 1


def test_priority_today_is_due_today_and_unknown_priorities_are_refused(
    office: Routing, clock: Clock
) -> None:
    r = office
    fid = new_file(r, "6/2026-EST")
    with pytest.raises(Exception, match="priority"):
        r.send(fid, "clerk", ["so"], priority="yesterday")
    r.send(fid, "clerk", ["so"], priority="today")
    (holder,) = r.where(fid).holders
    assert holder.priority == "today" and holder.due_on == office_date(clock.now)
    by_priority = r.inbox("so", sort="priority").to_receive
    assert by_priority[0].file_id == fid


def test_a_send_with_my_drafts_pending_is_refused_until_i_choose(
    office: Routing, clock: Clock
) -> None:
    r = office
    fid = new_file(r, "7/2026-EST")
    r.send(fid, "clerk", ["so"])
    r.receive(fid, "so")
    draft = r.add_note(fid, "so", "अनुमोदन हेतु प्रस्तुत")
    with pytest.raises(RuleError) as refused:
        r.send(fid, "so", ["dc"])
    assert refused.value.rule == "drafts-pending" and "--finalise-drafts" in refused.value.advice
    assert [h.user.login for h in r.where(fid).holders] == ["so"]  # nothing moved
    r.send(fid, "so", ["dc"], drafts="finalise")
    notes = r.notes(fid, viewer="dc")
    assert [(n.id, n.status, n.number) for n in notes] == [(draft.id, "final", 1)]
    assert not r.inbox("so").drafts


def test_keep_drafts_sends_and_the_draft_stays_private(office: Routing) -> None:
    r = office
    fid = new_file(r, "8/2026-EST")
    r.send(fid, "clerk", ["so"])
    r.receive(fid, "so")
    r.add_note(fid, "so", "निजी मसौदा")
    r.send(fid, "so", ["dc"], drafts="keep")
    assert [h.user.login for h in r.where(fid).holders] == ["dc"]
    assert r.notes(fid, viewer="dc") == []
    assert len(r.inbox("so").drafts) == 1


def test_the_files_stuck_longest_name_where_with_whom_and_since_when(
    office: Routing, clock: Clock
) -> None:
    r = office
    old, new = new_file(r, "20/2026-EST"), new_file(r, "21/2026-EST")
    r.send(old, "clerk", ["so"], due_on=date(2026, 3, 4))
    clock.advance(days=3)
    r.send(new, "clerk", ["dc"])
    stuck = r.stuck_longest(5)
    assert [(s.file_id, s.holder.login) for s in stuck] == [(old, "so"), (new, "dc")]
    assert stuck[0].overdue and not stuck[1].overdue
