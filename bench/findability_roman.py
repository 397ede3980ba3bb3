"""The Roman-script list of bench/findability.py: each spelling of each entry, searched."""

from __future__ import annotations

import statistics
from typing import Any

from findability_pages import (
    PRECISION_K,
    Page,
    Registry,
    RomanEntry,
    p95,
    search_tokens,
    timed_search,
)


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
