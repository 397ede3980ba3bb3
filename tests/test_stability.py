"""When is a dropped file ready? The stability tracker, batch rules, inbox scan and probe.

The tracker takes an injected clock, so these tests never sleep.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from scanpipe import samples
from scanpipe.hotfolder.inbox import Entry, batch_ready, is_network, mount_fstype, probe, scan_inbox
from scanpipe.hotfolder.stability import StabilityTracker, Verdict
from scanpipe.settings import InboxSettings, Settings

MARKERS = ("READY", ".done")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_file_is_never_ready_on_first_sight(clock: Clock) -> None:
    tracker = StabilityTracker(clock)
    assert tracker.observe("a", (10, 1), hold_s=0.0, max_age_s=60) is Verdict.NEW
    assert tracker.observe("a", (10, 1), hold_s=0.0, max_age_s=60) is Verdict.STABLE


def test_stable_only_after_the_signature_held_for_the_hold_time(clock: Clock) -> None:
    tracker = StabilityTracker(clock)
    tracker.observe("a", (10, 1), 3.0, 60)
    clock.now += 2.9
    assert tracker.observe("a", (10, 1), 3.0, 60) is Verdict.WAITING
    clock.now += 0.1
    assert tracker.observe("a", (10, 1), 3.0, 60) is Verdict.STABLE


def test_a_change_restarts_the_hold_time_but_not_the_age(clock: Clock) -> None:
    tracker = StabilityTracker(clock)
    tracker.observe("a", (10, 1), 3.0, 60)
    clock.now += 2.5
    assert tracker.observe("a", (20, 2), 3.0, 60) is Verdict.WAITING  # grew: hold restarts
    clock.now += 2.5
    assert tracker.observe("a", (20, 2), 3.0, 60) is Verdict.WAITING
    clock.now += 0.5
    assert tracker.observe("a", (20, 2), 3.0, 60) is Verdict.STABLE
    assert tracker.age("a") == pytest.approx(5.5)


def test_a_file_that_never_stops_changing_expires(clock: Clock) -> None:
    tracker = StabilityTracker(clock)
    size = 0
    tracker.observe("log", size, 3.0, 10.0)
    verdicts = []
    for _ in range(12):
        clock.now += 1.0
        size += 1
        verdicts.append(tracker.observe("log", size, 3.0, 10.0))
    assert Verdict.STABLE not in verdicts
    assert verdicts[-1] is Verdict.EXPIRED
    assert verdicts.index(Verdict.EXPIRED) == 9  # at age 10 s, not before


def test_gone_candidates_are_dropped_and_undecided_lists_young_ones(clock: Clock) -> None:
    tracker = StabilityTracker(clock)
    tracker.observe("old", 1, 1.0, 60)
    clock.now += 5
    tracker.observe("young", 1, 1.0, 60)
    assert tracker.undecided(2.0) == ["young"]
    assert tracker.keep_only(["young"]) == ["old"]
    assert "old" not in tracker and len(tracker) == 1


# -- batch folders -----------------------------------------------------------------------------


def settings(**watch: object) -> Settings:
    return Settings(home=Path("/nonexistent"), db_url="sqlite://", jobs=1).with_watch(**watch)


def folder(**kw: object) -> Entry:
    inbox = InboxSettings(path=Path("/in"))
    return Entry(inbox, Path("/in/b"), "folder", (), **kw)  # type: ignore[arg-type]


def test_batch_rules_marker_idle_temp_files_and_empty_folders() -> None:
    s = settings(stability_s=2.0, batch_idle_s=100.0)
    assert batch_ready(folder(marker=True), 2.0, s, local=False)
    assert not batch_ready(folder(marker=True), 1.9, s, local=False), "marker, not yet settled"
    assert not batch_ready(folder(marker=True, busy=True), 50, s, local=False), "a .part inside"
    assert not batch_ready(folder(), 99.0, s, local=False)
    assert batch_ready(folder(), 100.0, s, local=False), "idle long enough without a marker"
    assert not batch_ready(folder(empty=True), 1e6, s, local=False), "empty: a batch-to-be"


def test_old_batches_on_local_disks_need_not_wait_out_the_idle_time_again() -> None:
    s = settings(stability_s=2.0, batch_idle_s=100.0)
    old = folder(newest_mtime=time.time() - 500)
    assert batch_ready(old, 2.0, s, local=True)
    assert not batch_ready(old, 2.0, s, local=False), "a file server's clock is not trusted"
    assert not batch_ready(folder(newest_mtime=time.time() - 10), 2.0, s, local=True)


# -- network mounts ----------------------------------------------------------------------------


def test_mount_type_is_the_longest_matching_mount_point(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/vda / ext4 rw 0 0\n"
        "//nas/scans /mnt/scans cifs rw 0 0\n"
        "nas:/export /mnt/scan\\040room nfs4 rw 0 0\n"
        "tmpfs /mnt/scans/local tmpfs rw 0 0\n"
    )
    assert mount_fstype(Path("/mnt/scans/inbox"), str(mounts)) == "cifs"
    assert mount_fstype(Path("/mnt/scans/local/in"), str(mounts)) == "tmpfs"
    assert mount_fstype(Path("/mnt/scan room/in"), str(mounts)) == "nfs4"
    assert mount_fstype(Path("/mnt/scansX"), str(mounts)) == "ext4", "prefix must end at a /"
    assert is_network(Path("/mnt/scans/in"), str(mounts))
    assert not is_network(Path("/srv/in"), str(mounts))


# -- scanning an inbox -------------------------------------------------------------------------


def test_scan_classifies_without_opening_anything(tmp_path: Path) -> None:
    inbox = InboxSettings(path=tmp_path)
    (tmp_path / "scan.pdf").write_bytes(b"x")
    for temp in ("copy.pdf.part", "~$doc.pdf", "._scan.pdf", "Thumbs.db", ".hidden"):
        (tmp_path / temp).write_bytes(b"x")
    (tmp_path / "..evil.pdf").write_bytes(b"x")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "scan.pdf")
    os.mkfifo(tmp_path / "pipe.pdf")  # opening this would block: scanning must not
    batch = tmp_path / "file-17"
    batch.mkdir()
    (batch / "p1.png").write_bytes(b"x")
    (batch / "p2.png.part").write_bytes(b"x")
    (tmp_path / "later").mkdir()
    (tmp_path / "#recycle").mkdir()  # a Synology share's recycle bin is not a batch

    found = {e.path.name: e for e in scan_inbox(inbox, MARKERS)}
    assert set(found) == {"scan.pdf", "..evil.pdf", "link.pdf", "pipe.pdf", "file-17", "later"}
    assert found["scan.pdf"].kind == "file" and found["scan.pdf"].problem is None
    assert "'..'" in (found["..evil.pdf"].problem or "")
    assert found["link.pdf"].kind == "hostile" and "symbolic link" in found["link.pdf"].problem
    assert found["pipe.pdf"].kind == "hostile" and "FIFO" in found["pipe.pdf"].problem
    assert found["file-17"].busy and not found["file-17"].marker
    assert found["later"].empty

    (batch / "p2.png.part").rename(batch / "p2.png")
    (batch / "READY").write_bytes(b"")
    again = {e.path.name: e for e in scan_inbox(inbox, MARKERS)}["file-17"]
    assert again.marker and not again.busy and not again.empty
    assert again.signature != found["file-17"].signature


def test_broken_encoding_in_a_name_is_reported_not_crashed_on(tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/scan-\xff\xfe.pdf"
    with open(raw, "wb") as fh:
        fh.write(b"x")
    (entry,) = scan_inbox(InboxSettings(path=tmp_path), MARKERS)
    assert "UTF-8" in (entry.problem or "")
    assert entry.name == "scan-\\xff\\xfe.pdf"


# -- probing: does a settled file read as a scan? ----------------------------------------------


def small_pdf(path: Path) -> Path:
    samples.write_pdf(path, [Image.new("L", (200, 280), 255)], dpi=100)
    return path


def test_probe_accepts_a_good_scan_and_says_when_waiting_could_help(tmp_path: Path) -> None:
    s = settings()
    good = small_pdf(tmp_path / "good.pdf")
    assert probe(good, s).ok

    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = probe(empty, s)
    assert not result.ok and result.maybe_incomplete and "empty" in result.reason

    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good.read_bytes()[:300])
    result = probe(truncated, s)
    assert not result.ok and result.maybe_incomplete and "truncated" in result.reason


def test_probe_refuses_final_bad_input_and_links_and_vanished_files(tmp_path: Path) -> None:
    s = settings()
    plain = small_pdf(tmp_path / "plain.pdf")
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="u"))
    result = probe(locked, s)
    assert not result.ok and not result.maybe_incomplete and "encrypted" in result.reason

    link = tmp_path / "link.pdf"
    link.symlink_to(plain)
    assert probe(link, s).gone, "O_NOFOLLOW: a link is never read through"
    assert probe(tmp_path / "deleted.pdf", s).gone
