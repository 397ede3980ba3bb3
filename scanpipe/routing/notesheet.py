"""The notesheet as a PDF: final notes in paragraph order with author, designation and date.

fpdf2 shapes text with HarfBuzz, so Devanagari conjuncts, reordered vowel
signs (ि) and reph come out as a reader expects; plain PDF text drawing
would put them in code-point order. Latin text uses Noto Sans and falls
back to Noto Sans Devanagari glyph by glyph, so mixed lines need no markup.
Drafts are never exported: they are private to their author.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF

from scanpipe.errors import MissingDependencyError, ScanpipeError
from scanpipe.routing.facade import Routing
from scanpipe.routing.views import NoteInfo

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/noto"))
FONTS = {
    "latin": "NotoSans-Regular.ttf",
    "latin-bold": "NotoSans-Bold.ttf",
    "deva": "NotoSansDevanagari-Regular.ttf",
    "deva-bold": "NotoSansDevanagari-Bold.ttf",
}
IST = ZoneInfo("Asia/Kolkata")  # notesheets carry local dates, as officers sign them


def _font(name: str) -> Path:
    for folder in FONT_DIRS:
        path = folder / FONTS[name]
        if path.is_file():
            return path
    raise MissingDependencyError(
        f"the font {FONTS[name]} is missing, so Hindi cannot be typeset",
        advice="install it: sudo apt-get install fonts-noto-core (or run 'make deps')",
    )


class _Sheet(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.title_line = title
        self.add_font("latin", fname=str(_font("latin")))
        self.add_font("latin", style="B", fname=str(_font("latin-bold")))
        self.add_font("deva", fname=str(_font("deva")))
        self.add_font("deva", style="B", fname=str(_font("deva-bold")))
        self.set_fallback_fonts(["deva"])
        self.set_text_shaping(True)
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=18)

    def header(self) -> None:
        self.set_font("latin", "B", 9)
        self.cell(0, 6, self.title_line, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("latin", "", 8)
        self.cell(0, 6, f"नोटशीट पृष्ठ / Notesheet page {self.page_no()}", align="C")


def _date(value: datetime | None) -> str:
    return value.astimezone(IST).strftime("%d/%m/%Y %H:%M") if value else ""


def render_notesheet(
    file_no: str | None,
    subject: str | None,
    office: str | None,
    section: str | None,
    notes: list[NoteInfo],
) -> tuple[bytes, int]:
    """The PDF bytes and page count; pure, so it can be tested without a registry."""
    finals = [n for n in notes if n.status == "final"]
    sheet = _Sheet(f"File No. / फ़ाइल क्रमांक: {file_no or '—'}")
    sheet.add_page()
    sheet.set_font("latin", "B", 14)
    sheet.cell(0, 9, "नोटशीट / NOTESHEET", align="C", new_x="LMARGIN", new_y="NEXT")
    sheet.set_font("latin", "", 10.5)
    for label, value in (
        ("कार्यालय / Office", office),
        ("शाखा / Section", section),
        ("विषय / Subject", subject),
    ):
        if value:
            sheet.multi_cell(0, 6, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    sheet.ln(3)
    if not finals:
        sheet.multi_cell(0, 7, "अभी कोई अंतिम टिप्पणी नहीं। / No final notes yet.")
    for note in finals:
        sheet.set_draw_color(180, 180, 180)
        sheet.line(sheet.l_margin, sheet.get_y(), sheet.w - sheet.r_margin, sheet.get_y())
        sheet.ln(2)
        sheet.set_font("latin", "B", 11)
        sheet.cell(12, 7, f"{note.number}.")
        sheet.set_font("latin", "", 11)
        sheet.multi_cell(0, 6.5, note.body, new_x="LMARGIN", new_y="NEXT")
        sheet.set_font("latin", "", 9.5)
        signed = f"{note.author.name}, {note.designation} — {_date(note.finalised_at)}"
        sheet.multi_cell(0, 5.5, signed, align="R", new_x="LMARGIN", new_y="NEXT")
        for approval in note.approvals:
            line = (
                f"अनुमोदित / Approved: {approval.approver.name}, {approval.designation} — "
                f"{_date(approval.at)}" + (f" ({approval.remarks})" if approval.remarks else "")
            )
            sheet.multi_cell(0, 5.5, line, align="R", new_x="LMARGIN", new_y="NEXT")
        sheet.ln(3)
    return bytes(sheet.output()), sheet.page_no()


def write_notesheet(routing: Routing, file_id: int, dest: str | Path) -> int:
    """Write the file's notesheet to ``dest`` atomically; returns the page count."""
    record = routing.registry.get_record(file_id)
    data, pages = render_notesheet(
        record.file_no, record.subject, record.office, record.section, routing.notes(file_id)
    )
    target = Path(dest)
    tmp = target.with_name(f".{target.name}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ScanpipeError(
            f"cannot write the notesheet: {exc.strerror}",
            advice="choose a writable folder for the PDF",
            path=target,
        ) from exc
    return pages
