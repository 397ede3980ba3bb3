"""Per-page and per-file classification: language, document kind, notesheets, metadata.

The classifier only proposes. Every value is a ``Suggestion`` with its reason
and confidence; the registry applies those at or above the threshold and
queues the rest for a person (``Registry.add_file``). Rules a records officer
wrote and the model learned from confirmed labels both vote on the kind;
when they disagree the confidence drops, so the page goes to review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import regex

from scanpipe.classify import extract
from scanpipe.classify.learned import DocTypeModel
from scanpipe.classify.lexicon import PageText
from scanpipe.classify.rules import Rule, RuleSet, default_rules
from scanpipe.eoffice.fileno import FileNumberError, parse_file_no
from scanpipe.eoffice.terms import DocKind, Language
from scanpipe.model import Classification, PageLabels, PageResult, Suggestion

DEFAULT_THRESHOLD = 0.8
BLANK_LETTERS = 12  # a page with fewer letters than this is blank (specks, a stamp)
HINDI_SHARE = 0.75  # Devanagari share of letters at or above which a page is Hindi
ENGLISH_SHARE = 0.25  # ... at or below which it is English; mixed in between
_DEVA = regex.compile(r"[\p{Devanagari}&&\p{L}]", regex.V1)
_LATIN = regex.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Vote:
    label: str
    confidence: float
    reason: str
    source: str
    fallback: bool = False


def language(text: str) -> tuple[Language, str]:
    """hi / en / mixed by the share of Devanagari among all letters; none if too few."""
    deva, latin = len(_DEVA.findall(text)), len(_LATIN.findall(text))
    total = deva + latin
    if total < BLANK_LETTERS:
        return Language.NONE, f"only {total} letters"
    share = deva / total
    why = f"Devanagari {share:.0%} of {total} letters"
    if share >= HINDI_SHARE:
        return Language.HI, why
    if share <= ENGLISH_SHARE:
        return Language.EN, why
    return Language.MIXED, why


def combine(votes: Sequence[Vote]) -> Vote:
    """One kind from all votes: evidence for a kind adds up, a rival kind subtracts.

    Per kind, independent votes combine as 1 - prod(1 - c). The winner's
    confidence is then reduced by half the runner-up's, so two strong but
    contradictory signals end below the review threshold.
    """
    strong = {v.label for v in votes if not v.fallback}
    votes = [v for v in votes if not v.fallback or not strong or v.label in strong]
    if not votes:
        return Vote(DocKind.OTHER.value, 0.3, "no rule matched and no model", "rule")
    score: dict[str, float] = {}
    for v in votes:
        score[v.label] = 1 - (1 - score.get(v.label, 0.0)) * (1 - v.confidence)
    ranked = sorted(score.items(), key=lambda kv: -kv[1])
    label, top = ranked[0]
    rival = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = max(0.0, top - rival / 2)
    reasons = "; ".join(f"{v.reason} -> {v.label}" for v in votes)
    sources = {v.source for v in votes if v.label == label}
    source = "model" if sources == {"model"} else "rule"
    return Vote(label, round(confidence, 3), reasons, source)


class Classifier:
    """Rules (built-in plus a records room's own), an optional learned model, known offices."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        model: DocTypeModel | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        offices: Sequence[str] = (),
    ) -> None:
        self.rules = rules if rules is not None else default_rules()
        self.model = model
        self.threshold = threshold
        self.offices = tuple(offices)

    def kind(self, page: PageText, matches: Sequence[tuple[Rule, str]] | None = None) -> Vote:
        """The document kind of one page, with every vote in the reason."""
        fired = self.rules.matches(page) if matches is None else matches
        votes = [
            Vote(rule.label, rule.confidence, f"rule '{rule.name}': {hit}", "rule", rule.fallback)
            for rule, hit in fired
        ]
        if self.model is not None and page.words:
            p = self.model.predict(page.text)
            votes.append(Vote(p.label, p.confidence, p.reason, "model"))
        return combine(votes)

    def page(
        self, number: int, text: str, rereads: Sequence[tuple[str, str]] = ()
    ) -> tuple[PageLabels, bool]:
        """Classify one page; also say whether it has a header of its own."""
        page = PageText(text)
        lang, lang_why = language(page.text)
        if lang is Language.NONE:
            labels = PageLabels(
                number, lang.value, DocKind.BLANK.value, 0.95, f"blank: {lang_why}", "rule",
                notesheet=False, starts_document=False,
            )  # fmt: skip
            return labels, False
        matches = self.rules.matches(page)
        vote = self.kind(page, matches)
        found = [
            f
            for f in (
                extract.best(extract.dates(page)),
                extract.sender(page, self.offices),
                extract.best(extract.references(page)),
                _as_document_subject(extract.subject(page)),
                extract.best(extract.file_numbers(page, rereads)),
            )
            if f is not None
        ]
        fields = (
            *(Suggestion(f.field, f.value, f.confidence, f.reason, "extractor", number)
              for f in found),
            Suggestion("language", lang.value, 0.95, lang_why, "extractor", number),
        )  # fmt: skip
        has_header = any(
            f.field in ("doc_subject", "sender") and f.confidence >= 0.7 for f in found
        )
        has_header = has_header or any(r.scope == "head" for r, _ in matches)
        labels = PageLabels(
            number=number,
            language=lang.value,
            doc_type=vote.label,
            confidence=vote.confidence,
            reason=vote.reason,
            source=vote.source,
            notesheet=vote.label == DocKind.NOTE.value,
            starts_document=has_header,
            fields=fields,
        )
        return labels, has_header

    def file(self, pages: Sequence[PageResult] | Sequence[tuple[int, str]]) -> Classification:
        """Classify every page, mark where documents start, and propose file fields."""
        items = [
            (p.number, p.text, p.rereads) if isinstance(p, PageResult) else (*p, ()) for p in pages
        ]
        labelled: list[PageLabels] = []
        previous: PageLabels | None = None
        for number, text, rereads in sorted(items, key=lambda item: item[0]):
            labels, has_header = self.page(number, text, rereads)
            if labels.doc_type not in (DocKind.BLANK.value, DocKind.SEPARATOR.value):
                labels = self._continuation(labels, has_header, previous)
                starts = (
                    previous is None
                    or has_header
                    or previous.doc_type == DocKind.SEPARATOR.value
                    or previous.doc_type != labels.doc_type
                )
                labels = _with_start(labels, starts)
                previous = labels
            elif labels.doc_type == DocKind.SEPARATOR.value:
                previous = labels
            labelled.append(labels)
        return Classification(tuple(labelled), file_suggestions(labelled), self.threshold)

    def _continuation(
        self, labels: PageLabels, has_header: bool, previous: PageLabels | None
    ) -> PageLabels:
        """A weak page with no heading of its own continues the document before it.

        The second page of a letter or a notesheet rarely says what it is; its
        kind is the kind of the page it follows (a little less sure).
        """
        if (
            has_header
            or labels.confidence >= self.threshold
            or previous is None
            or previous.doc_type in (DocKind.BLANK.value, DocKind.SEPARATOR.value)
        ):
            return labels
        return replace(
            labels,
            doc_type=previous.doc_type,
            confidence=round(previous.confidence * 0.95, 3),
            reason=f"continues page {previous.number} ({previous.doc_type}); "
            f"alone: {labels.doc_type} {labels.confidence:.2f}",
            source=previous.source,
            notesheet=previous.notesheet,
        )


def _as_document_subject(found: extract.Found | None) -> extract.Found | None:
    """A page's subject is its document's; the file's subject is proposed separately."""
    return replace(found, field="doc_subject") if found else None


def _with_start(labels: PageLabels, starts: bool) -> PageLabels:
    return replace(labels, starts_document=starts)


def file_suggestions(pages: Sequence[PageLabels]) -> tuple[Suggestion, ...]:
    """File number, subject and year for the whole file, from its pages' fields.

    The first page of a file (its first note, or its first letter) names the
    file best, so among equally confident values the earliest page wins; a
    different confident number elsewhere lowers the confidence and is named.
    """
    out: list[Suggestion] = []
    numbers = [f for p in pages for f in p.fields if f.field == "file_no"]
    if numbers:
        top = min(numbers, key=lambda f: (-f.confidence, f.page or 0))
        rivals = {f.value for f in numbers if f.value != top.value and f.confidence >= 0.9}
        conf, why = top.confidence, f"page {top.page}: {top.reason}"
        if rivals:
            conf, why = conf - 0.15, why + f"; other numbers in the file: {', '.join(rivals)}"
        out.append(Suggestion("file_no", top.value, round(conf, 3), why, "extractor", top.page))
        try:
            year = str(parse_file_no(top.value).year)
        except FileNumberError:
            year = ""  # an invalid number is suggested for review only; it gives no year
        if year:
            out.append(
                Suggestion("year", year, round(conf, 3), "the year in the file number",
                           "extractor", top.page)
            )  # fmt: skip
    subjects = [f for p in pages for f in p.fields if f.field == "doc_subject"]
    if subjects:
        first = subjects[0]
        conf = 0.85 if first.page == pages[0].number else 0.7
        out.append(
            Suggestion("subject", first.value, conf, f"page {first.page}: {first.reason}",
                       "extractor", first.page)
        )  # fmt: skip
    return tuple(out)
