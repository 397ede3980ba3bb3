"""The bilingual glossary of office words that links English, Roman and Devanagari searches.

Spelling keys cannot tell that ``collector`` and जिलाधीश name the same
officer, or that a file is a नस्ती: that is knowledge, so it is data
(``glossary.toml``) that admins extend without code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from scanpipe.errors import ExitCode, ScanpipeError
from scanpipe.text import normalise_for_search, tokenise

GLOSSARY_FILE = "glossary.toml"

Phrase = tuple[str, ...]


class GlossaryError(ScanpipeError):
    """A glossary file that cannot be used; says what to change."""

    exit_code = ExitCode.BAD_ARGS


@dataclass(frozen=True)
class Glossary:
    """Each normalised word or phrase, mapped to the other members of its groups."""

    links: dict[Phrase, frozenset[Phrase]] = field(default_factory=dict)

    def linked(self, phrase: Phrase) -> frozenset[Phrase]:
        return self.links.get(phrase, frozenset())


def _phrase(member: str) -> Phrase:
    return tuple(tokenise(normalise_for_search(member)))


def build(groups: Iterable[Iterable[str]]) -> Glossary:
    links: dict[Phrase, set[Phrase]] = {}
    for group in groups:
        members = {p for p in map(_phrase, group) if p}
        for member in members:
            links.setdefault(member, set()).update(members - {member})
    return Glossary({k: frozenset(v) for k, v in links.items()})


def _groups(text: str, where: str) -> list[list[str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GlossaryError(
            f"the glossary {where} is not valid TOML: {exc}",
            advice='fix the line named above; each group is  name = ["word", "शब्द"]',
        ) from exc
    groups = data.get("groups", {})
    bad = [k for k, v in groups.items() if not isinstance(v, list)]
    if bad or not isinstance(groups, dict):
        raise GlossaryError(
            f"the glossary {where} has groups that are not lists: {', '.join(bad)}",
            advice='write each group as  name = ["word", "शब्द"]',
        )
    return [[str(m) for m in v] for v in groups.values()]


def load(extra: Path | None = None) -> Glossary:
    """The built-in glossary, merged with an admin's ``extra`` file when it exists."""
    text = resources.files("scanpipe.eoffice").joinpath(GLOSSARY_FILE).read_text("utf-8")
    groups = _groups(text, "built into scanpipe")
    if extra is not None and extra.is_file():
        groups += _groups(extra.read_text("utf-8"), str(extra))
    return build(groups)
