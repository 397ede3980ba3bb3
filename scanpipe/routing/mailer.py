"""Delivering the mail outbox through the office's SMTP server, with retries.

Each mail is marked sent only after the server accepted it, one transaction per
mail: a crash in between sends that one mail again (at-least-once), never loses
it. A server that refuses or is down leaves the mail waiting, with the error and
a later retry time (one minute, doubling to an hour). The ``Message-ID`` names
the outbox row, so a repeated delivery is recognisable as the same message.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import select

from scanpipe.registry.routing_models import MailRow, NotificationRow
from scanpipe.routing.base import Desk
from scanpipe.routing.notify import RETRY_FIRST, RETRY_MAX
from scanpipe.settings import MailSettings


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int
    waiting: int  # still in the outbox after this run
    error: str = ""


def _connect(mail: MailSettings) -> smtplib.SMTP:
    if mail.tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=mail.timeout_s, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_s)
        if mail.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if mail.user:
        smtp.login(mail.user, mail.password)
    return smtp


def _message(row: MailRow, file_id: int | None, mail: MailSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = mail.sender
    msg["To"] = row.to_addr
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<scanpipe-outbox-{row.id}@{mail.sender.rsplit('@', 1)[-1]}>"
    link = f"\n{mail.base_url.rstrip('/')}/files/{file_id}\n" if file_id else "\n"
    msg.set_content(row.body + link)
    return msg


def deliver(desk: Desk, mail: MailSettings, *, limit: int = 500) -> Delivery:
    """Send what is due in the outbox; returns how many went, failed and still wait."""
    now = desk.now()
    with desk.reading("reading the mail outbox") as session:
        due = session.execute(
            select(MailRow.id, NotificationRow.file_id)
            .outerjoin(NotificationRow, NotificationRow.id == MailRow.notification_id)
            .where(MailRow.sent_at.is_(None), MailRow.next_at <= now)
            .order_by(MailRow.id)
            .limit(limit)
        ).all()
    sent = failed = 0
    error = ""
    if due and mail.host:
        try:
            smtp = _connect(mail)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"cannot reach the mail server {mail.host}:{mail.port}: {exc}"
            _retry(desk, [i for i, _ in due], error)
            failed = len(due)
        else:
            with smtp:
                for mail_id, file_id in due:
                    with desk.writing("sending a mail") as session:
                        row = session.get(MailRow, mail_id)
                        if row is None or row.sent_at is not None:
                            continue
                        try:
                            smtp.send_message(_message(row, file_id, mail))
                        except (OSError, smtplib.SMTPException) as exc:
                            error = f"{type(exc).__name__}: {exc}"
                            _back_off(row, desk, error)
                            failed += 1
                            continue
                        row.sent_at, row.attempts = desk.now(), row.attempts + 1
                        sent += 1
    elif due:
        error = "mail is not set up ([mail] host in scanpipe.toml); mails wait in the outbox"
    with desk.reading("counting the mail outbox") as session:
        waiting = len(session.scalars(select(MailRow.id).where(MailRow.sent_at.is_(None))).all())
    return Delivery(sent, failed, waiting, error)


def _back_off(row: MailRow, desk: Desk, error: str) -> None:
    row.attempts += 1
    row.last_error = error[:500]
    row.next_at = desk.now() + min(RETRY_MAX, RETRY_FIRST * 2 ** (row.attempts - 1))


def _retry(desk: Desk, ids: list[int], error: str) -> None:
    with desk.writing("rescheduling mail") as session:
        for row in session.scalars(select(MailRow).where(MailRow.id.in_(ids))):
            _back_off(row, desk, error)
