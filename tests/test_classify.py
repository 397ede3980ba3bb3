"""Classification and extraction: golden pages with typical OCR errors, rules, the learned model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanpipe.classify import Classifier, DocTypeModel, RuleError, default_rules, load_rules
from scanpipe.classify import extract as x
from scanpipe.classify.classifier import combine, language
from scanpipe.classify.lexicon import PageText, repair_digits
from scanpipe.classify.rules import parse_rules
from scanpipe.model import PageResult, PageStatus

# A Hindi letter as Tesseract reads it: ० as o, a stray danda, a lost nukta.
HINDI_LETTER = """छत्तीसगढ़ शासन
कार्यालय कलेक्टर, जिला मुंगेली (छ.ग.)
स्थापना शाखा
क्रमांक/२३४/स्था./२o१९        मुंगेली, दिनांक। २o/o३/२०१९
फाइल क्र.। ४५/२o१९/स्था.।
प्रति,
तहसीलदार, तहसील लोरमी
विषय :- पुरानी फाइलों को स्कैन कर ई-ऑफिस में अपलोड करने बाबत।
संदर्भ :- आपका पत्र क्रमांक ११२/२०१८ दिनांक ०५.११.२०१८
उपरोक्त विषयांतर्गत लेख है कि सभी नस्तियाँ स्कैन की जाएँ।
कलेक्टर, जिला मुंगेली"""

ENGLISH_LETTER = """Government of Chhattisgarh
Office of the Collector, District Mungeli
F.No. N-11016/6/2016-ARC-DARPG                Dated: 18th October, 2020
To,
The Sub Divisional Officer (Revenue), Pathariya
Subject: Digitisation of legacy files of the record room
Reference: Letter No. 1234/2021 dated 14.07.2019
Sir,
I am directed to request that all legacy files be scanned.
Yours faithfully"""

NOTESHEET = """टीप
नस्ती क्रमांक 8/3/11-Adm
विषय: अभिलेख कक्ष की नस्तियों का डिजिटलीकरण।
पी.यू.सी. पृष्ठ 5/प पर अवलोकनार्थ प्रस्तुत है।
दिनांक 18 अक्टूबर 2020 की बैठक में निर्णय लिया गया।
कृपया आदेशार्थ।"""

ORDER = """कार्यालय कलेक्टर, जिला मुंगेली
आदेश
क्रमांक/५५/स्था./२०२१                  मुंगेली, दिनांक 01.02.21
श्री राम कुमार, सहायक ग्रेड-3 को तत्काल प्रभाव से तहसील लोरमी में पदस्थ किया जाता है।"""

CIRCULAR = """कार्यालय कलेक्टर, जिला मुंगेली
परिपत्र
विषय: ई-ऑफिस प्रणाली लागू करने बाबत।
दिनांक 12/05/2022
समस्त विभाग प्रमुख सर्व संबंधितों को सूचित किया जाता है।"""

APPLICATION = """सेवा में,
श्रीमान कलेक्टर महोदय, जिला मुंगेली
आवेदन पत्र
विषय: भूमि नामांतरण बाबत।
सविनय निवेदन है कि प्रार्थी की भूमि का नामांतरण किया जाए।
प्रार्थी
रामलाल"""

REPORT = """जांच प्रतिवेदन
विषय: ग्राम पंचायत सरगांव में अनियमितता की जांच।
जांच में पाया गया कि अभिलेख अपूर्ण थे।
निष्कर्ष: संबंधित सचिव दोषी है।"""

BILL = """देयक
Bill No. 45/2020    Date 03/03/2020
स्टेशनरी सामग्री
कुल राशि रुपये 4500"""


def page(text: str) -> PageText:
    return PageText(text)


# -- golden extraction ------------------------------------------------------------------------


def test_hindi_letter_with_ocr_errors() -> None:
    p = page(HINDI_LETTER)
    fno = x.best(x.file_numbers(p))
    assert fno is not None and fno.value == "45/2019/स्था" and fno.confidence >= 0.9
    date = x.best(x.dates(p))
    assert date is not None and date.value == "2019-03-20" and date.confidence >= 0.9
    subject = x.subject(p)
    assert subject is not None
    assert subject.value == "पुरानी फाइलों को स्कैन कर ई-ऑफिस में अपलोड करने बाबत"
    ref = x.best(x.references(p))
    assert ref is not None and ref.value == "234/स्था./2019" and ref.confidence >= 0.9
    sender = x.sender(p)
    assert sender is not None and sender.value == "कार्यालय कलेक्टर, जिला मुंगेली (छ.ग.)"


def test_the_cited_letter_is_not_the_letters_own_date_or_number() -> None:
    p = page(HINDI_LETTER)
    dates = {f.value: f.confidence for f in x.dates(p)}
    assert dates["2018-11-05"] < 0.5 < dates["2019-03-20"]
    refs = {f.value: f.confidence for f in x.references(p)}
    assert refs["112/2018"] < refs["234/स्था./2019"]


def test_english_letter() -> None:
    p = page(ENGLISH_LETTER)
    assert x.best(x.file_numbers(p)).value == "N-11016/6/2016-ARC-DARPG"  # type: ignore[union-attr]
    assert x.best(x.dates(p)).value == "2020-10-18"  # type: ignore[union-attr]
    assert x.subject(p).value == "Digitisation of legacy files of the record room"  # type: ignore[union-attr]
    assert x.sender(p).value == "Office of the Collector, District Mungeli"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("दिनांक 09/08/2019", "2019-08-09"),
        ("Dated 14.07.22", "2022-07-14"),
        ("दिनांक १८ अक्टूबर २०२०", "2020-10-18"),
        ("दिनांक 18 अक्तूबर 2020", "2020-10-18"),  # the other spelling
        ("दिनांक ०९/०८/२o१९", "2019-08-09"),  # ० read as o
        ("दिनांक। 5-6-2018", "2018-06-05"),  # stray danda
        ("Dated October 18, 2020", "2020-10-18"),
        ("दिनांक 2 फ़रवरी 2021", "2021-02-02"),  # nukta
        ("दिनांक 2 फरवरी 2021", "2021-02-02"),  # and without it
    ],
)
def test_date_forms(text: str, iso: str) -> None:
    assert x.best(x.dates(page(f"कार्यालय कलेक्टर\n{text}"))).value == iso  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    ["31/02/2019", "दिनांक 45/13/2019", "8/3/11-Adm", "Bill 12.5.3", "मई में बैठक"],
)
def test_impossible_or_non_dates_are_not_dates(text: str) -> None:
    assert x.dates(page(text)) == []


def test_a_short_word_never_matches_inside_a_longer_one() -> None:
    # "कल" (yesterday) must not fire a rule on "कलेक्टर"
    rules = parse_rules({"rules": [{"label": "other", "when": {"literal": "कल"}}]}, "t")
    assert rules.matches(page("कलेक्टर महोदय")) == []
    assert len(rules.matches(page("कल बैठक होगी"))) == 1


def test_repair_digits_only_touches_numbers() -> None:
    assert repair_digits("२o१९ and 2O19 No. Oct o") == "२०१९ and 2019 No. Oct o"
    assert len(repair_digits(HINDI_LETTER)) == len(HINDI_LETTER)  # offsets survive


def test_a_visarga_read_for_the_colon_is_not_part_of_the_subject() -> None:
    p = page("विषय:ः- शासकीय भवनों की मरम्मत\nप्रति")
    assert x.subject(p).value == "शासकीय भवनों की मरम्मत"  # type: ignore[union-attr]
    assert Classifier().kind(page("प्रति,\nतहसीलदार\nविषयः- मरम्मत बाबत।")).label == "receipt"


def test_subject_continues_on_the_next_line_only_when_cut() -> None:
    two = "विषय: जिला मुंगेली के समस्त कार्यालयों में पुरानी नस्तियों के\nडिजिटलीकरण बाबत।\nमहोदय,"
    assert x.subject(page(two)).value.endswith("नस्तियों के डिजिटलीकरण बाबत")  # type: ignore[union-attr]
    one = "विषय: ई-ऑफिस बाबत।\nसंदर्भ: पत्र"
    assert x.subject(page(one)).value == "ई-ऑफिस बाबत"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("ocr", "value", "sure"),
    [
        # sub-files are repaired but confirmed by a person: III is often read as II
        ("नस्ती क्र. A-11011/3(IT)/2018-Est", "A-11011/3(II)/2018-EST", False),  # II read as IT
        ("F.No. A-11011/5(1)/2001-Est", "A-11011/5(I)/2001-EST", False),  # I read as 1
        ("F.No. R-16035/40/2006-Adm.II", "R-16035/40/2006-ADM.II", False),
        ("F.No. N-11016/6/2016-ARC-DARPG", "N-11016/6/2016-ARC-DARPG", True),
        ("A-21001(1)/5/2008/DFG", "A-21001(1)/5/2008/DFG", True),  # a part stays a number
        ("नस्ती क्रमांक --195/2015/GAD-38", "195/2015/GAD-38", False),  # F- read as --
        ("नस्ती क्रमांक ^-21001(3)/4/2009/DFG", "A-21001(3)/4/2009/DFG", True),  # A read as ^
        ("नस्ती क्रमांक £-527/1998/LR-13", "F-527/1998/LR-13", False),  # F or E? a person says
        ("No. 81829/2023/ARC-DARPG", "81829/2023/ARC-DARPG", False),  # maybe a receipt number
        ("No. F-487/2007/LR-9", "F-487/2007/LR-9", True),
    ],
)
def test_file_numbers_through_ocr_slips(ocr: str, value: str, sure: bool) -> None:
    found = x.best(x.file_numbers(page(ocr)))
    assert found is not None and found.value == value
    assert (found.confidence >= 0.8) is sure, found.reason


def test_invalid_labelled_number_is_found_for_review_only() -> None:
    found = x.file_numbers(page("फा.क्र. 45/2099/स्था."))
    assert [(f.value, f.confidence) for f in found] == [("45/2099/स्था.", 0.3)]
    assert "year" in found[0].reason


def test_known_office_names_canonicalise_the_sender() -> None:
    s = x.sender(page("कार्यालय कलेक्टर जिला मुंगेली छ.ग."), ["कार्यालय कलेक्टर, जिला मुंगेली"])
    assert s is not None and s.value == "कार्यालय कलेक्टर, जिला मुंगेली" and s.confidence > 0.9


# -- language, kinds, documents ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [(NOTESHEET, "hi"), (ENGLISH_LETTER, "en"), ("कलेक्टर Collector office कार्यालय", "mixed"),
     ("  . , ", "none")],
)  # fmt: skip
def test_language_by_script_share(text: str, lang: str) -> None:
    assert language(text)[0].value == lang


@pytest.mark.parametrize(
    ("text", "kind"),
    [(HINDI_LETTER, "receipt"), (ENGLISH_LETTER, "receipt"), (NOTESHEET, "note"),
     (ORDER, "order"), (CIRCULAR, "circular"), (APPLICATION, "application"),
     (REPORT, "report"), (BILL, "bill"), ("SEPARATOR SHEET / विभाजक पृष्ठ", "separator")],
)  # fmt: skip
def test_built_in_rules_tell_the_kinds_apart(text: str, kind: str) -> None:
    vote = Classifier().kind(page(text))
    assert vote.label == kind, vote.reason
    assert vote.confidence >= 0.8, vote.reason


def test_a_file_is_split_into_documents_and_notesheets_are_flagged() -> None:
    pages = [
        PageResult(1, PageStatus.OK, text=NOTESHEET),
        PageResult(2, PageStatus.OK, text="कृपया अवलोकन करें। अनुमोदनार्थ प्रस्तुत।"),
        PageResult(3, PageStatus.REVIEW, text=""),
        PageResult(4, PageStatus.OK, text=HINDI_LETTER),
        PageResult(5, PageStatus.OK, text="सभी तहसीलदार कार्यवाही करें।\nकलेक्टर"),
        PageResult(6, PageStatus.OK, text=ORDER),
    ]
    c = Classifier().file(pages)
    got = [(p.number, p.doc_type, p.notesheet, p.starts_document) for p in c.pages]
    assert got[:4] == [(1, "note", True, True), (2, "note", True, False),
                       (3, "blank", False, False), (4, "receipt", False, True)]  # fmt: skip
    assert got[5] == (6, "order", False, True)
    fields = {s.field: s for s in c.suggestions}
    assert fields["file_no"].value == "8/3/11-ADM" and fields["file_no"].page == 1
    assert fields["year"].value == "2011"
    assert fields["subject"].value == "अभिलेख कक्ष की नस्तियों का डिजिटलीकरण"
    assert all(s.reason and 0 <= s.confidence <= 1 for s in c.suggestions)


def test_contradicting_rules_fall_below_the_threshold() -> None:
    text = "परिपत्र\nआदेश\nसर्व संबंधितों को सूचित किया जाता है।"
    vote = Classifier().kind(page(text))
    assert vote.confidence < 0.8, vote
    assert "circular" in vote.reason and "order" in vote.reason


# -- the rule language ------------------------------------------------------------------------

RULES_TOML = """
[[rules]]
name = "land acquisition"
label = "other"
confidence = 0.9
when = { all = [ { literal = "भू अर्जन" }, { not = { literal = "आदेश" } } ] }

[[rules]]
name = "tender"
label = "circular"
scope = "head"
when = { any = [ { fuzzy = "निविदा सूचना", min = 80 }, { regex = "tender no \\\\d+" } ] }
"""


def test_rules_load_from_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "rules.toml"
    toml.write_text(RULES_TOML, encoding="utf-8")
    from_toml = load_rules(toml)
    data = {"rules": [{"name": "tender", "label": "circular", "when": {"literal": "tender"}}]}
    js = tmp_path / "rules.json"
    js.write_text(json.dumps(data), encoding="utf-8")
    assert [r.name for r in from_toml.rules] == ["land acquisition", "tender"]
    assert [r.name for r in load_rules(js).rules] == ["tender"]
    land = from_toml.rules[0]
    assert land.match(page("भू-अर्जन प्रकरण")) is not None  # hyphen splits like a space
    assert land.match(page("भू-अर्जन आदेश")) is None  # "not"
    tender = from_toml.rules[1]
    assert tender.match(page("निवीदा सूचना\n...")) is not None  # OCR slip, fuzzy
    assert tender.match(page("TENDER NO 45 dated")) is not None  # regex on folded text
    assert tender.match(page("\n".join(["x"] * 9 + ["tender no 45"]))) is None  # head only


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"rules": [{"name": "r", "label": "memo", "when": {"literal": "x"}}]}, "label 'memo'"),
        ({"rules": [{"name": "r", "label": "order", "when": {"regex": "("}}]}, "invalid"),
        ({"rules": [{"name": "r", "label": "order", "when": {"like": "x"}}]}, "like"),
        ({"rules": [{"name": "r", "label": "order", "when": {"any": []}}]}, "non-empty"),
        ({"rules": [{"name": "r", "label": "order", "confidence": 2, "when": {"literal": "x"}}]},
         "confidence"),
        ({"rules": [{"name": "r", "label": "order"}]}, "no 'when'"),
        ({"rules": [{"name": "r", "label": "order", "when": {"literal": "।"}}]}, "no words"),
        ({"rule": []}, "no \\[\\[rules\\]\\]"),
    ],
)  # fmt: skip
def test_bad_rules_name_the_rule_and_the_problem(data: dict, match: str) -> None:
    with pytest.raises(RuleError, match=match) as info:
        parse_rules(data, "rules.toml")
    assert "rules.toml" in info.value.message


def test_a_toml_syntax_error_is_reported_with_advice(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("[[rules]\nname = ", encoding="utf-8")
    with pytest.raises(RuleError, match="not valid TOML") as info:
        load_rules(bad)
    assert info.value.advice


def test_default_rules_are_valid_and_cover_every_document_kind() -> None:
    labels = {r.label for r in default_rules().rules}
    assert labels == {"receipt", "note", "order", "circular", "application", "report", "bill",
                      "separator"}  # fmt: skip


# -- the learned model ------------------------------------------------------------------------

TRAIN = [
    (f"भूमि नामांतरण प्रकरण क्रमांक {i} ग्राम सरगांव खसरा नंबर {i * 7} रकबा", "other") for i in range(6)
] + [(f"वेतन देयक माह {m} कर्मचारी वेतन भत्ता कटौती शुद्ध देय", "bill") for m in range(6)]


def test_model_learns_from_confirmed_labels_and_tolerates_ocr_noise() -> None:
    model = DocTypeModel.train(TRAIN)
    assert model is not None and set(model.classes) == {"other", "bill"}
    noisy = model.predict("वेतन दयक माह ३ कमचारी वतन भत्ता")  # lost matras
    assert noisy.label == "bill" and noisy.confidence > 0.5
    assert "confirmed pages" in noisy.reason
    assert model.predict("खसरा नंबर 44 ग्राम सरगांव नामांतरन").label == "other"


def test_too_few_labels_give_no_model() -> None:
    assert DocTypeModel.train(TRAIN[:5]) is None
    assert DocTypeModel.train([(t, "bill") for t, _ in TRAIN]) is None  # one kind only


def test_model_and_rules_vote_together() -> None:
    model = DocTypeModel.train(TRAIN)
    c = Classifier(model=model)
    agree = c.kind(page("देयक\nवेतन देयक माह 4 कर्मचारी वेतन भत्ता कुल राशि रुपये 4500"))
    assert agree.label == "bill" and agree.confidence > 0.9
    assert "rule 'bill heading'" in agree.reason and "confirmed pages" in agree.reason
    alone = c.kind(page("खसरा नंबर 12 ग्राम सरगांव नामांतरण प्रकरण"))
    assert alone.label == "other" and alone.source == "model"


def test_combine_without_votes_is_other_for_review() -> None:
    vote = combine([])
    assert vote.label == "other" and vote.confidence < 0.8


@pytest.mark.parametrize(
    ("ocr", "again", "value", "sure"),
    [
        # The English model gives back the head letter the Devanagari model turned into --.
        ("नस्ती क्रमांक --195/2015/GAD-38", "aedt HAIG F-195/2015/GAD-38", "F-195/2015/GAD-38",
         True),
        # Both read the same sub-file numeral: two readings agree, no review needed.
        ("F.No. A-11011/5(II)/2001-Est", "F.No. A-11011/5(II)/2001-Est", "A-11011/5(II)/2001-EST",
         True),
        # They differ in the numeral: the English reading wins (it reads Latin strokes).
        ("नस्ती क्र. A-11011/3(IT)/2018-Est", "aedl &. A-11011/3(III)/2018-Est",
         "A-11011/3(III)/2018-EST", True),
        # Digits disagree: the second reading proves nothing and changes nothing.
        ("नस्ती क्रमांक --195/2015/GAD-38", "aedt HAIG F-196/2015/GAD-38", "195/2015/GAD-38",
         False),
        # Devanagari numbers are the first reading's alone (eng makes ११४ into 92¥).
        ("नस्ती क्र. 114/2008/स्था.", "aed oh. 114/2008/ZM", "114/2008/स्था", True),
        # The first reading did not parse at all; the line's digits agree, so take the second.
        ("F.No. A-11011/1()/2013-Est", "F.No. A-11011/1(1)/2013-Est", "A-11011/1(I)/2013-EST",
         True),
        # A digit pair the English model split with a space is joined again.
        ("File No. A-11011/19(IT)/2016-Est", "File No. A-11011/1 9(II)/2016-Est",
         "A-11011/19(II)/2016-EST", True),
        # The head letter E read as the digit ६ still leaves the label in force.
        ("फा.क्र. ६-16097/83/2020-Estt", "tal.sh. E-16097/83/2020-Estt", "E-16097/83/2020-ESTT",
         True),
        # "280IT)" has a digit too many: no agreement, nothing is taken from the second reading.
        ("F.No. A-11011/280IT)/2001-Est", "F.No. A-11011/28(III)/2001-Est", None, False),
        # The first reading stopped at a misread character and parsed a shorter number.
        ("नस्ती क्रमांक F-781/2022/RE\\V-17", "aedt HAIG F-781/2022/REV-17", "F-781/2022/REV-17",
         True),
        ("नस्ती क्र. F-22064/4/2001-Adm.II", "aed Hh. F-22064/4/2001 -Adm.II",
         "F-22064/4/2001-ADM.II", True),
        # A cited letter's number stays unsure however many models read it.
        ("संदर्भ: पत्र क्रमांक £-527/1998/LR-13", "Ref: letter No. F-527/1998/LR-13",
         "F-527/1998/LR-13", False),
    ],
)  # fmt: skip
def test_second_reading_by_the_english_model(
    ocr: str, again: str, value: str | None, sure: bool
) -> None:
    found = x.best(x.file_numbers(page(ocr), rereads=[(ocr, again)]))
    assert (found.value if found else None) == value, found
    assert (found is not None and found.confidence >= 0.8) is sure, found
