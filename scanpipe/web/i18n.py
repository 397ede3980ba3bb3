"""The web's labels: a key, its English text, and the Hindi from the gettext catalog.

The English is the ``msgid`` and the key its ``msgctxt``, so a translator's tool
(Poedit, Weblate) shows what to translate and where it is used; the Hindi lives
only in ``locale/hi/LC_MESSAGES/messages.po``. ``web/catalog.py`` extracts this
table into the catalog, merges and compiles it (``make catalogs``), and a test
fails when any message lacks its Hindi.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from babel.support import NullTranslations

from scanpipe.web import catalog

LANGS: Final = ("hi", "en")

MESSAGES: Final[dict[str, str]] = {
    "app": "scanpipe records",
    "sign_in": "Sign in",
    "sign_out": "Sign out",
    "login": "Login",
    "password": "Password",
    "bad_login": "Wrong login or password.",
    "search": "Search",
    "query": "Words to find",
    "office": "Office",
    "section": "Section",
    "year": "Year",
    "doc_type": "Document type",
    "file_no": "File number",
    "any": "any",
    "results": "Results",
    "no_results": "No pages match.",
    "also_matched": "also matched",
    "grading": "Security grading",
    "grading_normal": "Normal",
    "grading_confidential": "Confidential",
    "grading_secret": "Secret",
    "grading_top_secret": "Top secret",
    "did_you_mean": "Did you mean",
    "page": "Page",
    "pages": "Pages",
    "note": "Note",
    "notes": "Notes",
    "file": "File",
    "subject": "Subject",
    "state": "State",
    "parts": "Parts",
    "download_pdf": "Download PDF/A",
    "ocr_text": "OCR text",
    "confidence": "Confidence",
    "text_missing": "Text missing",
    "status": "Status",
    "reason": "Reason",
    "add_note": "Add draft note",
    "save_draft": "Save draft",
    "finalise": "Finalise",
    "draft": "draft",
    "final": "final",
    "movements": "Movement history",
    "holders": "With",
    "since": "since",
    "send": "Send",
    "send_to": "Send to",
    "remarks": "Remarks",
    "receive": "Receive",
    "pullback": "Pull back",
    "review": "Review",
    "review_queue": "Pages to review",
    "queue_empty": "Nothing waits for review.",
    "retry": "Retry OCR",
    "rotate": "Rotation",
    "language": "Language model",
    "dpi": "DPI",
    "correct": "Save corrected text",
    "mark_blank": "Mark blank",
    "move_to": "Move to file id",
    "move": "Move",
    "accept": "Accept",
    "intake_failures": "Failed intake jobs",
    "requeue": "Queue again",
    "reject": "Reject",
    "why": "Why (for the record)",
    "dashboard": "Dashboard",
    "today": "Pages converted today",
    "week": "Pages converted this week",
    "per_minute": "Pages per minute (today)",
    "queue_depth": "Queue depth",
    "failures": "Pages for review by reason",
    "pendency": "Pendency by section",
    "days": "Days",
    "error": "Error",
    "not_found": "Not found",
    "refused": "Not allowed",
    "back": "Back",
    "image": "Page image",
    "no_image": "No image",
    "switch": "हिन्दी",
    "note_saved": "Draft note saved.",
    "note_final": "Note finalised.",
    "sent": "File sent.",
    "received": "File received.",
    "pulled_back": "File pulled back.",
    "retried": "Page read again; status:",
    "corrected": "Text corrected.",
    "blanked": "Page marked blank.",
    "moved": "Page moved.",
    "accepted": "Page accepted.",
    "created": "Registered",
    "by_age": "by days pending",
    "in_progress": "in progress",
    "nobody": "nobody yet",
    "source_unicode": "text from the PDF's own layer",
    "source_legacy": "Kruti Dev text decoded",
    "source_ocr": "read by OCR",
    "inbox": "Inbox",
    "notifications": "Notifications",
    "mark_read": "Mark all read",
    "to_receive": "To receive",
    "with_me": "With me",
    "with_others": "Mine, pending with others",
    "my_drafts": "My drafts not finalised",
    "from_whom": "From",
    "with_whom": "With",
    "due": "Due",
    "priority": "Priority",
    "overdue": "overdue",
    "sort_by": "Sort by",
    "sort_age": "oldest first",
    "sort_due": "due date",
    "sort_priority": "priority",
    "only_overdue": "only overdue",
    "show": "Show",
    "none": "Nothing here.",
    "drafts_pending": (
        "Your draft notes on this file are not final; the recipient will not see them."
    ),
    "finalise_and_send": "Finalise my drafts and send",
    "send_keep_drafts": "Send, keep them as drafts",
    "status_ok": "ok",
    "status_review": "for review",
    "status_failed": "failed",
    "move_create": "created",
    "move_send": "sent",
    "move_receive": "received",
    "move_pullback": "pulled back",
    "move_park": "parked",
    "move_unpark": "taken up again",
    "move_close": "closed",
    "move_reopen": "reopened",
    "move_record": "recorded",
    "state_open": "open",
    "state_parked": "parked",
    "state_closed": "closed",
    "state_recorded": "recorded",
    "nature_physical": "physical",
    "nature_electronic": "electronic",
    "nature_digitised": "digitised",
    "part_notes": "notes",
    "part_correspondence": "correspondence",
    "part_appendix_notes": "appendix to notes",
    "part_appendix_correspondence": "appendix to correspondence",
    "role_operator": "scanning operator",
    "role_records": "records clerk",
    "role_officer": "officer",
    "role_admin": "administrator",
    "doc_receipt": "Receipt / letter",
    "doc_note": "Note",
    "doc_order": "Order",
    "doc_circular": "Circular / notification",
    "doc_application": "Application",
    "doc_report": "Report",
    "doc_bill": "Bill",
    "doc_other": "Other",
    "zoom": "Zoom",
    "waiting_drops": "Drops waiting for their writer",
    "until": "until",
    "files": "Files",
}


@cache
def _hindi() -> NullTranslations:
    return catalog.load("hi")


def label(key: str, lang: str) -> str:
    """The label in the reader's language; a key not in MESSAGES is a KeyError (a bug)."""
    english = MESSAGES[key]
    if lang != "hi":
        return english
    return _hindi().pgettext(key, english)


def flash_text(flash: str, lang: str) -> str:
    """``key`` or ``key:detail`` set by an action, as a sentence in the reader's language."""
    key, _, detail = flash.partition(":")
    if key not in MESSAGES:
        return flash
    return f"{label(key, lang)} {detail}".strip()
