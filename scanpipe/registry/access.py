"""The one read rule: who may see a file. Every path (web, CLI, search, exports) asks here.

The rule (docs/access.md, after CSMOP's "need to know"):

1. Admins and the records room see every file; each such read is audited
   like any other.
2. Anyone who needs the file for their duty sees it, whatever its grading:
   its current holders, everyone on its movement path (sent it or was sent
   it), its creator, and the users it was explicitly shared with.
3. Otherwise a user sees a file of their own section, or a file with no
   section, when its grading is within their clearance. Confidential needs
   an officer's role as well; secret and top-secret files are never read
   through a section, only by rule 2.

It is one SQL condition over ``files AS f``, so search filters by it inside
the match (before ranking and counting) and a single file is checked by the
same text; there is no second, Python copy of the rule to drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from scanpipe.eoffice.terms import Grading

SEES_ALL = frozenset({"admin", "records"})
ORDER = (Grading.NORMAL, Grading.CONFIDENTIAL, Grading.SECRET, Grading.TOP_SECRET)
THROUGH_SECTION = (Grading.NORMAL, Grading.CONFIDENTIAL)  # secret and above: need to know only
OFFICER_ONLY = frozenset({Grading.CONFIDENTIAL})


@dataclass(frozen=True)
class Reader:
    """Who is reading, as the rule needs them. ``user_id`` None is a shell on the server."""

    login: str
    role: str
    user_id: int | None = None
    section_id: int | None = None
    clearance: Grading = Grading.NORMAL

    @property
    def sees_all(self) -> bool:
        return self.role in SEES_ALL


def section_gradings(reader: Reader) -> tuple[str, ...]:
    """The gradings the reader may read through their section (rule 3)."""
    allowed = []
    for grading in THROUGH_SECTION:
        if ORDER.index(grading) > ORDER.index(reader.clearance):
            break
        if grading in OFFICER_ONLY and reader.role != "officer":
            continue
        allowed.append(grading.value)
    return tuple(allowed)


def condition(reader: Reader, params: dict[str, object]) -> str:
    """The rule as SQL over ``files AS f``; adds its parameters to ``params``."""
    if reader.sees_all:
        return "1 = 1"
    if reader.user_id is None:
        return "1 = 0"
    params["r_user"] = reader.user_id
    need = (
        "f.id IN (SELECT file_id FROM holdings WHERE user_id = :r_user)"
        " OR f.id IN (SELECT file_id FROM movements"
        " WHERE actor_id = :r_user OR to_user_id = :r_user)"
        " OR f.id IN (SELECT file_id FROM file_tracking WHERE creator_id = :r_user)"
        " OR f.id IN (SELECT file_id FROM file_shares WHERE user_id = :r_user)"
    )
    grades = section_gradings(reader)
    if not grades:
        return f"({need})"
    names = []
    for i, grade in enumerate(grades):
        params[f"r_grade{i}"] = grade
        names.append(f":r_grade{i}")
    if reader.section_id is None:
        section = "f.section_id IS NULL"
    else:
        params["r_section"] = reader.section_id
        section = "(f.section_id IS NULL OR f.section_id = :r_section)"
    return f"({need} OR ({section} AND f.grading IN ({', '.join(names)})))"


def may_read(session: Session, reader: Reader, file_id: int) -> bool:
    """Whether ``reader`` may see file ``file_id`` (False too when there is no such file)."""
    params: dict[str, object] = {"file_id": file_id}
    where = condition(reader, params)
    found = session.execute(
        sql(f"SELECT 1 FROM files AS f WHERE f.id = :file_id AND {where}"), params
    ).first()
    return found is not None


def readable(session: Session, reader: Reader, file_ids: set[int]) -> set[int]:
    """The subset of ``file_ids`` the reader may see, in one query."""
    if not file_ids:
        return set()
    params: dict[str, object] = {}
    where = condition(reader, params)
    ids = ", ".join(str(int(i)) for i in sorted(file_ids))
    rows = session.execute(
        sql(f"SELECT f.id FROM files AS f WHERE f.id IN ({ids}) AND {where}"), params
    ).scalars()
    return set(rows)
