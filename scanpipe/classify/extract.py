"""Metadata from one page of OCR text: file numbers, dates, subject, references, sender.

Each extractor returns every candidate with a confidence and a reason a
records clerk can read ("labelled 'फा.क्र.' in the letterhead"); ``best``
picks the one to suggest. Confidences are fixed, ordered evidence levels,
not probabilities: a labelled value in the letter's header beats an
unlabelled one, and a value on a "Reference: letter No. ... dated ..." line is
about another letter, so it scores low.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import regex
from rapidfuzz import fuzz

from scanpipe.classify.lexicon import (
    DATE_LABELS,
    FILE_NO_LABELS,
    MONTHS,
    REFERENCE_CONTEXT,
    REFERENCE_LABELS,
    SUBJECT_LABELS,
    Line,
    PageText,
    ends_with_label,
    tokens,
)
from scanpipe.eoffice.fileno import (
    FileNoKind,
    FileNumber,
    FileNumberError,
    find_candidates,
    parse_file_no,
    to_ascii_digits,
)
from scanpipe.text import normalise_for_search

EARLIEST_YEAR = 1900
HEADER_LINES = 10  # without a subject line, the letterhead block is at most this long


@dataclass(frozen=True)
class Found:
    field: str
    value: str
    confidence: float
    reason: str
    line: int  # index into PageText.lines; orders equal confidences
    # File numbers: the confidence from context alone, before doubts about the OCR
    # itself (lost strokes, look-alike letters); a second reading can remove those.
    evidence: float | None = None


def best(found: Iterable[Found]) -> Found | None:
    """The most confident candidate; the earliest on the page among equals."""
    return min(found, key=lambda f: (-f.confidence, f.line), default=None)


def header_end(page: PageText) -> int:
    """Index of the first line after the letterhead block: the subject line, or a cap."""
    for line in page.lines:
        if line.words and line.words[0] in SUBJECT_LABELS:
            return line.index
    return min(HEADER_LINES, len(page.lines))


def _before(line: Line, offset: int) -> tuple[str, ...]:
    """The words of ``line`` before page offset ``offset``."""
    return tokens(line.text[: offset - line.start])


def _is_reference_line(words: Sequence[str]) -> bool:
    return any(w in REFERENCE_CONTEXT for w in words)


# -- file numbers ----------------------------------------------------------------------------


_STROKES = regex.compile(r"\(I+\)|[.\-]I{2,}$")  # 5(II), 5(III), Adm.II: strokes get lost

#: What Tesseract's Devanagari model makes of a basic-head letter in a Hindi line, with how
#: sure the reading is: ``^`` is an A without its bar; ``£`` may be F or E.
LOOKALIKES = {"^": ("A", 0.85), "£": ("F", 0.7), "€": ("E", 0.7)}


def file_numbers(page: PageText, rereads: Sequence[tuple[str, str]] = ()) -> list[Found]:
    """Every file-number candidate; ``rereads`` are second readings of file-number lines."""
    from scanpipe.classify.second_reading import agree

    return agree(_file_numbers(page), rereads)


def _labelled(before: Sequence[str]) -> bool:
    """Labelled as a file number, also across one stray mark (``फा.क्र. ६-16097/...``, where
    the Devanagari model read the head letter E as the digit ६)."""
    if ends_with_label(before, FILE_NO_LABELS):
        return True
    return len(before) > 1 and len(before[-1]) == 1 and ends_with_label(before[:-1], FILE_NO_LABELS)


def score_file_no(number: FileNumber, before: Sequence[str]) -> tuple[float, str]:
    """What the words before a number say about it, as (confidence, reason).

    This is the evidence from context alone; doubts about the OCR of the number
    itself are applied by the caller.
    """
    if _labelled(before):
        conf, why = 0.95, "labelled as a file number"
    elif number.kind is FileNoKind.FUNCTIONAL:
        conf, why = 0.85, "an e-Office functional number"
    elif ends_with_label(before, REFERENCE_LABELS) and (
        number.kind is FileNoKind.CONVENTIONAL or number.basic_head
    ):
        conf, why = 0.85, "a file-number form after 'No.'/'क्रमांक'"
    elif ends_with_label(before, REFERENCE_LABELS):
        conf, why = 0.6, "a number after 'No.'/'क्रमांक'; may be a receipt number"
    else:
        conf, why = 0.5 if number.kind is FileNoKind.SERIAL else 0.6, "unlabelled number"
    if _is_reference_line(before):
        conf, why = conf - 0.3, why + " on a line citing another letter"
    return conf, why


def _file_numbers(page: PageText) -> list[Found]:
    out: list[Found] = []
    for start, _end, written in find_candidates(page.text):
        line = page.line_at(start)
        if line is None:
            continue
        before = _before(line, start)
        labelled = _labelled(before)
        lookalike = LOOKALIKES.get(written[:1])
        try:
            number = parse_file_no(lookalike[0] + written[1:] if lookalike else written)
        except FileNumberError as exc:
            if labelled:
                out.append(
                    Found("file_no", written.strip(), 0.3,
                          f"labelled as a file number but invalid: {exc.part}: {exc.reason}",
                          line.index)
                )  # fmt: skip
            continue
        conf, why = score_file_no(number, before)
        evidence = conf
        if number.basic_head is None and page.text[max(0, start - 1) : start] in "-^~£€":
            conf, why = min(conf, 0.5), why + "; a mark before it: its letter may be lost"
        elif lookalike:
            conf = min(conf, lookalike[1])
            why += f"; '{written[0]}' read as '{number.basic_head}'"
        if _STROKES.search(number.normalised):
            conf = min(conf, 0.75)
            why += "; Roman numerals of I strokes (II, III) often lose a stroke in OCR"
        out.append(Found("file_no", number.normalised, round(conf, 2), why, line.index, evidence))
    return out


# -- dates -----------------------------------------------------------------------------------

_D = r"[0-9०-९]"
NUMERIC_DATE = regex.compile(
    rf"(?<![0-9०-९/.\-])({_D}{{1,2}})\s?([./\-])\s?({_D}{{1,2}})\s?\2\s?({_D}{{4}}|{_D}{{2}})"
    rf"(?![0-9०-९]|[/\-][A-Za-z\p{{Devanagari}}])"
)


def _digits(s: str) -> int:
    return int(normalise_for_search(s))


def _make_date(day: int, month: int, year: int) -> date | None:
    if year < 100:
        this = date.today().year
        year += 2000 if year <= this % 100 + 1 else 1900
    if not EARLIEST_YEAR <= year <= date.today().year + 1:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_found(page: PageText, line: Line, offset: int, when: date, how: str) -> Found:
    before = _before(line, offset)
    labelled = ends_with_label(before, DATE_LABELS)
    # "Bill No. 45  Date: 03/03/2020" is the bill's own date; "letter No. 12 dated ..." is not
    reference = _is_reference_line(before) or (not labelled and any(w == "no" for w in before))
    in_header = line.index < header_end(page)
    if reference:
        conf, why = 0.4, "on a line citing another letter"
    elif labelled and in_header:
        conf, why = 0.93, "labelled 'दिनांक'/'Dated' in the letter's header"
    elif labelled:
        conf, why = 0.8, "labelled 'दिनांक'/'Dated'"
    elif in_header and len(before) <= 4:
        conf, why = 0.85, "the date line of the letter's header ('New Delhi, the ...')"
    elif in_header:
        conf, why = 0.7, "in the letter's header, unlabelled"
    else:
        conf, why = 0.5, "in the text, unlabelled"
    return Found("date", when.isoformat(), conf, f"{how} {why}", line.index)


def dates(page: PageText) -> list[Found]:
    taken = [(a, b) for a, b, _ in find_candidates(page.text)]
    out: list[Found] = []
    for m in NUMERIC_DATE.finditer(page.text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue  # part of a file number such as 8/3/11-Adm
        when = _make_date(_digits(m[1]), _digits(m[3]), _digits(m[4]))
        line = page.line_at(m.start())
        if when and line:
            out.append(_date_found(page, line, m.start(), when, f"'{m.group()}'"))
    for line in page.lines:
        out.extend(_month_dates(page, line))
    return out


def _day(word: str) -> int | None:
    w = regex.sub(r"(st|nd|rd|th)$", "", word)
    return int(w) if w.isdigit() and len(w) <= 2 else None


def _month_dates(page: PageText, line: Line) -> Iterable[Found]:
    """``18 अक्टूबर 2020``, ``18th October, 2020`` and ``October 18, 2020``."""
    words, spans = line.words, line.spans
    for i, w in enumerate(words):
        month = MONTHS.get(w)
        if month is None:
            continue
        day = _day(words[i - 1]) if i > 0 else None
        if day is not None and i + 1 < len(words) and len(words[i + 1]) == 4:
            start, year = spans[i - 1][0], words[i + 1]
        elif i + 2 < len(words) and _day(words[i + 1]) and len(words[i + 2]) == 4:
            day, start, year = _day(words[i + 1]), spans[i][0], words[i + 2]
        else:
            continue
        when = _make_date(day or 0, month, int(year)) if year.isdigit() else None
        if when:
            end = spans[min(i + 2, len(spans) - 1)][1]
            yield _date_found(page, line, line.start + start, when, f"'{line.text[start:end]}'")


# -- subject ---------------------------------------------------------------------------------

_LEAD = regex.compile(r"^[\s:：\-–—।|.\u0903]+")  # incl. a visarga read for a colon: "विषय:ः-"
_STOP_WORDS = frozenset(
    {"संदर्भ", "सन्दर्भ", "ref", "reference", "महोदय", "महोदया", "sir", "madam", "उपरोक्त",
     "प्रति", "to", "कृपया", "with", "आदेश", "order", "dear"}
)  # fmt: skip


# A subject line ending in one of these words was cut; a line ending in one of
# _SUBJECT_ENDS finishes a subject ("... के संबंध में", "... बाबत").
_CONNECTIVES = frozenset(
    {"के", "की", "का", "को", "में", "से", "एवं", "तथा", "व", "हेतु", "and", "of", "for", "the",
     "to", "in", "on", "regarding"}
)  # fmt: skip
_SUBJECT_ENDS = frozenset({"बाबत", "में", "संबंध", "हेतु", "regarding", "reg", "thereof"})


def _cut(words: Sequence[str]) -> bool:
    return bool(words) and words[-1] in _CONNECTIVES


def subject(page: PageText) -> Found | None:
    for line in page.lines:
        if not line.words or line.words[0] not in SUBJECT_LABELS:
            continue
        value = _LEAD.sub("", line.text[line.spans[0][1] :]).strip()
        how = "after 'विषय'/'Subject'"
        nxt = page.lines[line.index + 1] if line.index + 1 < len(page.lines) else None
        if (
            nxt is not None
            and value
            and not value.rstrip().endswith(("।", "."))
            and nxt.words
            and nxt.words[0] not in _STOP_WORDS
            and (_cut(line.words) or (nxt.words[-1] in _SUBJECT_ENDS and len(nxt.words) <= 8))
        ):
            value, how = f"{value} {nxt.text.strip()}", how + ", continued on the next line"
        value = value.rstrip(" ।.|")
        if value:
            return Found("subject", value, 0.9, how, line.index)
    return None


# -- reference numbers -----------------------------------------------------------------------

_REF_VALUE = regex.compile(
    r"^[\s:.\-–।]*(?:/\s?)?((?:[A-Za-z]-)?[0-9०-९A-Za-z\p{Devanagari}][^\s,;]*(?:\s?/\s?[^\s,;]+)*)"
)


def _label_ending(words: Sequence[str], j: int, labels: Sequence[tuple[str, ...]]) -> int:
    """Length of the longest label ending at word ``j`` (0 when none)."""
    return max((len(lab) for lab in labels if ends_with_label(words[: j + 1], (lab,))), default=0)


def references(page: PageText) -> list[Found]:
    out: list[Found] = []
    end = header_end(page)
    for line in page.lines:
        words = line.words
        for j in range(len(words)):
            n = _label_ending(words, j, REFERENCE_LABELS)
            if not n or _label_ending(words, j, FILE_NO_LABELS) >= n:
                continue
            if j + 1 < len(words) and _label_ending(words, j + 1, REFERENCE_LABELS) > n:
                continue  # a longer label goes on: "पत्र क्र." inside "पत्र क्रमांक"
            m = _REF_VALUE.match(line.text[line.spans[j][1] :])
            if not m or not regex.search(r"[0-9०-९]", m[1]):
                continue
            value = to_ascii_digits(regex.sub(r"\s*/\s*", "/", m[1])).rstrip(".,।")
            label = " ".join(words[j + 1 - n : j + 1])
            if _is_reference_line(words[: j + 1 - n]) or line.index >= end:
                conf, why = 0.5, f"after '{label}', citing another letter"
            else:
                conf, why = 0.9, f"after '{label}' in the letter's header"
            out.append(Found("reference_no", value, conf, why, line.index))
    return out


# -- sender office ---------------------------------------------------------------------------

_OFFICE = frozenset({"कार्यालय", "office", "collectorate"})
_AUTHORITY = frozenset(
    {"कलेक्टर", "collector", "तहसील", "tahsil", "tehsil", "पंचायत", "panchayat", "विभाग",
     "department", "directorate", "संचालनालय", "आयुक्त", "commissioner", "अनुविभागीय"}
)  # fmt: skip
_STATE = frozenset({"शासन", "government", "govt"})
_END_OF_HEAD = frozenset({"प्रति", "to", "विषय", "subject"})


def sender(page: PageText, offices: Sequence[str] = ()) -> Found | None:
    """The office a letter comes from, read from its letterhead (the top lines).

    With ``offices`` (known office names) a close match gives the canonical
    name, so one office is not spelt ten ways in the registry.
    """
    found: list[Found] = []
    for line in page.head(6):
        if line.words and line.words[0] in _END_OF_HEAD:
            break
        words = set(line.words)
        if words & _OFFICE:
            conf, why = 0.85, "an office line in the letterhead"
        elif words & _AUTHORITY:
            conf, why = 0.7, "an authority named in the letterhead"
        elif words & _STATE:
            conf, why = 0.5, "the government named in the letterhead"
        else:
            continue
        text = line.text.strip().rstrip(",।")
        for name in offices:
            if fuzz.token_set_ratio(line.folded, normalise_for_search(name)) >= 88:
                conf, why, text = 0.95, f"matches the known office '{name}'", name
                break
        found.append(Found("sender", text, conf, why, line.index))
    return best(found)
