"""Registries for the web tests, built by hand through the registry's own API (no Tesseract).

Pages are rendered by ``scanpipe.samples`` at 100 dpi, archived into a real
PDF/A by ``ocr.pdf.assemble_pdfa`` and registered with ``Registry.add_file``
with the text we choose, so searches have known answers. The second file's
pages also stay on disk as a folder of PNGs (its source), so a review retry
re-reads them through the real page stage with the fake engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanpipe import samples
from scanpipe.model import FileMetadata, PageResult, PageStatus
from scanpipe.ocr.pdf import assemble_pdfa
from scanpipe.registry.store import Registry
from scanpipe.routing import Routing
from scanpipe.settings import Settings, load_settings
from scanpipe.sources import open_source

PASSWORD = "correct horse 42"
LETTER = [
    "कार्यालय कलेक्टर जिला मुंगेली",
    "विषय: ई-ऑफिस प्रणाली के क्रियान्वयन के संबंध में",
    "कलेक्टर श्री ने प्रशिक्षण दिया।",
]
REPLY = ["दिनांक १८ अक्टूबर २०२० की बैठक", "निपटारा समय पर करें।"]
# (login, role, section)
USERS = [
    ("admin", "admin", "EST"),
    ("r.sahu", "records", "REV"),
    ("o.verma", "officer", "REV"),
    ("a.khan", "officer", "EST"),
    ("op.das", "operator", "REV"),
]


@dataclass(frozen=True)
class WebData:
    home: Path
    settings: Settings
    letter_id: int  # 2 good Hindi pages, Revenue section, year 2020
    review_id: int  # page 1 ok, page 2 failed, page 3 low confidence


def _page(folder: Path, number: int, lines: list[str], status: PageStatus, **kw) -> PageResult:
    image = samples.render_page(lines or [""], dpi=100, seed=number)
    path = folder / f"page-{number}.png"
    image.save(path, dpi=(100, 100))
    w, h = image.size
    return PageResult(
        number=number,
        status=status,
        text=kw.pop("text", "\n".join(lines)),
        confidence=kw.pop("confidence", 91.0),
        dpi=100,
        width=w,
        height=h,
        image_path=path,
        image_format="png",
        image_size=(w, h),
        image_matrix=(1.0, 0.0, 0.0, 0.0, 1.0, 0.0),
        words=len(" ".join(lines).split()),
        **kw,
    )


def _register(
    registry: Registry, folder: Path, pages: list[PageResult], meta: FileMetadata, work: Path
) -> int:
    source = open_source(folder, max_pixels=120_000_000, dpi=100)
    work.mkdir(parents=True, exist_ok=True)
    pdf = assemble_pdfa(pages, work / "file.pdf", title=folder.name)
    txt = work / "file.txt"
    txt.write_text("\f".join(p.text for p in pages), encoding="utf-8")
    return registry.add_file(source, pages, {"pdf": pdf, "txt": txt}, metadata=meta)


def build(home: Path) -> WebData:
    settings = load_settings(home).with_ocr(engine="fakes:FakeEngine")
    letter_dir, review_dir = home.parent / "scans-letter", home.parent / "scans-review"
    letter_dir.mkdir()
    review_dir.mkdir()
    with Registry.open(settings.db_url, settings.archive_dir) as registry:
        letter = [
            _page(letter_dir, 1, LETTER, PageStatus.OK),
            _page(letter_dir, 2, REPLY, PageStatus.OK),
        ]
        letter_id = _register(
            registry, letter_dir, letter,
            FileMetadata(file_no="A-11011/5/2020-REV", subject="ई-ऑफिस प्रशिक्षण",
                         office="COLL-MUNGELI", section="REV", year=2020),
            home.parent / "work-letter",
        )  # fmt: skip
        review = [
            _page(review_dir, 1, ["भूमि अभिलेख सुधार आदेश"], PageStatus.OK),
            _page(review_dir, 2, ["सीमांकन प्रतिवेदन"], PageStatus.FAILED, text="",
                  confidence=-1.0, reason="OCR failed: tesseract did not finish within 300 s"),
            _page(review_dir, 3, ["धुंधला पत्र"], PageStatus.REVIEW, text="धुंधला पत्र",
                  confidence=41.0, reason="low OCR confidence 41 (threshold 70)"),
        ]  # fmt: skip
        review_id = _register(
            registry, review_dir, review,
            FileMetadata(file_no="B-2/7/2019-EST", office="COLL-MUNGELI", section="EST",
                         year=2019),
            home.parent / "work-review",
        )  # fmt: skip
        routing = Routing(registry)
        for login, role, section in USERS:
            routing.add_user(
                login, name=login.split(".")[-1].title(), designation=role.title(),
                role=role, section=section, office="COLL-MUNGELI", password=PASSWORD,
            )  # fmt: skip
    return WebData(home, settings, letter_id, review_id)
