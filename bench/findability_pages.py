"""The pages of bench/findability.py: corpus, stress and Roman-list pages, their OCR text
and one registry holding them all, filled through ``Registry.add_file``."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from runners import OUT_DIR, ensure_repo_importable, scanpipe_runs
from scoring import Sample, load_corpus

ensure_repo_importable()

from scanpipe.model import FileSource, PageRef, PageResult, PageStatus, SourceKind  # noqa: E402
from scanpipe.registry.store import Registry  # noqa: E402
from scanpipe.text import normalise_for_search, tokenise  # noqa: E402

CACHE_DIR = OUT_DIR / "findability-cache"
ROMAN_TSV = Path(__file__).resolve().parent / "roman_words.tsv"
TOP_K = 20
PRECISION_K = 10
ROMAN_PER_PAGE = 14
console = Console(width=200)


def is_devanagari_word(w: str) -> bool:
    """Every character in U+0900-U+097F (digits are already ASCII after the search fold)."""
    return bool(w) and all("\u0900" <= c <= "\u097f" for c in w)


def is_latin_word(w: str) -> bool:
    return w.isascii() and w.isalpha()


def search_tokens(text: str) -> list[str]:
    return tokenise(normalise_for_search(text))


# ------------------------------------------------------------------ the pages


@dataclass
class Page:
    """One registered file (usually one page; a multi-page TIFF is one file of N pages)."""

    set: str
    name: str
    image: Path | None
    gt: str
    ocr: str = ""
    ocr_source: str = ""
    file_id: int | None = None
    gt_tokens: set[str] = field(default_factory=set)
    gt_loose: set[str] = field(default_factory=set)


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _ocr_dirs(specs: list[str]) -> dict[str, list[Path]]:
    """``--ocr-from`` values -> {set label: [text dirs]}.

    ``SET=DIR`` names the set; a bare accuracy/stress output dir is matched by its
    results.json (accuracy: the basename of ``dir``; stress: ``stress-SEED`` per seed).
    """
    out: dict[str, list[Path]] = {}
    for spec in specs:
        label, _, path = spec.rpartition("=")
        d = Path(path)
        text_dir = d / "scanpipe" if (d / "scanpipe").is_dir() else d
        if label:
            out.setdefault(label, []).append(text_dir)
            continue
        try:
            args = json.loads((d / "results.json").read_text(encoding="utf-8")).get("args", {})
        except (OSError, ValueError):
            args = {}
        if args.get("dir"):
            out.setdefault(Path(str(args["dir"])).name, []).append(text_dir)
        elif args.get("seeds"):
            for seed in str(args["seeds"]).split(","):
                out.setdefault(f"stress-{seed.strip()}", []).append(text_dir)
        else:
            out.setdefault(d.name, []).append(text_dir)
    return out


def attach_ocr(
    pages: list[Page], ocr_from: dict[str, list[Path]], jobs: int, ocr_missing: bool
) -> None:
    """Fill ``page.ocr``: earlier run's text, else this bench's cache, else run scanpipe once."""
    todo: list[tuple[Page, Path]] = []
    for p in pages:
        for d in ocr_from.get(p.set, []):
            f = d / f"{p.name}.txt"
            if f.is_file():
                p.ocr, p.ocr_source = f.read_text(encoding="utf-8"), str(f)
                break
        else:
            assert p.image is not None
            cached = CACHE_DIR / f"{_sha_file(p.image)[:24]}.txt"
            if cached.is_file():
                p.ocr, p.ocr_source = cached.read_text(encoding="utf-8"), str(cached)
            else:
                todo.append((p, cached))
    if not todo:
        return
    if not ocr_missing:
        console.print(
            f"[yellow]{len(todo)} pages have no cached OCR text; skipped (--ocr-missing runs it)"
        )
        for p, _ in todo:
            p.ocr_source = "missing"
        return
    exe = str(Path(sys.executable).parent / "scanpipe")
    console.print(
        f"OCR of {len(todo)} pages with {exe} convert --jobs {jobs} (cached in {CACHE_DIR}) ..."
    )
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="findability-ocr-") as home:
        runs, _ = scanpipe_runs(exe, Path(home), [p.image for p, _ in todo], jobs, None)
    console.print(f"  {time.perf_counter() - start:.0f} s")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for p, cached in todo:
        run = runs[p.image]
        if run.error:
            console.print(f"[red]OCR failed for {p.set}/{p.name}: {run.error}")
            p.ocr_source = f"error: {run.error}"
            continue
        cached.write_text(run.text, encoding="utf-8")
        p.ocr, p.ocr_source = run.text, str(cached)


def corpus_pages(root: Path, every: int) -> list[Page]:
    label = root.resolve().name
    return [
        Page(set=label, name=s.name, image=s.image, gt=s.gt or "")
        for s in load_corpus(root, every=every)
        if s.gt
    ]


def stress_pages(seeds: list[int], count: int, out: Path, jobs: int) -> list[Page]:
    from stress import prepare_sets  # bench/stress.py: reuses a generated folder

    pairs: list[tuple[Sample, dict]] = prepare_sets(seeds, count, out, jobs)
    return [
        Page(set=f"stress-{s.image.parent.name}", name=s.name, image=s.image, gt=s.gt or "")
        for s, _ in pairs
    ]


# ------------------------------------------------------------------ the Roman list


@dataclass
class RomanEntry:
    devanagari: str
    roman: list[str]
    english: list[str]
    category: str


def load_roman(path: Path = ROMAN_TSV) -> list[RomanEntry]:
    entries = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"):
            split = lambda v: [x.strip() for x in (v or "").split(",") if x.strip()]  # noqa: E731
            entries.append(
                RomanEntry(
                    row["devanagari"].strip(),
                    split(row["roman"]),
                    split(row["english"]),
                    row["category"].strip(),
                )
            )
    return entries


def roman_pages(entries: list[RomanEntry], seed: int) -> list[Page]:
    """Pages of ROMAN_PER_PAGE entries each, rendered and lightly scanned (cached by content)."""
    from scanpipe.samples import degrade, render_page

    folder = OUT_DIR / "findability-roman"
    folder.mkdir(parents=True, exist_ok=True)
    order = list(range(len(entries)))
    random.Random(seed).shuffle(order)
    pages = []
    for n, start in enumerate(range(0, len(order), ROMAN_PER_PAGE)):
        chunk = [entries[i] for i in order[start : start + ROMAN_PER_PAGE]]
        lines = ["कार्यालय कलेक्टर, जिला मुंगेली (छ.ग.)", f"सूची क्रमांक {n + 1}", ""]
        lines += [f"{k + 1}. {e.devanagari}" for k, e in enumerate(chunk)]
        name = f"roman-{seed}-{n + 1:03d}"
        image = folder / f"{name}.png"
        gt = "\n".join(lines) + "\n"
        gt_file = folder / f"{name}.gt.txt"
        if (
            not image.is_file()
            or not gt_file.is_file()
            or gt_file.read_text(encoding="utf-8") != gt
        ):
            img = degrade(render_page(lines, dpi=300, seed=seed + n), seed=seed + n)
            img.save(image, dpi=(300, 300))
            gt_file.write_text(gt, encoding="utf-8")
        pages.append(Page(set="roman", name=name, image=image, gt=gt))
    return pages


# ------------------------------------------------------------------ the registry


def register(registry: Registry, pages: list[Page], placeholder_dir: Path) -> None:
    """Each page as one file through the public API; the source is a tiny placeholder file."""
    placeholder_dir.mkdir(parents=True, exist_ok=True)
    for i, p in enumerate(pages):
        src = placeholder_dir / f"{i:05d}.txt"
        src.write_text(f"{p.set}/{p.name}\n", encoding="utf-8")
        texts = p.ocr.split("\f") if p.ocr else [""]
        refs = tuple(PageRef(src, k, SourceKind.IMAGE) for k in range(len(texts)))
        source = FileSource(
            src, refs, hashlib.sha256(f"{p.set}/{p.name}".encode()).hexdigest(), src.stat().st_size
        )
        results = [
            PageResult(
                number=k + 1,
                status=PageStatus.OK if t.strip() else PageStatus.REVIEW,
                text=t,
                words=len(t.split()),
            )
            for k, t in enumerate(texts)
        ]
        p.file_id = registry.add_file(source, results, staged={})


def timed_search(registry: Registry, query: str, kwargs: dict[str, Any]) -> tuple[list, float]:
    start = time.perf_counter()
    hits = registry.search(query, limit=TOP_K, **kwargs)
    return hits, (time.perf_counter() - start) * 1000


def p95(xs: list[float]) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
