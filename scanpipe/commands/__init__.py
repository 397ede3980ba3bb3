"""Command groups that live beside their subject, attached to the one CLI group.

Each module exports ``COMMANDS``: click commands or groups. They raise
ScanpipeError like every other command; ``cli.main`` turns errors into
messages and exit codes.
"""

from __future__ import annotations

import importlib

import click

MODULES = (
    "scanpipe.commands.files",  # e-Office registry: file register/show/edit/list
    "scanpipe.commands.exchange",  # import-register (CSV), export --nic
    "scanpipe.commands.scans",  # scanned files: search, text, list, file pages
    "scanpipe.commands.watch",  # hot folders: watch, intake, status
    "scanpipe.commands.sheets",  # QR cover, part and separator sheets
    "scanpipe.commands.scale",  # scale-out: worker (Celery), reconcile
    "scanpipe.commands.routing",  # file send/receive/.../where/history, pending
    "scanpipe.commands.inbox",  # inbox: an officer's four lists
    "scanpipe.commands.notify",  # notify run/list/choose: notifications and the mail outbox
    "scanpipe.commands.notes",  # note add/edit/finalise/approve/list/pdf, user, audit
    "scanpipe.commands.pages",  # page list/correct/blank/move/accept/retry (page review)
    "scanpipe.commands.web",  # serve: the web app
)


def attach_all(group: click.Group) -> None:
    for name in MODULES:
        for command in importlib.import_module(name).COMMANDS:
            group.add_command(command)
