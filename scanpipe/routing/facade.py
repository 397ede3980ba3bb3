"""``Routing``: one object with every routing, noting and tracking action, for the interfaces.

The work is done by five small services over one ``Desk`` (a registry and a
clock): ``Users``, ``Moves``, ``Lifecycle``, ``Notes`` and ``Tracking``. The
CLI, the web app and the tests mostly want "the routing API" as one thing, so
this facade binds the services' methods onto itself; it adds no behaviour of
its own. Code that needs one concern only can use its service directly.
"""

from __future__ import annotations

from datetime import datetime

from scanpipe.registry.store import Registry
from scanpipe.routing.base import Clock, Desk, utc_now
from scanpipe.routing.inbox import Inbox
from scanpipe.routing.lifecycle import Lifecycle
from scanpipe.routing.moves import Moves
from scanpipe.routing.notes import Notes
from scanpipe.routing.notify import Notifier
from scanpipe.routing.readers import Readers
from scanpipe.routing.signin import Limits, SignIns
from scanpipe.routing.tokens import Tokens
from scanpipe.routing.tracking import Tracking
from scanpipe.routing.users import Users


class Routing:
    """``Routing(registry, clock=...)``: every routing, noting and tracking action."""

    def __init__(self, registry: Registry, clock: Clock = utc_now) -> None:
        self.registry = registry
        self.desk = Desk(registry, clock)
        self.users = Users(self.desk)
        self.moves = Moves(self.desk)
        self.lifecycle = Lifecycle(self.desk)
        self.notebook = Notes(self.desk)
        self.tracking = Tracking(self.desk)
        self.readers = Readers(self.desk)
        self.tokens = Tokens(self.desk)
        self.inboxes = Inbox(self.desk)
        self.inbox = self.inboxes.inbox
        self.notifier = Notifier(self.desk)
        self.desk.listeners.append(self.notifier.on_audit)
        self.notices = self.notifier.notices
        self.unread = self.notifier.unread
        self.mark_read = self.notifier.mark_read
        self.set_channel = self.notifier.set_channel
        self.channels = self.notifier.channels
        self.sweep = self.notifier.sweep
        # Bound methods as attributes: typed like the services' own, with their docstrings.
        self.add_user = self.users.add_user
        self.edit_user = self.users.edit_user
        self.get_user = self.users.get_user
        self.end_sessions = self.users.end_sessions
        self.create_token = self.tokens.create_token
        self.revoke_token = self.tokens.revoke_token
        self.list_tokens = self.tokens.list_tokens
        self.token_user = self.tokens.token_user
        self.password_hash = self.users.password_hash
        self.list_users = self.users.list_users
        self.send = self.moves.send
        self.receive = self.moves.receive
        self.pullback = self.moves.pullback
        self.park = self.moves.park
        self.unpark = self.moves.unpark
        self.close = self.lifecycle.close
        self.reopen = self.lifecycle.reopen
        self.record = self.lifecycle.record
        self.issue_paper = self.lifecycle.issue_paper
        self.return_paper = self.lifecycle.return_paper
        self.add_note = self.notebook.add_note
        self.edit_note = self.notebook.edit_note
        self.delete_note = self.notebook.delete_note
        self.finalise_note = self.notebook.finalise_note
        self.approve = self.notebook.approve
        self.notes = self.notebook.notes
        self.where = self.tracking.where
        self.history = self.tracking.history
        self.pending = self.tracking.pending
        self.pending_with_others = self.tracking.pending_with_others
        self.stuck_longest = self.tracking.stuck_longest
        self.monthly = self.tracking.monthly
        self.log_access = self.tracking.log_access
        self.reader = self.readers.reader
        self.open_file = self.readers.open_file
        self.share = self.readers.share
        self.set_clearance = self.readers.set_clearance
        self.audit_log = self.tracking.audit_log

    @property
    def clock(self) -> Clock:
        return self.desk.clock

    def now(self) -> datetime:
        return self.desk.now()

    def sign_ins(self, limits: Limits | None = None) -> SignIns:
        """The shared sign-in limits (routing/signin.py), with an interface's own numbers."""
        return SignIns(self.desk, limits)
