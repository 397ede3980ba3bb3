"""Run the tools under test (scanpipe's CLI, plain Tesseract, OCRmyPDF) and time them.

Kept apart from scoring so that accuracy.py and throughput.py start every tool
the same way: the same flags, the same thread limits and the same clocks, so
their figures agree with each other.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "bench" / "out"
TIMEOUT_S = 1800.0

T = TypeVar("T")
R = TypeVar("R")

try:  # psutil gives the summed RSS of a whole process tree; optional.
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None


def ensure_repo_importable() -> None:
    """Let `import scanpipe` work from a checkout even before `pip install -e .`.

    Appended, not prepended, so an installed scanpipe still wins.
    """
    if str(REPO) not in sys.path:
        sys.path.append(str(REPO))


def find_tool(name: str) -> str | None:
    """The project's venv copy of a console script, else whatever is on PATH."""
    local = REPO / ".venv" / "bin" / name
    return str(local) if local.exists() else shutil.which(name)


def venv_tool(name: str) -> str:
    """Like find_tool, for tools the benchmark cannot do without."""
    found = find_tool(name)
    if found is None:
        raise SystemExit(f"{name} not found: install the project's venv (make test) first")
    return found


def core_count() -> int:
    """Cores this process may use, which is what the Tesseract-only limit divides by."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def warn_if_busy() -> float:
    """One-minute load average; warns because other jobs slow every timed figure."""
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.2f} before start; timings may be pessimistic")
    return load


@dataclass
class ToolRun:
    """What one tool produced for one sample."""

    text: str = ""
    seconds: float = 0.0  # process wall time for this sample (0 when only a batch time exists)
    error: str | None = None
    skew_deg: float | None = None
    orientation_deg: int | None = None
    pages: list[dict[str, Any]] = field(default_factory=list)
    sidecar: str | None = None  # OCRmyPDF's own text output, beside its PDF text layer


def _tail(data: bytes, limit: int = 400) -> str:
    return data.decode("utf-8", "replace").strip()[-limit:]


def run_parallel(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> tuple[list[R], float]:
    """Results in input order and the wall time of the whole batch.

    Threads are enough: every item is a child process, so the GIL is idle.
    """
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(fn, items))
    return results, time.perf_counter() - start


# ----------------------------------------------------------------------- tesseract


def run_tesseract(image: Path, langs: str, psm: int = 3) -> ToolRun:
    """Plain `tesseract IMG - -l LANGS --psm N` with one OpenMP thread.

    One thread per page is how both scanpipe and the Tesseract-only limit use
    the cores (pages in parallel), and it is what the corpus README measured.
    """
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = ["tesseract", str(image), "-", "-l", langs, "--psm", str(psm)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, env=env, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return ToolRun(seconds=time.perf_counter() - start, error="timeout")
    seconds = time.perf_counter() - start
    error = None if proc.returncode == 0 else f"rc={proc.returncode}: {_tail(proc.stderr)}"
    return ToolRun(text=proc.stdout.decode("utf-8", "replace"), seconds=seconds, error=error)


# ------------------------------------------------------------------------ ocrmypdf


def needs_image_dpi(image: Path) -> bool:
    """True when OCRmyPDF would refuse the image's own DPI.

    OCRmyPDF (17.x, _pipeline.py) rejects an image input whose DPI is missing
    or <= 96 unless --image-dpi is given, and --image-dpi overrides a claimed
    DPI, so it is passed only for those images.
    """
    with Image.open(image) as im:
        dpi = im.info.get("dpi")
    return dpi is None or tuple(dpi) <= (96, 96)


def ocrmypdf_cmd(
    src: Path, dst: Path, langs: str, jobs: int, image_dpi: bool, sidecar: Path | None = None
) -> list[str]:
    """The issue's OCRmyPDF anchor: deskew, rotate pages, clean, PDF/A output.

    The optional sidecar is Tesseract's text as OCRmyPDF saw it; comparing it
    with the PDF's text layer separates recognition errors from text-layer
    damage (OCRmyPDF's layer splits Devanagari words before the i-matra).
    """
    cmd = [venv_tool("ocrmypdf"), "--deskew", "--rotate-pages", "--clean", "-l", langs]
    cmd += ["--output-type", "pdfa", "--jobs", str(jobs), "--quiet"]
    if image_dpi:
        cmd += ["--image-dpi", "300"]
    if sidecar is not None:
        cmd += ["--sidecar", str(sidecar)]
    return [*cmd, str(src), str(dst)]


def pdftotext(pdf: Path) -> str:
    """The PDF's text layer in content-stream order (poppler, UTF-8).

    -raw keeps the order the OCR engine wrote the words in. Poppler's default
    mode re-sorts by position and interleaves the lines of two-column pages,
    which put OCRmyPDF at 71% CER on a UNLV magazine page it reads at 8%.
    """
    proc = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=False
    )
    return proc.stdout.decode("utf-8", "replace")


def run_ocrmypdf(image: Path, out_pdf: Path, langs: str, jobs: int = 1) -> ToolRun:
    """OCRmyPDF on one image, then pdftotext on its output; only OCRmyPDF is timed."""
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    sidecar = out_pdf.with_suffix(".txt")
    cmd = ocrmypdf_cmd(image, out_pdf, langs, jobs, needs_image_dpi(image), sidecar)
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return ToolRun(seconds=time.perf_counter() - start, error="timeout")
    seconds = time.perf_counter() - start
    error = None if proc.returncode == 0 else f"rc={proc.returncode}: {_tail(proc.stderr)}"
    # OCRmyPDF can exit non-zero yet write a usable file (e.g. PDF/A validation).
    text = pdftotext(out_pdf) if out_pdf.exists() else ""
    side = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
    return ToolRun(text=text, seconds=seconds, error=error, sidecar=side)


# -------------------------------------------------------------------------- memory


class TreeRssMonitor:
    """Peak of the summed RSS of a process and all its descendants, sampled.

    Summed RSS counts shared pages (libraries, copy-on-write memory of forked
    workers) once per process, so it is an upper bound on real use: the safe
    side for a memory target. Sampling every 50 ms catches Tesseract workers,
    which live for seconds.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        assert psutil is not None
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeRssMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class MonitoredRun:
    """A finished command with its wall time and peak memory."""

    returncode: int
    stdout: str
    stderr: str
    wall: float
    peak_rss: int | None  # bytes
    rss_method: str


def run_monitored(cmd: list[str], env: dict[str, str] | None = None) -> MonitoredRun:
    """Run cmd to completion, timing it and tracking the peak RSS of its process tree.

    Without psutil the fallback is getrusage(RUSAGE_CHILDREN).ru_maxrss: the
    largest single descendant reaped so far, not a sum over the tree, so it
    understates a pool of workers. It is reported only when this run raised it
    (the bench process has no other children meanwhile).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if psutil is not None:
        with TreeRssMonitor(proc.pid) as mon:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        peak: int | None = mon.peak
        method = "psutil: peak of summed RSS over the process tree, 50 ms sampling"
    else:
        out, err = proc.communicate(timeout=TIMEOUT_S)
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak = after * 1024 if after > before else None
        method = "ru_maxrss: largest single process of the tree (psutil missing)"
    wall = time.perf_counter() - start
    return MonitoredRun(
        returncode=proc.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        wall=wall,
        peak_rss=peak,
        rss_method=method,
    )


# -------------------------------------------------------------------------- scanpipe


def scanpipe_env(home: Path) -> dict[str, str]:
    """A fresh SCANPIPE_HOME keeps the registry empty, so nothing is a duplicate."""
    return {**os.environ, "SCANPIPE_HOME": str(home)}


@dataclass
class ConvertRun:
    """`scanpipe convert --json` outcome: one JSON record per input file."""

    records: list[dict[str, Any]]
    run: MonitoredRun
    bad_lines: list[str]


def scanpipe_convert(
    exe: str, home: Path, paths: Sequence[Path], jobs: int, langs: str | None
) -> ConvertRun:
    """One convert call over all inputs, as a clerk would run it."""
    cmd = [exe, "convert", "--json", "--jobs", str(jobs)]
    if langs:
        cmd += ["--langs", langs]
    cmd += [str(p) for p in paths]
    run = run_monitored(cmd, scanpipe_env(home))
    records: list[dict[str, Any]] = []
    bad: list[str] = []
    for line in run.stdout.splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            bad.append(line[:200])
    return ConvertRun(records=records, run=run, bad_lines=bad)


def match_records(records: Sequence[dict[str, Any]], paths: Sequence[Path]) -> dict[Path, dict]:
    """Map each input path to its JSON record by resolved source path, else by unique name."""
    by_path: dict[Path, dict] = {}
    by_name: dict[str, list[dict]] = {}
    for rec in records:
        src = Path(str(rec.get("source", "")))
        by_path[src.resolve()] = rec
        by_name.setdefault(src.name, []).append(rec)
    out: dict[Path, dict] = {}
    for p in paths:
        rec = by_path.get(p.resolve())
        if rec is None and len(by_name.get(p.name, [])) == 1:
            rec = by_name[p.name][0]
        if rec is not None:
            out[p] = rec
    return out


def scanpipe_text(exe: str, home: Path, file_id: int) -> tuple[str, str | None]:
    """The registered OCR text of one file, and an error message if the call failed."""
    proc = subprocess.run(
        [exe, "text", str(file_id)],
        capture_output=True,
        env=scanpipe_env(home),
        timeout=600,
        check=False,
    )
    error = None if proc.returncode == 0 else f"text rc={proc.returncode}: {_tail(proc.stderr)}"
    return proc.stdout.decode("utf-8", "replace"), error


def scanpipe_runs(
    exe: str, home: Path, paths: Sequence[Path], jobs: int, langs: str | None
) -> tuple[dict[Path, ToolRun], ConvertRun]:
    """Convert everything in one call, then fetch each file's text.

    Per-sample seconds stay 0: only the batch wall time is meaningful with
    --jobs, and the caller divides it by the page count.
    """
    conv = scanpipe_convert(exe, home, paths, jobs, langs)
    matched = match_records(conv.records, paths)
    runs: dict[Path, ToolRun] = {}
    for p in paths:
        rec = matched.get(p)
        if rec is None:
            err = f"no JSON record (convert rc={conv.run.returncode}: {conv.run.stderr[-300:]})"
            runs[p] = ToolRun(error=err)
            continue
        pages = list(rec.get("pages") or [])
        first = pages[0] if pages else {}
        run = ToolRun(
            error=rec.get("error") if rec.get("status") == "failed" else None,
            skew_deg=first.get("skew_deg"),
            orientation_deg=first.get("orientation_deg"),
            pages=pages,
        )
        if rec.get("file_id") is not None:
            run.text, text_error = scanpipe_text(exe, home, int(rec["file_id"]))
            run.error = run.error or text_error
        else:
            run.error = run.error or f"status={rec.get('status')} without a file id"
        runs[p] = run
    return runs, conv
