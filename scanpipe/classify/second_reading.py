"""A second reading of file-number lines, by the English model, checked against the first.

The page worker reads each line that holds a file number again with ``eng``
(``ocr/reread.py``). This module decides what the pair of readings proves:

* A number counts only when both readings agree on every digit, and only for
  numbers written in Latin letters (the English model cannot read Devanagari,
  and turns ``११४`` into ``92¥``).
* Agreeing readings remove the doubts about the OCR itself (a lost head
  letter, Roman-numeral strokes); the confidence is then what the context
  says (a ``फा.क्र.`` label, the functional form ...).
* Where the English reading differs only in letters or Roman numerals, it is
  preferred -- those are exactly what the Devanagari model loses -- and the
  first reading is demoted. It is capped below certainty: one model's word.
* A line the first reading could not parse at all (``A-11011/1()/2013``) is
  taken from the second reading when the digits of the line agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import regex

from scanpipe.classify.extract import Found, score_file_no
from scanpipe.classify.lexicon import PageText, tokens
from scanpipe.eoffice.fileno import (
    FileNumberError,
    find_candidates,
    parse_file_no,
    to_ascii_digits,
)

_DEVANAGARI = regex.compile(r"\p{Devanagari}")
# Spaces the English model puts inside a number: "1 9(II)", "2001 -Adm.II".
_SPLIT_DIGITS = regex.compile(r"(?<=[0-9]) (?=[0-9])|(?<=[0-9]) (?=-[A-Za-z])")
SECOND_READING_CAP = 0.85  # one model's reading of letters the other lost


def _skeleton(value: str) -> str:
    """The digits of a number, in order: what two readings must agree on."""
    return "".join(ch for ch in to_ascii_digits(value) if ch.isdigit())


def _line_skeletons(first: str) -> dict[str, int]:
    """Digit skeletons of the first reading's number-like words, with where each starts."""
    text = PageText(first).text
    out = {_skeleton(w): a for a, _b, w in find_candidates(text)}
    pos = 0
    for word in text.split():
        at = text.index(word, pos)
        pos = at + len(word)
        if word.count("/") >= 2:
            out.setdefault(_skeleton(word), at)
    return out


def agree(found: list[Found], rereads: Sequence[tuple[str, str]]) -> list[Found]:
    if not rereads:
        return found
    out = list(found)
    for first, again in rereads:
        skeletons = _line_skeletons(first)
        first_text = PageText(first).text
        # The same OCR repairs as the first reading ((1) -> (I) ...), and digits the
        # English model split with a space ("1 9(II)") joined again.
        again_text = PageText(_SPLIT_DIGITS.sub("", again)).text
        for start, _e, written in find_candidates(again_text):
            try:
                number = parse_file_no(written)
            except FileNumberError:
                continue
            skeleton = _skeleton(number.normalised)
            if len(skeleton) < 3 or skeleton not in skeletons:
                continue
            twins = [
                i
                for i, f in enumerate(out)
                if f.evidence is not None and _skeleton(f.value) == skeleton
            ]
            if any(_DEVANAGARI.search(out[i].value) for i in twins):
                continue
            if not twins:
                # A first reading cut short at a misread character ("RE\\V-17" parsed as
                # "RE") is the same number, wrongly ended: it must not outrank this one.
                for i, f in enumerate(out):
                    if f.evidence is not None and number.normalised.startswith(f.value):
                        out[i] = replace(f, confidence=min(f.confidence, 0.7))
                before = tokens(first_text[: skeletons[skeleton]])
                evidence, why = max(
                    score_file_no(number, before), score_file_no(number, tokens(again_text[:start]))
                )
                out.append(
                    Found("file_no", number.normalised,
                          round(min(evidence, SECOND_READING_CAP), 2),
                          f"{why}; read by the English model (the Devanagari model's reading "
                          "did not parse; the digits agree)", 0, evidence)
                )  # fmt: skip
                continue
            best_i = max(twins, key=lambda i: out[i].evidence or 0.0)
            base = out[best_i]
            evidence = base.evidence or base.confidence
            head = base.reason.split(";")[0]
            if base.value == number.normalised:
                out[best_i] = replace(
                    base,
                    confidence=round(evidence, 2),
                    reason=head + "; the English model read the same",
                )
                continue
            for i in twins:
                out[i] = replace(out[i], confidence=min(out[i].confidence, 0.7))
            out.append(
                Found("file_no", number.normalised,
                      round(min(evidence, SECOND_READING_CAP), 2),
                      f"{head}; read as {number.normalised} by the English model "
                      f"(the Devanagari model read {base.value})", base.line, evidence)
            )  # fmt: skip
    return out
