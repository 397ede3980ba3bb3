"""The recipe: from paths on disk to registered, searchable files.

This is the only orchestrator. Workers (``ocr.page.process_page``) are pure;
the parent validates inputs, hands page jobs to the executor, keeps every
finished page on disk so an interrupted run resumes, assembles the archive
PDF/A, and registers each file in one registry transaction.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from scanpipe.classify import classify_file
from scanpipe.errors import InputFileError, OutOfSpaceError, ScanpipeError
from scanpipe.executors import Executor
from scanpipe.model import FileMetadata, FileSource, PageJob, PageResult, PageStatus
from scanpipe.ocr.page import process_page
from scanpipe.ocr.pdf import assemble_pdfa
from scanpipe.registry.store import Registry
from scanpipe.settings import Settings
from scanpipe.sources import open_source


class Outcome(StrEnum):
    REGISTERED = "registered"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class FileOutcome:
    source: Path
    outcome: Outcome
    file_id: int | None = None
    sha256: str | None = None
    pages: tuple[PageResult, ...] = ()
    error: ScanpipeError | None = None
    seconds: float = 0.0

    @property
    def pages_for_review(self) -> int:
        return sum(p.status is not PageStatus.OK for p in self.pages)


@dataclass
class _FileState:
    source: FileSource
    work: Path
    started: float
    results: dict[int, PageResult] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.results) == len(self.source.pages)


# -- page results kept on disk, so a killed run picks up where it stopped ------------


def _result_path(work: Path, number: int) -> Path:
    return work / f"page-{number:04d}.json"


def save_result(work: Path, result: PageResult) -> None:
    data = dataclasses.asdict(result)
    for key in ("image_path", "text_pdf"):
        data[key] = str(data[key]) if data[key] else None
    tmp = _result_path(work, result.number).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(_result_path(work, result.number))


def load_result(work: Path, number: int) -> PageResult | None:
    path = _result_path(work, number)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    data["status"] = PageStatus(data["status"])
    for key in ("image_path", "text_pdf"):
        data[key] = Path(data[key]) if data[key] else None
    data["image_size"] = tuple(data["image_size"])
    data["image_matrix"] = tuple(data["image_matrix"])
    data["rereads"] = tuple(tuple(pair) for pair in data.get("rereads", ()))
    result = PageResult(**data)
    if result.status is PageStatus.FAILED:
        return None  # failures may be passing (a timeout, a missing model): try again
    if result.image_path and not result.image_path.exists():
        return None  # the page's files are gone; redo it
    return result


def count_pages(paths: Iterable[Path], max_pixels: int) -> int:
    """A quick first pass for the progress bar's total; bad files count as zero."""
    from scanpipe.sources import page_files, sniff

    total = 0
    for path in paths:
        try:
            if not (path.is_dir() or path.is_file()):
                continue  # FIFOs and devices: never open them here, validation refuses them
            if path.is_dir():
                total += len(page_files(path))
            elif sniff(path).value == "pdf":
                import pikepdf

                with pikepdf.open(path) as pdf:
                    total += len(pdf.pages)
            else:
                from scanpipe.sources import check_image

                total += check_image(path, max_pixels)
        except Exception:
            continue
    return total


def _finish(state: _FileState, registry: Registry, metadata: FileMetadata | None) -> FileOutcome:
    """Assemble, verify, classify and register one file whose pages are all done."""
    pages = tuple(state.results[n] for n in sorted(state.results))
    sha = state.source.sha256
    if all(p.status is PageStatus.FAILED for p in pages):
        error = ScanpipeError(
            f"no page could be read; first reason: {pages[0].reason}",
            advice="run 'scanpipe doctor', then convert the file again",
            path=state.source.path,
        )
        return FileOutcome(state.source.path, Outcome.FAILED, None, sha, pages, error)
    pdf = assemble_pdfa(
        pages, state.work / "file.pdf", title=state.source.path.name, sources=state.source.pages
    )
    txt = state.work / "file.txt"
    txt.write_text("\f".join(p.text for p in pages), encoding="utf-8")
    classification = classify_file(pages, registry)  # suggestions; declared metadata wins
    file_id = registry.add_file(
        state.source,
        pages,
        {"pdf": pdf, "txt": txt},
        metadata=metadata,
        classification=classification,
    )
    shutil.rmtree(state.work, ignore_errors=True)
    seconds = time.perf_counter() - state.started
    return FileOutcome(state.source.path, Outcome.REGISTERED, file_id, sha, pages, None, seconds)


def convert(
    paths: Iterable[Path],
    settings: Settings,
    registry: Registry,
    executor: Executor,
    on_page: Callable[[PageResult], None] | None = None,
    metadata: Mapping[Path, FileMetadata] | None = None,
) -> Iterator[FileOutcome]:
    """Convert and register each path; yield one outcome per file as it completes.

    Bad inputs are reported as FAILED outcomes and never stop the run. Pages
    already finished by an earlier, interrupted run are not redone.
    ``metadata`` carries what operators, inboxes or QR cover sheets declared
    for a path; it is registered with the file.
    """
    declared = {Path(k): v for k, v in (metadata or {}).items()}
    ready: deque[FileOutcome] = deque()
    states: dict[str, _FileState] = {}
    twins: dict[str, list[Path]] = {}  # same bytes given twice in this run

    def finish(sha: str) -> None:
        state = states.pop(sha)
        outcome = _finish_safely(state, registry, declared.get(state.source.path))
        ready.append(outcome)
        for twin in twins.pop(sha, []):
            ready.append(FileOutcome(twin, Outcome.DUPLICATE, outcome.file_id, sha))

    def jobs() -> Iterator[tuple[str, PageJob]]:
        for path in paths:
            started = time.perf_counter()
            try:
                source = open_source(
                    Path(path), max_pixels=settings.ocr.max_pixels, dpi=settings.ocr.target_dpi
                )
            except InputFileError as exc:
                ready.append(FileOutcome(Path(path), Outcome.FAILED, error=exc))
                continue
            sha = source.sha256
            if sha in states:  # reported once the first copy is registered, with its id
                twins.setdefault(sha, []).append(source.path)
                continue
            existing = registry.find_by_sha256(sha)
            if existing is not None:
                ready.append(FileOutcome(source.path, Outcome.DUPLICATE, existing, sha))
                continue
            work = settings.work_dir / sha
            work.mkdir(parents=True, exist_ok=True)
            state = _FileState(source, work, started)
            states[sha] = state
            submitted = 0
            for number, ref in enumerate(source.pages, start=1):
                cached = load_result(work, number)
                if cached is not None:
                    state.results[number] = cached
                    if on_page:
                        on_page(cached)
                else:
                    submitted += 1
                    yield sha, PageJob(ref, number, work, settings.ocr)
            # With pages in the pool, the loop below finishes the file (maybe already has).
            if not submitted:
                finish(sha)

    for (sha, job), result in executor.imap_unordered(_run_page, jobs()):
        state = states[sha]
        save_result(state.work, result)
        state.results[job.number] = result
        if on_page:
            on_page(result)
        if state.complete:
            finish(sha)
        while ready:
            yield ready.popleft()
    while ready:
        yield ready.popleft()


def _run_page(item: tuple[str, PageJob]) -> PageResult:
    return process_page(item[1])


def _finish_safely(
    state: _FileState, registry: Registry, metadata: FileMetadata | None = None
) -> FileOutcome:
    try:
        return _finish(state, registry, metadata)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            err: ScanpipeError = OutOfSpaceError(
                "the disk is full",
                advice="free space in the data folder, then run again",
                path=state.source.path,
            )
        else:
            err = ScanpipeError(
                f"could not write the archive: {exc}",
                advice="check the data folder's permissions and space",
                path=state.source.path,
            )
        return FileOutcome(
            state.source.path,
            Outcome.FAILED,
            None,
            state.source.sha256,
            tuple(state.results.values()),
            err,
        )
    except ScanpipeError as exc:
        return FileOutcome(
            state.source.path,
            Outcome.FAILED,
            None,
            state.source.sha256,
            tuple(state.results.values()),
            exc,
        )
