"""Commands for this subject; see scanpipe/commands/__init__.py."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
