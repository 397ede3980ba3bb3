"""Notifications: produced with the action, in the app and by mail through a real SMTP
server on loopback (aiosmtpd); a server that is down loses nothing and blocks nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from scanpipe.registry import FileDraft, Registry
from scanpipe.routing import Routing
from scanpipe.routing.mailer import deliver
from scanpipe.settings import MailSettings

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Mailbox:
    """What the SMTP server accepted, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(tmp_path: Path, clock: Clock) -> Iterator[Routing]:
    with Registry.open(f"sqlite:///{tmp_path / 'r.db'}", tmp_path / "archive") as reg:
        r = Routing(reg, clock=clock)
        r.add_user("clerk", name="रमेश साहू", designation="Clerk", role="records")
        r.add_user("so", name="Sunita Verma", designation="SO", role="officer", email="so@cg.in")
        r.add_user("dc", name="उप कलेक्टर", designation="DC", role="officer", email="dc@cg.in")
        yield r


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, MailSettings]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, MailSettings(host="127.0.0.1", port=port, base_url="http://office.example")
    finally:
        controller.stop()


def subject(msg: object) -> str:
    return str(make_header(decode_header(msg["Subject"])))  # type: ignore[index]


def new_file(r: Routing, no: str) -> int:
    return r.registry.register_file(FileDraft(file_no=no, subject="सीमांकन"))


def test_a_file_sent_tells_its_recipient_in_the_app_and_by_mail(
    office: Routing, smtp: tuple[Mailbox, MailSettings]
) -> None:
    box, mail = smtp
    fid = new_file(office, "12/2026-REV")
    office.send(fid, "clerk", ["so"], due_on=date(2026, 3, 9), priority="immediate")
    (notice,) = office.notices("so")
    assert notice.kind == "arrived" and "12/2026-REV" in notice.text_en
    assert "प्राप्त हुई" in notice.text_hi and "09/03/2026" in notice.text_hi
    assert office.unread("so") == 1 and office.unread("clerk") == 0
    report = deliver(office.desk, mail)
    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    (msg,) = box.messages
    assert msg["To"] == "so@cg.in" and "प्राप्त हुई" in subject(msg)
    body = msg.get_payload(decode=True).decode()
    assert f"http://office.example/files/{fid}" in body and "Immediate" in body
    assert deliver(office.desk, mail).sent == 0  # delivered once, not again
    office.mark_read("so")
    assert office.unread("so") == 0


def test_a_mail_server_that_is_down_blocks_nothing_and_loses_nothing(
    office: Routing, clock: Clock
) -> None:
    fid = new_file(office, "13/2026-REV")
    down = MailSettings(host="127.0.0.1", port=free_port(), timeout_s=2.0)
    office.send(fid, "clerk", ["so"])  # the action commits whatever the mail server does
    assert [h.user.login for h in office.where(fid).holders] == ["so"]
    first = deliver(office.desk, down)
    assert (first.sent, first.failed, first.waiting) == (0, 1, 1)
    assert "cannot reach the mail server" in first.error
    assert deliver(office.desk, down).failed == 0  # backing off: not retried at once
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=down.port)
    controller.start()
    try:
        clock.advance(minutes=2)
        assert deliver(office.desk, down).sent == 1
        assert len(box.messages) == 1
    finally:
        controller.stop()


def test_overdue_and_the_digest_are_told_once_however_often_the_sweep_runs(
    office: Routing, clock: Clock, smtp: tuple[Mailbox, MailSettings]
) -> None:
    box, mail = smtp
    fid = new_file(office, "14/2026-REV")
    office.send(fid, "clerk", ["dc"], due_on=date(2026, 3, 3))
    clock.advance(days=2)
    made = office.sweep()
    assert made == 2  # dc: overdue, and the day's digest
    assert office.sweep() == 0
    kinds = sorted(n.kind for n in office.notices("dc"))
    assert kinds == ["arrived", "digest", "overdue"]
    overdue = next(n for n in office.notices("dc") if n.kind == "overdue")
    assert "समय-सीमा पार" in overdue.text_hi and "03/03/2026" in overdue.text_en
    clock.advance(days=1)
    assert office.sweep() == 1  # a new day: a new digest, the overdue notice not again
    deliver(office.desk, mail)
    assert len(box.messages) == 4
    assert len({m["Message-ID"] for m in box.messages}) == 4


def test_each_user_chooses_per_event(office: Routing, smtp: tuple[Mailbox, MailSettings]) -> None:
    box, mail = smtp
    office.set_channel("so", "arrived", "inapp")
    office.set_channel("dc", "arrived", "off")
    fid = new_file(office, "15/2026-REV")
    office.send(fid, "clerk", ["so", "dc"])
    assert len(office.notices("so")) == 1 and office.notices("dc") == []
    deliver(office.desk, mail)
    assert box.messages == []  # so chose the app only
    office.set_channel("so", "arrived", "mail")
    fid2 = new_file(office, "16/2026-REV")
    office.send(fid2, "clerk", ["so"])
    assert len(office.notices("so")) == 1  # mail only: not listed in the app
    deliver(office.desk, mail)
    assert [m["To"] for m in box.messages] == ["so@cg.in"]
    with pytest.raises(Exception, match="channel"):
        office.set_channel("so", "arrived", "pigeon")
