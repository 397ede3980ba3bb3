"""CLI over ``scanpipe.routing``: file movements, notes, pendency, users, the audit log.

Who is acting follows the one rule in ``commands/_shared.py`` (movements need a
user account: ``--as LOGIN`` or ``SCANPIPE_USER``); the routing rules then
decide. Movement commands join the existing ``file`` group.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from scanpipe.commands._shared import DATE, acting, acting_user, open_routing, require_user, when
from scanpipe.commands.files import file_group
from scanpipe.eoffice.terms import Priority
from scanpipe.routing import AGE_BUCKETS, WhereIs

out = Console(highlight=False)


# -- file movements ---------------------------------------------------------


@file_group.command()
@click.argument("file_id", type=int)
@click.option("--to", "to", multiple=True, required=True, help="Recipient login; repeat for more.")
@click.option("--remarks", default="", help="Remarks / टिप्पणी.")
@click.option("--due", type=DATE, help="Due date.")
@click.option(
    "--priority",
    type=click.Choice([p.value for p in Priority]),
    default=Priority.NORMAL.value,
    show_default=True,
    help="Urgency / प्राथमिकता ('today' is due today).",
)
@click.option(
    "--finalise-drafts",
    "drafts",
    flag_value="finalise",
    help="Finalise my draft notes on the file first, so the recipient sees them.",
)
@click.option("--keep-drafts", "drafts", flag_value="keep", help="Send, keeping my drafts private.")
@acting
@click.pass_context
def send(
    ctx: click.Context,
    file_id: int,
    to: tuple[str, ...],
    remarks: str,
    due: datetime | None,
    priority: str,
    drafts: str | None,
    login: str | None,
) -> None:
    """Send (forward) a file to one or more people / फ़ाइल भेजें."""
    with open_routing(ctx) as r:
        r.send(
            file_id,
            require_user(login),
            list(to),
            remarks=remarks,
            due_on=due.date() if due else None,
            priority=priority,
            drafts=drafts,
        )
    out.print(f"File {file_id} sent to {', '.join(to)}. / फ़ाइल भेजी गई।")


def _simple(name: str, method: str, done: str, doc: str) -> None:
    @file_group.command(name=name, help=doc)
    @click.argument("file_id", type=int)
    @click.option("--remarks", default="", help="Remarks / टिप्पणी.")
    @acting
    @click.pass_context
    def command(ctx: click.Context, file_id: int, remarks: str, login: str | None) -> None:
        with open_routing(ctx) as r:
            fn = getattr(r, method)
            if method == "receive":
                fn(file_id, require_user(login))
            else:
                fn(file_id, require_user(login), remarks=remarks)
        out.print(f"File {file_id} {done}.")


_simple("receive", "receive", "received / प्राप्त", "Receive / open a file sent to you / प्राप्त करें.")
_simple(
    "pullback",
    "pullback",
    "pulled back / वापस लिया",
    "Pull back your last send, before it is opened.",
)
_simple("park", "park", "parked / पार्क", "Park a file you hold (close it for a while).")
_simple("unpark", "unpark", "unparked", "Unpark a parked file.")


@file_group.command()
@click.argument("file_id", type=int)
@click.option("--approver", required=True, help="The officer who approved closing.")
@click.option("--remarks", default="", help="Remarks / टिप्पणी.")
@acting
@click.pass_context
def close(ctx: click.Context, file_id: int, approver: str, remarks: str, login: str | None) -> None:
    """Close a file: its creator only, after an officer's approval / बंद करें."""
    with open_routing(ctx) as r:
        r.close(file_id, require_user(login), approver=approver, remarks=remarks)
    out.print(f"File {file_id} closed. / फ़ाइल बंद की गई।")


@file_group.command()
@click.argument("file_id", type=int)
@click.option("--approver", required=True, help="The officer who approved reopening.")
@click.option("--remarks", default="", help="Remarks / टिप्पणी.")
@acting
@click.pass_context
def reopen(
    ctx: click.Context, file_id: int, approver: str, remarks: str, login: str | None
) -> None:
    """Reopen a closed file with an officer's approval / पुनः खोलें."""
    with open_routing(ctx) as r:
        r.reopen(file_id, require_user(login), approver=approver, remarks=remarks)
    out.print(f"File {file_id} reopened.")


@file_group.command()
@click.argument("file_id", type=int)
@click.option(
    "--category",
    required=True,
    type=click.Choice(["A", "B", "C"]),
    help="Record category A, B or C.",
)
@click.option("--retention", type=click.IntRange(1, 10), help="Years a C file is kept.")
@click.option("--room", help="Record room / अभिलेख कक्ष.")
@click.option("--almirah", help="Almirah or rack / अलमारी.")
@click.option("--shelf", help="Shelf / खाना.")
@click.option("--bundle", help="Bundle / बस्ता.")
@click.option("--remarks", default="", help="Remarks / टिप्पणी.")
@acting
@click.pass_context
def record(
    ctx: click.Context,
    file_id: int,
    category: str,
    retention: int | None,
    remarks: str,
    login: str | None,
    **place: str | None,
) -> None:
    """Record a closed file into the record room / अभिलेखागार में दर्ज करें."""
    location = {k: v for k, v in place.items() if v}
    with open_routing(ctx) as r:
        r.record(
            file_id,
            require_user(login),
            category=category,
            location=location,
            retention_years=retention,
            remarks=remarks,
        )
        rec = r.registry.get_record(file_id)
    out.print(
        f"File {file_id} recorded as category {rec.category}, review in {rec.review_year}, "
        f"at {rec.location or 'no location'}."
    )


@file_group.command(name="issue")
@click.argument("file_id", type=int)
@click.option("--to", "to", required=True, help="Who takes the paper original.")
@click.option("--remarks", default="", help="Remarks / टिप्पणी.")
@acting
@click.pass_context
def issue(ctx: click.Context, file_id: int, to: str, remarks: str, login: str | None) -> None:
    """Issue the paper original from the record room to a person."""
    with open_routing(ctx) as r:
        r.issue_paper(file_id, require_user(login), to, remarks=remarks)
    out.print(f"Paper file {file_id} issued to {to}.")


@file_group.command(name="return")
@click.argument("file_id", type=int)
@click.option("--remarks", default="", help="Remarks / टिप्पणी.")
@acting
@click.pass_context
def return_(ctx: click.Context, file_id: int, remarks: str, login: str | None) -> None:
    """Return the paper original to the record room."""
    with open_routing(ctx) as r:
        r.return_paper(file_id, require_user(login), remarks=remarks)
    out.print(f"Paper file {file_id} returned to the record room.")


@file_group.command()
@click.argument("file_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@acting
@click.pass_context
def where(ctx: click.Context, file_id: int, as_json: bool, login: str | None) -> None:
    """Where is the file, with whom, since when / फ़ाइल कहाँ है."""
    with open_routing(ctx) as r:
        r.open_file(acting_user(login), file_id, "where")  # the read rule, audited
        info = r.where(file_id)
    if as_json:
        click.echo(json.dumps(info.as_json(), ensure_ascii=False))
        return
    out.print(f"[bold]File {info.file_id}[/] {info.file_no or ''} — {info.subject or ''}")
    out.print(
        f"Status / स्थिति: {info.state}   Nature: {info.nature}   "
        f"Creator: {info.creator.label if info.creator else '-'}"
    )
    if not info.holders:
        out.print("With / किसके पास: nobody yet (not routed)")
    for h in info.holders:
        seen = f"opened {when(h.opened_at)}" if h.opened_at else "not opened yet"
        due = f", due {h.due_on:%d/%m/%Y}" if h.due_on else ""
        late = " [red]OVERDUE / समय-सीमा पार[/]" if h.overdue else ""
        urgent = f", {h.priority}" if h.priority != Priority.NORMAL.value else ""
        out.print(
            f"With / किसके पास: [bold]{h.user.label}[/] since {when(h.since)} "
            f"({seen}{due}{urgent}){late}"
        )
    if info.custody:
        out.print(f"Paper / भौतिक: {info.custody.summary}")
    _print_path(info)


def _print_path(info: WhereIs) -> None:
    table = Table("#", "When", "Action", "By", "To", "Opened", "Remarks", box=None)
    for i, m in enumerate(info.path, 1):
        kind = m.kind + (" (pulled back)" if m.pulled_back_at else "")
        table.add_row(
            str(i),
            when(m.at),
            kind,
            m.actor.label,
            m.to.label if m.to else "",
            when(m.opened_at) if m.kind == "send" else "",
            m.remarks,
        )
    out.print(table)


@file_group.command()
@click.argument("file_id", type=int)
@acting
@click.pass_context
def history(ctx: click.Context, file_id: int, login: str | None) -> None:
    """The full movement history of a file / आवागमन इतिहास."""
    with open_routing(ctx) as r:
        r.open_file(acting_user(login), file_id, "history")
        info = r.where(file_id)
    _print_path(info)


# -- pendency -----------------------------------------------------------------


@click.command()
@click.option("--user", help="One person's pendency.")
@click.option("--section", help="A section's pendency, e.g. EST.")
@click.option("--mine", is_flag=True, help="My files pending with others (needs --as).")
@click.option(
    "--monthly", type=click.IntRange(1900, 2100), help="Month-wise created/received/forwarded."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@acting
@click.pass_context
def pending(
    ctx: click.Context,
    user: str | None,
    section: str | None,
    mine: bool,
    monthly: int | None,
    as_json: bool,
    login: str | None,
) -> None:
    """Files pending per user, with ageing in days / लंबित फ़ाइलें."""
    with open_routing(ctx) as r:
        if monthly is not None:
            _print_monthly(r.monthly(monthly, section=section), monthly, section, as_json)
            return
        if mine:
            files = r.pending_with_others(require_user(login))
            for f in files:
                out.print(
                    f"file {f.file_id} {f.file_no or ''} with {f.holder.label} since "
                    f"{when(f.since)}{'' if f.opened_at else ' (not opened)'}"
                )
            if not files:
                out.print("None of your files is pending with others.")
            return
        report = r.pending(user=user, section=section)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "total": report.total,
                    "buckets": report.buckets,
                    "overdue": report.overdue,
                    "users": {row.user.login: row.buckets for row in report.rows},
                    "overdue_by_user": {row.user.login: row.overdue for row in report.rows},
                }
            )
        )
        return
    table = Table(
        "User / उपयोगकर्ता",
        *(f"{b[0]} days" for b in AGE_BUCKETS),
        "Total / कुल",
        "Overdue / समय-सीमा पार",
    )
    for row in report.rows:
        table.add_row(row.user.label, *map(str, row.buckets), str(row.total), str(row.overdue))
    table.add_row(
        "[bold]All / सभी[/]", *map(str, report.buckets), str(report.total), str(report.overdue)
    )
    out.print(table)


def _print_monthly(rows: list[Any], year: int, section: str | None, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([[r.month, r.created, r.received, r.forwarded] for r in rows]))
        return
    title = f"{year}" + (f", section {section}" if section else "")
    table = Table(
        "Month / माह", "Created / बनाई", "Received / प्राप्त", "Forwarded / भेजी", title=title
    )
    for r in rows:
        table.add_row(f"{year}-{r.month:02d}", str(r.created), str(r.received), str(r.forwarded))
    out.print(table)


COMMANDS = [pending]
