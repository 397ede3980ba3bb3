"""The physical-register CSV import, NIC's export layout, and the ``file`` commands."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import click
import pikepdf
import pytest
from conftest import run_cli

from scanpipe.classify import Classifier
from scanpipe.cli import cli
from scanpipe.errors import ExitCode, InputFileError
from scanpipe.model import FileSource, PageResult, PageStatus
from scanpipe.registry import FileDraft, Registry
from scanpipe.registry.nic import SUBFOLDERS, export_nic
from scanpipe.registry.register_csv import import_register

NOTE = "टीप\nनस्ती क्रमांक 8/3/11-Adm\nविषय: अभिलेख कक्ष का डिजिटलीकरण।\nअवलोकनार्थ प्रस्तुत है।"
LETTER_IN = (
    "कार्यालय तहसीलदार, तहसील लोरमी\nक्रमांक/२३/२०११\nलोरमी, दिनांक ०९/०८/२०११\nप्रति,\n"
    "कलेक्टर मुंगेली\nविषय: नस्तियों की सूची बाबत।\nउपरोक्त विषयांतर्गत लेख है कि"
)
LETTER_OUT = (
    "कार्यालय कलेक्टर, जिला मुंगेली\nक्रमांक/५१/२०११\nमुंगेली, दिनांक १२/०८/२०११\nप्रति,\n"
    "तहसीलदार लोरमी\nविषय: नस्तियों की सूची बाबत।\nउपरोक्त विषयांतर्गत लेख है कि"
)
REGISTER = """\ufefffile_no,subject,year,category,location
8/3/11-Adm,अभिलेख कक्ष का डिजिटलीकरण,2011,A,Record Room 1 / A-4 / 2 / 12
N-11116/6/2016-ARC,bad head,2016,B,R1
फा.क्र. ४५/२०१९/स्था.,स्थापना,२०१९,C-5,R2 / A-1
,no number,2019,B,R1
12/2020/लेखा,"लेखा, वार्षिक",2020,D,R1
A-11011/5(I)/2001-Est,उप नस्ती,2001,ग(3),R3/A/S/B
8/3/11-ADM,repeat of line 2,2011,A,R1
"""


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(f"sqlite:///{tmp_path / 'home' / 'registry.sqlite3'}",
                       tmp_path / "home" / "archive") as r:  # fmt: skip
        yield r


def scan(reg: Registry, tmp: Path, label: str, *texts: str) -> int:
    """Register a scanned file whose archive PDF has one page per text."""
    pdf = tmp / f"{label}.pdf"
    with pikepdf.new() as doc:
        for _ in texts:
            doc.add_blank_page(page_size=(595, 842))
        doc.save(pdf)
    pages = [PageResult(i, PageStatus.OK, text=t) for i, t in enumerate(texts, start=1)]
    sha = hashlib.sha256(label.encode()).hexdigest()
    src = FileSource(Path(f"/inbox/{label}.pdf"), (), sha, pdf.stat().st_size)
    classification = Classifier(offices=reg.office_names()).file(pages)
    return reg.add_file(src, pages, {"pdf": pdf}, classification=classification)


# -- register CSV import ----------------------------------------------------------------------


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    report = import_register(reg, path)
    assert [(e.line, e.message.split(":")[0]) for e in report.errors] == [
        (3, "file number 'N-11116/6/2016-ARC'"),
        (5, "no file number"),
        (6, "category 'D' is not A, B or C (or C-5 for five years)"),
        (8, "repeats the file number of line 2"),
    ]
    assert len(report.added) == 3 and report.updated == []
    adm, sth, sub = (reg.get_record(i) for i in report.added)
    assert (adm.file_no_norm, adm.category, adm.review_year, adm.file_state, adm.nature) == (
        "8/3/11-ADM", "A", 2036, "recorded", "physical",
    )  # fmt: skip
    assert adm.location == "Record Room 1 / A-4 / 2 / 12"
    assert (sth.year, sth.category, sth.retention_years, sth.review_year) == (2019, "C", 5, 2024)
    assert (sub.category, sub.retention_years, sub.location) == ("C", 3, "R3 / A / S / B")


def test_reimport_updates_and_links_scans_by_file_number(reg: Registry, tmp_path: Path) -> None:
    scanned = scan(reg, tmp_path, "a", NOTE)
    path = tmp_path / "register.csv"
    path.write_text("File No.;Subject;Year;Category;Location\n8/3/11-Adm;पहला;2011;B;R1\n",
                    encoding="utf-8")  # fmt: skip
    first = import_register(reg, path)
    (paper,) = first.added
    assert first.linked == {paper: (scanned,)}
    assert reg.get_record(scanned).original_id == paper
    path.write_text("फाइल क्रमांक;विषय;वर्ष;श्रेणी;स्थान\n8/3/11-Adm;दूसरा;2011;A;R2\n",
                    encoding="utf-8")  # fmt: skip
    again = import_register(reg, path)
    assert (again.added, again.updated) == ([], [paper])
    assert (reg.get_record(paper).subject, reg.get_record(paper).room) == ("दूसरा", "R2")


@pytest.mark.parametrize(
    ("content", "match"),
    [("", "empty"), ("subject,year\nx,2019\n", "no file number column")],
)
def test_unusable_register_files_are_refused(
    reg: Registry, tmp_path: Path, content: str, match: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=match):
        import_register(reg, path)


def test_a_non_utf8_register_gets_excel_advice(reg: Registry, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("file_no,subject\n8/3/11-Adm,अभिलेख\n".encode("utf-16"))
    with pytest.raises(InputFileError) as info:
        import_register(reg, path)
    assert "CSV UTF-8" in info.value.advice


# -- NIC export -------------------------------------------------------------------------------


def test_export_writes_nic_layout_with_manifest(reg: Registry, tmp_path: Path) -> None:
    reg.register_file(FileDraft(file_no="8/3/11-Adm", office="COLL-MUNGELI"))  # paper only
    fid = scan(reg, tmp_path, "a", NOTE, "अनुमोदनार्थ प्रस्तुत।", LETTER_IN, LETTER_OUT)
    reg.edit_file(fid, {"office": "COLL-MUNGELI"})
    no_number = scan(reg, tmp_path, "b", "कुछ पाठ जिसमें फाइल क्रमांक नहीं है और कोई शीर्षक नहीं")
    out = tmp_path / "nic"
    records = [reg.get_record(r.id) for r in reg.list_records()]
    report = export_nic(records, out)

    folder = out / "fl-8_3_11-ADM"
    assert report.folders == [folder]
    assert sorted(p.name for p in folder.iterdir()) == sorted(SUBFOLDERS)
    computer_no = reg.get_record(fid).computer_no
    assert [p.name for p in (folder / "Notes").iterdir()] == [f"{computer_no}-notes.pdf"]
    (receipt,) = (folder / "Receipts").iterdir()
    (issue,) = (folder / "Issues").iterdir()  # our own office's letter went out
    assert "receipt" in receipt.name and "receipt" in issue.name
    with pikepdf.open(folder / "Notes" / f"{computer_no}-notes.pdf") as notes:
        assert len(notes.pages) == 2
    with pikepdf.open(receipt) as letter:
        assert len(letter.pages) == 1

    rows = list(csv.DictReader((out / "manifest.csv").open(encoding="utf-8-sig")))
    assert [(r["subfolder"], r["pages"], r["kind"]) for r in rows] == [
        ("Notes", "1-2", "note"), ("Receipts", "3", "receipt"), ("Issues", "4", "receipt"),
    ]  # fmt: skip
    assert rows[1]["date"] == "2011-08-09" and rows[0]["file_no"] == "8/3/11-ADM"
    assert rows[1]["sha256"] == hashlib.sha256(receipt.read_bytes()).hexdigest()
    summary = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    skipped = {s["file_id"]: s["reason"] for s in summary["skipped"]}
    assert "paper file only" in skipped[1] and "no file number" in skipped[no_number]

    export_nic(records, out)  # again: the folder is replaced, not doubled
    assert len(list((folder / "Notes").iterdir())) == 1
    assert not list(out.glob(".*.tmp"))


def test_classified_files_never_leave_through_the_export(reg: Registry, tmp_path: Path) -> None:
    """CSMOP: no classified information in e-Office. The export says what it left out, and why."""
    fid = scan(reg, tmp_path, "s", NOTE, "अनुमोदनार्थ प्रस्तुत।", LETTER_IN, LETTER_OUT)
    reg.edit_file(fid, {"office": "COLL-MUNGELI", "grading": "secret"})
    out = tmp_path / "nic"
    report = export_nic([reg.get_record(fid)], out)
    assert report.folders == [] and report.documents == 0
    ((skipped_id, why),) = report.skipped
    assert skipped_id == fid and "classified (secret)" in why and "e-Office" in why
    reg.edit_file(fid, {"grading": "normal"})  # declassified: it goes
    report = export_nic([reg.get_record(fid)], out)
    assert len(report.folders) == 1 and report.exported == [fid]


def test_an_export_is_audited_file_by_file(reg: Registry, tmp_path: Path) -> None:
    from sqlalchemy import select

    from scanpipe.registry.nic import audit_export
    from scanpipe.registry.routing_models import AuditRow

    sent = scan(reg, tmp_path, "a", NOTE, "अनुमोदनार्थ प्रस्तुत।", LETTER_IN, LETTER_OUT)
    kept = scan(reg, tmp_path, "b", NOTE, "गोपनीय टीप।", LETTER_IN, LETTER_OUT)
    reg.edit_file(sent, {"office": "COLL-MUNGELI"})
    reg.edit_file(kept, {"office": "COLL-MUNGELI", "grading": "confidential"})
    report = export_nic([reg.get_record(sent), reg.get_record(kept)], tmp_path / "nic")
    with reg.writing("auditing") as session:
        audit_export(session, report, "os:clerk")
    with reg.reading("checking") as session:
        rows = session.execute(
            select(AuditRow.action, AuditRow.file_id).where(AuditRow.action.like("export%"))
        ).all()
    assert sorted(rows) == [("export", sent), ("export-skipped", kept)]


# -- the commands, as an operator runs them ---------------------------------------------------


def test_file_commands_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "home"
    reg = run_cli(home, "file", "register", "--file-no", "N-11016/6/2016-ARC-DARPG",
                  "--subject", "ई-ऑफिस", "--category", "A", "--closed", "01/03/2017",
                  "--room", "R1")  # fmt: skip
    assert reg.returncode == 0, reg.stderr
    assert "computer no. 100001" in reg.stdout and "2042" in reg.stdout
    bad = run_cli(home, "file", "register", "--file-no", "N-11116/6/2016-ARC")
    assert bad.returncode == ExitCode.BAD_ARGS and "third digit" in bad.stderr
    edit = run_cli(home, "file", "edit", "1", "--grading", "secret", "--clear", "room")
    assert edit.returncode == 0, edit.stderr
    assert "Secret / गुप्त" in edit.stdout and "2022" in edit.stdout
    show = run_cli(home, "file", "show", "--file-no", "n-11016 / 6 / 2016-arc-darpg")
    assert show.returncode == 0 and "Computer no. / कंप्यूटर क्र." in show.stdout
    missing = run_cli(home, "file", "show", "9")
    assert missing.returncode == ExitCode.NOT_FOUND


def test_import_register_command_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    proc = run_cli(tmp_path / "home", "import-register", path)
    assert proc.returncode == ExitCode.PARTIAL
    assert "line 3: N-11116/6/2016-ARC" in proc.stderr and "line 8:" in proc.stderr
    assert "3 added" in proc.stdout
    listed = run_cli(tmp_path / "home", "file", "list", "--category", "A")
    assert listed.returncode == 0 and "8/3/11-ADM" in listed.stdout


def test_every_registry_command_and_option_has_help_text() -> None:
    def walk(command: click.Command) -> Iterator[click.Command]:
        yield command
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                yield from walk(sub)

    tops = ("file", "import-register", "export", "note", "pending", "user", "audit")
    mine = [cli.commands[name] for name in tops]
    commands = [c for top in mine for c in walk(top)]
    names = {c.name for c in commands}
    assert {"register", "edit", "show", "list", "review", "accept", "label", "number"} <= names
    for command in commands:
        assert command.help and command.help.strip(), command.name
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert param.help, (command.name, param.name)
