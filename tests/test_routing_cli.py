"""The routing CLI as a records clerk and officers use it, and the notesheet PDF read back
by the real Tesseract (so wrong Devanagari shaping would fail)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanpipe import tools
from scanpipe.routing.notesheet import render_notesheet
from tests.conftest import json_lines, normalise, run_cli


def ok(home: Path, *args: str) -> str:
    proc = run_cli(home, *args)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout


def test_cli_scenario_where_pending_notes_and_audit(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for login, name, desig, role, section in [
        ("clerk", "रमेश साहू", "Records Clerk", "records", "REC"),
        ("so", "Sunita Verma", "Section Officer", "officer", "EST"),
        ("collector", "Collector Mungeli", "Collector", "officer", "EST"),
    ]:
        ok(home, "user", "add", login, "--name", name, "--designation", desig, "--role", role,
           "--section", section)  # fmt: skip
    ok(home, "file", "register", "--file-no", "8/3/11-Adm", "--subject", "भूमि आवंटन",
       "--nature", "physical")  # fmt: skip
    ok(home, "file", "send", "1", "--to", "so", "--as", "clerk", "--remarks", "for action")
    # Acting before receiving a physical file names the rule and exits 11.
    refused = run_cli(home, "note", "add", "1", "पहली टिप्पणी", "--as", "so")
    assert refused.returncode == 11
    assert "receive-first" in refused.stderr and "scanpipe file receive 1" in refused.stderr
    ok(home, "file", "receive", "1", "--as", "so")
    ok(home, "note", "add", "1", "कृपया अवलोकन करें। Proposal for approval.", "--final",
       "--as", "so")  # fmt: skip
    where = json.loads(ok(home, "file", "where", "1", "--json", "--as", "so"))
    assert [h["login"] for h in where["holders"]] == ["so"]
    assert [m["kind"] for m in where["path"]] == ["create", "send", "receive"]
    pending = json.loads(ok(home, "pending", "--section", "EST", "--json"))
    assert pending["users"] == {"so": [1, 0, 0, 0]} and pending["total"] == 1
    now = datetime.now(UTC)
    monthly = json.loads(ok(home, "pending", "--monthly", str(now.year), "--json"))
    assert monthly[now.month - 1] == [now.month, 1, 1, 1]  # created, received, forwarded
    mine = ok(home, "pending", "--mine", "--as", "clerk")
    assert "file 1" in mine and "Sunita Verma" in mine
    ok(home, "file", "send", "1", "--to", "collector", "--as", "so")
    edit = run_cli(home, "note", "edit", "1", "changed", "--as", "so")
    assert edit.returncode == 11 and "final-note-immutable" in edit.stderr
    pulled = run_cli(home, "file", "pullback", "1", "--as", "so")
    assert pulled.returncode == 0, pulled.stderr
    ok(home, "file", "send", "1", "--to", "collector", "--as", "so")
    ok(home, "file", "receive", "1", "--as", "collector")
    late = run_cli(home, "file", "pullback", "1", "--as", "so")
    assert late.returncode == 11 and "pullback-unopened" in late.stderr
    ok(home, "note", "approve", "1", "--as", "collector", "--remarks", "अनुमोदित")
    notes = ok(home, "note", "list", "1", "--as", "collector")
    assert "¶1" in notes and "approved by Collector Mungeli" in notes
    hits = ok(home, "search", "अवलोकन")
    assert "file 1 note ¶1" in hits
    no_user = run_cli(home, "file", "send", "1", "--to", "so")
    assert no_user.returncode == 2 and "--as LOGIN" in no_user.stderr
    pdf = tmp_path / "notesheet.pdf"
    ok(home, "note", "pdf", "1", str(pdf), "--as", "collector")
    assert pdf.read_bytes().startswith(b"%PDF")
    audit = json_lines(ok(home, "audit", "--file", "1", "--json"))
    actions = [e["action"] for e in audit]
    assert actions[:4] == ["create", "send", "receive", "note-add"]
    assert {"where", "notes-view", "notesheet-download", "approve", "pullback"} <= set(actions)
    assert all(e["login"] for e in audit)
    # Plain reads are audited too: as SCANPIPE_USER, else the OS account.
    ok(home, "text", "1")
    ok(home, "file", "show", "1")
    reads = [e for e in json_lines(ok(home, "audit", "--file", "1", "--json"))
             if e["action"] == "view"]  # fmt: skip
    assert [e["detail"]["what"] for e in reads] == ["text", "record"]
    assert all(e["login"].startswith("os:") for e in reads)


@pytest.mark.slow
def test_notesheet_pdf_shapes_devanagari(tmp_path: Path) -> None:
    """Render, rasterise with poppler and read back with Tesseract: reordered vowel signs
    (ि), conjuncts (प्र, स्त) and reph (र्) only survive OCR if HarfBuzz shaped them."""
    from datetime import UTC, datetime

    from scanpipe.routing.views import ApprovalInfo, NoteInfo, UserInfo

    so = UserInfo(1, "so", "सुनीता वर्मा", "अनुभाग अधिकारी", "EST", "officer", True)
    boss = UserInfo(2, "coll", "राहुल देव", "कलेक्टर", "EST", "officer", True)
    at = datetime(2026, 3, 12, 6, 0, tzinfo=UTC)
    body = "कृपया प्रस्ताव का अवलोकन करें। पटवारी प्रतिवेदन संलग्न है। Report dated 12/03/2019."
    approval = ApprovalInfo(1, boss, "कलेक्टर", "note", at, "", 1)
    note = NoteInfo(1, 1, 1, so, "अनुभाग अधिकारी", body, "final", at, at, at, None, (approval,))
    draft = NoteInfo(2, 1, None, so, "x", "गोपनीय मसौदा", "draft", at, at, None, None, ())
    data, pages = render_notesheet("8/3/11-Adm", "भूमि आवंटन", "Collectorate", "EST",
                                   [note, draft])  # fmt: skip
    assert pages == 1
    pdf = tmp_path / "n.pdf"
    pdf.write_bytes(data)
    tools.run(["pdftoppm", "-r", "200", "-png", "-singlefile", pdf, tmp_path / "n"])
    read = tools.run(["tesseract", tmp_path / "n.png", "-", "-l", "hin+eng", "--psm", "4"])
    text = normalise(read.stdout.decode())
    for word in ("प्रस्ताव", "अवलोकन", "प्रतिवेदन", "संलग्न", "अधिकारी", "कलेक्टर", "NOTESHEET"):
        assert word in text, (word, text)
    assert "/03/2026" in text  # the finalised date is printed (Tesseract misreads 1s)
    assert "मसौदा" not in text  # drafts never leave their author


def test_cli_inbox_due_priority_and_stranded_drafts(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for login, role in [("clerk", "records"), ("so", "officer"), ("dc", "officer")]:
        ok(home, "user", "add", login, "--name", login.upper(), "--designation", "X",
           "--role", role)  # fmt: skip
    ok(home, "file", "register", "--file-no", "9/1/26-Rev", "--subject", "सीमांकन",
       "--nature", "electronic")  # fmt: skip
    ok(home, "file", "send", "1", "--to", "so", "--as", "clerk", "--due", "2001-01-31",
       "--priority", "immediate")  # fmt: skip
    box = json.loads(ok(home, "inbox", "--as", "so", "--json"))
    (item,) = box["to_receive"]
    assert item["priority"] == "immediate" and item["due_on"] == "2001-01-31"
    assert item["overdue"] is True and box["overdue"] == 1
    assert "OVERDUE" in ok(home, "file", "where", "1", "--as", "so")
    ok(home, "note", "add", "1", "मसौदा", "--as", "so")
    refused = run_cli(home, "file", "send", "1", "--to", "dc", "--as", "so")
    assert refused.returncode == 11 and "drafts-pending" in refused.stderr
    ok(home, "file", "send", "1", "--to", "dc", "--as", "so", "--finalise-drafts")
    assert json.loads(ok(home, "inbox", "--as", "dc", "--json"))["to_receive"][0]["file_id"] == 1
    assert json.loads(ok(home, "pending", "--json"))["overdue"] == 0  # dc's copy is undated
