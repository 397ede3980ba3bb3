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
import json
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from findability_pages import (
    OUT_DIR,
    PRECISION_K,
    ROMAN_TSV,
    TOP_K,
    Page,
    Registry,
    _ocr_dirs,
    attach_ocr,
    console,
    corpus_pages,
    is_devanagari_word,
    is_latin_word,
    load_roman,
    p95,
    register,
    roman_pages,
    search_tokens,
    stress_pages,
    timed_search,
)
from findability_report import print_roman, print_sets
from findability_roman import roman_queries
from runners import REPO, warn_if_busy

from scanpipe.eoffice.glossary import Glossary
from scanpipe.eoffice.glossary import load as load_glossary
from scanpipe.text import loose_key, tokenise

WORDS_PER_PAGE = 12
MAX_DF_SHARE = 0.20
DEVA_MIN, LATIN_MIN = 4, 5


# ------------------------------------------------------------------ the queries


def prepare_truth(pages: list[Page]) -> None:
    for p in pages:
        p.gt_tokens = set(search_tokens(p.gt))
        p.gt_loose = {loose_key(t) for t in p.gt_tokens}


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


MODES: list[tuple[str, dict[str, Any]]] = [("exact", {"exact": True}), ("default", {})]
"""Exact search first (the anchor), then the default, expanded search."""


@cache
def glossary() -> Glossary:
    """The shipped glossary: a linked word (दफ़्तर, office) is an accepted variant."""
    return load_glossary()


def hit_relevant(page: Page | None, query_tokens: list[str]) -> bool:
    """The hit's GT holds every query word, a word with the same loose key, or a glossary
    link of the whole query (the accepted variants)."""
    if page is None:
        return False
    for linked in glossary().linked(tuple(query_tokens)):
        if all(t in page.gt_tokens for t in linked):
            return True
    return all(t in page.gt_tokens or loose_key(t) in page.gt_loose for t in query_tokens)


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
                f"({db_url.split(':', 1)[0]})"
            )
            queries = draw_words([p for p in pages if p.set != "roman"], args.seed)
            results: dict[str, dict[str, dict[str, Any]]] = {}
            roman: dict[str, dict[str, Any]] = {}
            for label, kwargs in MODES:
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
