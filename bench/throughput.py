"""Throughput benchmark: scanpipe pages/min against OCRmyPDF and the Tesseract-only limit.

    .venv/bin/python bench/throughput.py DIR [--pages 30] [--jobs 2]
        [--ocrmypdf-mode pdf|perpage] [--tools scanpipe,ocrmypdf,limit]

Everything runs in one process, one after another, on the same pages, so the
three figures share the machine's state (see bench/README.md):

- scanpipe: `scanpipe convert --json --jobs N` over the page images, fresh
  SCANPIPE_HOME, wall time and peak RSS of its whole process tree;
- OCRmyPDF: `--deskew --rotate-pages --clean -l hin+eng --output-type pdfa
  --jobs N` on one image PDF of the same pages (its own page parallelism);
- Tesseract-only limit: plain Tesseract (one thread) on pages already
  straightened with the manifest's true angles, summed seconds / cores. No
  pipeline that OCRs each page once can beat it, so scanpipe/limit says how
  much the pipeline around Tesseract costs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import img2pdf
import numpy as np
from PIL import Image
from rich.console import Console
from rich.table import Table
from runners import (
    OUT_DIR,
    core_count,
    ensure_repo_importable,
    find_tool,
    needs_image_dpi,
    ocrmypdf_cmd,
    psutil,
    run_monitored,
    run_ocrmypdf,
    run_parallel,
    run_tesseract,
    scanpipe_env,
    warn_if_busy,
)
from scoring import Sample, load_corpus, score_text, sum_tallies

FALLBACK_LANGS = "Devanagari"


def default_langs() -> str:
    """scanpipe's own default language setup, so the limit measures the same OCR work."""
    ensure_repo_importable()
    try:
        from scanpipe.settings import DEFAULT_LANGS
    except ImportError:
        print(f"scanpipe.settings not importable; assuming {FALLBACK_LANGS}", file=sys.stderr)
        return FALLBACK_LANGS
    return str(DEFAULT_LANGS)


def page_count(image: Path) -> int:
    with Image.open(image) as im:
        return int(getattr(im, "n_frames", 1))


def ppm(pages: int, seconds: float) -> float | None:
    return 60.0 * pages / seconds if seconds > 0 else None


# --------------------------------------------------------------------- scanpipe


def bench_scanpipe(
    samples: list[Sample], args: argparse.Namespace, langs: str, exe: str
) -> dict[str, Any]:
    """One convert call over all page images in an empty registry."""
    cmd = [exe, "convert", "--json", "--jobs", str(args.jobs), "--langs", langs]
    cmd += [str(s.image) for s in samples]
    with tempfile.TemporaryDirectory(prefix="scanpipe-tp-") as home:
        run = run_monitored(cmd, scanpipe_env(Path(home)))
    records = []
    for line in run.stdout.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    reported = sum(len(r.get("pages") or []) for r in records)
    statuses: dict[str, int] = {}
    for r in records:
        statuses[str(r.get("status"))] = statuses.get(str(r.get("status")), 0) + 1
    return {
        "label": f"scanpipe convert --jobs {args.jobs} ({langs})",
        "returncode": run.returncode,
        "wall_s": run.wall,
        "pages_reported": reported,
        "statuses": statuses,
        "peak_rss_mb": run.peak_rss / 2**20 if run.peak_rss else None,
        "rss_method": run.rss_method,
        "stderr_tail": run.stderr[-1500:],
    }


# --------------------------------------------------------------------- ocrmypdf


def build_image_pdf(samples: list[Sample], dst: Path) -> None:
    """One PDF holding the page images unchanged (JPEG passed through, PNG/TIFF lossless).

    img2pdf is what OCRmyPDF itself uses for image input, so OCRmyPDF sees
    the same pixels and DPI as when it is given the images one by one.
    """
    layout = img2pdf.default_layout_fun
    if any(needs_image_dpi(s.image) for s in samples):
        layout = img2pdf.get_fixed_dpi_layout_fun((300, 300))
    with dst.open("wb") as fh:
        img2pdf.convert([str(s.image) for s in samples], outputstream=fh, layout_fun=layout)


def bench_ocrmypdf(samples: list[Sample], args: argparse.Namespace) -> dict[str, Any]:
    """OCRmyPDF over the same pages: one N-page PDF (default) or one process per page."""
    langs = args.ocrmypdf_langs
    with tempfile.TemporaryDirectory(prefix="ocrmypdf-tp-") as tmp:
        if args.ocrmypdf_mode == "pdf":
            src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
            build_image_pdf(samples, src)  # not timed: input preparation
            run = run_monitored(ocrmypdf_cmd(src, dst, langs, args.jobs, image_dpi=False))
            return {
                "label": f"ocrmypdf --jobs {args.jobs}, one PDF ({langs})",
                "returncode": run.returncode,
                "wall_s": run.wall,
                "peak_rss_mb": run.peak_rss / 2**20 if run.peak_rss else None,
                "rss_method": run.rss_method,
                "stderr_tail": run.stderr[-1500:],
            }
        results, wall = run_parallel(
            lambda s: run_ocrmypdf(s.image, Path(tmp) / f"{s.name.replace('/', '_')}.pdf", langs),
            samples,
            args.jobs,
        )
    return {
        "label": f"ocrmypdf x{args.jobs} processes, one page each ({langs})",
        "returncode": max((1 if r.error else 0) for r in results),
        "wall_s": wall,
        "peak_rss_mb": None,
        "errors": [r.error for r in results if r.error],
    }


# ------------------------------------------------------------------------ limit


def straighten(gray: np.ndarray, skew_deg: float, orientation_deg: int) -> np.ndarray:
    """Undo the manifest's skew (rotate by -skew_deg) and quarter turn, on a grown canvas.

    Rotations commute, so the order does not matter; the canvas grows so no
    text is cut, and the new corners are white like paper.
    """
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -skew_deg, 1.0)  # positive = CCW
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = round(h * sin + w * cos), round(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_CUBIC, borderValue=255)
    return np.ascontiguousarray(np.rot90(out, k=-(orientation_deg // 90) % 4))


def prepare_straight(samples: list[Sample], tmp: Path) -> tuple[list[Path], int]:
    """Straightened copies where the truth is known, else the original (assumed upright)."""
    paths: list[Path] = []
    straightened = 0
    for i, s in enumerate(samples):
        if s.skew_deg is None and not s.orientation_deg:
            paths.append(s.image)
            continue
        gray = cv2.imread(str(s.image), cv2.IMREAD_GRAYSCALE)
        with Image.open(s.image) as im:
            dpi = im.info.get("dpi", (300, 300))
        out = straighten(gray, s.skew_deg or 0.0, s.orientation_deg or 0)
        dst = tmp / f"{i:04d}.png"
        # Keep the DPI: without it Tesseract guesses a resolution and may read differently.
        Image.fromarray(out).save(dst, dpi=dpi, compress_level=1)
        paths.append(dst)
        straightened += 1
    return paths, straightened


def bench_limit(
    samples: list[Sample], straight: list[Path], langs: str, jobs: int, n_pages: int
) -> dict[str, Any]:
    """Plain Tesseract on the straightened pages; the limit is summed seconds / cores."""
    results, wall = run_parallel(lambda p: run_tesseract(p, langs), straight, jobs)
    cores = core_count()
    total = sum(r.seconds for r in results)
    tallies = [score_text(s.gt, r.text) for s, r in zip(samples, results, strict=True) if s.gt]
    cer = sum_tallies(tallies)["all"].cer if tallies else None
    return {
        "label": f"Tesseract-only limit ({langs})",
        "returncode": max((1 if r.error else 0) for r in results),
        "tesseract_sum_s": total,
        "cores": cores,
        "wall_s": total / cores,  # the limit's time: all cores busy with OCR only
        "measured_wall_s": wall,
        "cer_straightened": cer,
        "s_per_page": total / n_pages,
        "peak_rss_mb": None,
    }


# ----------------------------------------------------------------------- report


def report(rows: list[dict[str, Any]], n_pages: int, default: str) -> dict[str, float | None]:
    console = Console(width=max(Console().width, 130))
    table = Table(title=f"throughput, {n_pages} pages")
    for col in ("run", "wall s", "pages/min", "peak RSS MB", "rc", "note"):
        table.add_column(col, justify="left" if col in ("run", "note") else "right")
    for r in rows:
        note = ""
        if "cer_straightened" in r:
            cer = r["cer_straightened"]
            cer_txt = "–" if cer is None else f"{100 * cer:.2f}%"
            note = f"sum {r['tesseract_sum_s']:.0f} s / {r['cores']} cores; CER {cer_txt}"
        rss = "–" if r.get("peak_rss_mb") is None else f"{r['peak_rss_mb']:.0f}"
        ppm_v = r["pages_per_min"]
        table.add_row(
            r["label"],
            f"{r['wall_s']:.1f}",
            "–" if ppm_v is None else f"{ppm_v:.1f}",
            rss,
            str(r["returncode"]),
            note,
        )
    console.print(table)
    by = {r["label"].split(" ")[0]: r for r in rows}  # scanpipe / ocrmypdf / Tesseract-only
    sp = next((r for r in rows if r["label"].startswith("scanpipe")), None)
    ratios: dict[str, float | None] = {}
    if sp and sp["pages_per_min"]:
        if "ocrmypdf" in by and by["ocrmypdf"]["pages_per_min"]:
            ratios["scanpipe/ocrmypdf"] = sp["pages_per_min"] / by["ocrmypdf"]["pages_per_min"]
        for r in rows:
            if r["label"].startswith("Tesseract-only") and r["pages_per_min"]:
                langs = r["label"].split("(")[1].rstrip(")")
                ratios[f"scanpipe/limit ({langs})"] = sp["pages_per_min"] / r["pages_per_min"]
    for key, value in ratios.items():
        target = " (target ≥ 4x)" if key == "scanpipe/ocrmypdf" else ""
        if key == f"scanpipe/limit ({default})":
            target = " (target ≥ 0.85x)"
        print(f"{key}: {value:.2f}x{target}")
    if sp and sp.get("peak_rss_mb"):
        mb = sp["peak_rss_mb"]
        print(f"scanpipe peak RSS: {mb:.0f} MB (target ≤ 1024 MB); {sp['rss_method']}")
    return ratios


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("dir", type=Path, help="a folder in the ../shared/corpus format")
    p.add_argument("--pages", type=int, default=30, help="first N samples of the folder")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--langs", default=None, help="scanpipe and limit langs (default: scanpipe's)")
    p.add_argument("--ocrmypdf-langs", default="hin+eng")
    p.add_argument("--ocrmypdf-mode", choices=("pdf", "perpage"), default="pdf")
    p.add_argument("--tools", default="scanpipe,ocrmypdf,limit")
    p.add_argument("--scanpipe", default=None, help="scanpipe executable (default: .venv)")
    p.add_argument("--out", type=Path, default=None)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    samples = load_corpus(args.dir, limit=args.pages)
    if not samples:
        print(f"no samples under {args.dir}", file=sys.stderr)
        return 2
    tools = {t.strip() for t in args.tools.split(",")}
    langs = args.langs or default_langs()
    n_pages = sum(page_count(s.image) for s in samples)
    print(f"{n_pages} pages from {args.dir}, jobs={args.jobs}, {core_count()} cores")
    load_before = warn_if_busy()
    if psutil is None:
        print("psutil missing: peak RSS falls back to the largest single process")
    rows: list[dict[str, Any]] = []
    # scanpipe first, so the ru_maxrss fallback only ever saw scanpipe's processes.
    if "scanpipe" in tools:
        exe = args.scanpipe or find_tool("scanpipe")
        if exe is None:
            print("scanpipe CLI not installed yet: skipped (pip install -e . in .venv)")
        else:
            print("scanpipe ...", flush=True)
            rows.append(bench_scanpipe(samples, args, langs, exe))
            if rows[-1]["pages_reported"] != n_pages:
                print(f"warning: scanpipe reported {rows[-1]['pages_reported']} of {n_pages} pages")
    if "ocrmypdf" in tools:
        print(f"ocrmypdf ({args.ocrmypdf_mode}) ...", flush=True)
        rows.append(bench_ocrmypdf(samples, args))
    if "limit" in tools:
        with tempfile.TemporaryDirectory(prefix="straight-") as tmp:
            straight, done = prepare_straight(samples, Path(tmp))
            print(f"limit: {done}/{len(samples)} pages straightened with the true angles")
            for lim_langs in dict.fromkeys([langs, "hin+eng"]):
                print(f"tesseract {lim_langs} on straightened pages ...", flush=True)
                rows.append(bench_limit(samples, straight, lim_langs, args.jobs, n_pages))
    for r in rows:
        r["pages_per_min"] = ppm(n_pages, r["wall_s"])
    ratios = report(rows, n_pages, langs)
    for r in rows:
        if r.get("returncode"):
            print(f"  {r['label']} exited {r['returncode']}: {str(r.get('stderr_tail'))[-300:]}")
    out = args.out or OUT_DIR / f"throughput-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "dir": str(args.dir.resolve()),
        "pages": n_pages,
        "load_avg_before_after": [load_before, os.getloadavg()[0]],
        "rows": rows,
        "ratios": ratios,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
