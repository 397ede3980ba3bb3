"""The claim protocol: a file is taken exactly once, and a dead claimer's work is recovered.

Racing claimers are real processes (the locks are per process), started
together at a barrier.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

import pytest

from scanpipe.hotfolder import claim as claim_mod
from scanpipe.hotfolder.claim import (
    DONE_PREFIX,
    NEW_PREFIX,
    PAYLOAD,
    REMOTE_PREFIX,
    Job,
    claim,
    drop_remote_original,
    is_locked_elsewhere,
    new_job_id,
    take_next,
)
from scanpipe.hotfolder.names import display_name, safe_name, unsafe_name_reason

CTX = mp.get_context("fork")


def make_job(entry: Path) -> Job:
    return Job(new_job_id(), Path(), "file", safe_name(entry.name), entry.name, str(entry.parent))


def drop(inbox: Path, n: int) -> list[Path]:
    inbox.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = inbox / f"scan-{i:03d}.pdf"
        path.write_bytes(f"%PDF-1.4 file {i}\n%%EOF\n".encode())
        paths.append(path)
    return paths


def test_claim_moves_the_file_into_a_locked_job(tmp_path: Path) -> None:
    (entry,) = drop(tmp_path / "inbox", 1)
    job = claim(entry, tmp_path / "claims", make_job(entry))
    assert job is not None and job.locked
    assert not entry.exists()
    assert job.payload == tmp_path / "claims" / job.id / PAYLOAD / "scan-000.pdf"
    assert job.payload.read_bytes().startswith(b"%PDF-1.4 file 0")
    saved = json.loads((job.dir / "job.json").read_text())
    assert saved["state"] == "claimed" and saved["original_name"] == "scan-000.pdf"
    job.release()


def test_a_vanished_file_is_not_claimed_and_leaves_nothing_behind(tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    assert claim(tmp_path / "gone.pdf", claims, make_job(tmp_path / "gone.pdf")) is None
    assert os.listdir(claims) == []


def _claimer(paths: list[str], claims: str, barrier: object, queue: object, seed: int) -> None:
    order = list(paths)
    random.Random(seed).shuffle(order)
    barrier.wait()  # type: ignore[attr-defined]
    won = []
    for p in order:
        job = claim(Path(p), Path(claims), make_job(Path(p)))
        if job is not None:
            won.append(job.original_name)
            job.release()
    queue.put(won)  # type: ignore[attr-defined]


def test_racing_claimers_take_each_file_exactly_once(tmp_path: Path) -> None:
    paths = [str(p) for p in drop(tmp_path / "inbox", 60)]
    claims = tmp_path / "claims"
    racers = 4
    barrier, queue = CTX.Barrier(racers), CTX.Queue()
    procs = [
        CTX.Process(target=_claimer, args=(paths, str(claims), barrier, queue, seed))
        for seed in range(racers)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    claimed = [name for won in results for name in won]
    assert sorted(claimed) == sorted(Path(p).name for p in paths), "each file exactly once"
    assert sum(bool(won) for won in results) >= 2, "the race was real: several claimers won"
    jobs = [d for d in os.listdir(claims) if not d.startswith(".")]
    assert len(jobs) == len(paths), "losers leave no job folders"
    assert os.listdir(tmp_path / "inbox") == []


def _claim_and_hang(entry: str, claims: str, ready: object) -> None:
    claim(Path(entry), Path(claims), make_job(Path(entry)))
    ready.set()  # type: ignore[attr-defined]
    time.sleep(60)


def test_a_killed_claimers_job_is_taken_over_only_after_it_died(tmp_path: Path) -> None:
    (entry,) = drop(tmp_path / "inbox", 1)
    claims = tmp_path / "claims"
    ready = CTX.Event()
    proc = CTX.Process(target=_claim_and_hang, args=(str(entry), str(claims), ready))
    proc.start()
    assert ready.wait(30)
    (job_dir,) = claims.iterdir()
    assert is_locked_elsewhere(job_dir)
    assert take_next(claims) is None, "a living claimer's job is not work for others"
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    job = take_next(claims)
    assert job is not None and job.dir == job_dir and job.locked
    assert job.payload.read_bytes().startswith(b"%PDF-1.4 file 0")
    assert take_next(claims) is None, "a job this process holds is not handed out twice"
    job.retire()
    assert not job_dir.exists() and take_next(claims) is None


def test_recovery_finishes_or_discards_half_made_claims(tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    abandoned_new = claims / (NEW_PREFIX + "20260101-000000-aaaaaa")
    abandoned_new.mkdir(parents=True)
    (abandoned_new / "lock").write_bytes(b"")
    half_deleted = claims / (DONE_PREFIX + "20260101-000000-bbbbbb")
    half_deleted.mkdir()
    # Died after the rename into payload/, before writing state "claimed".
    moved = Job(
        "20260101-000001-cccccc", claims / "20260101-000001-cccccc", "file", "a.pdf", "a.pdf", "/in"
    )
    (moved.dir / PAYLOAD).mkdir(parents=True)
    moved.save()
    moved.payload.write_bytes(b"%PDF")
    # Died before the rename: the file is still in the inbox, nothing was claimed.
    unmoved = Job(
        "20260101-000002-dddddd", claims / "20260101-000002-dddddd", "file", "b.pdf", "b.pdf", "/in"
    )
    (unmoved.dir / PAYLOAD).mkdir(parents=True)
    unmoved.save()

    job = take_next(claims)
    assert job is not None and job.id == moved.id and job.state == "claimed"
    assert take_next(claims) is None
    assert sorted(os.listdir(claims)) == [moved.id], "the rest is cleaned away"
    job.release()


def test_deferred_jobs_wait_for_their_time(tmp_path: Path) -> None:
    (entry,) = drop(tmp_path / "inbox", 1)
    job = claim(entry, tmp_path / "claims", make_job(entry))
    assert job is not None
    job.not_before = time.time() + 100
    job.save()
    job.release()
    assert take_next(tmp_path / "claims") is None
    later = take_next(tmp_path / "claims", now=time.time() + 101)
    assert later is not None and later.id == job.id
    later.release()


# -- another file system: rename to a hidden name, then copy while hashing ---------------------


@pytest.fixture
def cross_device(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Renames from the inbox into claims/ fail with EXDEV, as they would across mounts."""
    inbox = tmp_path / "share"
    real = os.rename

    def rename(src: object, dst: object) -> None:
        if str(src).startswith(str(inbox)) and not str(dst).startswith(str(inbox)):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(claim_mod.os, "rename", rename)
    return inbox


def test_cross_device_claim_copies_with_hash_and_keeps_the_original_until_done(
    tmp_path: Path, cross_device: Path
) -> None:
    (entry,) = drop(cross_device, 1)
    data = entry.read_bytes()
    job = claim(entry, tmp_path / "claims", make_job(entry))
    assert job is not None and job.state == "claimed"
    hidden = cross_device / (REMOTE_PREFIX + job.id)
    assert job.remote_original == str(hidden) and hidden.read_bytes() == data
    assert not entry.exists(), "the claim itself was a rename on the share"
    assert job.payload.read_bytes() == data
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    drop_remote_original(job)
    assert not hidden.exists()
    job.release()


def test_cross_device_claim_interrupted_mid_copy_is_copied_again(
    tmp_path: Path, cross_device: Path
) -> None:
    (entry,) = drop(cross_device, 1)
    data = entry.read_bytes()
    claims = tmp_path / "claims"
    job = make_job(entry)
    job = claim_mod._new_job_dir(claims, job)
    job.remote_original = str(cross_device / (REMOTE_PREFIX + job.id))
    job.save()
    os.rename(entry, job.remote_original)  # within the share: allowed
    job.payload.write_bytes(data[:5])  # the copy had begun when the process died
    job.release()

    again = take_next(claims)
    assert again is not None and again.state == "claimed"
    assert again.payload.read_bytes() == data
    again.release()


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("फाइल-17 scan.pdf", None),
        ("report..final.pdf", None),
        ("..", "'..'"),
        ("..\\..\\windows.pdf", "'..'"),
        ("a\\b.pdf", "backslash"),
        ("line\nbreak.pdf", "control"),
        ("bad-\udcff.pdf", "UTF-8"),
        ("x" * 201, "200 bytes"),
    ],
)
def test_unsafe_names(name: str, problem: str | None) -> None:
    reason = unsafe_name_reason(name)
    assert (reason is None) if problem is None else (problem in (reason or ""))


def test_safe_and_display_names() -> None:
    assert safe_name("फाइल-17.pdf") == "फाइल-17.pdf"
    assert safe_name("bad-\udcff.pdf") == "file.pdf"
    assert safe_name("..\\x.TIF") == "file.tif"
    assert display_name("bad-\udcff\n.pdf") == "bad-\\xff\\x0a.pdf"


def test_cross_device_claim_of_a_link_records_it_and_never_reads_through_it(
    tmp_path: Path, cross_device: Path
) -> None:
    cross_device.mkdir()
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF secret")
    link = cross_device / "link.pdf"
    link.symlink_to(secret)
    job = claim(link, tmp_path / "claims", make_job(link))
    assert job is not None and job.state == "claimed"
    assert job.problems == ["this is a symbolic link, not a scanned file"]
    assert not os.path.lexists(job.payload), "nothing was copied through the link"
    assert os.listdir(cross_device) == [] and secret.exists()
    job.release()
