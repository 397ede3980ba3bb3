"""Failed intake jobs on /review: queue again with other settings, or reject with a reason.

The jobs are made by the hot folder's own claim and quarantine functions, so the
web acts on exactly what ``scanpipe watch`` leaves in ``failed/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from scanpipe.hotfolder import quarantine
from scanpipe.hotfolder.claim import Job, claim, new_job_id, take_next
from scanpipe.hotfolder.review import items
from web.support import Server, csrf_from, sign_in


def failed_job(home: Path, name: str) -> str:
    inbox = home.parent / "inbox-web"
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_bytes(b"%PDF-1.4 broken\n%%EOF\n")
    job = claim(inbox / name, home / "work" / "claims", Job(new_job_id(), Path(), "file", name,
                name, str(inbox)))  # fmt: skip
    assert job is not None
    why = quarantine.Failure(what="validate", why="the PDF is truncated", advice="scan it again")
    quarantine.fail(home, job, why)
    job.release()
    return job.id


def test_admin_requeues_and_rejects_failed_intake_jobs(server: Server) -> None:
    home = server.data.settings.home
    again, away = failed_job(home, "again.pdf"), failed_job(home, "away.pdf")
    with httpx.Client(base_url=server.url) as client:
        sign_in(client, "admin")
        page = client.get("/review").text
        assert f"job-{again}" in page and "the PDF is truncated" in page
        token = csrf_from(page)
        queued = client.post(f"/review/jobs/{again}/retry",
                             data={"csrf": token, "rotate": "90", "langs": "eng"})  # fmt: skip
        assert queued.status_code == 303
        gone = client.post(f"/review/jobs/{away}/reject", data={"csrf": token, "note": "blank"})
        assert gone.status_code == 303
        assert client.post(f"/review/jobs/{away}/reject", data={"csrf": token}).status_code == 404
        assert f"job-{again}" not in client.get("/review").text
    assert [i.job for i in items(home) if i.kind == "failed"] == []
    requeued = take_next(home / "work" / "claims")  # the watcher's next job, with the settings
    assert requeued is not None and requeued.id == again
    assert requeued.ocr == {"rotate": 90, "langs": "eng"}
    requeued.release()
    reviewed = json.loads(
        next((home / "reviewed").glob(f"{away}/reason.json")).read_text(encoding="utf-8")
    )
    assert "blank" in json.dumps(reviewed)
