"""Accuracy benchmark: scanpipe against plain Tesseract and OCRmyPDF, in one run.

    .venv/bin/python bench/accuracy.py DIR [--every K] [--limit N]
        [--tools scanpipe,tesseract,ocrmypdf] [--langs L]
        [--tesseract-langs hin+eng,Devanagari] [--jobs 2]

Why all tools in the same run: CPU speed, load and Tesseract builds drift
between runs and machines, so only figures taken side by side compare. The
anchor is plain `tesseract -l hin+eng` (what a user would try first); other
figures are also printed as ratios to it. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
from PIL import Image
from rich.console import Console
from rich.table import Table
from runners import (
    OUT_DIR,
    ToolRun,
    ensure_repo_importable,
    find_tool,
    run_ocrmypdf,
    run_parallel,
    run_tesseract,
    scanpipe_runs,
    warn_if_busy,
)
from scoring import (
    GeometryTally,
    Sample,
    Tally,
    fmt_pct,
    fmt_ratio,
    load_corpus,
    orientation_ok,
    score_text,
    skew_error,
    sum_tallies,
)

ANCHOR_LANGS = "hin+eng"


def page_count(image: Path) -> int:
    """Frames in the image, so a multi-page TIFF weighs as many pages in s/page."""
    with Image.open(image) as im:
        return int(getattr(im, "n_frames", 1))


def slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9+._-]+", "_", label).strip("_")


# ----------------------------------------------------------------------- running


def run_scanpipe(
    samples: list[Sample], args: argparse.Namespace, exe: str
) -> tuple[dict, float, dict]:
    """One convert over every sample in a fresh SCANPIPE_HOME, then `text` per file id."""
    paths = [s.image for s in samples]
    with tempfile.TemporaryDirectory(prefix="scanpipe-bench-") as home:
        runs, conv = scanpipe_runs(exe, Path(home), paths, args.jobs, args.langs)
    extra = {
        "convert_rc": conv.run.returncode,
        "peak_rss_mb": conv.run.peak_rss / 2**20 if conv.run.peak_rss else None,
        "bad_json_lines": conv.bad_lines,
        "stderr_tail": conv.run.stderr[-2000:],
    }
    return runs, conv.run.wall, extra


def run_tesseract_all(samples: list[Sample], langs: str, jobs: int) -> tuple[dict, float]:
    results, wall = run_parallel(lambda s: run_tesseract(s.image, langs), samples, jobs)
    return {s.image: r for s, r in zip(samples, results, strict=True)}, wall


def run_ocrmypdf_all(samples: list[Sample], langs: str, jobs: int) -> tuple[dict, float]:
    """`jobs` OCRmyPDF processes side by side, each with --jobs 1: one page per core."""
    with tempfile.TemporaryDirectory(prefix="ocrmypdf-bench-") as tmp:
        results, wall = run_parallel(
            lambda s: run_ocrmypdf(s.image, Path(tmp) / f"{slug(s.name)}.pdf", langs),
            samples,
            jobs,
        )
    return {s.image: r for s, r in zip(samples, results, strict=True)}, wall


def time_geometry(samples: list[Sample]) -> tuple[dict, float] | None:
    """Time scanpipe's estimate_geometry alone on each page (image already in memory).

    Returns None when the API does not exist yet. The total excludes loading.
    """
    ensure_repo_importable()
    try:
        from scanpipe.ocr.geometry import estimate_geometry  # type: ignore[attr-defined]
    except ImportError:
        return None
    runs: dict[Path, ToolRun] = {}
    total = 0.0
    for s in samples:
        gray = cv2.imread(str(s.image), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            runs[s.image] = ToolRun(error="cv2 could not read the image")
            continue
        start = time.perf_counter()
        try:
            est = estimate_geometry(gray)
        except Exception as exc:  # a benchmark records failures instead of stopping
            runs[s.image] = ToolRun(error=f"{type(exc).__name__}: {exc}")
            continue
        seconds = time.perf_counter() - start
        total += seconds
        runs[s.image] = ToolRun(
            seconds=seconds,
            skew_deg=float(est.skew_deg),
            orientation_deg=int(est.orientation_deg),
        )
    return runs, total


# ----------------------------------------------------------------------- scoring


def score_tool(
    samples: list[Sample],
    runs: dict[Path, ToolRun],
    wall: float,
    n_pages: int,
    with_text: bool = True,
    with_geometry: bool = True,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Corpus figures and per-sample rows for one tool.

    with_geometry is off for tools that report no angles (plain Tesseract,
    OCRmyPDF), so they show a dash rather than a meaningless 0%.
    """
    tallies: list[dict[str, Tally]] = []
    geo = GeometryTally()
    rows: list[dict[str, Any]] = []
    for s in samples:
        run = runs.get(s.image, ToolRun(error="not run"))
        row: dict[str, Any] = {"sample": s.name, "seconds": run.seconds, "error": run.error}
        if with_text and s.gt is not None:
            t = score_text(s.gt, run.text)
            tallies.append(t)
            for script, tally in t.items():
                row[f"{script}_char_edits"], row[f"{script}_chars"] = tally.char_edits, tally.chars
                row[f"{script}_word_edits"], row[f"{script}_words"] = tally.word_edits, tally.words
                row[f"{script}_cer"] = tally.cer
        row["skew_deg"], row["orientation_deg"] = run.skew_deg, run.orientation_deg
        if with_geometry and s.skew_deg is not None:
            if run.skew_deg is None:
                geo.skew_missing += 1
            else:
                row["skew_err"] = skew_error(run.skew_deg, s.skew_deg)
                geo.skew_errors.append(row["skew_err"])
        if with_geometry and s.orientation_deg is not None:
            row["orientation_ok"] = orientation_ok(run.orientation_deg, s.orientation_deg)
            geo.orient_total += 1
            geo.orient_hits += row["orientation_ok"]
        rows.append(row)
    total = sum_tallies(tallies)
    summary: dict[str, Any] = {
        "samples": len(samples),
        "pages": n_pages,
        "errors": sum(r["error"] is not None for r in rows),
        "wall_s": wall,
        "s_per_page": wall / n_pages if n_pages else None,
    }
    for script, tally in total.items():
        summary[f"{script}_cer"], summary[f"{script}_wer"] = tally.cer, tally.wer
        summary[f"{script}_chars"], summary[f"{script}_words"] = tally.chars, tally.words
    return summary | geo.summary(), rows


# ----------------------------------------------------------------------- report


def print_report(summaries: dict[str, dict[str, Any]], anchor: str | None, title: str) -> None:
    console = Console(width=max(Console().width, 150))  # pipes default to 80 columns
    table = Table(title=title)
    for col in (
        "tool",
        "pages",
        "CER",
        "WER",
        "Deva CER",
        "Deva WER",
        "Latin CER",
        "Latin WER",
        "skew err",
        "≤0.1°",
        "orient",
        "s/page",
        "fails",
    ):
        table.add_column(col, justify="left" if col == "tool" else "right")
    for label, s in summaries.items():
        skew = "–" if s.get("skew_mean_err") is None else f"{s['skew_mean_err']:.3f}°"
        table.add_row(
            label,
            str(s["pages"]),
            fmt_pct(s.get("all_cer"), 2),
            fmt_pct(s.get("all_wer")),
            fmt_pct(s.get("deva_cer"), 2),
            fmt_pct(s.get("deva_wer")),
            fmt_pct(s.get("latin_cer"), 2),
            fmt_pct(s.get("latin_wer")),
            skew,
            fmt_pct(s.get("skew_within_0_1")),
            fmt_pct(s.get("orient_acc")),
            "–" if s.get("s_per_page") is None else f"{s['s_per_page']:.2f}",
            str(s["errors"]),
        )
    console.print(table)
    sizes = next((s for s in summaries.values() if s.get("all_chars")), None)
    if sizes:
        # Per-script CER divides by that script's GT size; when it is tiny (Latin on a
        # Devanagari book), OCR garbage in that script drives the figure far past 100%.
        print(
            f"GT size: {sizes['all_chars']} chars; Devanagari {sizes['deva_chars']} chars"
            f" / {sizes['deva_words']} words; Latin {sizes['latin_chars']} chars"
            f" / {sizes['latin_words']} words"
        )
    if anchor is None or anchor not in summaries:
        return
    a = summaries[anchor]
    ratios = Table(title=f"ratios vs {anchor} (below 1x is better)")
    for col in ("tool", "CER", "WER", "Deva CER", "Latin CER", "s/page"):
        ratios.add_column(col, justify="left" if col == "tool" else "right")
    for label, s in summaries.items():
        if label == anchor or (s.get("all_cer") is None and s.get("s_per_page") is None):
            continue
        ratios.add_row(
            label,
            *(
                fmt_ratio(s.get(k), a.get(k))
                for k in ("all_cer", "all_wer", "deva_cer", "latin_cer", "s_per_page")
            ),
        )
    console.print(ratios)
    # One line per figure, e.g. "scanpipe: CER vs tesseract hin+eng: 0.45x".
    for label, s in summaries.items():
        if label != anchor and s.get("all_cer") is not None:
            print(f"{label}: CER vs {anchor}: {fmt_ratio(s['all_cer'], a.get('all_cer'))}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("dir", type=Path, help="a folder in the ../shared/corpus format")
    p.add_argument("--every", type=int, default=1, help="take every K-th sample")
    p.add_argument("--limit", type=int, default=None, help="then at most N samples")
    p.add_argument("--tools", default="scanpipe,tesseract,ocrmypdf")
    p.add_argument("--langs", default=None, help="scanpipe --langs (default: its own)")
    p.add_argument(
        "--tesseract-langs",
        default=ANCHOR_LANGS,
        help="comma-separated plain-Tesseract setups, e.g. hin+eng,hin,Devanagari",
    )
    p.add_argument("--ocrmypdf-langs", default=ANCHOR_LANGS)
    p.add_argument("--jobs", type=int, default=2, help="pages in parallel for every tool")
    p.add_argument("--scanpipe", default=None, help="scanpipe executable (default: .venv)")
    p.add_argument("--out", type=Path, default=None, help="JSON path (default: bench/out/...)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    samples = load_corpus(args.dir, every=args.every, limit=args.limit)
    if not samples:
        print(f"no samples with ground truth or geometry labels under {args.dir}", file=sys.stderr)
        return 2
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    has_text = any(s.gt is not None for s in samples)
    n_pages = sum(page_count(s.image) for s in samples)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = OUT_DIR / f"accuracy-{slug(args.dir.resolve().name)}-{stamp}"
    print(f"{len(samples)} samples ({n_pages} pages) from {args.dir}; texts in {run_dir}")
    load_before = warn_if_busy()

    runs: dict[str, tuple[dict[Path, ToolRun], float]] = {}
    extras: dict[str, Any] = {}
    if "scanpipe" in tools:
        exe = args.scanpipe or find_tool("scanpipe")
        if exe is None:
            print("scanpipe CLI not installed yet: skipped (pip install -e . in .venv)")
        else:
            print("scanpipe convert ...", flush=True)
            sp_runs, wall, extras["scanpipe"] = run_scanpipe(samples, args, exe)
            runs["scanpipe"] = (sp_runs, wall)
        geometry = time_geometry(samples)
        if geometry is None:
            print("scanpipe.ocr.geometry.estimate_geometry not importable: no API timing")
        else:
            runs["scanpipe estimate_geometry (API)"] = geometry
    if "tesseract" in tools and has_text:
        for langs in [x.strip() for x in args.tesseract_langs.split(",") if x.strip()]:
            print(f"tesseract {langs} ...", flush=True)
            runs[f"tesseract {langs}"] = run_tesseract_all(samples, langs, args.jobs)
    if "ocrmypdf" in tools and has_text:
        print(f"ocrmypdf {args.ocrmypdf_langs} ...", flush=True)
        label = f"ocrmypdf {args.ocrmypdf_langs}"
        runs[label] = run_ocrmypdf_all(samples, args.ocrmypdf_langs, args.jobs)
        side = {
            p: ToolRun(text=r.sidecar or "", seconds=r.seconds, error=r.error)
            for p, r in runs[label][0].items()
        }
        runs[f"{label} (sidecar)"] = (side, runs[label][1])

    summaries: dict[str, dict[str, Any]] = {}
    per_sample: dict[str, list[dict[str, Any]]] = {}
    for label, (tool_runs, wall) in runs.items():
        is_api = label.endswith("(API)")  # only the estimate is timed; no text
        summaries[label], per_sample[label] = score_tool(
            samples,
            tool_runs,
            wall,
            n_pages,
            with_text=not is_api,
            with_geometry=label.startswith("scanpipe"),
        )
        if is_api:
            summaries[label]["ms_per_page"] = 1000 * wall / max(1, len(samples))
            continue
        for s in samples:
            text_path = run_dir / slug(label) / f"{s.name}.txt"
            text_path.parent.mkdir(parents=True, exist_ok=True)
            text_path.write_text(tool_runs.get(s.image, ToolRun()).text, encoding="utf-8")

    anchor = f"tesseract {ANCHOR_LANGS}"
    if anchor not in summaries:
        anchor = next((k for k in summaries if k.startswith("tesseract ")), None)
    print_report(summaries, anchor, f"accuracy on {args.dir} ({n_pages} pages, jobs={args.jobs})")
    api = summaries.get("scanpipe estimate_geometry (API)")
    if api:
        print(f"estimate_geometry: {api['ms_per_page']:.1f} ms/page (image in memory)")
    for label, rows in per_sample.items():
        for row in rows:
            if row["error"]:
                print(f"  {label} {row['sample']}: {row['error'][:160]}")

    out = args.out or run_dir / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "dir": str(args.dir.resolve()),
        "args": {k: str(v) for k, v in vars(args).items()},
        "anchor": anchor,
        "load_avg_before_after": [load_before, os.getloadavg()[0]],
        "summaries": summaries,
        "extras": extras,
        "per_sample": per_sample,
    }
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
