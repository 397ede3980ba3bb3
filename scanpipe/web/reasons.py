"""Why a page waits for review, in the reader's language.

The pipeline writes its reasons in English, with figures ("low OCR confidence
41 (threshold 70)", "lines 12–30 (lower half) gave no text (34% of the
text-like ink gave no words)"); the registry keeps them so. The web reads
each known shape and says it again from the catalog with the same figures;
a reason of another shape (an engine's own error) is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scanpipe.web.i18n import label

_PLACES = {
    "lower half": "place_lower",
    "upper half": "place_upper",
    "middle": "place_middle",
    "throughout the page": "place_all",
}
_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], str], str]]


def _where(text: str, lang: str) -> str:
    """``lines 12–30 (lower half)``, ``line 4 (middle)``, ``the left side of lines 3–28``."""
    m = re.fullmatch(r"(lines?) ([0-9–, ]+) \((.+)\)", text)
    if m:
        which = label("lines" if m[1] == "lines" else "line", lang)
        return f"{which} {m[2]} ({label(_PLACES.get(m[3], 'place_all'), lang)})"
    m = re.fullmatch(r"the (left|right) side of lines ([0-9–, ]+)", text)
    if m:
        return label(f"side_{m[1]}", lang).format(lines=m[2])
    m = re.fullmatch(r"part of line ([0-9]+)", text)
    if m:
        return label("part_of_line", lang).format(line=m[1])
    return text


_RULES: list[_Rule] = [
    (
        re.compile(r"no text found: blank page, photo, or unreadable scan"),
        lambda m, lang: label("reason_no_text", lang),
    ),
    (
        re.compile(r"low OCR confidence ([0-9]+) \(threshold ([0-9]+)\)"),
        lambda m, lang: label("reason_low_confidence", lang).format(n=m[1], t=m[2]),
    ),
    (
        re.compile(r"(.+) gave no text \(([0-9]+%) of the text-like ink gave no words\)"),
        lambda m, lang: label("reason_missing_where", lang).format(
            where=_where(m[1], lang), share=m[2]
        ),
    ),
    (
        re.compile(r"([0-9]+%) of the text-like ink gave no words"),
        lambda m, lang: label("reason_missing", lang).format(share=m[1]),
    ),
    (
        re.compile(r"two models read ([0-9]+%) of the Devanagari text differently \((.+)\)"),
        lambda m, lang: label("reason_models_differ", lang).format(share=m[1], models=m[2]),
    ),
]


def reason_text(reason: str, lang: str) -> str:
    """The reason in ``lang``; as written when it is not a shape the pipeline makes."""
    if lang != "hi" or not reason:
        return reason
    for pattern, say in _RULES:
        m = pattern.fullmatch(reason.strip())
        if m:
            return say(m, lang)
    return reason
