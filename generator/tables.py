"""An import's results as tables (pandas DataFrames): Summary, Gaps, Items, Files.

The report's sheets, the CSV files and the Python API all come from these four tables, so
they always agree. Text columns stay text (object dtype), levels are nullable integers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from generator.criteria import Criteria
    from generator.importer import FileResult, ImportResult

TABLE_NAMES = ("summary", "gaps", "items", "files")
PERSON = ("employee_id", "name", "department")
#: What the Summary says of a roster employee with no file that counts.
NOT_RETURNED = "not returned"


def build(result: ImportResult) -> dict[str, pd.DataFrame]:
    """The four tables of `result`, by name."""
    return {
        "summary": summary(result),
        "gaps": gaps(result),
        "items": items(result),
        "files": files(result),
    }


def _person(result: ImportResult, file: FileResult) -> dict[str, str]:
    """ID, name and department: the roster's where it has the employee, else the file's."""
    row = (result.roster or {}).get(file.employee_id or "", {})
    return {
        "employee_id": file.employee_id or "",
        "name": row.get("name") or file.meta.get("name", ""),
        "department": row.get("department") or file.meta.get("department", ""),
    }


def _levels(result: ImportResult, file: FileResult | None) -> dict[str, int | None]:
    fields = [f.id for f in result.criteria.fields]
    if file is None:
        return {**dict.fromkeys(fields), "overall": None}
    return {**{f: file.levels.get(f) for f in fields}, "overall": file.overall}


def _frame(rows: list[dict], columns: list[str], levels: list[str] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for column in levels:
        frame[column] = frame[column].astype("Int64")
    return frame


def summary(result: ImportResult) -> pd.DataFrame:
    """A row per employee: levels per field, overall, status and the file that counts."""
    level_columns = [f.id for f in result.criteria.fields] + ["overall"]
    rows = [
        {**_person(result, f), **_levels(result, f), "status": f.status, "file": f.path}
        for f in result.counted
    ]
    for row in result.not_returned():
        rows.append(
            {
                "employee_id": row.get("employee_id", ""),
                "name": row.get("name", ""),
                "department": row.get("department", ""),
                **_levels(result, None),
                "status": NOT_RETURNED,
                "file": "",
            }
        )
    columns = [*PERSON, *level_columns, "status", "file"]
    return _frame(rows, columns, level_columns)


def gaps(result: ImportResult) -> pd.DataFrame:
    """Per employee and field: the level, the next level, and each thing it still needs."""
    titles = {f.id: f.title for f in result.criteria.fields}
    rows = []
    for file in result.counted:
        person = _person(result, file)
        for field_id, title in titles.items():
            needs = file.next_needs.get(field_id) or []
            rows.append(
                {
                    **person,
                    "field": field_id,
                    "field_title": title,
                    "level": file.levels.get(field_id),
                    "next_level": file.next_level.get(field_id),
                    "needs": "; ".join(needs) if needs else "top level reached",
                    "notes": "; ".join(file.notes.get(field_id, [])),
                }
            )
    columns = [*PERSON, "field", "field_title", "level", "next_level", "needs", "notes"]
    return _frame(rows, columns, ["level", "next_level"])


def items(result: ImportResult) -> pd.DataFrame:
    """A long table: per employee every item (ticked or not) and every filled engagement."""
    criteria = result.criteria
    rows = []
    for file in result.counted:
        person, answers = _person(result, file), file.answers
        present = _fields_of(file, criteria)
        for level in criteria.levels:
            if level.field not in present:
                continue
            for section in level.sections:
                for item in section.items:
                    rows.append(
                        {
                            **person,
                            "level_id": level.id,
                            "item_id": item.id,
                            "answer": answers.ticked(item.id),
                            "evidence": answers.evidence.get(item.id, ""),
                        }
                    )
            for row in answers.rows(level.id):
                rows.append(
                    {
                        **person,
                        "level_id": level.id,
                        "item_id": f"{level.id}.experience.{row.row}",
                        "answer": _engagement(row),
                        "evidence": row.evidence,
                    }
                )
    columns = [*PERSON, "level_id", "item_id", "answer", "evidence"]
    return _frame(rows, columns)


def _fields_of(file: FileResult, criteria: Criteria) -> set[str]:
    listed = {f for f in file.meta.get("fields", "").replace(",", ";").split(";") if f}
    known = listed & set(criteria.field_by_id)
    return (known or set(criteria.field_by_id)) | {criteria.fields[0].id}


def _engagement(row) -> str:
    """An experience row in words: "network, level 4, completed: Osaka roll-out"."""
    parts = [
        row.component,
        f"level {row.level}" if row.level else None,
        "completed" if row.completed else "not completed",
    ]
    text = ", ".join(p for p in parts if p)
    return f"{text}: {row.engagement}" if row.engagement else text


def files(result: ImportResult) -> pd.DataFrame:
    """Every input file: its status, reasons, employee and levels."""
    rows = []
    for file in result.files:
        saved = file.saved_at or file.mtime
        rows.append(
            {
                "path": file.path,
                "status": file.status,
                "reason": file.reason,
                **_person(result, file),
                **_levels(result, file if file.status != "rejected" else None),
                "saved_at": saved.strftime("%Y-%m-%d %H:%M:%S") if saved else "",
            }
        )
    level_columns = [f.id for f in result.criteria.fields] + ["overall"]
    columns = ["path", "status", "reason", *PERSON, *level_columns, "saved_at"]
    return _frame(rows, columns, level_columns)
