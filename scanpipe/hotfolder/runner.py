"""Run one claimed job to the end: convert, verify, and account for every part of it.

A job ends in exactly one of four ways: registered (archive verified, then
the original deleted), duplicate (kept in duplicates/), failed (kept in
failed/) or "retry later" (left in claims/ with a not-before time). Until one
of these is written the job stays in claims/ under its lock, so a crash at
any point means the next watcher simply runs it again.

Running it again is safe because of the registry's unique sha256: a file
that was registered just before a crash comes back from ``convert`` as a
duplicate whose registered source path lies inside this very job folder, and
is recognised as the job's own registration rather than a duplicate drop.
Split stacks are split once and the split is recorded (``split.json``), so a
re-run sees the same parts, byte for byte.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from scanpipe.errors import ExitCode, InputFileError, OutOfSpaceError
from scanpipe.executors import Executor
from scanpipe.hotfolder import quarantine
from scanpipe.hotfolder.claim import Job, describe_mode, drop_remote_original, write_json
from scanpipe.hotfolder.journal import Journal
from scanpipe.hotfolder.names import display_name
from scanpipe.hotfolder.quarantine import Failure
from scanpipe.model import FileMetadata, PartStart, SourceKind
from scanpipe.pipeline import FileOutcome, Outcome, convert
from scanpipe.registry.store import Registry
from scanpipe.settings import Settings
from scanpipe.sheets.split import page_count_mismatch, split_stack
from scanpipe.sources import IGNORED_NAMES, IMAGE_SUFFIXES, sniff

SPLIT_FILE = "split.json"
METADATA_FIELDS = frozenset(f.name for f in dataclasses.fields(FileMetadata)) - {"parts"}


@dataclass(frozen=True)
class Result:
    outcome: str  # "done" | "duplicate" | "failed" | "retry"
    file_ids: tuple[int, ...] = ()
    pages: int = 0
    reason: str = ""
    out_of_space: bool = False


def _declared(job: Job) -> FileMetadata:
    fields = {k: v for k, v in job.metadata.items() if k in METADATA_FIELDS}
    return FileMetadata(**fields)


def _metadata(fields: dict[str, object]) -> FileMetadata:
    """FileMetadata back from split.json; part boundaries come back as PartStart tuples."""
    known = {f.name for f in dataclasses.fields(FileMetadata)}
    fields = {k: v for k, v in fields.items() if k in known}
    if isinstance(fields.get("parts"), list):
        fields["parts"] = tuple(PartStart(*p) for p in fields["parts"])  # type: ignore[union-attr]
    return FileMetadata(**fields)  # type: ignore[arg-type]


def merge(qr: FileMetadata, declared: FileMetadata) -> FileMetadata:
    """QR values win (printed for this very file); inbox defaults fill what the QR left out."""
    if qr == FileMetadata():
        return declared
    fill = {
        name: getattr(declared, name)
        for name in METADATA_FIELDS - {"origin"}
        if getattr(qr, name) is None and getattr(declared, name) is not None
    }
    return dataclasses.replace(qr, **fill)


def _refusal(job: Job, markers: tuple[str, ...]) -> str | None:
    """Why the claimed payload is not something we will read, checked without following links.

    A batch folder must hold page images only (besides its marker and junk
    such as Thumbs.db): the folder is deleted once registered, so a PDF, a
    sub-folder or a link inside it would be lost, or read through.
    """
    if job.problems:
        return "; ".join(job.problems)
    try:
        st = os.lstat(job.payload)
    except FileNotFoundError:
        return "the claimed file is missing from the job folder"
    if job.kind == "file":
        if not stat.S_ISREG(st.st_mode):
            return f"this is {describe_mode(st.st_mode)}, not a scanned file"
        return None
    if not stat.S_ISDIR(st.st_mode):
        return f"this is {describe_mode(st.st_mode)}, not a batch folder"
    bad = []
    for name in sorted(os.listdir(job.payload)):
        mode = os.lstat(job.payload / name).st_mode
        if name in markers or (IGNORED_NAMES.search(name) and stat.S_ISREG(mode)):
            continue
        shown = display_name(name)
        if not stat.S_ISREG(mode):
            bad.append(f"'{shown}' is {describe_mode(mode)}")
        elif Path(name).suffix.lower() not in IMAGE_SUFFIXES:
            bad.append(f"'{shown}' is not a page image (.png, .jpg, .tif)")
    if bad:
        return "the batch folder holds " + "; ".join(bad) + " (a batch is page images only)"
    return None


class Runner:
    """Turns claimed jobs into registered files; one per call, in this process."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        executor_factory: Callable[[], Executor],
        journal: Journal,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self._new_executor = executor_factory
        self.executor = executor_factory()
        self.journal = journal
        self.home = settings.home

    def close(self) -> None:
        self.executor.close()

    def _inputs(self, job: Job, settings: Settings) -> list[tuple[Path, FileMetadata]]:
        declared = _declared(job)
        manifest = job.dir / SPLIT_FILE
        if manifest.exists():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            return [(job.dir / p, merge(_metadata(m), declared)) for p, m in data]
        # PDF and TIFF stacks may hold cover, part, separator or patch sheets; a batch
        # folder or a single PNG/JPEG is one file as it is.
        if job.kind != "file" or sniff(job.payload) not in (SourceKind.PDF, SourceKind.TIFF):
            return [(job.payload, declared)]
        parts = split_stack(job.payload, job.dir / "parts", max_pixels=settings.ocr.max_pixels)
        if len(parts) == 1 and parts[0][0] == job.payload:
            return [(job.payload, merge(parts[0][1], declared))]
        record = [
            [str(Path(path).relative_to(job.dir)), dataclasses.asdict(meta)] for path, meta in parts
        ]
        write_json(manifest, record)  # type: ignore[arg-type]
        return [(Path(p), merge(m, declared)) for p, m in parts]

    def _own(self, job: Job, outcome: FileOutcome) -> bool:
        """Is this "duplicate" the registration an earlier run of this same job made?"""
        if outcome.file_id is None:
            return False
        info = self.registry.get_file(outcome.file_id)
        return job.id in Path(info.source_path).parts

    def verify(self, file_id: int) -> str | None:
        """Open the archived PDF/A: the right page count and a PDF/A claim, or why not."""
        import pikepdf

        info = self.registry.get_file(file_id)
        if info.pdf_path is None:
            return f"file {file_id} has no archive PDF"
        try:
            with pikepdf.open(info.pdf_path) as pdf:
                pages = len(pdf.pages)
                pdfa = pdf.open_metadata().pdfa_status
        except (OSError, pikepdf.PdfError) as exc:
            return f"the archive PDF of file {file_id} cannot be opened ({exc})"
        if pages != info.page_count:
            return f"the archive PDF has {pages} pages, the registry {info.page_count}"
        if not pdfa:
            return f"the archive PDF of file {file_id} does not declare PDF/A"
        return None

    def run(self, job: Job) -> Result:
        """Process a locked job; never raises for bad input (only for interrupts)."""
        started = time.perf_counter()
        try:
            return self._run(job, started)
        except BrokenProcessPool as exc:
            with contextlib.suppress(Exception):
                self.executor.close(cancel=True)
            self.executor = self._new_executor()  # a worker died: the old pool is unusable
            return self._retry_or_fail(job, Failure.from_exception("a page worker crashed", exc))
        except Exception as exc:
            return self._retry_or_fail(job, Failure.from_exception("conversion crashed", exc))

    def _run(self, job: Job, started: float) -> Result:
        refusal = _refusal(job, self.settings.watch.markers)
        if refusal:
            failure = Failure(
                "refused", refusal, "drop scanned PDF, TIFF, PNG or JPEG files only", 3
            )
            return self.fail(job, failure)
        settings = self.settings.with_ocr(**({"langs": job.langs} if job.langs else {}), **job.ocr)
        try:
            inputs = self._inputs(job, settings)
        except InputFileError as exc:
            return self.fail(job, Failure.from_error("invalid input", exc))
        metadata = dict(inputs)
        outcomes = list(
            convert([p for p, _ in inputs], settings, self.registry, self.executor, None, metadata)
        )
        registered, duplicates, failures = [], [], []
        pages = 0
        for o in outcomes:
            if o.outcome is Outcome.REGISTERED or (
                o.outcome is Outcome.DUPLICATE and self._own(job, o)
            ):
                registered.append(o)
                pages += len(o.pages) or self.registry.get_file(o.file_id).page_count  # type: ignore[arg-type]
            elif o.outcome is Outcome.DUPLICATE:
                duplicates.append(o)
            else:
                failures.append(o)
        job.file_ids = sorted({o.file_id for o in registered if o.file_id is not None})
        job.sha256 = job.sha256 or (outcomes[0].sha256 if len(outcomes) == 1 else None)
        for o in registered:
            problem = self.verify(o.file_id)  # type: ignore[arg-type]
            if problem:
                return self.fail(
                    job,
                    Failure(
                        "archive verification failed",
                        problem,
                        "report this; the original is kept here",
                        int(ExitCode.INTERNAL),
                    ),
                )
        if failures:
            first = failures[0].error
            assert first is not None
            what = "invalid input" if isinstance(first, InputFileError) else "conversion failed"
            return self._retry_or_fail(job, Failure.from_error(what, first))
        name = job.original_name
        seconds = round(time.perf_counter() - started, 2)
        if duplicates and not registered:
            existing = sorted({o.file_id for o in duplicates if o.file_id is not None})
            quarantine.duplicate(self.home, job, existing)
            self.journal.record("duplicate", job=job.id, name=name, existing=existing)
            return Result("duplicate", tuple(existing))
        self._flag_mismatches(job, registered, metadata)
        if duplicates:
            existing = sorted({o.file_id for o in duplicates if o.file_id is not None})
            quarantine.flag(self.home, job, f"parts already registered as files {existing}")
        self.journal.record(
            "done",
            job=job.id,
            name=name,
            inbox=job.inbox,
            file_ids=job.file_ids,
            files=", ".join(map(str, job.file_ids)),
            file_nos=[m.file_no for o in registered if (m := metadata.get(o.source)) and m.file_no],
            pages=pages,
            seconds=seconds,
            received_at=job.received_at,
        )
        drop_remote_original(job)
        job.retire()  # the original goes only now: registered and verified
        return Result("done", tuple(job.file_ids), pages)

    def _flag_mismatches(
        self, job: Job, registered: list[FileOutcome], metadata: dict[Path, FileMetadata]
    ) -> None:
        reasons = []
        for o in registered:
            meta = metadata.get(o.source)
            if meta is None or o.file_id is None:
                continue
            if meta.declared_pages is None and not meta.parts:
                continue  # nothing was declared, so nothing can disagree
            actual = len(o.pages) or self.registry.get_file(o.file_id).page_count
            try:
                why = page_count_mismatch(meta, actual)
            except Exception as exc:  # the file is registered: a checker bug must not undo it
                why = f"the page count could not be checked ({type(exc).__name__}: {exc})"
            if why:
                reasons.append(f"file {o.file_id}: {why}")
        if reasons:
            why = "; ".join(reasons)
            quarantine.flag(self.home, job, why)
            self.journal.record("flagged", job=job.id, name=job.original_name, reason=why)

    def fail(self, job: Job, failure: Failure) -> Result:
        job.errors.append(f"{failure.what}: {failure.why}")
        quarantine.fail(self.home, job, failure)
        self.journal.record(
            "failed",
            job=job.id,
            name=job.original_name,
            inbox=job.inbox,
            reason=f"{failure.what}: {failure.why}",
            exit_code=failure.exit_code,
        )
        return Result("failed", reason=failure.why)

    def _retry_or_fail(self, job: Job, failure: Failure) -> Result:
        """Retryable failures (timeouts, crashes) wait and run again, a few times.

        A full disk is not the file's fault: it waits for space however long
        that takes, and does not use up the job's attempts.
        """
        out_of_space = failure.exit_code == int(OutOfSpaceError.exit_code)
        job.attempts += 0 if out_of_space else 1
        if not failure.retryable or job.attempts >= self.settings.watch.max_attempts:
            result = self.fail(job, failure)
            return dataclasses.replace(result, out_of_space=out_of_space)
        job.errors.append(f"{failure.what}: {failure.why}")
        job.not_before = time.time() + self.settings.watch.retry_after_s
        job.save()
        job.release()
        self.journal.record(
            "retry",
            job=job.id,
            name=job.original_name,
            attempts=job.attempts,
            reason=f"{failure.what}: {failure.why}",
        )
        return Result("retry", reason=failure.why, out_of_space=out_of_space)
