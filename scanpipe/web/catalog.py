"""The gettext catalogs of the web app: extract, merge, compile and load, with Babel.

``make catalogs-update`` writes ``messages.pot`` from ``messages.MESSAGES`` and
merges it into each language's ``messages.po`` (new messages arrive
untranslated, removed ones become obsolete, as Poedit and Weblate expect).
``make catalogs`` (run before the tests) compiles each ``messages.mo`` and fails
when a message has no translation. At run time a compiled ``.mo``
newer than its ``.po`` is used; otherwise the ``.po`` itself is read, so a
fresh clone works before anyone compiles.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from scanpipe.web.messages import MESSAGES

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
LANGUAGES = ("hi",)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def template() -> Catalog:
    """The catalog template: every message the web shows, English text and key."""
    pot = Catalog(project="scanpipe", domain=DOMAIN)
    for key, english in MESSAGES.items():
        pot.add(english, context=key)
    return pot


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def missing(lang: str) -> list[str]:
    """Keys whose message has no translation, or a fuzzy one, in ``lang``'s catalog."""
    catalog = read(lang)
    out = []
    for message in template():
        if not message.id:
            continue  # the header
        found = catalog.get(message.id, context=message.context)
        if found is None or not found.string or found.fuzzy:
            out.append(str(message.context))
    return out


def update(lang: str) -> Catalog:
    """Merge the template into ``lang``'s catalog and write it back."""
    catalog = read(lang)
    catalog.update(template(), no_fuzzy_matching=True)
    with po_path(lang).open("wb") as fh:
        write_po(fh, catalog, width=100, ignore_obsolete=False)
    return catalog


def compile_mo(lang: str) -> Path:
    catalog = read(lang)
    target = po_path(lang).with_suffix(".mo")
    with target.open("wb") as fh:
        write_mo(fh, catalog)
    return target


def load(lang: str) -> NullTranslations:
    po = po_path(lang)
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if not po.is_file():
        return NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, read(lang))
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def main(argv: list[str] | None = None) -> int:
    """``--update``: write the .pot and merge it into each .po (after adding messages);
    always: compile each .mo and report gaps (``--check``: fail on one)."""
    args = argv if argv is not None else sys.argv[1:]
    if "--update" in args:
        with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
            write_po(fh, template(), width=100, omit_header=False)
    for lang in LANGUAGES:
        if "--update" in args:
            update(lang)
        compile_mo(lang)
        gaps = missing(lang)
        if gaps:
            print(f"{lang}: {len(gaps)} message(s) without a translation: {', '.join(gaps)}")
            if "--check" in args:
                return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
