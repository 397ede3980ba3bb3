"""Findability benchmark (issue 12): does a word printed on a page find that page?

All pages of the given corpus folders (and, on request, the generated stress set and
the Roman-script word pages) go into ONE fresh registry, through the registry's public
``Registry.add_file``. Page text is OCR text: read from an earlier run's output
(``--ocr-from``, e.g. ``bench/out/accuracy-SET-TIME``), else from this bench's own cache
(``bench/out/findability-cache/``), else produced once by scanpipe's own pipeline
(``scanpipe convert`` in a temporary SCANPIPE_HOME) and cached.

For each page up to 12 identifying words are drawn from its ground truth (seeded, so
every run draws the same words): Devanagari words of >= 4 characters and Latin words
of >= 5 letters, on no more than 20% of the registry's pages (and no more than 20
pages: a word on more pages than the top 20 holds identifies none of them). Each is searched as
printed, ``Registry.search(word, limit=20)``; it is *found* when its page is in the
top 20. Per set:

- found: share of the words that find their page;
- ceiling: share of the words present letter for letter among the OCR tokens of their
  page (``tokenise(normalise_for_search(...))``), which is all exact search can reach;
- gap closed: (found - ceiling) / (1 - ceiling);
- precision: share of the top-10 hits whose ground truth holds the word, or (when
  ``scanpipe.text.loose_key`` exists) a word with the same loose key;
- latency: median and p95 milliseconds per query.

When ``Registry.search`` takes an ``exact`` keyword, every query runs twice, exact
(the anchor) and default (expanded), and the ratios to the anchor are printed.

``--roman`` adds pages printed with the Devanagari words of ``bench/roman_words.tsv``
and searches every Roman spelling (and English glossary term) of each entry.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import inspect
import json
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from runners import OUT_DIR, REPO, ensure_repo_importable, scanpipe_runs, warn_if_busy
from scoring import Sample, fmt_pct, fmt_ratio, load_corpus

ensure_repo_importable()

import scanpipe.text as sptext  # noqa: E402
from scanpipe.model import FileSource, PageRef, PageResult, PageStatus, SourceKind  # noqa: E402
from scanpipe.registry.store import Registry  # noqa: E402
from scanpipe.text import normalise_for_search, tokenise  # noqa: E402

CACHE_DIR = OUT_DIR / "findability-cache"
ROMAN_TSV = Path(__file__).resolve().parent / "roman_words.tsv"
WORDS_PER_PAGE = 12
TOP_K = 20
PRECISION_K = 10
MAX_DF_SHARE = 0.20
DEVA_MIN, LATIN_MIN = 4, 5
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


# ------------------------------------------------------------------ the queries


def loose_key_fn():
    return getattr(sptext, "loose_key", None)


def prepare_truth(pages: list[Page]) -> None:
    lk = loose_key_fn()
    for p in pages:
        p.gt_tokens = set(search_tokens(p.gt))
        p.gt_loose = {lk(t) for t in p.gt_tokens} if lk else set()


def draw_words(pages: list[Page], seed: int) -> list[tuple[Page, str]]:
    """Up to WORDS_PER_PAGE (page, word as printed) per page, seeded by the page's name."""
    df = Counter(t for p in pages for t in p.gt_tokens)
    # A word on more pages than the top 20 holds cannot identify one of them.
    max_df = max(1, min(int(MAX_DF_SHARE * len(pages)), TOP_K))
    queries = []
    for p in pages:
        printed: dict[str, str] = {}  # normalised token -> first printed form
        for raw in tokenise(unicodedata.normalize("NFC", p.gt)):
            norm = search_tokens(raw)
            if len(norm) != 1:
                continue
            w = norm[0]
            ok = (is_devanagari_word(w) and len(w) >= DEVA_MIN) or (
                is_latin_word(w) and len(w) >= LATIN_MIN
            )
            if ok and df[w] <= max_df:
                printed.setdefault(w, raw)
        words = sorted(printed)
        rng = random.Random(f"{seed}:{p.set}:{p.name}")
        picked = rng.sample(words, min(WORDS_PER_PAGE, len(words)))
        queries += [(p, printed[w]) for w in picked]
    return queries


def modes(registry: Registry) -> list[tuple[str, dict[str, Any]]]:
    """[(label, search kwargs)]: exact first (the anchor), then default if they differ."""
    params = inspect.signature(registry.search).parameters
    if "exact" in params:
        return [("exact", {"exact": True}), ("default", {})]
    return [("exact", {})]


def timed_search(registry: Registry, query: str, kwargs: dict[str, Any]) -> tuple[list, float]:
    start = time.perf_counter()
    hits = registry.search(query, limit=TOP_K, **kwargs)
    return hits, (time.perf_counter() - start) * 1000


@cache
def glossary():
    """The shipped glossary: a linked word (दफ़्तर, office) is an accepted variant."""
    try:
        from scanpipe.eoffice.glossary import load
    except ImportError:
        return None
    return load()


def hit_relevant(page: Page | None, query_tokens: list[str]) -> bool:
    """The hit's GT holds every query word, a word with the same loose key, or a glossary
    link of the whole query (the accepted variants)."""
    if page is None:
        return False
    gl = glossary()
    if gl is not None:
        for linked in gl.linked(tuple(query_tokens)):
            if all(t in page.gt_tokens for t in linked):
                return True
    lk = loose_key_fn()
    for t in query_tokens:
        if t in page.gt_tokens:
            continue
        if lk and lk(t) in page.gt_loose:
            continue
        return False
    return True


def p95(xs: list[float]) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def run_queries(
    registry: Registry, pages: list[Page], queries: list[tuple[Page, str]], mode: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    by_file = {p.file_id: p for p in pages}
    per_set: dict[str, dict[str, Any]] = {}
    for page, word in queries:
        s = per_set.setdefault(
            page.set,
            {
                "words": 0,
                "found": 0,
                "verbatim": 0,
                "hits10": 0,
                "relevant10": 0,
                "ms": [],
                "misses": [],
                "lost_page": 0,
            },
        )
        qtok = search_tokens(word)
        ocr_tokens = set(search_tokens(page.ocr))
        verbatim = all(t in ocr_tokens for t in qtok)
        hits, ms = timed_search(registry, word, mode)
        file_ids = [h.file_id for h in hits if h.kind == "page"]
        found = page.file_id in file_ids
        top10 = list(dict.fromkeys(file_ids))[:PRECISION_K]
        s["words"] += 1
        s["found"] += found
        s["verbatim"] += verbatim
        s["hits10"] += len(top10)
        s["relevant10"] += sum(hit_relevant(by_file.get(f), qtok) for f in top10)
        s["ms"].append(ms)
        if not found:
            lost = len(search_tokens(page.ocr)) < 0.3 * max(1, len(page.gt_tokens))
            s["lost_page"] += lost
            s["misses"].append(
                {"page": page.name, "word": word, "verbatim": verbatim, "page_text_lost": lost}
            )
    return per_set


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    n = raw["words"] or 1
    found, ceiling = raw["found"] / n, raw["verbatim"] / n
    return {
        "words": raw["words"],
        "found": found,
        "ceiling": ceiling,
        "gap_closed": (found - ceiling) / (1 - ceiling) if ceiling < 1 else None,
        "precision": raw["relevant10"] / raw["hits10"] if raw["hits10"] else None,
        "hits_top10": raw["hits10"],
        "median_ms": statistics.median(raw["ms"]) if raw["ms"] else 0.0,
        "p95_ms": p95(raw["ms"]),
        "misses_on_lost_pages": raw["lost_page"],
        "misses": raw["misses"],
    }


def roman_queries(
    registry: Registry, pages: list[Page], entries: list[RomanEntry], mode: dict[str, Any]
) -> dict[str, Any]:
    """Each spelling of each entry: found when a page printed with the entry is in the top 20.

    A page of any set counts, and so does one printed with the query itself in Latin
    letters (``Mungeli`` on a letterhead): both are what the officer was after. Precision
    is the share of the top 10 that are such pages.
    """
    by_file = {p.file_id: p for p in pages}
    stats: dict[str, dict[str, Any]] = {}
    misses: list[dict[str, Any]] = []
    for e in entries:
        target = search_tokens(e.devanagari)
        printed = {p.file_id for p in pages if _has_phrase(p.gt, target)}
        ocr_has = any(
            _has_phrase(by_file[f].ocr, target) for f in printed if by_file[f].set == "roman"
        )
        for kind, queries in (
            ("devanagari", [e.devanagari]),
            ("roman", e.roman),
            ("english", e.english),
        ):
            for q in queries:
                typed = search_tokens(q)
                holders = printed | {p.file_id for p in pages if _has_phrase(p.gt, typed)}
                hits, ms = timed_search(registry, q, mode)
                files = list(dict.fromkeys(h.file_id for h in hits if h.kind == "page"))
                found = bool(holders & set(files))
                for key in (kind, f"{kind}:{e.category}"):
                    s = stats.setdefault(
                        key, {"queries": 0, "found": 0, "ms": [], "hits10": 0, "relevant10": 0}
                    )
                    s["queries"] += 1
                    s["found"] += found
                    s["ms"].append(ms)
                    s["hits10"] += len(files[:PRECISION_K])
                    s["relevant10"] += sum(f in holders for f in files[:PRECISION_K])
                if not found and kind != "english":
                    misses.append(
                        {"entry": e.devanagari, "query": q, "kind": kind, "ocr_verbatim": ocr_has}
                    )
    out = {
        k: {
            "queries": v["queries"],
            "found": v["found"] / v["queries"],
            "precision": v["relevant10"] / v["hits10"] if v["hits10"] else None,
            "median_ms": statistics.median(v["ms"]),
            "p95_ms": p95(v["ms"]),
        }
        for k, v in stats.items()
    }
    return {"summary": out, "misses": misses}


def _has_phrase(text: str, target: list[str]) -> bool:
    toks = search_tokens(text)
    n = len(target)
    return any(toks[i : i + n] == target for i in range(len(toks) - n + 1))


# ------------------------------------------------------------------ report


def print_sets(results: dict[str, dict[str, dict[str, Any]]], sets: list[str]) -> None:
    labels = list(results)
    table = Table(title="findability: a printed word finds its page in the top 20")
    table.add_column("set")
    table.add_column("pages", justify="right")
    table.add_column("words", justify="right")
    table.add_column("ceiling", justify="right")
    for label in labels:
        table.add_column(f"found ({label})", justify="right")
        table.add_column(f"gap closed ({label})", justify="right")
        table.add_column(f"precision ({label})", justify="right")
        table.add_column(f"ms med/p95 ({label})", justify="right")
    for s in sets:
        first = results[labels[0]].get(s)
        if not first:
            continue
        row = [s, str(first["pages"]), str(first["words"]), fmt_pct(first["ceiling"])]
        for label in labels:
            r = results[label][s]
            row += [
                fmt_pct(r["found"]),
                fmt_pct(r["gap_closed"]),
                "–" if r["precision"] is None else f"{r['precision']:.3f}",
                f"{r['median_ms']:.1f} / {r['p95_ms']:.1f}",
            ]
        table.add_row(*row)
    console.print(table)
    if len(labels) > 1:
        anchor = labels[0]
        ratio = Table(title=f"ratios to the anchor ({anchor} search, same run)")
        ratio.add_column("set")
        for label in labels[1:]:
            for col in ("found", "precision", "median ms", "p95 ms"):
                ratio.add_column(f"{col} ({label})", justify="right")
        for s in sets:
            a = results[anchor].get(s)
            if not a:
                continue
            row = [s]
            for label in labels[1:]:
                r = results[label][s]
                row += [
                    fmt_ratio(r["found"], a["found"]),
                    fmt_ratio(r["precision"], a["precision"]),
                    fmt_ratio(r["median_ms"], a["median_ms"]),
                    fmt_ratio(r["p95_ms"], a["p95_ms"]),
                ]
            ratio.add_row(*row)
        console.print(ratio)


def print_roman(results: dict[str, dict[str, Any]]) -> None:
    labels = list(results)
    table = Table(title="Roman-script list: a spelling finds a page printed with its word (top 20)")
    table.add_column("queries")
    table.add_column("n", justify="right")
    for label in labels:
        table.add_column(f"found ({label})", justify="right")
        table.add_column(f"precision ({label})", justify="right")
        table.add_column(f"ms med/p95 ({label})", justify="right")
    keys = sorted(results[labels[0]]["summary"], key=lambda k: (":" in k, k))
    for k in keys:
        first = results[labels[0]]["summary"][k]
        row = [k, str(first["queries"])]
        for label in labels:
            r = results[label]["summary"][k]
            precision = "–" if r["precision"] is None else f"{r['precision']:.3f}"
            row += [fmt_pct(r["found"]), precision, f"{r['median_ms']:.1f} / {r['p95_ms']:.1f}"]
        table.add_row(*row)
    console.print(table)


# ------------------------------------------------------------------ main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path, help="corpus folders (NAME.png + NAME.gt.txt)")
    ap.add_argument(
        "--every",
        type=int,
        default=1,
        help="keep every K-th sample of each folder (match the --ocr-from run)",
    )
    ap.add_argument(
        "--ocr-from",
        action="append",
        default=[],
        metavar="[SET=]DIR",
        help="an earlier accuracy/stress output dir whose scanpipe/NAME.txt to reuse",
    )
    ap.add_argument(
        "--ocr-missing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run scanpipe on pages without cached text (default) or skip them",
    )
    ap.add_argument("--stress-seeds", default="", help="e.g. 9201,9202: add the stress set")
    ap.add_argument("--stress-count", type=int, default=30)
    ap.add_argument(
        "--stress-dir",
        type=Path,
        default=REPO / "build" / "stress",
        help="where the stress set is (generated there when missing)",
    )
    ap.add_argument("--roman", action="store_true", help="add the Roman-script word pages")
    ap.add_argument("--roman-tsv", type=Path, default=ROMAN_TSV)
    ap.add_argument(
        "--db-url",
        default=None,
        help="an EMPTY database (e.g. postgresql://...); default: SQLite in a temp dir",
    )
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warn_if_busy()
    pages: list[Page] = []
    for d in args.dirs:
        pages += corpus_pages(d, args.every)
    if args.stress_seeds:
        seeds = [int(s) for s in args.stress_seeds.split(",") if s.strip()]
        pages += stress_pages(seeds, args.stress_count, args.stress_dir, args.jobs)
    entries = load_roman(args.roman_tsv) if args.roman else []
    if entries:
        pages += roman_pages(entries, args.seed)
    if not pages:
        raise SystemExit("nothing to do: give corpus DIRs, --stress-seeds or --roman")
    attach_ocr(pages, _ocr_dirs(args.ocr_from), args.jobs, args.ocr_missing)
    pages = [p for p in pages if p.ocr_source != "missing"]  # failed OCR: registered empty
    prepare_truth(pages)
    sets = list(dict.fromkeys(p.set for p in pages if p.set != "roman"))

    with tempfile.TemporaryDirectory(prefix="findability-") as tmp:
        home = Path(tmp)
        db_url = args.db_url or f"sqlite:///{home / 'registry.sqlite3'}"
        with Registry.open(db_url, home / "archive") as registry:
            start = time.perf_counter()
            register(registry, pages, home / "sources")
            console.print(
                f"registered {len(pages)} files in {time.perf_counter() - start:.1f} s "
                f"({db_url.split(':', 1)[0]}); loose_key: "
                f"{'yes' if loose_key_fn() else 'no'}"
            )
            queries = draw_words([p for p in pages if p.set != "roman"], args.seed)
            results: dict[str, dict[str, dict[str, Any]]] = {}
            roman: dict[str, dict[str, Any]] = {}
            for label, kwargs in modes(registry):
                raw = run_queries(registry, pages, queries, kwargs)
                results[label] = {}
                for s in sets:
                    if s in raw:
                        results[label][s] = {
                            "pages": sum(p.set == s for p in pages),
                            **summarise(raw[s]),
                        }
                if entries:
                    roman[label] = roman_queries(registry, pages, entries, kwargs)

    if sets:
        print_sets(results, sets)
    if roman:
        print_roman(roman)
    for s in sets:
        r = results[next(iter(results))].get(s)
        if r and r["misses"]:
            lost = r["misses_on_lost_pages"]
            console.print(
                f"{s}: {len(r['misses'])} words not found, {lost} of them on pages whose "
                f"OCR text is mostly lost; e.g. " + ", ".join(m["word"] for m in r["misses"][:8])
            )

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or OUT_DIR / f"findability-{stamp}" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "registry": (args.db_url or "sqlite").split(":", 1)[0],
        "loose_key": bool(loose_key_fn()),
        "modes": list(results) or list(roman),
        "anchor": "exact",
        "sets": results,
        "roman": roman,
        "pages": [
            {
                "set": p.set,
                "name": p.name,
                "ocr_source": p.ocr_source,
                "ocr_tokens": len(search_tokens(p.ocr)),
                "gt_tokens": len(p.gt_tokens),
            }
            for p in pages
        ],
        "queries": [{"set": p.set, "page": p.name, "word": w} for p, w in queries] if sets else [],
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    console.print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
