"""``scanpipe inbox``: an officer's day from the shell, the same lists the web lands on."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from scanpipe.commands._shared import acting, open_routing, require_user, when
from scanpipe.routing.inbox import SORTS, InboxItem

out = Console(highlight=False)


def _item_json(i: InboxItem) -> dict[str, object]:
    return {
        "file_id": i.file_id,
        "file_no": i.file_no,
        "subject": i.subject,
        "person": i.person.login if i.person else None,
        "since": i.since.isoformat(),
        "opened_at": i.opened_at.isoformat() if i.opened_at else None,
        "due_on": i.due_on.isoformat() if i.due_on else None,
        "priority": i.priority,
        "overdue": i.overdue,
        "age_days": i.age_days,
    }


def _table(title: str, items: tuple[InboxItem, ...], who: str) -> None:
    if not items:
        return
    table = Table("file", "number / क्रमांक", who, "since / कब से", "days", "due / नियत", "priority")
    table.title = title
    for i in items:
        due = f"{i.due_on:%d/%m/%Y}" if i.due_on else "–"
        table.add_row(
            str(i.file_id),
            i.file_no or "",
            i.person.label if i.person else "",
            when(i.since),
            str(i.age_days),
            f"[red]{due} OVERDUE[/]" if i.overdue else due,
            i.priority,
        )
    out.print(table)


@click.command()
@click.option("--sort", type=click.Choice(SORTS), default="age", show_default=True)
@click.option("--overdue", "overdue_only", is_flag=True, help="Only files past their due date.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the four lists.")
@acting
@click.pass_context
def inbox(
    ctx: click.Context, sort: str, overdue_only: bool, as_json: bool, login: str | None
) -> None:
    """My inbox: files to receive, with me, pending with others, my drafts / मेरी डाक."""
    with open_routing(ctx) as r:
        view = r.inbox(require_user(login), sort=sort, overdue_only=overdue_only)
    if as_json:
        data = {
            "to_receive": [_item_json(i) for i in view.to_receive],
            "with_me": [_item_json(i) for i in view.with_me],
            "with_others": [_item_json(i) for i in view.with_others],
            "drafts": [
                {"file_id": d.file_id, "note_id": d.note_id, "preview": d.preview}
                for d in view.drafts
            ],
            "overdue": view.overdue,
            "totals": dict(zip(("to_receive", "with_me", "with_others"), view.totals, strict=True)),
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    _table("To receive / प्राप्त करनी हैं", view.to_receive, "from / किससे")
    _table("With me / मेरे पास", view.with_me, "from / किससे")
    _table("Mine, pending with others / दूसरों के पास लंबित", view.with_others, "with / किसके पास")
    for d in view.drafts:
        out.print(f"Draft / मसौदा: file {d.file_id} {d.file_no or ''}: {d.preview}")
    if not (view.to_receive or view.with_me or view.with_others or view.drafts):
        out.print("Nothing in your inbox. / आपकी डाक में कुछ नहीं है।")
    elif view.overdue:
        out.print(f"[red]{view.overdue} overdue / समय-सीमा पार[/]")


COMMANDS = [inbox]
