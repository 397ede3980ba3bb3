"""The web's gettext catalogs: complete in Hindi, compiled and read like a translator's tool
writes them, and every label a template asks for exists."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.support import Translations

from scanpipe.eoffice.terms import FileState, Grading, Nature, PartKind
from scanpipe.routing.rules import Move
from scanpipe.web import catalog
from scanpipe.web.i18n import MESSAGES, label

TEMPLATES = Path(catalog.__file__).with_name("templates")


def test_every_message_has_a_hindi_translation() -> None:
    assert catalog.missing("hi") == []
    # On a Hindi page the language switch offers "English": the one label in Latin letters.
    latin = [k for k in MESSAGES if not re.search("[\u0900-\u097f]", label(k, "hi"))]
    assert latin == ["switch"]


def test_the_compiled_catalog_reads_the_same_as_its_source(tmp_path: Path) -> None:
    mo = tmp_path / "messages.mo"
    with mo.open("wb") as fh:
        write_mo(fh, catalog.read("hi"))
    with mo.open("rb") as fh:
        compiled = Translations(fh)
    for key, english in MESSAGES.items():
        assert compiled.pgettext(key, english) == label(key, "hi")


def test_every_label_a_template_names_exists() -> None:
    named = set()
    for page in TEMPLATES.glob("*.html"):
        named |= set(re.findall(r"t\('([a-z_]+)'\)", page.read_text(encoding="utf-8")))
    assert named and named <= set(MESSAGES), named - set(MESSAGES)


def test_every_data_word_the_pages_show_is_translated() -> None:
    words = (
        [f"status_{s}" for s in ("ok", "review", "failed")]
        + [f"move_{m.value}" for m in Move]
        + [f"state_{s.value}" for s in FileState]
        + [f"nature_{n.value}" for n in Nature]
        + [f"part_{p.value.replace('-', '_')}" for p in PartKind]
        + [f"grading_{g.value.replace('-', '_')}" for g in Grading]
        + [f"source_{s}" for s in ("unicode", "legacy", "ocr")]
    )
    assert [w for w in words if w not in MESSAGES] == []
    assert all(not label(w, "hi").isascii() for w in words)


def test_a_new_message_is_merged_untranslated_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(catalog.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(catalog, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setitem(MESSAGES, "brand_new", "A brand new label")
    assert catalog.missing("hi") == ["brand_new"]
    merged = catalog.update("hi")
    assert merged.get("A brand new label", context="brand_new") is not None
    assert catalog.main(["--check"]) == 1  # make catalogs fails on the gap
