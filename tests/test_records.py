"""Recording and retention: the table of category and review-year cases, and the vocabularies."""

from __future__ import annotations

import pytest

from scanpipe.eoffice.terms import (
    LABELS,
    Category,
    DocKind,
    FileState,
    Grading,
    Language,
    Nature,
    PartKind,
    RecordError,
    compute_retention,
    label,
    next_classified_review,
    parse_choice,
)

A, B, C = Category.A, Category.B, Category.C
N, CONF, SEC, TOP = Grading.NORMAL, Grading.CONFIDENTIAL, Grading.SECRET, Grading.TOP_SECRET

# (category, retention given, closed year, file year, grading) -> (retention kept, review year)
CASES = [
    # A and B: permanent, reviewed 25 years after closing
    (A, None, 2000, None, N, None, 2025),
    (B, None, 1998, 1990, N, None, 2023),  # closing wins over the file's year
    (A, None, None, 2011, N, None, 2036),  # closing unknown: the file's year
    (B, None, None, None, N, None, None),  # nothing to count from
    # C: kept the period given (at most 10), reviewed when it ends
    (C, 3, 2020, None, N, 3, 2023),
    (C, 10, 2015, None, N, 10, 2025),
    (C, 1, 2024, None, N, 1, 2025),
    (C, None, 2019, None, N, 10, 2029),  # no period given: the maximum
    # classified: reviewed for declassification every 5 years
    (A, None, 2000, None, SEC, None, 2005),
    (B, None, 2010, None, TOP, None, 2015),
    (C, 10, 2010, None, CONF, 10, 2015),
    (C, 3, 2010, None, SEC, 3, 2013),  # its period ends before the 5-year review
    (C, 5, 2010, None, CONF, 5, 2015),
]


@pytest.mark.parametrize(
    ("category", "given", "closed", "file_year", "grading", "kept", "review"), CASES
)
def test_category_and_review_year(
    category: Category,
    given: int | None,
    closed: int | None,
    file_year: int | None,
    grading: Grading,
    kept: int | None,
    review: int | None,
) -> None:
    r = compute_retention(
        category, retention_years=given, closed_year=closed, file_year=file_year, grading=grading
    )
    assert (r.category, r.retention_years, r.review_year) == (category, kept, review)
    assert f"category {category.value}" in r.reason


@pytest.mark.parametrize(
    ("category", "given", "match"),
    [
        (A, 5, "kept permanently"),
        (B, 1, "kept permanently"),
        (C, 11, "1 to 10"),
        (C, 0, "1 to 10"),
        (C, -2, "1 to 10"),
    ],
)
def test_impossible_retention_is_refused_with_advice(
    category: Category, given: int, match: str
) -> None:
    with pytest.raises(RecordError, match=match) as info:
        compute_retention(category, retention_years=given, closed_year=2000)
    assert info.value.advice


def test_the_reason_says_where_the_count_starts() -> None:
    assert "closed in 2000" in compute_retention(A, closed_year=2000).reason
    assert "closing unknown" in compute_retention(A, file_year=2011).reason
    assert "declassification" in compute_retention(A, closed_year=2000, grading=SEC).reason


@pytest.mark.parametrize(
    ("review", "this_year", "due"),
    [(2005, 2003, 2005), (2005, 2005, 2005), (2005, 2006, 2010), (2005, 2026, 2030)],
)
def test_next_classified_review(review: int, this_year: int, due: int) -> None:
    assert next_classified_review(review, this_year) == due


def test_every_value_has_an_english_and_a_hindi_label() -> None:
    for enum in (Nature, FileState, Category, Grading, PartKind, DocKind, Language):
        for member in enum:
            en, hi = LABELS[member]
            assert en.isascii() and any("\u0900" <= c <= "\u097f" for c in hi), member
            assert label(member) == f"{en} / {hi}"
    assert label(None) == "–"


@pytest.mark.parametrize(
    ("enum", "typed", "member"),
    [
        (Grading, "Top Secret", Grading.TOP_SECRET),
        (Grading, "top_secret", Grading.TOP_SECRET),
        (PartKind, "APPENDIX-NOTES", PartKind.APPENDIX_NOTES),
        (Category, "c", Category.C),
        (FileState, " parked ", FileState.PARKED),
    ],
)
def test_parse_choice_is_forgiving_about_case_and_spacing(
    enum: type, typed: str, member: object
) -> None:
    assert parse_choice(enum, typed, "value") is member


def test_parse_choice_lists_the_allowed_values() -> None:
    with pytest.raises(RecordError) as info:
        parse_choice(Nature, "paper", "nature")
    assert "physical, electronic, digitised" in info.value.advice
