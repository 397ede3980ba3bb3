"""Classification rules a records officer can write, in TOML or JSON.

A rule gives a page a label when its condition holds::

    [[rules]]
    name = "office order heading"      # shown in the reason of every suggestion it makes
    label = "order"                    # a document kind: receipt, note, order, circular ...
    confidence = 0.9                   # how sure this rule alone is (0-1)
    scope = "head"                     # page (default) | head (first 8 lines)
    when = { any = [ { line = "कार्यालय आदेश" }, { literal = "it is hereby ordered" } ] }

A rule with ``fallback = true`` is a default: it counts only when no other
rule names a different kind (a letter's "प्रति ... विषय" also heads circulars).

Conditions nest with ``any``, ``all`` and ``not``; the leaves are

* ``literal``: these words, whole and side by side (``कल`` never matches in ``कलेक्टर``);
* ``line``: a line that holds exactly these words (a heading);
* ``regex``: a ``regex``-package pattern searched in the folded words of each line,
  joined by single spaces (punctuation is gone, digits are ASCII);
* ``fuzzy``: these words with OCR slips, ``min`` = similarity 0-100 (default 85).

Every leaf is compared after ``normalise_for_search`` (NFC, nukta folded,
Devanagari digits as ASCII, case folded), so rules are written once for both
spellings and both scripts of digits.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import regex
from rapidfuzz import fuzz

from scanpipe.classify.lexicon import PageText, find_phrase, phrase
from scanpipe.eoffice.terms import DocKind
from scanpipe.errors import ExitCode, ScanpipeError

SCOPES = ("page", "head")
HEAD_LINES = 8
DEFAULT_FUZZY = 85


class RuleError(ScanpipeError):
    """A rules file that cannot be used; says which rule and what to change."""

    exit_code = ExitCode.BAD_ARGS


Test = Callable[[PageText, str], str | None]  # (page, scope) -> what matched, or None


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    confidence: float
    scope: str
    test: Test
    fallback: bool = False  # only counts when no other rule names a different kind

    def match(self, page: PageText) -> str | None:
        """What made this rule fire on ``page`` (for the reason), or None."""
        return self.test(page, self.scope)


def _lines(page: PageText, scope: str) -> Sequence[tuple[str, ...]]:
    lines = page.head(HEAD_LINES) if scope == "head" else page.lines
    return [line.words for line in lines]


def _literal(words: tuple[str, ...]) -> Test:
    def test(page: PageText, scope: str) -> str | None:
        for line in _lines(page, scope):
            if find_phrase(line, words) >= 0:
                return f"'{' '.join(words)}'"
        return None

    return test


def _line(words: tuple[str, ...]) -> Test:
    def test(page: PageText, scope: str) -> str | None:
        return f"line '{' '.join(words)}'" if words in _lines(page, scope) else None

    return test


def _regex(pattern: regex.Pattern[str]) -> Test:
    def test(page: PageText, scope: str) -> str | None:
        text = "\n".join(" ".join(line) for line in _lines(page, scope))
        m = pattern.search(text)
        return f"/{pattern.pattern}/ ('{m.group()}')" if m else None

    return test


def _fuzzy(words: tuple[str, ...], minimum: float) -> Test:
    want = " ".join(words)

    def test(page: PageText, scope: str) -> str | None:
        n = len(words)
        for line in _lines(page, scope):
            for i in range(max(1, len(line) - n + 1)):
                got = " ".join(line[i : i + n])
                score = fuzz.ratio(want, got)
                if score >= minimum:
                    return f"'{got}' ~ '{want}' ({score:.0f}%)"
        return None

    return test


def _any(tests: list[Test]) -> Test:
    def test(page: PageText, scope: str) -> str | None:
        return next((hit for t in tests if (hit := t(page, scope))), None)

    return test


def _all(tests: list[Test]) -> Test:
    def test(page: PageText, scope: str) -> str | None:
        hits = []
        for t in tests:
            hit = t(page, scope)
            if hit is None:
                return None
            hits.append(hit)
        return " + ".join(hits)

    return test


def _not(inner: Test) -> Test:
    def test(page: PageText, scope: str) -> str | None:
        return None if inner(page, scope) else "absent"

    return test


def compile_condition(node: Any, where: str) -> Test:
    """Turn one ``when`` table into a test; ``where`` names it in error messages."""
    if not isinstance(node, dict) or len(node) - ("min" in node) != 1:
        raise RuleError(
            f"{where}: a condition is a table with exactly one of "
            "any, all, not, literal, line, regex, fuzzy",
            advice='e.g. when = { any = [ { literal = "आदेश" }, { literal = "order" } ] }',
        )
    key = next(k for k in node if k != "min")
    value = node[key]
    if key in ("any", "all"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: '{key}' needs a non-empty list of conditions")
        tests = [compile_condition(v, f"{where}.{key}[{i}]") for i, v in enumerate(value)]
        return _any(tests) if key == "any" else _all(tests)
    if key == "not":
        return _not(compile_condition(value, f"{where}.not"))
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: '{key}' needs some text")
    if key == "regex":
        try:
            return _regex(regex.compile(value, regex.IGNORECASE))
        except regex.error as exc:
            raise RuleError(
                f"{where}: the regex {value!r} is invalid: {exc}",
                advice="regexes use the Python 'regex' syntax and see folded text: "
                "lower case, digits 0-9, no nukta",
            ) from exc
    words = phrase(value)
    if not words:
        raise RuleError(f"{where}: {value!r} has no words to match")
    if key == "literal":
        return _literal(words)
    if key == "line":
        return _line(words)
    if key == "fuzzy":
        minimum = node.get("min", DEFAULT_FUZZY)
        if not isinstance(minimum, int | float) or not 50 <= minimum <= 100:
            raise RuleError(f"{where}: 'min' must be a similarity from 50 to 100")
        return _fuzzy(words, float(minimum))
    raise RuleError(
        f"{where}: unknown condition {key!r}",
        advice="use any, all, not, literal, line, regex or fuzzy",
    )


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    source: str  # where they came from, for reasons and errors

    def matches(self, page: PageText) -> list[tuple[Rule, str]]:
        """Every rule that fires on ``page``, with what matched."""
        return [(rule, hit) for rule in self.rules if (hit := rule.match(page)) is not None]

    def __add__(self, other: RuleSet) -> RuleSet:
        return RuleSet(self.rules + other.rules, f"{self.source} + {other.source}")


def parse_rules(data: Any, source: str, labels: Sequence[str] | None = None) -> RuleSet:
    """Validate loaded TOML/JSON data into a RuleSet; every problem names its rule."""
    allowed = tuple(labels) if labels is not None else tuple(k.value for k in DocKind)
    items = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise RuleError(
            f"{source}: no [[rules]] list", advice="see 'scanpipe file rules --example'"
        )
    rules: list[Rule] = []
    for i, item in enumerate(items):
        where = f"{source}: rule {i + 1}"
        if not isinstance(item, dict):
            raise RuleError(f"{where} is not a table")
        name = item.get("name") or f"rule {i + 1}"
        where = f"{source}: rule {i + 1} ({name})"
        unknown = set(item) - {"name", "label", "confidence", "scope", "when", "fallback"}
        if unknown:
            raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
        label = item.get("label")
        if label not in allowed:
            raise RuleError(f"{where}: label {label!r} is not one of {', '.join(allowed)}")
        confidence = item.get("confidence", 0.8)
        if not isinstance(confidence, int | float) or not 0 < confidence <= 1:
            raise RuleError(f"{where}: confidence must be a number above 0 and at most 1")
        scope = item.get("scope", "page")
        if scope not in SCOPES:
            raise RuleError(f"{where}: scope must be one of {', '.join(SCOPES)}")
        if "when" not in item:
            raise RuleError(f"{where}: no 'when' condition")
        test = compile_condition(item["when"], f"{where}: when")
        fallback = item.get("fallback", False)
        if not isinstance(fallback, bool):
            raise RuleError(f"{where}: fallback must be true or false")
        rules.append(Rule(str(name), label, float(confidence), scope, test, fallback))
    return RuleSet(tuple(rules), source)


def load_rules(path: Path | str) -> RuleSet:
    """Read a ``.toml`` or ``.json`` rules file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"cannot read rules: {exc.strerror}", path=path) from exc
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RuleError(
            f"{path.name} is not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: "
            f"{exc}",
            advice="fix the syntax at the position shown; save the file as UTF-8",
            path=path,
        ) from exc
    return parse_rules(data, path.name)


def default_rules() -> RuleSet:
    """The built-in rules (``default_rules.toml``), written in the same language."""
    text = resources.files("scanpipe.classify").joinpath("default_rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text), "built-in rules")
