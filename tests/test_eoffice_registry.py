"""The e-Office registry: migration 0002, files registered by hand, scans with suggestions."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from scanpipe.classify import Classifier, classifier_for
from scanpipe.classify.lexicon import PageText
from scanpipe.eoffice.fileno import FileNumberError
from scanpipe.eoffice.terms import Category, FileState, Grading, Nature, RecordError
from scanpipe.errors import NotFoundError
from scanpipe.model import (
    Classification,
    FileMetadata,
    FileSource,
    PageLabels,
    PageResult,
    PageStatus,
    Suggestion,
)
from scanpipe.registry import FileDraft, Registry
from scanpipe.registry.db import alembic_config

NOTE = "टीप\nनस्ती क्रमांक 8/3/11-Adm\nविषय: अभिलेख कक्ष का डिजिटलीकरण।\nअवलोकनार्थ प्रस्तुत है।"
LETTER = (
    "कार्यालय कलेक्टर, जिला मुंगेली\nफा.क्र. ४५/२०१९/स्था.\nमुंगेली, दिनांक ०९/०८/२०१९\n"
    "प्रति,\nतहसीलदार लोरमी\nविषय: नस्तियों की सूची बाबत।\nउपरोक्त विषयांतर्गत लेख है कि"
)


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def source(label: str = "a") -> FileSource:
    return FileSource(Path(f"/inbox/{label}.pdf"), (), sha(label), 100)


def pages(*texts: str) -> list[PageResult]:
    return [PageResult(i, PageStatus.OK, text=t) for i, t in enumerate(texts, start=1)]


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(f"sqlite:///{tmp_path / 'data' / 'r.sqlite3'}", tmp_path / "archive") as r:
        yield r


def add_scan(reg: Registry, label: str, *texts: str, metadata: FileMetadata | None = None,
             classifier: Classifier | None = None) -> int:  # fmt: skip
    ps = pages(*texts)
    classification = (classifier or Classifier()).file(ps)
    return reg.add_file(source(label), ps, {}, metadata=metadata, classification=classification)


# -- migration --------------------------------------------------------------------------------


def test_migration_0002_keeps_existing_scans_pages_and_search(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    for i in (1, 2):
        con.execute(
            "INSERT INTO files (id, source_path, sha256, page_count, size_bytes, created_at,"
            " status, pages_for_review) VALUES (?, ?, ?, 1, 10, '2025-01-01 00:00:00',"
            " 'registered', 0)",
            (i, f"/old/{i}.pdf", sha(str(i))),
        )
        con.execute(
            "INSERT INTO pages (id, file_id, number, text, confidence, skew_deg, orientation_deg,"
            " status, reason, dpi, width, height, words) VALUES (?, ?, 1, ?, 90, 0, 0, 'ok', '',"
            " 300, 1, 1, 1)",
            (10 + i, i, f"कलेक्टर पृष्ठ {i}"),
        )
        con.execute("INSERT INTO pages_fts(rowid, body) VALUES (?, ?)", (10 + i, f"कलेक्टर {i}"))
    con.commit()
    con.close()

    with Registry.open(f"sqlite:///{db}", tmp_path / "archive") as r:
        assert r.stats().pages == 2  # a rebuild of files with foreign keys on would cascade
        assert [h.page_id for h in r.search("कलेक्टर")] == [11, 12]
        one = r.get_record(1)
        assert (one.computer_no, one.nature, one.file_state, one.grading) == (
            100001, "digitised", "open", "normal",
        )  # fmt: skip
        assert r.register_file(FileDraft(file_no="8/3/11-Adm")) == 3
        assert r.get_record(3).computer_no == 100003
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    head = con.execute("SELECT version_num FROM alembic_version").fetchall()
    assert head == [("0012_notifications",)]
    con.close()


def test_migration_0002_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    with Registry.open(f"sqlite:///{db}", tmp_path / "archive") as r:
        kept = add_scan(r, "a", LETTER)
        r.register_file(FileDraft(file_no="8/3/11-Adm"))  # no scans: cannot exist in 0001
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    engine.dispose()
    con = sqlite3.connect(db)
    assert con.execute("SELECT id FROM files").fetchall() == [(kept,)]
    assert con.execute("SELECT count(*) FROM pages").fetchone() == (1,)
    con.close()
    with Registry.open(f"sqlite:///{db}", tmp_path / "archive") as r:
        assert r.get_record(kept).pdf_path is None and r.stats().pages == 1


# -- files registered by hand -----------------------------------------------------------------


def test_register_by_hand_computes_review_year_and_location(reg: Registry) -> None:
    draft = FileDraft(
        file_no="N-11016/6/2016-ARC-DARPG", subject="ई-ऑफिस प्रशिक्षण", category=Category.A,
        closed_on=date(2017, 3, 1), room="Record Room 1", almirah="A-4", shelf="2", bundle="12",
        office="COLL-MUNGELI", section="gad", file_state=FileState.RECORDED,
    )  # fmt: skip
    rec = reg.get_record(reg.register_file(draft))
    assert (rec.nature, rec.file_state, rec.sha256, rec.page_count) == ("physical", "recorded",
                                                                       None, 0)  # fmt: skip
    assert (rec.file_no_norm, rec.year, rec.retention_years, rec.review_year) == (
        "N-11016/6/2016-ARC-DARPG", 2016, None, 2042,
    )  # fmt: skip
    assert rec.location == "Record Room 1 / A-4 / 2 / 12"
    assert rec.office is not None and "Collector" in rec.office and "कलेक्टर" in rec.office
    assert rec.section is not None and rec.section.startswith("General Administration")


def test_computer_numbers_are_distinct_and_files_without_scans_share_no_sha(reg: Registry) -> None:
    ids = [reg.register_file(FileDraft(file_no=f"{i}/2019/स्था.")) for i in (1, 2, 3)]
    assert [reg.get_record(i).computer_no for i in ids] == [100001, 100002, 100003]
    assert reg.find_file_no("फा.क्र. २/२०१९/स्था.") == [ids[1]]


@pytest.mark.parametrize(
    ("draft", "error", "match"),
    [
        (FileDraft(file_no="N-11116/6/2016-ARC"), FileNumberError, "third digit"),
        (FileDraft(file_no="1/2/19-A", file_state=FileState.RECORDED), RecordError, "category"),
        (FileDraft(file_no="1/2/19-A", category=Category.C, retention_years=12), RecordError,
         "1 to 10"),
        (FileDraft(file_no="1/2/19-A", retention_years=3), RecordError, "needs a record category"),
        (FileDraft(file_no="1/2/19-A", opened_on=date(2020, 1, 2), closed_on=date(2019, 1, 1)),
         RecordError, "before"),
        (FileDraft(file_no="1/2/19-A", closed_on=date(2999, 1, 1)), RecordError, "future"),
    ],
)  # fmt: skip
def test_invalid_drafts_are_refused_and_nothing_is_written(
    reg: Registry, draft: FileDraft, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        reg.register_file(draft)
    assert reg.list_records() == []


def test_the_same_paper_file_is_not_registered_twice_but_volumes_are(reg: Registry) -> None:
    first = reg.register_file(FileDraft(file_no="8/3/11-Adm"))
    with pytest.raises(RecordError, match=f"as file {first}") as info:
        reg.register_file(FileDraft(file_no="8/3/11-ADM"))
    assert "file edit" in info.value.advice
    second = reg.register_file(FileDraft(file_no="8/3/11-Adm", volume=2))
    assert second != first


def test_edit_recomputes_and_clears(reg: Registry) -> None:
    fid = reg.register_file(FileDraft(file_no="45/2019/स्था", category=Category.C,
                                      retention_years=5))  # fmt: skip
    assert reg.get_record(fid).review_year == 2024
    rec = reg.edit_file(fid, {"grading": Grading.SECRET, "closed_on": date(2020, 1, 1)})
    assert rec.review_year == 2025  # C 5 years from closing; secret reviews at 5 too
    rec = reg.edit_file(fid, {"category": "A"})
    assert (rec.retention_years, rec.review_year) == (None, 2025)  # permanent, classified: 5
    rec = reg.edit_file(fid, {"grading": "normal", "bundle": "7"})
    assert (rec.review_year, rec.bundle) == (2045, "7")
    assert reg.edit_file(fid, {"bundle": None}).bundle is None
    with pytest.raises(RecordError, match="unknown fields"):
        reg.edit_file(fid, {"colour": "red"})
    with pytest.raises(NotFoundError):
        reg.edit_file(999, {"bundle": "1"})


def test_list_filters(reg: Registry) -> None:
    a = reg.register_file(FileDraft(file_no="1/2019/स्था", category=Category.C, retention_years=2,
                                    file_state=FileState.RECORDED))  # fmt: skip
    b = reg.register_file(FileDraft(file_no="2/2019/स्था", file_state=FileState.PARKED))
    assert [r.id for r in reg.list_records(state="recorded")] == [a]
    assert [r.id for r in reg.list_records(state="parked")] == [b]
    assert [r.id for r in reg.list_records(review_by=2021)] == [a]
    assert [r.id for r in reg.list_records(file_no="२/२०१९/स्था.")] == [b]


# -- scans: declared metadata, suggestions, parts, documents, links --------------------------


def test_scan_gets_parts_documents_and_applied_suggestions(reg: Registry) -> None:
    fid = add_scan(reg, "a", NOTE, "अनुमोदनार्थ प्रस्तुत।", "", LETTER, "सभी कार्यवाही करें।")
    rec = reg.get_record(fid)
    assert (rec.file_no_norm, rec.year, rec.nature) == ("8/3/11-ADM", 2011, "digitised")
    assert rec.subject == "अभिलेख कक्ष का डिजिटलीकरण"
    notes, corr = rec.parts
    # the blank page 3 (the back of the notesheet) stays with the note it follows
    assert (notes.kind, notes.pages) == ("notes", (1, 2, 3))
    assert (corr.kind, corr.pages) == ("correspondence", (4, 5))
    assert [d.pages for d in notes.documents] == [(1, 2, 3)]
    (letter,) = corr.documents
    assert letter.pages == (4, 5)  # page 5 has no heading: it continues the letter
    assert (letter.kind, letter.doc_date, letter.subject) == (
        "receipt", date(2019, 8, 9), "नस्तियों की सूची बाबत",
    )  # fmt: skip
    assert letter.sender == "कार्यालय कलेक्टर, जिला मुंगेली"
    applied = {(s.field, s.status) for s in rec.suggestions}
    assert ("file_no", "applied") in applied and ("doc_type", "applied") in applied
    assert all(s.reason for s in rec.suggestions)


def test_each_part_numbers_its_pages_from_one(reg: Registry, tmp_path: Path) -> None:
    fid = add_scan(reg, "a", LETTER, NOTE, LETTER, NOTE)
    con = sqlite3.connect(tmp_path / "data" / "r.sqlite3")
    rows = con.execute(
        "SELECT p.number, parts.kind, p.part_page FROM pages p JOIN parts ON parts.id = p.part_id"
        " WHERE p.file_id = ? ORDER BY p.number", (fid,)
    ).fetchall()  # fmt: skip
    con.close()
    assert rows == [(1, "correspondence", 1), (2, "notes", 1), (3, "correspondence", 2),
                    (4, "notes", 2)]  # fmt: skip


def test_declared_metadata_wins_over_suggestions(reg: Registry) -> None:
    meta = FileMetadata(
        file_no="A-21001(3)/5/2008/DFG", subject="घोषित विषय", part="notes", origin="qr",
        declared_pages=5, office="COLL-MUNGELI", section="REC",
    )  # fmt: skip
    rec = reg.get_record(add_scan(reg, "a", LETTER, metadata=meta))
    assert (rec.file_no_norm, rec.subject, rec.metadata_origin, rec.declared_pages) == (
        "A-21001(3)/5/2008/DFG", "घोषित विषय", "qr", 5,
    )  # fmt: skip
    assert [p.kind for p in rec.parts] == ["notes"]  # the declared part, not the letter's
    statuses = {s.field: s.status for s in rec.suggestions}
    assert statuses["file_no"] == "overridden" and statuses["subject"] == "overridden"


def test_an_invalid_declared_number_registers_the_scan_and_asks_for_review(
    reg: Registry,
) -> None:
    meta = FileMetadata(file_no="8/0/11-Adm", origin="declared")
    rec = reg.get_record(add_scan(reg, "a", "", metadata=meta))
    assert (rec.file_no, rec.file_no_norm) == ("8/0/11-Adm", None)
    (pending,) = [s for s in reg.review_queue(rec.id) if s.field == "file_no"]
    assert "serial" in pending.reason and pending.source == "declared"


def test_unsure_suggestions_go_to_review_and_a_person_decides(reg: Registry) -> None:
    labels = PageLabels(1, "hi", "order", 0.5, "weak rule", "rule", False, True,
                        (Suggestion("date", "2020-01-02", 0.6, "unlabelled", page=1),))  # fmt: skip
    unsure = Classification(
        (labels,), (Suggestion("file_no", "8/3/11-Adm", 0.6, "unlabelled", page=1),), 0.8
    )
    fid = reg.add_file(source(), pages("x"), {}, classification=unsure)
    rec = reg.get_record(fid)
    assert rec.file_no_norm is None and rec.parts[0].documents[0].kind == "other"
    queue = {s.field: s for s in reg.review_queue(fid)}
    assert set(queue) == {"file_no", "date", "doc_type"}
    reg.decide(queue["file_no"].id, accept=True)
    reg.decide(queue["doc_type"].id, accept=True, value="circular")
    reg.decide(queue["date"].id, accept=False)
    rec = reg.get_record(fid)
    assert rec.file_no_norm == "8/3/11-ADM"
    assert rec.parts[0].documents[0].kind == "circular"
    assert rec.parts[0].documents[0].doc_date is None
    assert reg.review_queue(fid) == []
    assert reg.confirmed_labels() == [("x", "circular")]  # a person's decision trains the model
    with pytest.raises(NotFoundError):
        reg.decide(9999, accept=True)


def test_scans_and_paper_originals_link_by_file_number(reg: Registry) -> None:
    paper = reg.register_file(FileDraft(file_no="8/3/11-Adm", room="R1"))
    scan = add_scan(reg, "a", NOTE)  # its notesheet says 8/3/11-Adm
    assert reg.get_record(scan).original_id == paper
    assert reg.get_record(paper).digitised_ids == (scan,)
    # the other way round: scan first, register row later
    early = add_scan(reg, "b", LETTER)  # 45/2019/स्था
    late = reg.register_file(FileDraft(file_no="फा.क्र. ४५/२०१९/स्था."))
    assert reg.get_record(early).original_id == late


def test_label_page_feeds_the_learned_model(reg: Registry) -> None:
    bills = [f"वेतन देयक माह {m} कर्मचारी वेतन भत्ता कटौती" for m in range(4)]
    lands = [f"भूमि नामांतरण प्रकरण ग्राम सरगांव खसरा {i}" for i in range(4)]
    fid = add_scan(reg, "a", *bills, *lands)
    for n in range(1, 9):
        reg.label_page(fid, n, "bill" if n <= 4 else "other")
    assert len(reg.confirmed_labels()) == 8
    classifier = classifier_for(reg)
    assert classifier.model is not None
    assert classifier.kind(PageText("वेतन देयक माह 9 कर्मचारी")).label == "bill"
    with pytest.raises(NotFoundError):
        reg.label_page(fid, 99, "bill")


def test_a_records_rooms_rules_file_is_used(reg: Registry) -> None:
    (reg.data_dir / "rules.toml").write_text(
        '[[rules]]\nname = "land"\nlabel = "report"\nconfidence = 0.95\n'
        'when = { literal = "नामांतरण पंजी" }\n',
        encoding="utf-8",
    )
    scanned = pages("नामांतरण पंजी\nग्राम सरगांव")
    classification = classifier_for(reg).file(scanned)
    rec = reg.get_record(reg.add_file(source(), scanned, {}, classification=classification))
    assert rec.parts[0].documents[0].kind == "report"
    assert any("rule 'land'" in s.reason for s in rec.suggestions)


def test_nature_physical_scan_rows_are_refused_as_twins_only_for_paper(reg: Registry) -> None:
    add_scan(reg, "a", NOTE)
    add_scan(reg, "b", NOTE)  # a rescan of the same file is fine
    assert len(reg.find_file_no("8/3/11-Adm")) == 2
    assert all(r.nature == Nature.DIGITISED.value for r in reg.list_records())


def test_convert_classifies_each_file_and_keeps_declared_metadata(tmp_path: Path) -> None:
    """The pipeline classifies once per file; suggestions and declared fields are registered."""
    from PIL import Image

    from scanpipe.executors import LocalPool
    from scanpipe.pipeline import Outcome, convert
    from scanpipe.settings import Settings

    home = tmp_path / "home"
    settings = Settings(home=home, db_url=f"sqlite:///{home / 'r.sqlite3'}", jobs=1)
    settings = settings.with_ocr(engine="fakes:FakeEngine")
    image = tmp_path / "page.png"
    Image.new("L", (300, 420), 250).save(image, dpi=(300, 300))
    declared = {image: FileMetadata(file_no="8/3/11-Adm", part="correspondence", origin="qr")}
    pool = LocalPool(1)
    try:
        with Registry.open(settings.db_url, settings.archive_dir) as registry:
            (outcome,) = convert([image], settings, registry, pool, metadata=declared)
            assert outcome.outcome is Outcome.REGISTERED
            rec = registry.get_record(outcome.file_id or 0)
            queue = registry.review_queue(rec.id)
    finally:
        pool.close()
    assert (rec.file_no_norm, rec.metadata_origin, rec.nature) == ("8/3/11-ADM", "qr", "digitised")
    assert [p.kind for p in rec.parts] == ["correspondence"]
    # the fake engine reads "page of 300x420": too few letters, so the classifier calls it blank
    con = sqlite3.connect(home / "r.sqlite3")
    assert con.execute("SELECT language, doc_type, part_page FROM pages").fetchall() == [
        ("none", "blank", 1)
    ]
    con.close()
    assert queue == []


def test_qr_part_sheets_decide_the_parts(reg: Registry) -> None:
    from scanpipe.model import PartStart

    meta = FileMetadata(
        file_no="8/3/11-Adm",
        origin="qr",
        parts=(PartStart("notes", 1, 2), PartStart("correspondence", 3, 1),
               PartStart("appendix-correspondence", 4)),
    )  # fmt: skip
    rec = reg.get_record(add_scan(reg, "a", LETTER, LETTER, NOTE, NOTE, LETTER, metadata=meta))
    assert [(p.kind, p.pages) for p in rec.parts] == [
        ("notes", (1, 2)), ("correspondence", (3,)), ("appendix-correspondence", (4, 5)),
    ]  # fmt: skip


def test_correcting_a_scans_number_moves_its_link(reg: Registry) -> None:
    old = reg.register_file(FileDraft(file_no="8/3/11-Adm"))
    new = reg.register_file(FileDraft(file_no="9/3/11-Adm"))
    scan = add_scan(reg, "a", NOTE)
    assert reg.get_record(scan).original_id == old
    assert reg.edit_file(scan, {"file_no": "9/3/11-Adm"}).original_id == new


def test_a_bad_declared_year_does_not_lose_the_scan(reg: Registry) -> None:
    meta = FileMetadata(file_no="8/3/11-Adm", year=1850, subject="घोषित")
    rec = reg.get_record(add_scan(reg, "a", "", metadata=meta))
    assert (rec.file_no_norm, rec.subject, rec.year) == ("8/3/11-ADM", "घोषित", 2011)
    (pending,) = reg.review_queue(rec.id)
    assert pending.field == "year" and "1900" in pending.reason
