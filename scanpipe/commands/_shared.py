"""What every command module shares, decided once: the registry, the tool check, who is acting.

**Who is acting** (one rule for every command that records a person):
``--as LOGIN`` if given, else ``SCANPIPE_USER``, else the operating-system
account, recorded as ``os:NAME``. Reads (``show``, ``text``, ``file show``,
``file where``), page review (``page ...``) and intake decisions
(``intake ...``) accept the OS account. Routing and noting act as a user
account with a role, so there the OS account is not enough and the command
asks for ``--as LOGIN`` (exit code 2).

Command modules import from here and never from each other's private names,
so ``commands/`` has no import loop.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scanpipe.errors import ExitCode, ScanpipeError
from scanpipe.settings import Settings

if TYPE_CHECKING:
    from scanpipe.registry.store import Registry
    from scanpipe.routing import Routing

F = TypeVar("F", bound=Callable[..., Any])
DATE = click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"])
ACTING_HELP = "Who is acting: this login, else SCANPIPE_USER, else the OS account."


class WhoError(ScanpipeError):
    """A routing or noting command was given no user account to act as."""

    exit_code = ExitCode.BAD_ARGS


def settings_of(ctx: click.Context) -> Settings:
    """The settings ``cli`` loaded for ``--home`` (the root context carries them)."""
    return ctx.find_root().obj["settings"]


def open_registry(ctx: click.Context) -> Registry:
    """The registry of this data folder; use it as a context manager so it is closed."""
    from scanpipe.registry.store import Registry

    settings = settings_of(ctx)
    return Registry.open(
        settings.db_url, settings.archive_dir, hold_classified=settings.hold_classified
    )


@contextlib.contextmanager
def open_routing(ctx: click.Context) -> Iterator[Routing]:
    """``Routing`` over this data folder's registry, closed afterwards."""
    from scanpipe.routing import Routing

    with open_registry(ctx) as registry:
        yield Routing(registry)


def check_tools(settings: Settings) -> None:
    """Fail at start-up, not on every page, when Tesseract, poppler or a model is missing.

    Only the real engine needs them; a test double (``ocr.engine`` "module:Class") does not.
    """
    if settings.ocr.engine != "tesseract":
        return
    from scanpipe import tools

    tools.which("tesseract")
    tools.which("pdftoppm")
    tools.require_languages(settings.ocr.langs + "+osd")


def acting(f: F) -> F:
    """The ``--as LOGIN`` option (also read from ``SCANPIPE_USER``) of the acting-user rule."""
    return click.option("--as", "login", envvar="SCANPIPE_USER", metavar="LOGIN", help=ACTING_HELP)(
        f
    )


def acting_user(login: str | None) -> str:
    """The acting user by the rule: ``--as``/``SCANPIPE_USER``, else ``os:NAME``."""
    from scanpipe.registry.audit import os_login

    return login.strip() if login and login.strip() else os_login()


def require_user(login: str | None) -> str:
    """The acting user for routing and noting, which need a user account, not ``os:NAME``."""
    if not login or not login.strip():
        raise WhoError(
            "who is acting is not known",
            advice="pass --as LOGIN or set SCANPIPE_USER; see 'scanpipe user list'",
        )
    return login.strip()


def log_view(
    registry: Registry, file_id: int, action: str, login: str | None, **detail: Any
) -> None:
    """Check the read rule for the acting user and audit the read (refused ones too).

    Call it before anything about the file is printed: it raises FileNotReadable
    (exit code 9) with the same words for a missing file and a refused one.
    """
    from scanpipe.routing import Routing

    Routing(registry).open_file(acting_user(login), file_id, action, **detail)


def when(value: datetime | None) -> str:
    """A time as the office writes it: DD/MM/YYYY, local, to the minute; ``-`` when none."""
    return value.astimezone().strftime("%d/%m/%Y %H:%M") if value else "-"


def hidden_alias(command: click.Command, old_name: str, new_name: str) -> click.Command:
    """A renamed command under its old name: hidden from help, kept for one release.

    It runs the very same callback (a group keeps the same subcommands) and
    says on stderr which name to use, so scripts keep working while people
    learn the new name.
    """
    alias = copy.copy(command)
    alias.name = old_name
    alias.hidden = True
    alias.deprecated = f"Use 'scanpipe {new_name}'; the old name goes in the next release."
    alias.help = f"Old name of 'scanpipe {new_name}'. {command.help or ''}".strip()
    return alias
