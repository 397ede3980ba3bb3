"""The web's labels: a key, its English text, and the Hindi from the gettext catalog.

The English is the ``msgid`` and the key its ``msgctxt``, so a translator's tool
(Poedit, Weblate) shows what to translate and where it is used; the Hindi lives
only in ``locale/hi/LC_MESSAGES/messages.po``. ``web/catalog.py`` extracts this
table into the catalog, merges and compiles it (``make catalogs``), and a test
fails when any message lacks its Hindi.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from babel.support import NullTranslations

from scanpipe.web import catalog
from scanpipe.web.messages import MESSAGES

LANGS: Final = ("hi", "en")


@cache
def _hindi() -> NullTranslations:
    return catalog.load("hi")


def label(key: str, lang: str) -> str:
    """The label in the reader's language; a key not in MESSAGES is a KeyError (a bug)."""
    english = MESSAGES[key]
    if lang != "hi":
        return english
    return _hindi().pgettext(key, english)


def flash_text(flash: str, lang: str) -> str:
    """``key`` or ``key:detail`` set by an action, as a sentence in the reader's language."""
    key, _, detail = flash.partition(":")
    if key not in MESSAGES:
        return flash
    return f"{label(key, lang)} {detail}".strip()
