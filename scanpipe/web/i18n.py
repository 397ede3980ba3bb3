"""Labels in Hindi and English; the reader picks one with the switch in the header.

Labels are data, not template text, so a missing translation is a KeyError
in the tests rather than an English word on a Hindi screen.
"""

from __future__ import annotations

from typing import Final

LANGS: Final = ("hi", "en")

LABELS: Final[dict[str, tuple[str, str]]] = {
    # key: (English, Hindi)
    "app": ("scanpipe records", "स्कैनपाइप अभिलेख"),
    "sign_in": ("Sign in", "साइन इन करें"),
    "sign_out": ("Sign out", "साइन आउट"),
    "login": ("Login", "लॉगिन"),
    "password": ("Password", "पासवर्ड"),
    "bad_login": ("Wrong login or password.", "लॉगिन या पासवर्ड गलत है।"),
    "search": ("Search", "खोज"),
    "query": ("Words to find", "खोजने के शब्द"),
    "office": ("Office", "कार्यालय"),
    "section": ("Section", "शाखा"),
    "year": ("Year", "वर्ष"),
    "doc_type": ("Document type", "दस्तावेज़ का प्रकार"),
    "file_no": ("File number", "फ़ाइल क्रमांक"),
    "any": ("any", "कोई भी"),
    "results": ("Results", "परिणाम"),
    "no_results": ("No pages match.", "कोई पृष्ठ नहीं मिला।"),
    "also_matched": ("also matched", "यह भी मिला"),
    "grading": ("Security grading", "सुरक्षा वर्गीकरण"),
    "grading_normal": ("Normal", "सामान्य"),
    "grading_confidential": ("Confidential", "गोपनीय"),
    "grading_secret": ("Secret", "गुप्त"),
    "grading_top_secret": ("Top secret", "अति गुप्त"),
    "did_you_mean": ("Did you mean", "क्या आपका आशय है"),
    "page": ("Page", "पृष्ठ"),
    "pages": ("Pages", "पृष्ठ"),
    "note": ("Note", "टिप्पणी"),
    "notes": ("Notes", "टिप्पणियाँ"),
    "file": ("File", "फ़ाइल"),
    "subject": ("Subject", "विषय"),
    "state": ("State", "स्थिति"),
    "parts": ("Parts", "भाग"),
    "download_pdf": ("Download PDF/A", "PDF/A डाउनलोड करें"),
    "ocr_text": ("OCR text", "ओसीआर पाठ"),
    "confidence": ("Confidence", "विश्वसनीयता"),
    "text_missing": ("Text missing", "अपठित पाठ"),
    "status": ("Status", "स्थिति"),
    "reason": ("Reason", "कारण"),
    "add_note": ("Add draft note", "मसौदा टिप्पणी जोड़ें"),
    "save_draft": ("Save draft", "मसौदा सहेजें"),
    "finalise": ("Finalise", "अंतिम करें"),
    "draft": ("draft", "मसौदा"),
    "final": ("final", "अंतिम"),
    "movements": ("Movement history", "संचलन इतिहास"),
    "holders": ("With", "किसके पास"),
    "since": ("since", "से"),
    "send": ("Send", "भेजें"),
    "send_to": ("Send to", "किसे भेजें"),
    "remarks": ("Remarks", "टिप्पणी"),
    "receive": ("Receive", "प्राप्त करें"),
    "pullback": ("Pull back", "वापस लें"),
    "review": ("Review", "समीक्षा"),
    "review_queue": ("Pages to review", "समीक्षा हेतु पृष्ठ"),
    "queue_empty": ("Nothing waits for review.", "समीक्षा हेतु कुछ नहीं है।"),
    "retry": ("Retry OCR", "ओसीआर दोबारा करें"),
    "rotate": ("Rotation", "घुमाव"),
    "language": ("Language model", "भाषा मॉडल"),
    "dpi": ("DPI", "डीपीआई"),
    "correct": ("Save corrected text", "सुधरा पाठ सहेजें"),
    "mark_blank": ("Mark blank", "रिक्त चिह्नित करें"),
    "move_to": ("Move to file id", "इस फ़ाइल आईडी में ले जाएँ"),
    "move": ("Move", "ले जाएँ"),
    "accept": ("Accept", "स्वीकार करें"),
    "intake_failures": ("Failed intake jobs", "विफल इनटेक कार्य"),
    "requeue": ("Queue again", "फिर से कतार में डालें"),
    "reject": ("Reject", "अस्वीकार करें"),
    "why": ("Why (for the record)", "कारण (अभिलेख हेतु)"),
    "dashboard": ("Dashboard", "डैशबोर्ड"),
    "today": ("Pages converted today", "आज परिवर्तित पृष्ठ"),
    "week": ("Pages converted this week", "इस सप्ताह परिवर्तित पृष्ठ"),
    "per_minute": ("Pages per minute (today)", "पृष्ठ प्रति मिनट (आज)"),
    "queue_depth": ("Queue depth", "कतार में"),
    "failures": ("Pages for review by reason", "कारण अनुसार समीक्षा हेतु पृष्ठ"),
    "pendency": ("Pendency by section", "शाखा अनुसार लंबित"),
    "days": ("days", "दिन"),
    "error": ("Error", "त्रुटि"),
    "not_found": ("Not found", "नहीं मिला"),
    "refused": ("Not allowed", "अनुमति नहीं"),
    "back": ("Back", "वापस"),
    "image": ("Page image", "पृष्ठ छवि"),
    "no_image": ("No image", "छवि नहीं"),
    "switch": ("हिन्दी", "English"),
}


def label(key: str, lang: str) -> str:
    en, hi = LABELS[key]
    return hi if lang == "hi" else en


LABELS.update(
    {
        "note_saved": ("Draft note saved.", "मसौदा टिप्पणी सहेजी गई।"),
        "note_final": ("Note finalised.", "टिप्पणी अंतिम की गई।"),
        "sent": ("File sent.", "फ़ाइल भेजी गई।"),
        "received": ("File received.", "फ़ाइल प्राप्त की गई।"),
        "pulled_back": ("File pulled back.", "फ़ाइल वापस ली गई।"),
        "retried": ("Page read again; status:", "पृष्ठ दोबारा पढ़ा गया; स्थिति:"),
        "corrected": ("Text corrected.", "पाठ सुधारा गया।"),
        "blanked": ("Page marked blank.", "पृष्ठ रिक्त चिह्नित।"),
        "moved": ("Page moved.", "पृष्ठ स्थानांतरित।"),
        "accepted": ("Page accepted.", "पृष्ठ स्वीकृत।"),
        "created": ("Registered", "पंजीकृत"),
        "by_age": ("by days pending", "लंबित दिनों अनुसार"),
        "in_progress": ("in progress", "प्रगति में"),
        "nobody": ("nobody yet", "अभी किसी के पास नहीं"),
        "source_unicode": ("text from the PDF's own layer", "पीडीएफ़ की अपनी पाठ परत से"),
        "source_legacy": ("Kruti Dev text decoded", "कृति देव पाठ यूनिकोड में"),
        "source_ocr": ("read by OCR", "ओसीआर से पढ़ा गया"),
        "inbox": ("Inbox", "मेरी डाक"),
        "notifications": ("Notifications", "सूचनाएँ"),
        "mark_read": ("Mark all read", "सब पढ़ी गईं"),
        "to_receive": ("To receive", "प्राप्त करनी हैं"),
        "with_me": ("With me", "मेरे पास"),
        "with_others": ("Mine, pending with others", "मेरी, दूसरों के पास लंबित"),
        "my_drafts": ("My drafts not finalised", "मेरे अधूरे मसौदे"),
        "from_whom": ("From", "किससे"),
        "with_whom": ("With", "किसके पास"),
        "days": ("Days", "दिन"),
        "due": ("Due", "नियत तिथि"),
        "priority": ("Priority", "प्राथमिकता"),
        "overdue": ("overdue", "समय-सीमा पार"),
        "sort_by": ("Sort by", "क्रम"),
        "sort_age": ("oldest first", "सबसे पुरानी पहले"),
        "sort_due": ("due date", "नियत तिथि"),
        "sort_priority": ("priority", "प्राथमिकता"),
        "only_overdue": ("only overdue", "केवल समय-सीमा पार"),
        "show": ("Show", "दिखाएँ"),
        "none": ("Nothing here.", "कुछ नहीं।"),
        "drafts_pending": (
            "Your draft notes on this file are not final; the recipient will not see them.",
            "इस फ़ाइल पर आपके मसौदा नोट अंतिम नहीं हैं; प्राप्तकर्ता उन्हें नहीं देखेगा।",
        ),
        "finalise_and_send": ("Finalise my drafts and send", "मसौदे अंतिम करें और भेजें"),
        "send_keep_drafts": ("Send, keep them as drafts", "भेजें, मसौदे रखें"),
    }
)


def flash_text(flash: str, lang: str) -> str:
    """``key`` or ``key:detail`` set by an action, as a sentence in the reader's language."""
    key, _, detail = flash.partition(":")
    if key not in LABELS:
        return flash
    return f"{label(key, lang)} {detail}".strip()
