"""CLI for notes, user accounts and the audit log (over ``scanpipe.routing``).

Who is acting follows the one rule in ``commands/_shared.py``; notes need a user account.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from scanpipe.commands._shared import (
    WhoError,
    acting,
    acting_user,
    open_routing,
    require_user,
    when,
)
from scanpipe.eoffice.terms import Grading
from scanpipe.routing import Role

out = Console(highlight=False)

# -- notes ------------------------------------------------------------------------


@click.group(name="note")
def note_group() -> None:
    """Notes on the notesheet: draft, finalise, approve / टिप्पणी."""


def _body(text: str | None, body_file: Any) -> str:
    if body_file is not None:
        return body_file.read()
    if text is None:
        raise WhoError("no note text", advice="pass the text, or --file PATH ('-' for stdin)")
    return text


@note_group.command(name="add")
@click.argument("file_id", type=int)
@click.argument("text", required=False)
@click.option("--file", "body_file", type=click.File(encoding="utf-8"), help="Read the text.")
@click.option("--final", is_flag=True, help="Finalise it at once.")
@acting
@click.pass_context
def note_add(
    ctx: click.Context,
    file_id: int,
    text: str | None,
    body_file: Any,
    final: bool,
    login: str | None,
) -> None:
    """Add a draft note to a file you hold."""
    with open_routing(ctx) as r:
        note = r.add_note(file_id, require_user(login), _body(text, body_file))
        if final:
            note = r.finalise_note(note.id, require_user(login))
    out.print(
        f"Note {note.id} added ({note.status}"
        + (f", paragraph {note.number})" if note.number else ")")
    )


@note_group.command(name="edit")
@click.argument("note_id", type=int)
@click.argument("text", required=False)
@click.option("--file", "body_file", type=click.File(encoding="utf-8"), help="Read the text.")
@acting
@click.pass_context
def note_edit(
    ctx: click.Context, note_id: int, text: str | None, body_file: Any, login: str | None
) -> None:
    """Edit your note (a final note only until the file is forwarded)."""
    with open_routing(ctx) as r:
        r.edit_note(note_id, require_user(login), _body(text, body_file))
    out.print(f"Note {note_id} changed.")


@note_group.command(name="delete")
@click.argument("note_id", type=int)
@acting
@click.pass_context
def note_delete(ctx: click.Context, note_id: int, login: str | None) -> None:
    """Delete your draft note."""
    with open_routing(ctx) as r:
        r.delete_note(note_id, require_user(login))
    out.print(f"Draft note {note_id} deleted.")


@note_group.command(name="finalise")
@click.argument("note_id", type=int)
@acting
@click.pass_context
def note_finalise(ctx: click.Context, note_id: int, login: str | None) -> None:
    """Make your draft final: it gets the next paragraph number."""
    with open_routing(ctx) as r:
        note = r.finalise_note(note_id, require_user(login))
    out.print(f"Note {note.id} is final: paragraph {note.number}.")


@note_group.command(name="approve")
@click.argument("file_id", type=int)
@click.option("--note", "note_id", type=int, help="The note approved (default: the last).")
@click.option(
    "--for",
    "purpose",
    type=click.Choice(["note", "close", "reopen"]),
    default="note",
    help="What is approved: a note (default), closing or reopening the file.",
)
@click.option("--remarks", default="", help="Remarks / टिप्पणी.")
@acting
@click.pass_context
def note_approve(
    ctx: click.Context,
    file_id: int,
    note_id: int | None,
    purpose: str,
    remarks: str,
    login: str | None,
) -> None:
    """Record your approval (officers) / अनुमोदन."""
    with open_routing(ctx) as r:
        r.approve(file_id, require_user(login), note_id=note_id, purpose=purpose, remarks=remarks)
    out.print(f"Approval of file {file_id} ({purpose}) recorded.")


@note_group.command(name="list")
@click.argument("file_id", type=int)
@acting
@click.pass_context
def note_list(ctx: click.Context, file_id: int, login: str | None) -> None:
    """The notesheet: final notes in order, then your drafts."""
    with open_routing(ctx) as r:
        r.open_file(acting_user(login), file_id, "notes-view")  # the read rule, audited
        notes = r.notes(file_id, viewer=login)
    if not notes:
        out.print("No notes yet. / अभी कोई टिप्पणी नहीं।")
    for n in notes:
        head = f"¶{n.number}" if n.number else f"draft {n.id}"
        stamp = when(n.finalised_at or n.updated_at)
        out.print(f"[bold]{head}[/] {n.author.name} ({n.designation}), {stamp}")
        out.print("  " + n.body.replace("\n", "\n  "))
        for a in n.approvals:
            out.print(
                f"  ✔ approved by {a.approver.name} ({a.designation}) {when(a.at)} {a.remarks}"
            )


@note_group.command(name="pdf")
@click.argument("file_id", type=int)
@click.argument("dest", type=click.Path(dir_okay=False, writable=True))
@acting
@click.pass_context
def note_pdf(ctx: click.Context, file_id: int, dest: str, login: str | None) -> None:
    """Export the notesheet as a PDF (Hindi and English) / नोटशीट PDF."""
    from scanpipe.routing.notesheet import write_notesheet

    with open_routing(ctx) as r:
        r.open_file(acting_user(login), file_id, "notesheet-download", path=str(dest))
        pages = write_notesheet(r, file_id, dest)
    out.print(f"Notesheet of file {file_id}: {dest} ({pages} pages)")


# -- users and audit ----------------------------------------------------------------


@click.group(name="user")
def user_group() -> None:
    """User accounts: name, designation, section and role / उपयोगकर्ता."""


@user_group.command(name="add")
@click.argument("login")
@click.option("--name", required=True, help="Full name / नाम, as signed on notes.")
@click.option("--designation", required=True, help="e.g. Section Officer, Collector.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="operator, records, officer or admin.",
)
@click.option("--section", help="Section code, e.g. EST.")
@click.option("--office", help="Office code (default COLL-MUNGELI).")
@click.option("--password", help="For the web app; prompted when --password-prompt is given.")
@click.option("--password-prompt", is_flag=True, help="Ask for the password (not echoed).")
@click.option("--email", help="Where notifications by mail go.")
@click.pass_context
def user_add(
    ctx: click.Context, login: str, password: str | None, password_prompt: bool, **fields: Any
) -> None:
    """Create an account."""
    if password_prompt:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with open_routing(ctx) as r:
        user = r.add_user(login, password=password, **fields)
    out.print(f"User {user.login} added: {user.label}, {user.role}, section {user.section or '-'}")


@user_group.command(name="edit")
@click.argument("login")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="A new role.")
@click.option("--designation", help="A new designation / पदनाम.")
@click.option("--section", help="A new section code.")
@click.option("--active/--inactive", default=None, help="Allow or stop sign-in and actions.")
@click.option(
    "--clearance",
    type=click.Choice([g.value for g in Grading]),
    help="Highest grading read through the user's section (docs/access.md).",
)
@click.option("--password-prompt", is_flag=True, help="Set a new password.")
@click.option("--email", help="Where notifications by mail go ('' clears it).")
@click.pass_context
def user_edit(
    ctx: click.Context, login: str, password_prompt: bool, clearance: str | None, **fields: Any
) -> None:
    """Change a user's role, designation, section, clearance or password."""
    password = None
    if password_prompt:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with open_routing(ctx) as r:
        if clearance is not None:
            r.set_clearance(login, clearance)
        user = r.edit_user(login, password=password, **fields)
    out.print(f"User {user.login}: {user.label}, {user.role}, active={user.active}")


@user_group.command(name="sign-out")
@click.argument("login")
@click.pass_context
def user_sign_out(ctx: click.Context, login: str) -> None:
    """End every session of a user, on every server process (sign out everywhere)."""
    with open_routing(ctx) as r:
        user = r.end_sessions(login)
    out.print(f"Every session of {user.login} has ended; they must sign in again.")


@user_group.command(name="list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """All accounts."""
    with open_routing(ctx) as r:
        users = r.list_users()
    table = Table("Login", "Name", "Designation", "Section", "Role", "Active")
    for u in users:
        table.add_row(u.login, u.name, u.designation, u.section or "", u.role, str(u.active))
    out.print(table)


@click.command()
@click.option("--file", "file_id", type=int, help="Only this file.")
@click.option("--user", "user", help="Only this login.")
@click.option(
    "--limit", default=200, type=click.IntRange(1, 100_000), help="At most this many entries."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def audit(
    ctx: click.Context, file_id: int | None, user: str | None, limit: int, as_json: bool
) -> None:
    """The audit log: who did what, when (append-only) / लेखा परीक्षा."""
    with open_routing(ctx) as r:
        entries = r.audit_log(file_id=file_id, login=user, limit=limit)
    for e in entries:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": e.id,
                        "at": e.at.isoformat(),
                        "login": e.login,
                        "action": e.action,
                        "file_id": e.file_id,
                        "detail": json.loads(e.detail or "{}"),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            out.print(
                f"{when(e.at)}  {e.login:<12} {e.action:<18} file {e.file_id or '-'}  {e.detail}"
            )


COMMANDS = [note_group, user_group, audit]
