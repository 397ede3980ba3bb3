"""The tables bench/findability.py prints: per set against the exact anchor, and the Roman list."""

from __future__ import annotations

from typing import Any

from findability_pages import console
from rich.table import Table
from scoring import fmt_pct, fmt_ratio


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
