"""The hot-folder loop: look, wait until a drop is complete, claim it, run it, repeat.

File-system events (watchdog/inotify) only wake the loop early; what is
true is what a scan finds. The loop rescans at start-up, every ``rescan_s``
anyway (events get lost: overflowing queues, renames across mounts), and
every ``poll_s`` on network mounts, where inotify never hears what other
machines write. While anything is waiting to settle it looks every half
second, because stability is judged by watching.

One drop is claimed and run at a time, just before it is run, so two
watchers on one inbox share the work instead of one hoarding it. Jobs left
in claims/ (a crash, a retry waiting for its time) come first.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from scanpipe.hotfolder.claim import Job, claim, new_job_id, now_iso, take_next
from scanpipe.hotfolder.inbox import Entry, Probe, batch_ready, is_network, probe, scan_inbox
from scanpipe.hotfolder.journal import Journal
from scanpipe.hotfolder.names import display_name, safe_name
from scanpipe.hotfolder.quarantine import Failure
from scanpipe.hotfolder.runner import Runner
from scanpipe.hotfolder.stability import StabilityTracker, Verdict
from scanpipe.hotfolder.waiting import WaitingBoard
from scanpipe.settings import InboxSettings, Settings

log = logging.getLogger("scanpipe.watch")
SETTLE_TICK_S = 0.5
METADATA_KEYS = ("office", "section", "operator", "part")


def claims_dir(settings: Settings) -> Path:
    return settings.work_dir / "claims"


class IntakeGate:
    """Pauses intake while the data folder is short of space, and says so once.

    Checked before every claim and every job: starting OCR on a full disk
    only turns a pause into a pile of failures.
    """

    def __init__(
        self,
        folder: Path,
        min_free_mb: int,
        journal: Journal,
        free_bytes: Callable[[Path], int] = lambda p: shutil.disk_usage(p).free,
    ) -> None:
        self.folder = folder
        self.min_free = min_free_mb * 1024 * 1024
        self.journal = journal
        self._free_bytes = free_bytes
        self.paused = False
        self.forced = False  # a job hit a full disk although the check passed

    def open(self) -> bool:
        free = self._free_bytes(self.folder)
        mb = free // (1024 * 1024)
        need = self.min_free // (1024 * 1024)
        if free < self.min_free or (self.forced and free < self.min_free * 2):
            if not self.paused:
                self.paused = True
                self.journal.record(
                    "paused",
                    reason=f"only {mb} MB free in {self.folder} (need {need} MB); "
                    "free space and intake resumes by itself",
                    free_mb=mb,
                )
            return False
        if self.paused:
            self.journal.record("resumed", reason=f"{mb} MB free in {self.folder}", free_mb=mb)
        self.paused = self.forced = False
        return True


class _Wake:
    """Set by the file-system event thread; the loop sleeps on it."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def dispatch(self, _event: object) -> None:  # watchdog handler protocol
        self.event.set()


class Watcher:
    def __init__(
        self,
        settings: Settings,
        runner: Runner,
        journal: Journal,
        *,
        force_poll: bool = False,
        gate: IntakeGate | None = None,
    ) -> None:
        self.settings = settings
        self.watch = settings.watch
        self.runner = runner
        self.journal = journal
        self.claims = claims_dir(settings)
        self.tracker = StabilityTracker()
        self.gate = gate or IntakeGate(settings.home, self.watch.min_free_mb, journal)
        self.wake = _Wake()
        self.stopping = threading.Event()
        self.outcomes: Counter[str] = Counter()  # done/duplicate/failed/retry, this run
        self._observer: object | None = None
        self._missing: set[Path] = set()
        self._probes: dict[tuple[str, str], tuple[object, Probe]] = {}
        self.waiting = WaitingBoard(settings.home)
        self.polling = {
            inbox.path: force_poll
            or self.watch.polling == "always"
            or (self.watch.polling == "auto" and is_network(inbox.path))
            for inbox in self.watch.inboxes
        }

    # -- events ----------------------------------------------------------------------------

    def start_events(self) -> None:
        """inotify hints for local inboxes; polling ones rely on the scan interval alone."""
        local = [i.path for i in self.watch.inboxes if not self.polling[i.path]]
        if not local:
            return
        try:
            from watchdog.observers import Observer

            observer = Observer()
            for path in local:
                observer.schedule(self.wake, str(path), recursive=True)  # type: ignore[arg-type]
            observer.daemon = True
            observer.start()
            self._observer = observer
        except Exception as exc:  # inotify limits, a missing inbox: scanning still works
            log.warning(
                "file-system events unavailable (%s); polling every %ss", exc, self.watch.poll_s
            )
            for path in local:
                self.polling[path] = True

    def stop_events(self) -> None:
        if self._observer is not None:
            self._observer.stop()  # type: ignore[attr-defined]

    # -- one scan ----------------------------------------------------------------------------

    def scan(self) -> list[tuple[Entry, bool]]:
        """Observe every inbox.

        Returns what should be claimed now, oldest sighting first, each with
        whether it expired (waited ``max_age_s`` without settling).
        """
        ready: list[tuple[float, Entry, bool]] = []
        present = []
        for inbox in self.watch.inboxes:
            try:
                entries = scan_inbox(inbox, self.watch.markers)
                self._missing.discard(inbox.path)
            except OSError as exc:
                if inbox.path not in self._missing:
                    log.error("cannot read inbox %s: %s (will keep trying)", inbox.path, exc)
                    self._missing.add(inbox.path)
                continue
            for entry in entries:
                present.append(entry.key)
                verdict = self._observe(entry)
                seen = self.tracker.get(entry.key)
                if verdict is not None and seen is not None:
                    ready.append((seen.first_seen, entry, verdict is Verdict.EXPIRED))
        for key in self.tracker.keep_only(present):
            self._probes.pop(key, None)
            self.journal.record("vanished", name=display_name(key[1]), inbox=key[0])
        self.waiting.keep_only(present)
        self.waiting.write()
        return [(e, expired) for _, e, expired in sorted(ready, key=lambda r: r[0])]

    def _observe(self, entry: Entry) -> Verdict | None:
        """Track one entry; None unless it should be claimed now (ready or expired)."""
        watch = self.watch
        is_new = entry.key not in self.tracker
        hold = watch.stability_s
        verdict = self.tracker.observe(entry.key, entry.signature, hold, watch.max_age_s)
        if is_new:
            self.journal.record("received", name=entry.name, inbox=str(entry.inbox.path))
        if entry.kind == "hostile":
            return Verdict.STABLE  # nothing to wait for: refused as soon as it is seen
        if verdict is Verdict.EXPIRED:
            return verdict
        if entry.kind == "folder":
            seen = self.tracker.get(entry.key)
            held = seen.held(time.monotonic()) if seen else 0.0
            local = not self.polling.get(entry.inbox.path, False)
            if batch_ready(entry, held, self.settings, local):
                return Verdict.STABLE
            # An empty folder is someone's batch-to-be: it waits however long it takes.
            too_old = self.tracker.age(entry.key) >= watch.max_age_s
            return Verdict.EXPIRED if too_old and entry.busy else None
        return verdict if verdict is Verdict.STABLE else None

    # -- claim and run -----------------------------------------------------------------------

    def _new_job(self, entry: Entry) -> Job:
        inbox: InboxSettings = entry.inbox
        metadata = {k: getattr(inbox, k) for k in METADATA_KEYS if getattr(inbox, k)}
        job = Job(
            new_job_id(),
            Path(),
            "folder" if entry.kind == "folder" else "file",
            safe_name(entry.path.name),
            entry.name,
            str(inbox.path),
            received_at=now_iso(),
            metadata=metadata,
            langs=inbox.langs,
        )
        return job

    def _refusal(self, entry: Entry, expired: bool) -> Failure | None:
        """Why a settled entry will be failed instead of converted, or None to convert it."""
        age = round(self.tracker.age(entry.key))
        if entry.kind == "hostile":
            return Failure(
                "refused",
                f"this is {entry.problem}, not a scanned file",
                "drop the scanned file itself into the inbox, not a link, pipe or device",
                3,
            )
        if entry.problem:
            return Failure(
                "refused",
                entry.problem,
                "rename it with plain letters and digits, then use 'scanpipe intake retry JOB'",
                3,
            )
        if expired:
            what = "the batch never completed" if entry.kind == "folder" else "never settled"
            return Failure(
                "not ready",
                f"{what}: still changing or incomplete after {age}s",
                "copy it again; the copy did not finish",
                3,
            )
        if entry.kind == "file":
            cached = self._probes.get(entry.key)
            if cached is not None and cached[0] == entry.signature:
                result = cached[1]  # unchanged bytes read the same: do not re-hash them
            else:
                result = probe(entry.path, self.settings)
                self._probes[entry.key] = (entry.signature, result)
            if result.gone:
                return None
            if not result.ok:
                if result.maybe_incomplete and not self._too_old(entry):
                    self.waiting.note(
                        entry.key,
                        entry.name,
                        str(entry.inbox.path),
                        f"{result.reason}; waiting for the writer",
                        self.tracker.age(entry.key),
                        self.watch.max_age_s,
                    )
                    return Failure("wait", result.reason)
                self.waiting.clear(entry.key)
                return Failure("invalid input", result.reason, "scan or export it again", 3)
        return None

    def _too_old(self, entry: Entry) -> bool:
        """Waited ``max_age_s`` for this file to become readable.

        Counted from our first sighting, or on a local disk from the file's
        mtime, so cron's ``--once`` runs (each a new process) also give up.
        """
        if self.tracker.age(entry.key) >= self.watch.max_age_s:
            return True
        if self.polling.get(entry.inbox.path, False):
            return False  # a file server's clock is not ours
        try:
            return time.time() - entry.path.lstat().st_mtime >= self.watch.max_age_s
        except OSError:
            return False

    def take(self, entry: Entry, expired: bool) -> bool:
        """Claim one settled entry and run it; False if it is not ours to take (yet)."""
        failure = self._refusal(entry, expired)
        if failure is not None and failure.what == "wait":
            return False
        if entry.kind == "file" and failure is None and not entry.path.exists():
            return False
        job = claim(entry.path, self.claims, self._new_job(entry))
        self.waiting.clear(entry.key)
        self.tracker.forget(entry.key)
        self._probes.pop(entry.key, None)
        if job is None:
            log.info("%s was claimed by another watcher", entry.name)
            return False
        self.journal.record("claimed", job=job.id, name=job.original_name, inbox=job.inbox)
        if failure is not None:
            self.outcomes[self.runner.fail(job, failure).outcome] += 1
            return True
        self._run(job)
        return True

    def _run(self, job: Job) -> None:
        result = self.runner.run(job)
        self.outcomes[result.outcome] += 1
        if result.out_of_space:
            self.gate.forced = True

    def drain(self) -> int:
        """Run every job waiting in claims/ that nobody holds; returns how many ran."""
        count = 0
        while not self.stopping.is_set() and self.gate.open():
            job = take_next(self.claims)
            if job is None:
                break
            log.info("resuming job %s (%s)", job.id, job.original_name)
            self._run(job)
            count += 1
        return count

    # -- the loop --------------------------------------------------------------------------

    def step(self) -> bool:
        """One round: waiting jobs, then the first settled drop. True if anything was done.

        Only one drop is taken per scan: a job may run for minutes, and what the
        scan saw before it is stale by then, so the next drop is judged afresh.
        """
        did = self.drain() > 0
        for entry, expired in self.scan():
            if self.stopping.is_set() or not self.gate.open():
                break
            if self.take(entry, expired):
                return True
        return did

    def _sleep_time(self) -> float:
        if len(self.tracker) or self.gate.paused:
            return SETTLE_TICK_S
        polling = any(self.polling.values())
        return min(self.watch.poll_s, self.watch.rescan_s) if polling else self.watch.rescan_s

    def run(self, once: bool = False) -> None:
        """Watch until stopped; with ``once``, until everything present is settled and done."""
        for inbox in self.watch.inboxes:
            mode = "polling" if self.polling[inbox.path] else "events + rescans"
            log.info("watching %s (%s)", inbox.path, mode)
        if not once:
            self.start_events()
        try:
            while not self.stopping.is_set():
                did = self.step()
                if once and not did and self._settled():
                    return
                if did:
                    continue
                self.wake.event.wait(self._sleep_time())
                self.wake.event.clear()
        finally:
            self.stop_events()

    def _settled(self) -> bool:
        """For ``--once``: nothing present is still waiting for its first verdict."""
        if self.gate.paused:
            return True
        return not self.tracker.undecided(self.watch.stability_s + SETTLE_TICK_S)
