"""NIC's migration layout for legacy files (NIC 2013 guideline): folder names and the export.

One folder per file, ``fl-`` plus the file number with ``/`` as ``_``, with the
subfolders ``Notes``, ``Receipts``, ``Issues`` and ``References``, and a
manifest. NIC allows only ``a-z A-Z 0-9 ( ) - /`` in a number, so a Hindi
section is replaced by its English code or romanised.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import regex
from sqlalchemy.orm import Session

from scanpipe.eoffice.fileno import (
    NIC_OK,
    FileNumber,
    FileNumberError,
    normalised_form,
    parse_file_no,
)
from scanpipe.eoffice.terms import FileState, Grading, Nature, PartKind
from scanpipe.errors import RegistryError
from scanpipe.registry import audit
from scanpipe.registry.eoffice_models import DocumentInfo, FileRecord
from scanpipe.text import normalise_for_search

#: Section codes of Mungeli offices, Hindi -> the English code NIC folders use. Keys are
#: normalised (no nukta, no trailing dot). A records room extends it through
#: ``nic_folder_name(..., sections=...)``.
HINDI_SECTIONS: Final[dict[str, str]] = {
    "स्था": "EST",
    "रा": "REV",
    "सा.प्र.वि": "GAD",
    "अभि": "REC",
    "भू-अभि": "LR",
    "लेखा": "ACCTS",
    "निर्वा": "ELE",
    "ई-ऑफिस": "EOF",
    "न्याय": "JUD",
}


def _pairs(chars: str, spellings: str) -> dict[str, str]:
    """Pair each character with its space-separated spelling."""
    return dict(zip(chars, spellings.split(), strict=True))


_CONSONANTS: Final = _pairs(
    "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ",
    "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h l",
)
_VOWELS: Final = _pairs("अआइईउऊऋएऐओऔऑ", "a aa i ii u uu ri e ai o au o")
_SIGNS: Final = _pairs("ािीुूृेैोौॉ", "aa i ii u uu ri e ai o au o")


def romanise(s: str) -> str:
    """A plain ASCII spelling of Devanagari for folder names, never for display.

    Not a scholarly transliteration: it only has to be stable and readable, so
    ``लेखा`` becomes ``lekhaa`` and the same section always gets the same folder.
    """
    out: list[str] = []
    chars = list(unicodedata.normalize("NFC", s))
    for i, c in enumerate(chars):
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if c in _CONSONANTS:
            out.append(_CONSONANTS[c])
            if nxt and nxt not in _SIGNS and (_is_deva_letter(nxt) or nxt in "\u0902\u0901\u0903"):
                out.append("a")
        elif c in _VOWELS:
            out.append(_VOWELS[c])
        elif c in _SIGNS:
            out.append(_SIGNS[c])
        elif c in "\u0902\u0901":
            out.append("n")
        elif c.isascii():
            out.append(c)
    return "".join(out)


def _is_deva_letter(c: str) -> bool:
    return c in _CONSONANTS or c in _VOWELS


def nic_folder_name(number: FileNumber, sections: dict[str, str] | None = None) -> str:
    """``fl-`` + the number with ``/`` as ``_`` (NIC 2013): ``fl-A-21001(3)_5_2008_DFG``.

    NIC allows only ``a-z A-Z 0-9 ( ) - /`` in a number, so a Hindi section is
    replaced by its code from ``sections`` (default ``HINDI_SECTIONS``) or
    romanised, and dots are dropped.
    """
    table = {**HINDI_SECTIONS, **(sections or {})}
    key = normalise_for_search(number.section).rstrip(".")
    if key in table:
        section = table[key]
    elif any("\u0900" <= c <= "\u097f" for c in key):
        section = "-".join(romanise(part) for part in key.split("-")).upper()
    else:
        section = number.section
    section = regex.sub(r"[^A-Za-z0-9()\-]", "", section).strip("-") or "NA"
    n = number
    name = normalised_form(
        n.basic_head, n.head, n.part_no, n.serial, n.sub_file, n.year_text, n.section_sep, section
    )
    if not NIC_OK.match(name):
        raise FileNumberError(n.written, "characters", f"{name!r} has characters NIC forbids")
    return "fl-" + name.replace("/", "_")


# -- the export ------------------------------------------------------------------------------

NOTES, RECEIPTS, ISSUES, REFERENCES = "Notes", "Receipts", "Issues", "References"
SUBFOLDERS: Final = (NOTES, RECEIPTS, ISSUES, REFERENCES)
MANIFEST_COLUMNS: Final = (
    "folder", "subfolder", "file", "file_no", "computer_no", "volume", "subject", "status",
    "part", "kind", "date", "sender", "reference_no", "pages", "page_count", "sha256",
)  # fmt: skip
#: NIC migrates files still in progress first, then closed ones.
_ORDER: Final = {FileState.OPEN.value: 0, FileState.PARKED.value: 1,
                 FileState.CLOSED.value: 2, FileState.RECORDED.value: 3}  # fmt: skip


@dataclass
class ExportReport:
    out_dir: Path
    folders: list[Path] = field(default_factory=list)
    documents: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (file id, why)
    exported: list[int] = field(default_factory=list)  # file ids written out

    @property
    def manifest(self) -> Path:
        return self.out_dir / "manifest.csv"


def _subfolder(part: str, doc: DocumentInfo, own_office: str | None) -> str:
    """Notes -> Notes; appendices -> References; letters we sent -> Issues; the rest Receipts."""
    if part == PartKind.NOTES.value:
        return NOTES
    if part in (PartKind.APPENDIX_NOTES.value, PartKind.APPENDIX_CORRESPONDENCE.value):
        return REFERENCES
    if own_office and doc.sender and _same_office(doc.sender, own_office):
        return ISSUES
    return RECEIPTS


def _same_office(sender: str, office: str) -> bool:
    from rapidfuzz import fuzz

    names = [normalise_for_search(n) for n in office.split(" / ")]
    return any(fuzz.token_set_ratio(normalise_for_search(sender), n) >= 88 for n in names)


def _pages_text(numbers: tuple[int, ...]) -> str:
    """``1-3,7``: file page numbers as ranges."""
    out: list[str] = []
    for n in numbers:
        if out and n == int(out[-1].split("-")[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ",".join(out)


def _write_pages(pdf_path: Path, numbers: tuple[int, ...], dest: Path) -> str:
    """Copy pages ``numbers`` of the archived PDF into ``dest``; return the new file's sha256."""
    import pikepdf

    with pikepdf.open(pdf_path) as src, pikepdf.new() as out:
        for n in numbers:
            out.pages.append(src.pages[n - 1])
        out.save(dest)
    return hashlib.sha256(dest.read_bytes()).hexdigest()


def export_file(record: FileRecord, folder: Path) -> list[dict[str, object]]:
    """Write one digitised file's documents into ``folder``; return its manifest rows.

    Notes become one PDF per notes part (a notesheet is one page series);
    every other document becomes its own PDF, named by its part position.
    """
    assert record.pdf_path is not None
    rows: list[dict[str, object]] = []
    vol = f"vol{record.volume}-" if record.volume > 1 else ""
    prefix = f"{vol}{record.computer_no}"
    for part in record.parts:
        units = (
            [(part.documents[0] if part.documents else None, part.pages)]
            if part.kind == PartKind.NOTES.value
            else [(d, d.pages) for d in part.documents]
        )
        for doc, pages in units:
            if not pages:
                continue
            sub = _subfolder(part.kind, doc, record.office) if doc else NOTES
            name = (f"{prefix}-notes.pdf" if part.kind == PartKind.NOTES.value
                    else f"{prefix}-{part.kind}-{doc.position:03d}-{doc.kind}.pdf" if doc
                    else f"{prefix}-{part.kind}.pdf")  # fmt: skip
            digest = _write_pages(record.pdf_path, pages, folder / sub / name)
            rows.append({
                "folder": folder.name, "subfolder": sub, "file": name,
                "file_no": record.file_no_norm, "computer_no": record.computer_no,
                "volume": record.volume, "subject": record.subject or "",
                "status": record.file_state, "part": part.kind,
                "kind": doc.kind if doc and part.kind != PartKind.NOTES.value else "note",
                "date": doc.doc_date.isoformat() if doc and doc.doc_date else "",
                "sender": (doc.sender or "") if doc else "",
                "reference_no": (doc.reference_no or "") if doc else "",
                "pages": _pages_text(pages), "page_count": len(pages), "sha256": digest,
            })  # fmt: skip
    return rows


def export_nic(records: list[FileRecord], out_dir: Path) -> ExportReport:
    """Write NIC's layout for every exportable file in ``records`` under ``out_dir``.

    A file needs a valid file number and archived scans; others are skipped
    with the reason. Folders are built under a temporary name and swapped in,
    so a failed export never leaves half a folder where a good one was.
    """
    out_dir = Path(out_dir)
    report = ExportReport(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegistryError(f"cannot create {out_dir}: {exc.strerror}", path=out_dir) from exc
    groups: dict[str, list[FileRecord]] = {}
    for rec in sorted(records, key=lambda r: (_ORDER.get(r.file_state, 9), r.id)):
        why = _not_exportable(rec)
        if why:
            report.skipped.append((rec.id, why))
            continue
        number = parse_file_no(str(rec.file_no_norm))
        groups.setdefault(nic_folder_name(number), []).append(rec)
    manifest: list[dict[str, object]] = []
    for name, recs in groups.items():
        tmp = out_dir / f".{name}.{uuid.uuid4().hex}.tmp"
        for sub in SUBFOLDERS:
            (tmp / sub).mkdir(parents=True)
        try:
            rows = [row for rec in recs for row in export_file(rec, tmp)]
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for row in rows:
            row["folder"] = name
        final = out_dir / name
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
        report.folders.append(final)
        report.exported.extend(rec.id for rec in recs)
        report.documents += len(rows)
        manifest.extend(rows)
    with report.manifest.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(manifest)
    summary = {
        "layout": "NIC 2013 legacy file migration",
        "folders": [p.name for p in report.folders],
        "documents": report.documents,
        "skipped": [{"file_id": i, "reason": why} for i, why in report.skipped],
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return report


def _not_exportable(rec: FileRecord) -> str:
    if str(rec.grading) != Grading.NORMAL.value:
        return (
            f"classified ({rec.grading}): CSMOP forbids handling classified information in "
            "e-Office; keep it on the standalone system, or declassify it first with "
            "'scanpipe file edit ID --grading normal'"
        )
    if rec.nature == Nature.PHYSICAL.value or rec.pdf_path is None:
        return "no scans: a paper file only"
    if not rec.file_no_norm:
        return "no file number; give one with 'scanpipe file edit ID --file-no ...'"
    if not rec.pdf_path.is_file():
        return f"the archived PDF is missing: {rec.pdf_path}"
    try:
        nic_folder_name(parse_file_no(rec.file_no_norm))
    except FileNumberError as exc:
        return f"file number not usable by NIC: {exc.reason}"
    return ""


def audit_export(session: Session, report: ExportReport, login: str | None) -> None:
    """One audit line per file that left, and per file held back with why (an export is a read)."""
    for file_id in report.exported:
        audit.write(session, "export", file_id, login=login, detail={"to": str(report.out_dir)})
    for file_id, why in report.skipped:
        audit.write(session, "export-skipped", file_id, login=login, detail={"why": why})
