"""``scanpipe notify``: run the sweep and the mail outbox, list and choose notifications.

``notify run`` is what a cron job or systemd timer calls every few minutes
(docs/notifications.md): it finds overdue files and the day's digests, then
sends what waits in the outbox. It is safe to run twice at once or after a crash.
"""

from __future__ import annotations

import click
from rich.console import Console

from scanpipe.commands._shared import acting, open_routing, require_user, settings_of, when
from scanpipe.routing.mailer import deliver
from scanpipe.routing.notify import CHANNELS, KINDS

out = Console(highlight=False)


@click.group(name="notify")
def notify_group() -> None:
    """Notifications in the app and by mail / सूचनाएँ."""


@notify_group.command(name="run")
@click.option("--no-digest", is_flag=True, help="Only overdue files, no daily digest.")
@click.pass_context
def run(ctx: click.Context, no_digest: bool) -> None:
    """Find overdue files and the day's digests, then send the mail outbox."""
    settings = settings_of(ctx)
    with open_routing(ctx) as r:
        made = r.sweep(digest=not no_digest)
        sent = deliver(r.desk, settings.mail)
    out.print(
        f"{made} new notification(s); mail: {sent.sent} sent, {sent.failed} failed, "
        f"{sent.waiting} waiting"
    )
    if sent.error:
        out.print(f"[yellow]{sent.error}[/]")


@notify_group.command(name="list")
@click.option("--read", "mark", is_flag=True, help="Mark them all read afterwards.")
@acting
@click.pass_context
def list_(ctx: click.Context, mark: bool, login: str | None) -> None:
    """My notifications, newest first."""
    who = require_user(login)
    with open_routing(ctx) as r:
        notices = r.notices(who)
        if mark:
            r.mark_read(who)
    for n in notices:
        dot = " " if n.read else "•"
        out.print(f"{dot} {when(n.at)}  {n.text_hi} / {n.text_en}")
    if not notices:
        out.print("No notifications. / कोई सूचना नहीं।")


@notify_group.command(name="choose")
@click.option("--event", type=click.Choice(KINDS), required=True)
@click.option("--channel", type=click.Choice(CHANNELS), required=True)
@acting
@click.pass_context
def choose(ctx: click.Context, event: str, channel: str, login: str | None) -> None:
    """How I am told of one kind of event: both, inapp, mail or off."""
    with open_routing(ctx) as r:
        r.set_channel(require_user(login), event, channel)
    out.print(f"{event}: {channel}")


COMMANDS = [notify_group]
