"""Per-page triage of a PDF's text: use its Unicode layer, decode a legacy one, or OCR.

Reading a layer takes milliseconds and is exact; OCR takes seconds and is
not. But a layer is trusted only after three checks, because offices hand in
layers that lie:

1. **It is text.** A broken ToUnicode map extracts as CJK or private-use
   characters (OCRmyPDF's ``cmyk.pdf`` reads ``䴀甀氀``); damaged Devanagari
   starts words with vowel signs. Either sends the page to OCR.
2. **It is Hindi where it claims to be.** Kruti Dev / DevLys runs are decoded
   (``legacy_text``) and must then be mostly real Hindi words; so must a
   Unicode layer's Devanagari. English prose in a font whose name was lost is
   never decoded: it fails the same word test.
3. **It covers the page.** The page is rendered at 100 dpi and its letter-sized
   ink compared with the layer's word boxes (the completeness check OCR pages
   get). A typed header over a scanned body, a stamp's text on a scan, an OCR
   layer that missed a column: each leaves ink without words, and goes to OCR.

Invisible text (render mode 3) is an earlier OCR's guess, not the document's
text, and text in a legacy font we cannot decode (Chanakya, Shree-Dev...) is
recognised and read by OCR; both say so in the page's reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import regex

from scanpipe.legacy_text import (
    DECODABLE,
    MAX_MALFORMED,
    decode_kruti,
    english_share,
    judge_legacy,
    known_share,
    legacy_family,
)
from scanpipe.ocr import completeness
from scanpipe.ocr.text_layer import PageText, as_text, as_words, layer_words, read_page_text
from scanpipe.text import malformed_share, repair_mark_order

COVERAGE_DPI = 100
# A page whose largest image covers this much of it is a scan, whatever text rides on it;
# letterheads, emblems and signatures stay far below.
SCAN_IMAGE_SHARE = 0.5
EXTRACTORS = ("pdfium", "pdfminer")
# Characters that no Hindi or English office text is made of (CJK, private use, controls).
MAX_FOREIGN_SHARE = 0.02
# Letters among the layer's visible characters; a page of figures (a statement of
# accounts) is still over half letters and digits, but a font without a Unicode map
# gives punctuation and digits only.
MIN_LETTER_SHARE = 0.3
_LEADERS = frozenset(".·…-_–—")  # dot leaders and rules of a table of contents
_FOREIGN = regex.compile(r"[\p{Han}\p{Hangul}\p{Co}\p{Cc}\p{Cs}\p{Hiragana}\p{Katakana}]")


class Source:
    UNICODE = "unicode"
    LEGACY = "legacy"
    OCR = "ocr"


@dataclass(frozen=True)
class Triage:
    """Where a page's text comes from, and why: shown per page in ``show``, JSON and the web."""

    source: str  # Source.UNICODE | LEGACY | OCR
    reason: str
    text: str = ""
    words: int = 0
    missing: float = -1.0
    family: str = ""  # the legacy family decoded ("kruti"), if any
    # The layer's text failed a check that another extractor might pass (its letters
    # read as garbage or as no words); a missing or partial layer stays missing.
    second_opinion: bool = False

    @property
    def uses_layer(self) -> bool:
        return self.source != Source.OCR


def _ocr(reason: str, missing: float = -1.0, *, second_opinion: bool = False) -> Triage:
    return Triage(Source.OCR, reason, missing=missing, second_opinion=second_opinion)


def _decoder(families: dict[str, str | None]):
    def decode(text: str, font: str) -> str:
        return decode_kruti(text) if families.get(font) in DECODABLE else text

    return decode


def _ink(path: Path, index: int, rotation: int) -> np.ndarray:
    """The page as pdfium draws it, ink True, unrotated (the layer's coordinates)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        page = doc[index]
        gray = page.render(scale=COVERAGE_DPI / 72, grayscale=True, rotation=0).to_numpy()
    finally:
        doc.close()
    if gray.ndim == 3:
        gray = gray[..., 0]
    if rotation:  # pdfium applies /Rotate; turn the ink back onto the layer's axes
        gray = np.rot90(gray, k=rotation // 90)
    return gray < 160


def _shape_problem(text: str) -> str | None:
    letters = "".join(ch for ch in text if not ch.isspace())
    if not letters:
        return "the text layer holds no letters"
    odd = _FOREIGN.findall(letters)
    foreign = len(odd) / len(letters)
    if foreign > MAX_FOREIGN_SHARE:
        sample = "".join(odd[:6])
        return f"the text layer does not decode to readable text ({foreign:.0%} like '{sample}')"
    counted = [ch for ch in letters if ch not in _LEADERS]
    alphabetic = sum(ch.isalpha() for ch in counted) / max(1, len(counted))
    if alphabetic < MIN_LETTER_SHARE:  # a font without a map: codes come out as '"7+%-'
        return f"the text layer is mostly not letters ({alphabetic:.0%}, like '{letters[:8]}')"
    return None


# Share of a font's words that carry the layout's tell-tale codes (dk, ks, ;k, f=...),
# needed besides the decoded text reading as Devanagari before an unnamed font is
# decoded: Kruti-typed Hindi, Bhojpuri and Marathi have 0.14-0.54, English prose under
# 0.05 (English full of codes and brackets has 0.4, and fails the script's rules).
MIN_TELLTALE = 0.1
# A Kruti run may carry a few letters the layout lacks, typed in Unicode (ॅ, ़).
MAX_OUTSIDE_1252 = 0.02
_WINDOWS_1252 = frozenset(bytes(range(256)).decode("cp1252", errors="ignore")) | {"\n", " "}


# English prose is a fifth function words or more; a Kruti-looking run with almost none
# and too few known words to decode is neither, and is read by OCR rather than indexed.
MIN_ENGLISH_FUNCTION_WORDS = 0.05


def _kruti_by_shape(chars: list, font: str) -> str:
    """``kruti``, ``no``, or ``doubtful``: Kruti without its name, by the text's shape.

    Kruti when it is all Windows-1252, full of the layout's pairs, and Devanagari
    once decoded (known Hindi words, or, for other languages, the script's rules
    kept almost perfectly); doubtful when it looks like Kruti but is neither.
    """
    text = as_text(layer_words([c for c in chars if c.font == font]))
    foreign = sum(ch not in _WINDOWS_1252 for ch in text)
    if foreign > MAX_OUTSIDE_1252 * len(text):
        return "no"  # the layout's codes are Windows-1252 characters (a letter it lacks aside)
    verdict = judge_legacy(text)
    if verdict.telltale_share < MIN_TELLTALE:
        return "no"
    if verdict.is_hindi:
        return "kruti"
    english = english_share(text)
    clean = verdict.malformed <= MAX_MALFORMED
    if not (clean and verdict.words >= 20 and english < MIN_ENGLISH_FUNCTION_WORDS):
        return "no"
    # Sanskrit, Marathi or Bhojpuri typed in Kruti: few words a Hindi list knows, but the
    # script's rules kept almost perfectly and the layout's pairs everywhere. English, even
    # English full of codes, keeps neither (19-50% malformed, under 5% tell-tale pairs).
    strict = verdict.malformed <= MAX_MALFORMED / 2 and verdict.telltale_share >= 2 * MIN_TELLTALE
    return "kruti" if strict else "doubtful"


def _has_devanagari(found: Triage) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in found.text)


def triage_with(path: Path, index: int, extractor: str, *, coverage: bool = True) -> Triage:
    try:
        return judge(path, index, read_page_text(path, index, extractor), coverage=coverage)
    except Exception as exc:  # a layer we cannot parse is just not a layer to trust
        return _ocr(f"the text layer cannot be read ({type(exc).__name__}); read by OCR")


def triage(path: Path, index: int) -> Triage:
    """Decide the text source of PDF page ``index`` (0-based). Never raises for a bad layer."""
    first: Triage | None = None
    for extractor in EXTRACTORS:
        found = triage_with(path, index, extractor)
        if found.source == Source.UNICODE and extractor == "pdfium" and _has_devanagari(found):
            # pdfium orders some marks by position (कंे for के); pdfminer keeps the
            # stream's order, exact on every shaped page measured. Worth 40 ms a page.
            # Same glyphs, same boxes: the coverage pdfium's reading proved still holds.
            exact = triage_with(path, index, "pdfminer", coverage=False)
            if exact.source == Source.UNICODE:
                return replace(exact, missing=found.missing)
            return found
        if found.uses_layer or not found.second_opinion:
            return found
        first = first or found
    assert first is not None
    return first


def judge(path: Path, index: int, layer: PageText, *, coverage: bool = True) -> Triage:
    mapped = [c for c in layer.chars if c.text.strip()]
    if not mapped:
        return _ocr("no text layer: a scan or drawings")
    visible = [c for c in layer.chars if not c.invisible]
    if sum(1 for c in visible if c.text.strip()) < 0.5 * len(mapped):
        return _ocr("the text layer is invisible (an earlier OCR), so the page is read again")
    if layer.image_share >= SCAN_IMAGE_SHARE:
        # Text drawn with a page-sized image is a scanner's or an earlier program's OCR
        # (often English-only, so Hindi comes out as Latin garbage): read it ourselves.
        return _ocr(
            f"the text lies on a scanned image ({layer.image_share:.0%} of the page), "
            "an earlier OCR; read again"
        )
    families = {font: legacy_family(font) for font in layer.fonts}
    undecodable = sorted({f for f in families.values() if f and f not in DECODABLE})
    if undecodable:
        return _ocr(f"text in a {undecodable[0]} legacy font, which has no decoder; read by OCR")
    for font in [f for f, family in families.items() if family is None]:
        shape = _kruti_by_shape(visible, font)  # a Kruti layer whose font name was lost?
        if shape == "doubtful":
            return _ocr(
                f"the text in font {font} looks like a legacy Hindi encoding but does not "
                "decode to known words; read by OCR"
            )
        if shape == "kruti":
            families[font] = "kruti"
    rows = layer_words(visible, _decoder(families))
    text = repair_mark_order(unicodedata.normalize("NFC", as_text(rows)))
    family = "kruti" if any(f in DECODABLE for f in families.values()) else ""
    problem = _shape_problem(text)
    if problem:
        return _ocr(problem + "; read by OCR", second_opinion=True)
    share, deva = known_share(text)
    malformed, _ = malformed_share(text)
    # The text must keep the script's rules. A font named Kruti Dev shows what it decodes
    # to, whatever the words; an unnamed one was only decoded above when its words were
    # also known ones. So Marathi and Sanskrit layers, full of words a Hindi list lacks,
    # are used too.
    plausible = malformed <= MAX_MALFORMED
    if deva >= 5 and not plausible:
        what = "decoded legacy text" if family else "the text layer's Devanagari"
        return _ocr(
            f"{what} does not read as words ({malformed:.0%} malformed, {share:.0%} known "
            "Hindi words); read by OCR",
            second_opinion=True,
        )
    found = completeness.NOTHING_TO_READ
    if coverage:
        try:
            ink = _ink(path, index, layer.rotation)
        except Exception as exc:
            return _ocr(f"the page cannot be drawn to check the layer ({type(exc).__name__})")
        words = as_words(rows, layer.height_pt, COVERAGE_DPI)
        found = completeness.check(ink, words, COVERAGE_DPI)
    if not found.complete:
        return _ocr(f"the text layer does not cover the page: {found.describe()}", found.missing)
    words = sum(len(r) for r in rows)
    if family:
        why = f"Kruti Dev / DevLys text decoded to Unicode ({share:.0%} of its words known)"
        return Triage(Source.LEGACY, why, text, words, found.missing, family)
    return Triage(
        Source.UNICODE, "the PDF's own text layer covers the page", text, words, found.missing
    )
