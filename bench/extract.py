"""Precision and recall of metadata extraction on scanned pages with known labels.

    .venv/bin/python bench/extract.py [--docs 48] [--jobs 2] [--seed 7] [--out FILE]

A labelled set is generated here from its own templates (a Zila Panchayat
letter, a Government of India letter with a functional number, notesheets,
orders, circulars, applications, inspection reports, bills). They differ
from the test fixtures and from ``scanpipe.samples.letter_lines`` on purpose:
other letterheads, other number forms (sub-files, parts, Devanagari digits),
other date forms (``18 अक्टूबर 2020``, ``14.07.22``, ``the 3rd March, 2021``),
and distractors (a cited letter's number and date on a "संदर्भ" line).
Each page is rendered and degraded by ``scanpipe.samples`` (skew, blur,
noise, sometimes JPEG), then OCRed, classified and registered by the real
``scanpipe convert --json``; the values are read back from the registry.

A value counts as predicted when it was applied (at or above the review
threshold). P = right / predicted, R = right / labelled. The "with review"
rows also count values parked for review, i.e. what a clerk is shown.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from runners import OUT_DIR, ensure_repo_importable, match_records, scanpipe_convert, venv_tool

ensure_repo_importable()

from scanpipe import samples  # noqa: E402
from scanpipe.eoffice.fileno import parse_file_no  # noqa: E402
from scanpipe.registry import Registry  # noqa: E402
from scanpipe.text import normalise_for_search  # noqa: E402

FIELDS = ("file_no", "date", "subject", "doc_type")
DEVA = str.maketrans("0123456789", "०१२३४५६७८९")

HI_MONTHS = ("जनवरी", "फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर",
             "अक्टूबर", "नवंबर", "दिसंबर")  # fmt: skip
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip


@dataclass(frozen=True)
class Doc:
    lines: list[str]
    truth: dict[str, str | None]  # field -> expected value (file_no normalised, ISO date)


# -- value generators ------------------------------------------------------------------------


def file_number(rng: random.Random, english: bool = False) -> str:
    """A file number in one of the forms in use; English letters carry Latin ones."""
    year = rng.randint(1998, 2023)
    form = rng.choice([0, 1, 2, 3, 5] if english else range(6))
    if form == 0:
        head = f"{rng.randint(11, 29)}0{rng.randint(10, 99)}"
        sec = rng.choice(["ARC-DARPG", "Estt", "Adm.II", "E-III", "Coord"])
        return f"{rng.choice('ANGEFR')}-{head}/{rng.randint(1, 90)}/{year}-{sec}"
    if form == 1:
        return f"{rng.randint(1, 40)}/{rng.randint(1, 99)}/{year % 100:02d}-{rng.choice(['Adm', 'Rev', 'Genl'])}"  # noqa: E501
    if form == 2:
        return f"A-11011/{rng.randint(1, 30)}({rng.choice(['I', 'II', 'III'])})/{year}-Est"
    if form == 3:
        return f"A-21001({rng.randint(1, 6)})/{rng.randint(1, 30)}/{year}/DFG"
    if form == 4:
        sec = rng.choice(["स्था.", "रा.", "भू-अभि.", "लेखा", "जि.पं."])
        number = f"{rng.randint(10, 999)}/{year}/{sec}"
        return number.translate(DEVA) if rng.random() < 0.6 else number
    return (
        f"F-{rng.randint(10, 999)}/{year}/{rng.choice(['GAD', 'REV', 'LR'])}-{rng.randint(1, 40)}"
    )


def when(rng: random.Random) -> date:
    return date(rng.randint(2001, 2023), rng.randint(1, 12), rng.randint(1, 28))


def date_text(d: date, rng: random.Random, hindi: bool) -> str:
    """A date as such a letter writes it: Hindi letters never use English month names."""
    form = rng.randrange(4 if hindi else 5)
    if form == 0:
        text = f"{d.day:02d}/{d.month:02d}/{d.year}"
    elif form == 1:
        text = f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}"
    elif form == 2:
        text = f"{d.day}-{d.month}-{d.year}"
    elif form == 3 and hindi:
        text = f"{d.day} {HI_MONTHS[d.month - 1]} {d.year}"
    else:
        text = f"{d.day} {EN_MONTHS[d.month - 1]}, {d.year}"
    return text.translate(DEVA) if hindi and rng.random() < 0.4 else text


HI_SUBJECTS = (
    "ग्राम पंचायतों में मनरेगा कार्यों की समीक्षा बाबत",
    "पुराने अभिलेखों के विनष्टीकरण की अनुमति बाबत",
    "शासकीय भवनों की मरम्मत हेतु राशि स्वीकृति",
    "राजस्व प्रकरणों के समय-सीमा में निराकरण बाबत",
    "कर्मचारियों के अवकाश नगदीकरण के संबंध में",
    "जनगणना कार्य हेतु प्रगणकों की नियुक्ति",
)
EN_SUBJECTS = (
    "Weeding out of old records in the record room",
    "Implementation of e-Office in district offices",
    "Training of staff on digitisation of files",
    "Review of pending court cases of the Revenue Department",
)
OFFICES_HI = (
    ("कार्यालय मुख्य कार्यपालन अधिकारी", "जिला पंचायत मुंगेली (छ.ग.)"),
    ("कार्यालय तहसीलदार", "तहसील पथरिया, जिला मुंगेली"),
    ("कार्यालय अनुविभागीय अधिकारी (राजस्व)", "लोरमी, जिला मुंगेली"),
)


# -- templates -------------------------------------------------------------------------------


def hindi_letter(rng: random.Random) -> Doc:
    office = rng.choice(OFFICES_HI)
    fno = file_number(rng) if rng.random() < 0.7 else None
    d, cited = when(rng), when(rng)
    subject = rng.choice(HI_SUBJECTS)
    lines = ["छत्तीसगढ़ शासन", *office]
    if fno:
        lines.append(f"{rng.choice(['नस्ती क्र.', 'फा.क्र.', 'नस्ती क्रमांक'])} {fno}")
    lines += [
        f"क्रमांक/{rng.randint(100, 999)}/{rng.choice(['स्था.', 'जि.पं.'])}",
        f"मुंगेली, दिनांक {date_text(d, rng, True)}",
        "प्रति,", "तहसीलदार, तहसील लोरमी", f"विषय:- {subject}।",
        f"संदर्भ:- आपका पत्र क्र. {rng.randint(10, 999)}/{cited.year} दिनांक "
        f"{date_text(cited, rng, True)}",
        "उपरोक्त विषयांतर्गत लेख है कि कार्यवाही शीघ्र की जाए।",
        "कृपया प्रगति से अवगत कराएं।", "मुख्य कार्यपालन अधिकारी",
    ]  # fmt: skip
    truth_no = parse_file_no(fno).normalised if fno else None
    return Doc(lines, {"file_no": truth_no, "date": d.isoformat(), "subject": subject,
                       "doc_type": "receipt"})  # fmt: skip


def english_letter(rng: random.Random) -> Doc:
    fno = file_number(rng, english=True)
    d = when(rng)
    subject = rng.choice(EN_SUBJECTS)
    nth = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d.day, "th")
    dated = (f"New Delhi, the {d.day}{nth} {EN_MONTHS[d.month - 1]}, {d.year}" if rng.random() < 0.5
             else f"Dated: {date_text(d, rng, False)}")  # fmt: skip
    lines = [
        f"{rng.choice(['F.No.', 'File No.', 'No.'])} {fno}", "Government of India",
        "Ministry of Personnel, Public Grievances and Pensions", dated, "To,",
        "The Collector, District Mungeli", f"Subject: {subject}", "Sir/Madam,",
        "I am directed to request that the matter be treated as urgent.",
        "Yours faithfully,", "(R. K. Sharma)", "Under Secretary",
    ]  # fmt: skip
    return Doc(lines, {"file_no": parse_file_no(fno).normalised, "date": d.isoformat(),
                       "subject": subject, "doc_type": "receipt"})  # fmt: skip


def notesheet(rng: random.Random) -> Doc:
    fno, d, subject = file_number(rng), when(rng), rng.choice(HI_SUBJECTS)
    lines = [
        rng.choice(["नोटशीट", "टीप", "नस्ती टीप"]), f"नस्ती क्रमांक {fno}", f"विषय: {subject}।",
        f"पी.यू.सी. पृष्ठ {rng.randint(1, 40)}/प पर अवलोकनार्थ प्रस्तुत है।",
        "प्रकरण में शासन के निर्देश संलग्न हैं।", "कृपया आदेशार्थ प्रस्तुत।",
        "सहायक ग्रेड-2", f"दिनांक {date_text(d, rng, True)}",
    ]  # fmt: skip
    return Doc(lines, {"file_no": parse_file_no(fno).normalised, "date": d.isoformat(),
                       "subject": subject, "doc_type": "note"})  # fmt: skip


def order(rng: random.Random) -> Doc:
    d = when(rng)
    lines = [
        "कार्यालय कलेक्टर, जिला मुंगेली (छ.ग.)", rng.choice(["// आदेश //", "आदेश", "कार्यालय आदेश"]),
        f"क्रमांक/{rng.randint(10, 999)}/स्था./{d.year}",
        f"मुंगेली, दिनांक {date_text(d, rng, True)}",
        "श्री रमेश कुमार, सहायक ग्रेड-3 को तत्काल प्रभाव से",
        "तहसील कार्यालय लोरमी में पदस्थ किया जाता है।", "कलेक्टर, जिला मुंगेली",
    ]  # fmt: skip
    return Doc(lines, {"file_no": None, "date": d.isoformat(), "subject": None,
                       "doc_type": "order"})  # fmt: skip


def circular(rng: random.Random) -> Doc:
    d, subject = when(rng), rng.choice(HI_SUBJECTS)
    lines = [
        "कार्यालय कलेक्टर, जिला मुंगेली (छ.ग.)", rng.choice(["परिपत्र", "अधिसूचना"]),
        f"दिनांक {date_text(d, rng, True)}", f"विषय: {subject}।",
        "समस्त विभाग प्रमुख एवं सर्व संबंधितों को सूचित किया जाता है कि",
        "निर्देशों का पालन अनिवार्य रूप से करें।", "कलेक्टर",
    ]  # fmt: skip
    return Doc(lines, {"file_no": None, "date": d.isoformat(), "subject": subject,
                       "doc_type": "circular"})  # fmt: skip


def application(rng: random.Random) -> Doc:
    d = when(rng)
    subject = rng.choice(["भूमि के सीमांकन हेतु आवेदन", "आय प्रमाण पत्र जारी करने हेतु आवेदन"])
    lines = [
        "सेवा में,", "श्रीमान तहसीलदार महोदय,", "तहसील पथरिया, जिला मुंगेली", f"विषय:- {subject}।",
        "महोदय,", "सविनय निवेदन है कि प्रार्थी ग्राम सरगांव का निवासी है।",
        "अतः निवेदन है कि आवश्यक कार्यवाही करने की कृपा करें।", "प्रार्थी",
        "रामलाल साहू", f"दिनांक: {date_text(d, rng, True)}",
    ]  # fmt: skip
    return Doc(lines, {"file_no": None, "date": d.isoformat(), "subject": subject,
                       "doc_type": "application"})  # fmt: skip


def report(rng: random.Random) -> Doc:
    d, subject = when(rng), "ग्राम पंचायत सरगांव के अभिलेखों का निरीक्षण"
    lines = [
        rng.choice(["निरीक्षण प्रतिवेदन", "जांच प्रतिवेदन"]), f"विषय: {subject}",
        f"निरीक्षण दिनांक {date_text(d, rng, True)} को किया गया।",
        "निरीक्षण में पाया गया कि रोकड़ बही अद्यतन नहीं है।",
        "निष्कर्ष: सचिव को चेतावनी दी जाए।", "निरीक्षणकर्ता अधिकारी",
    ]  # fmt: skip
    return Doc(lines, {"file_no": None, "date": d.isoformat(), "subject": subject,
                       "doc_type": "report"})  # fmt: skip


def bill(rng: random.Random) -> Doc:
    d = when(rng)
    lines = [
        rng.choice(["देयक", "TAX INVOICE", "बिल"]), "मेसर्स साहू स्टेशनर्स, मुंगेली",
        f"Bill No. {rng.randint(10, 999)}    Date: {d.day:02d}/{d.month:02d}/{d.year}",
        "ए-4 कागज 10 रिम", "फाइल कवर 200 नग", f"कुल राशि रुपये {rng.randint(1000, 9999)}",
    ]  # fmt: skip
    return Doc(lines, {"file_no": None, "date": d.isoformat(), "subject": None,
                       "doc_type": "bill"})  # fmt: skip


TEMPLATES: tuple[Callable[[random.Random], Doc], ...] = (
    hindi_letter, english_letter, notesheet, order, circular, application, report, bill,
    hindi_letter, english_letter, notesheet,
)  # fmt: skip


# -- generating, converting, scoring ---------------------------------------------------------


def generate(out: Path, n: int, seed: int) -> dict[Path, Doc]:
    rng = random.Random(seed)
    docs: dict[Path, Doc] = {}
    for i in range(n):
        doc = TEMPLATES[i % len(TEMPLATES)](rng)
        lines = [unicodedata.normalize("NFC", line) for line in doc.lines]
        page = samples.render_page(lines, seed=seed * 1000 + i)
        page = samples.degrade(
            page, skew_deg=rng.uniform(-3, 3), seed=i, noise=rng.uniform(3, 7),
            blur=rng.uniform(0.5, 0.9), jpeg_quality=rng.choice([None, 75, 60]),
        )  # fmt: skip
        path = out / f"doc-{i:03d}.png"
        page.save(path, dpi=(300, 300))
        docs[path] = Doc(lines, doc.truth)
    return docs


def same(field: str, got: str | None, want: str | None) -> bool:
    if got is None or want is None:
        return False
    if field == "subject":

        def fold(s: str) -> str:
            return " ".join(normalise_for_search(s).strip(" ।.").split())

        return fold(got) == fold(want)
    return got == want


def read_back(registry: Registry, file_id: int) -> tuple[dict[str, str | None], dict[str, str]]:
    """What the registry holds (applied) and what waits for review, per field."""
    rec = registry.get_record(file_id)
    docs = sorted((d for p in rec.parts for d in p.documents), key=lambda d: d.pages or (0,))
    first = docs[0] if docs else None
    applied: dict[str, str | None] = {
        "file_no": rec.file_no_norm,
        "date": first.doc_date.isoformat() if first and first.doc_date else None,
        "subject": (first.subject if first else None) or rec.subject,
        "doc_type": None,
    }
    review: dict[str, str] = {}
    for s in rec.suggestions:
        key = {"doc_subject": "subject"}.get(s.field, s.field)
        if key == "doc_type" and s.page_number == 1 and s.status == "applied":
            applied["doc_type"] = s.value
        if key in FIELDS and s.status == "review" and key not in review:
            review[key] = s.value
    return applied, review


def similar(got: str | None, want: str | None) -> bool:
    """Subjects that differ by an OCR slip or two (a lost anusvara) still name the file."""
    from rapidfuzz import fuzz

    if got is None or want is None:
        return False
    return fuzz.ratio(normalise_for_search(got).strip(" ।."),
                      normalise_for_search(want).strip(" ।.")) >= 90  # fmt: skip


def score(rows: list[dict]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for mode in ("applied", "with review"):
        for field in (*FIELDS, "subject~90%"):
            tp = fp = fn = 0
            for r in rows:
                key = field.split("~")[0]
                want = r["truth"][key]
                got = r["applied"][key]
                if got is None and mode == "with review":
                    got = r["review"].get(key)
                ok = similar(got, want) if "~" in field else same(field, got, want)
                tp += ok
                fp += got is not None and not ok
                fn += want is not None and not ok
            p = tp / (tp + fp) if tp + fp else 1.0
            rc = tp / (tp + fn) if tp + fn else 1.0
            out[f"{field} ({mode})"] = {"precision": p, "recall": rc, "tp": tp, "fp": fp, "fn": fn}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=48)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--work", type=Path, help="Keep pages and registry here; reruns reuse OCR.")
    args = ap.parse_args(argv)
    exe = venv_tool("scanpipe")
    with tempfile.TemporaryDirectory(prefix="scanpipe-extract-") as tmp:
        work = args.work or Path(tmp)
        (work / "pages").mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        docs = generate(work / "pages", args.docs, args.seed)
        generated = time.perf_counter() - started
        conv = scanpipe_convert(exe, work / "home", list(docs), args.jobs, None)
        matched = match_records(conv.records, list(docs))
        rows = []
        with Registry.open(f"sqlite:///{work / 'home' / 'registry.sqlite3'}",
                           work / "home" / "archive") as registry:  # fmt: skip
            for path, doc in docs.items():
                rec = matched.get(path)
                if rec is None or rec.get("file_id") is None:
                    applied: dict = dict.fromkeys(FIELDS)
                    review: dict = {}
                else:
                    applied, review = read_back(registry, int(rec["file_id"]))
                rows.append({"doc": path.name, "template": doc.lines[0], "truth": doc.truth,
                             "applied": applied, "review": review})  # fmt: skip
    results = score(rows)
    if conv.run.returncode not in (0, 5):
        print(conv.run.stderr[-2000:], file=sys.stderr)
    print(f"{len(rows)} documents; generated in {generated:.0f} s, converted in "
          f"{conv.run.wall:.0f} s (exit {conv.run.returncode})")  # fmt: skip
    print(f"{'field':28} {'P':>6} {'R':>6}   tp fp fn")
    for name, r in results.items():
        print(f"{name:28} {r['precision']:6.3f} {r['recall']:6.3f}   "
              f"{r['tp']:2d} {r['fp']:2d} {r['fn']:2d}")  # fmt: skip
    for r in rows:
        wrong = [f for f in FIELDS if not same(f, r["applied"][f], r["truth"][f])
                 and (r["applied"][f] or r["truth"][f])]  # fmt: skip
        if wrong:
            print(
                f"  {r['doc']} {r['truth']['doc_type']}: "
                + "; ".join(f"{f} got {r['applied'][f]!r} want {r['truth'][f]!r}" for f in wrong)
            )
    out = args.out or OUT_DIR / f"extract-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args) | {"out": str(out)}, "results": results,
                               "rows": rows}, ensure_ascii=False, indent=1, default=str),
                   encoding="utf-8")  # fmt: skip
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
