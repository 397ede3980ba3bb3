"""Scoring and corpus loading shared by the benchmark scripts.

Everything here follows the scoring rules of ../shared/corpus/README.md to the
letter, so that figures from different tools, runs and machines compare:
NFC + zero-width removal + whitespace collapse, CER/WER as total edits over
total ground-truth characters (words), and a Devanagari/Latin split by word.
Distances come from ``rapidfuzz.distance.Levenshtein`` as the README asks.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SCRIPTS = ("all", "deva", "latin")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


# --------------------------------------------------------------------------- text


def normalise(text: str) -> str:
    """NFC, drop U+200B/C/D and U+FEFF, collapse every whitespace run to one space.

    Zero-width joiners are dropped because Tesseract and the ground truth use
    them inconsistently for the same rendered glyphs; ``str.split`` also eats
    the form feed Tesseract prints after each page.
    """
    return " ".join(unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).split())


def is_devanagari_word(word: str) -> bool:
    """Any character in U+0900–U+097F makes the word Devanagari (README rule 4)."""
    return any("\u0900" <= ch <= "\u097f" for ch in word)


def is_latin_word(word: str) -> bool:
    """ASCII letters or digits and no Devanagari make the word Latin (README rule 4)."""
    return not is_devanagari_word(word) and any(ch.isascii() and ch.isalnum() for ch in word)


def script_words(words: Sequence[str], script: str) -> list[str]:
    """The words of one bucket; words in neither bucket (pure punctuation) count only in 'all'."""
    if script == "all":
        return list(words)
    keep = is_devanagari_word if script == "deva" else is_latin_word
    return [w for w in words if keep(w)]


@dataclass
class Tally:
    """Edit counts and ground-truth sizes; sums over pages give the corpus figure."""

    char_edits: int = 0
    chars: int = 0
    word_edits: int = 0
    words: int = 0

    def add(self, other: Tally) -> None:
        self.char_edits += other.char_edits
        self.chars += other.chars
        self.word_edits += other.word_edits
        self.words += other.words

    @property
    def cer(self) -> float | None:
        return self.char_edits / self.chars if self.chars else None

    @property
    def wer(self) -> float | None:
        return self.word_edits / self.words if self.words else None


def score_text(gt: str, ocr: str) -> dict[str, Tally]:
    """Edits per script bucket for one page.

    For 'all' the whole normalised strings are compared. For a script bucket
    the words of that script are taken from each side, in reading order, and
    joined with single spaces; CER is the character distance between the two
    joined strings, WER the distance between the two word lists. This keeps a
    Devanagari misreading out of the Latin figure unless the OCR turned the
    word into Latin letters (then it counts as a Latin insertion).
    """
    gt_words = normalise(gt).split()
    ocr_words = normalise(ocr).split()
    out: dict[str, Tally] = {}
    for script in SCRIPTS:
        g = script_words(gt_words, script)
        o = script_words(ocr_words, script)
        g_text, o_text = " ".join(g), " ".join(o)
        out[script] = Tally(
            char_edits=Levenshtein.distance(g_text, o_text),
            chars=len(g_text),
            word_edits=Levenshtein.distance(g, o),
            words=len(g),
        )
    return out


def sum_tallies(pages: Iterable[dict[str, Tally]]) -> dict[str, Tally]:
    """Total edits over total ground truth: the README's corpus-level CER/WER."""
    total = {s: Tally() for s in SCRIPTS}
    for page in pages:
        for s in SCRIPTS:
            total[s].add(page[s])
    return total


# ----------------------------------------------------------------------- geometry


def wrap_quarter(deg: float) -> float:
    """Fold an angle into [-45, 45): what is left of a rotation once quarter turns are undone."""
    return (deg + 45.0) % 90.0 - 45.0


def skew_error(estimated_skew_deg: float, true_skew_deg: float) -> float:
    """|estimated correcting angle - (-skew_deg)|, after the quarter turn is undone.

    Both angles follow the manifest convention (content turned CCW by skew_deg),
    so the correcting angles are their negatives. The difference is folded
    modulo 90° so that a wrong quarter turn is charged to orientation only.
    """
    return abs(wrap_quarter(-estimated_skew_deg - -true_skew_deg))


def orientation_ok(estimated_deg: int | None, true_deg: int) -> bool:
    """Exact quarter-turn match; a missing estimate counts as wrong."""
    return estimated_deg is not None and int(estimated_deg) % 360 == int(true_deg) % 360


@dataclass
class GeometryTally:
    """Per-tool geometry figures: errors against manifest truth, and orientation hits."""

    skew_errors: list[float] = field(default_factory=list)
    skew_missing: int = 0
    orient_hits: int = 0
    orient_total: int = 0

    def summary(self) -> dict[str, float | int | None]:
        n = len(self.skew_errors)
        return {
            "skew_n": n,
            "skew_missing": self.skew_missing,
            "skew_mean_err": sum(self.skew_errors) / n if n else None,
            "skew_max_err": max(self.skew_errors) if n else None,
            # Missing estimates count against the share, as a failed page would.
            "skew_within_0_1": (
                sum(e <= 0.1 for e in self.skew_errors) / (n + self.skew_missing)
                if n + self.skew_missing
                else None
            ),
            "orient_n": self.orient_total,
            "orient_acc": self.orient_hits / self.orient_total if self.orient_total else None,
        }


# ------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Sample:
    """One scored input file: usually one page, a multi-page TIFF is one sample with one GT."""

    name: str  # path relative to the corpus folder, without the image suffix
    image: Path
    gt: str | None  # raw ground truth, None when the folder only labels geometry
    skew_deg: float | None = None  # manifest convention: content turned CCW
    orientation_deg: int | None = None  # CCW quarter turn applied before the skew


def _manifest_truth(root: Path) -> dict[Path, tuple[float | None, int | None]]:
    """Geometry truth from every manifest.json (synthetic sets) under root."""
    truth: dict[Path, tuple[float | None, int | None]] = {}
    for manifest in root.rglob("manifest.json"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for page in data.get("pages", []):
            image = (manifest.parent / page["image"]).resolve()
            truth[image] = (float(page["skew_deg"]), int(page["orientation_deg"]) % 360)
    return truth


def _label_truth(root: Path) -> dict[Path, tuple[float | None, int | None]]:
    """Orientation truth from every labels.csv under root, in the manifest's convention.

    labels.csv holds Tesseract's "Orientation in degrees", which counts the
    turn clockwise: phototest-rotated-R.png (turned right) is labelled 90. The
    manifest counts counter-clockwise, so the label is converted with
    (360 - label) % 360. Skew is not labelled there.
    """
    truth: dict[Path, tuple[float | None, int | None]] = {}
    for labels in root.rglob("labels.csv"):
        with labels.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                cw = int(row["expected_orientation_deg"])
                truth[(labels.parent / row["image"]).resolve()] = (None, (360 - cw) % 360)
    return truth


def _ground_truth_path(image: Path, root: Path) -> Path | None:
    """NAME.gt.txt beside the image; for images directly in root, also root's parent.

    The parent fallback lets a folder of originals that share their parent's
    GT (real/marathi-print-samples/fullres_original_tif) be scored directly,
    without double counting when the parent itself is scored (recursing there
    finds no GT beside those originals, so they are skipped).
    """
    beside = image.with_name(image.stem + ".gt.txt")
    if beside.is_file():
        return beside
    if image.parent == root:
        above = root.parent / (image.stem + ".gt.txt")
        if above.is_file():
            return above
    return None


def load_corpus(root: Path, every: int = 1, limit: int | None = None) -> list[Sample]:
    """All scorable samples under root (recursively), sorted by relative path.

    A sample is an image with a GT beside it, or an image that a manifest or
    labels file gives geometry truth for. ``every`` keeps every K-th sample of
    the sorted list (the corpus README measured marathi with every third page)
    and ``limit`` then caps the count.
    """
    root = root.resolve()
    truth = {**_label_truth(root), **_manifest_truth(root)}
    samples: list[Sample] = []
    images = sorted(
        (p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    for image in images:
        gt_path = _ground_truth_path(image, root)
        skew, orient = truth.get(image.resolve(), (None, None))
        if gt_path is None and orient is None and skew is None:
            continue
        rel = image.relative_to(root).with_suffix("").as_posix()
        samples.append(
            Sample(
                name=rel,
                image=image,
                gt=gt_path.read_text(encoding="utf-8") if gt_path else None,
                skew_deg=skew,
                orientation_deg=orient,
            )
        )
    samples = samples[:: max(1, every)]
    return samples[:limit] if limit else samples


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """Percent for tables; a dash when the figure does not apply."""
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def fmt_ratio(value: float | None, anchor: float | None) -> str:
    """'0.45x' against the anchor tool; a dash when either side is missing or zero."""
    if value is None or not anchor:
        return "–"
    return f"{value / anchor:.2f}x"
