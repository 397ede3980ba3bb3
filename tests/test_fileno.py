"""File numbers: the table of forms that must parse, and of mistakes that must be refused."""

from __future__ import annotations

from datetime import date

import pytest

from scanpipe.eoffice.fileno import (
    FileNoKind,
    FileNumberError,
    find_candidates,
    parse_file_no,
)
from scanpipe.errors import ExitCode
from scanpipe.registry.nic import nic_folder_name, romanise

NEXT_YEAR = date.today().year + 1

# written -> (normalised, kind, year, section as written)
MUST_PARSE = [
    ("N-11016/6/2016-ARC-DARPG", "N-11016/6/2016-ARC-DARPG", FileNoKind.FUNCTIONAL, 2016,
     "ARC-DARPG"),
    ("8/3/11-Adm", "8/3/11-ADM", FileNoKind.CONVENTIONAL, 2011, "Adm"),
    ("A-11011/5(I)/2001-Est", "A-11011/5(I)/2001-EST", FileNoKind.FUNCTIONAL, 2001, "Est"),
    ("A-11011/5(II)/2001-Est", "A-11011/5(II)/2001-EST", FileNoKind.FUNCTIONAL, 2001, "Est"),
    ("A-21001(3)/5/2008/DFG", "A-21001(3)/5/2008/DFG", FileNoKind.FUNCTIONAL, 2008, "DFG"),
    ("फा.क्र. ४५/२०१९/स्था.", "45/2019/स्था", FileNoKind.SERIAL, 2019, "स्था."),
    ("File No. F-847/2022/GAD-36", "F-847/2022/GAD-36", FileNoKind.SERIAL, 2022, "GAD-36"),
    ("81829/2023/ARC-DARPG", "81829/2023/ARC-DARPG", FileNoKind.SERIAL, 2023, "ARC-DARPG"),
    # labels, spacing, case and script variants of the same kinds
    ("F.No. N-11016/6/2016-ARC-DARPG", "N-11016/6/2016-ARC-DARPG", FileNoKind.FUNCTIONAL, 2016,
     "ARC-DARPG"),
    ("n-11016 / 06 / 2016 - arc-darpg", "N-11016/6/2016-ARC-DARPG", FileNoKind.FUNCTIONAL, 2016,
     "arc-darpg"),
    ("नस्ती क्रमांक ४५/२०१९/भू-अभि.", "45/2019/भू-अभि", FileNoKind.SERIAL, 2019, "भू-अभि."),
    ("फ़ाइल क्र. 1234/2019/सा.प्र.वि.", "1234/2019/सा.प्र.वि", FileNoKind.SERIAL, 2019, "सा.प्र.वि."),
    ("फा.क्र. ४५/२०१९/स्था.।", "45/2019/स्था", FileNoKind.SERIAL, 2019, "स्था."),  # stray danda
    ("12/7/98-Rev", "12/7/98-REV", FileNoKind.CONVENTIONAL, 1998, "Rev"),
    ("A-11011/5(i)/2001-Est", "A-11011/5(I)/2001-EST", FileNoKind.FUNCTIONAL, 2001, "Est"),
]  # fmt: skip

# written -> the part named as wrong
MUST_REJECT = [
    ("", "number"),
    ("   ", "number"),
    ("File No.", "number"),
    ("N-11116/6/2016-ARC", "head"),  # third digit of a functional head must be 0
    ("N-1101/6/2016-ARC", "head"),  # functional heads have five digits
    ("0/3/11-Adm", "head"),
    ("8/0/11-Adm", "serial"),
    ("8/3/1234567/2011-Adm", "structure"),
    ("1/2/3/2019-Est", "structure"),
    ("12-Adm", "structure"),
    ("8/3/11", "section"),  # a date is not a file number
    ("12/2019", "section"),
    ("8/3/11-123", "section"),
    ("8/3/11-Adm-", "section"),
    ("8/3/119-Adm", "year"),
    (f"8/3/{NEXT_YEAR + 1}-Adm", "year"),
    ("8/3/1850-Adm", "year"),
    ("A-21001(II)/5/2008/DFG", "part"),  # a part is numbered, a sub-file is Roman
    ("A-21001(0)/5/2008/DFG", "part"),
    ("A-11011/5(3)/2001-Est", "sub-file"),
    ("A-11011/5(IIII)/2001-Est", "sub-file"),
    ("A-11011/5(I)(II)/2001-Est", "structure"),
    ("8#3/11-Adm", "characters"),
    ("8/3/11-Adm_Cell", "characters"),
    ("8/3/11-अ।ब", "characters"),
    ("X/3/11-Adm", "head"),
]


@pytest.mark.parametrize(("written", "normalised", "kind", "year", "section"), MUST_PARSE)
def test_must_parse(
    written: str, normalised: str, kind: FileNoKind, year: int, section: str
) -> None:
    number = parse_file_no(written)
    assert number.normalised == normalised
    assert number.kind is kind
    assert (number.year, number.section) == (year, section)
    assert parse_file_no(number.normalised).normalised == normalised  # idempotent


@pytest.mark.parametrize(("written", "part"), MUST_REJECT)
def test_must_reject_with_the_part_that_is_wrong(written: str, part: str) -> None:
    with pytest.raises(FileNumberError) as info:
        parse_file_no(written)
    assert info.value.part == part
    assert info.value.reason and info.value.advice
    assert info.value.exit_code == ExitCode.BAD_ARGS


def test_parts_of_a_functional_number() -> None:
    n = parse_file_no("A-21001(3)/5/2008/DFG")
    assert (n.basic_head, n.head, n.primary_head, n.secondary_head) == ("A", "21001", "21", "01")
    assert (n.part_no, n.serial, n.sub_file, n.section_sep) == (3, 5, None, "/")
    sub = parse_file_no("A-11011/5(II)/2001-Est")
    assert (sub.part_no, sub.sub_file, sub.section_sep) == (None, "II", "-")


def test_the_same_number_in_both_scripts_normalises_the_same() -> None:
    a = parse_file_no("फा.क्र. ४५/२०१९/स्था.")
    b = parse_file_no("45/2019/स्था")
    c = parse_file_no("फ़ा.क्र. 45 / 2019 / स्था.")
    assert a.normalised == b.normalised == c.normalised
    assert a.written == "फा.क्र. ४५/२०१९/स्था."  # kept as written for display


def test_two_digit_years_expand_around_this_year() -> None:
    this = date.today().year % 100
    assert parse_file_no(f"1/2/{this:02d}-Adm").year == 2000 + this
    assert parse_file_no("1/2/75-Adm").year == 1975


def test_the_reason_names_the_wrong_value() -> None:
    with pytest.raises(FileNumberError, match="11116"):
        parse_file_no("N-11116/6/2016-ARC")
    with pytest.raises(FileNumberError, match="'#'"):
        parse_file_no("8#3/11-Adm")


# -- NIC folder names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "folder"),
    [
        ("A-21001(3)/5/2008/DFG", "fl-A-21001(3)_5_2008_DFG"),  # NIC's own example
        ("N-11016/6/2016-ARC-DARPG", "fl-N-11016_6_2016-ARC-DARPG"),
        ("A-11011/5(I)/2001-Est", "fl-A-11011_5(I)_2001-EST"),
        ("8/3/11-Adm", "fl-8_3_11-ADM"),
        ("फा.क्र. ४५/२०१९/स्था.", "fl-45_2019_EST"),  # known Hindi section code
        ("12/2020/लेखा", "fl-12_2020_ACCTS"),
        ("7/2021/पंजीयन", "fl-7_2021_PANJIIYAN"),  # unknown: romanised
        ("F-847/2022/GAD-36", "fl-F-847_2022_GAD-36"),
    ],
)
def test_nic_folder_names(written: str, folder: str) -> None:
    name = nic_folder_name(parse_file_no(written))
    assert name == folder
    assert all(c.isascii() and (c.isalnum() or c in "()-_") for c in name)


def test_nic_folder_uses_a_records_rooms_own_section_codes() -> None:
    number = parse_file_no("7/2021/पंजीयन")
    assert nic_folder_name(number, {"पंजीयन": "REGN"}) == "fl-7_2021_REGN"


def test_nic_problems_name_the_characters_nic_forbids() -> None:
    assert parse_file_no("A-21001(3)/5/2008/DFG").nic_problems() == []
    problems = parse_file_no("45/2019/स्था.").nic_problems()
    assert len(problems) == 1 and "स" in problems[0]


def test_romanise_is_plain_ascii() -> None:
    assert romanise("लेखा") == "lekhaa"
    assert romanise("कलेक्टर").isascii()


# -- finding numbers in text -------------------------------------------------------------


def test_find_candidates_in_ocr_text() -> None:
    text = (
        "File No. F-847/2022/GAD-36 dated 14.07.2022\n"
        "फा.क्र. ४५ / २०१९/ स्था.। and No. 1234/2021 dated 14/07/2022\n"
        "see N-11016/6/2016-ARC-DARPG"
    )
    found = [parse_file_no(t).normalised for _, _, t in find_candidates(text)]
    assert found == ["F-847/2022/GAD-36", "45/2019/स्था", "N-11016/6/2016-ARC-DARPG"]
