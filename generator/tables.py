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
    """Per employee and field of their workbook: the level, and what the next one needs."""
    titles = {f.id: f.title for f in result.criteria.fields}
    rows = []
    for file in result.counted:
        person, present = _person(result, file), fields_of(file, result.criteria)
        for field_id, title in titles.items():
            if field_id not in present:
                continue
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
    """A long table: per employee every item (ticked or not) and every filled engagement.

    Rows are tuples, not dicts: with 200 items a person, the table is the import's largest.
    """
    criteria = result.criteria
    rows: list[tuple] = []
    for file in result.counted:
        person, answers = tuple(_person(result, file).values()), file.answers
        present = fields_of(file, criteria)
        for level in criteria.levels:
            if level.field not in present:
                continue
            for section in level.sections:
                rows += [
                    (
                        *person,
                        level.id,
                        item.id,
                        answers.ticked(item.id),
                        answers.evidence.get(item.id, ""),
                    )
                    for item in section.items
                ]
            rows += [
                (
                    *person,
                    level.id,
                    f"{level.id}.experience.{row.row}",
                    _engagement(row),
                    row.evidence,
                )
                for row in answers.rows(level.id)
            ]
    columns = [*PERSON, "level_id", "item_id", "answer", "evidence"]
    return pd.DataFrame.from_records(rows, columns=columns).astype(object)


def fields_of(file: FileResult, criteria: Criteria) -> set[str]:
    """The fields a file's workbook holds (its metadata; all when it does not say)."""
    listed = {f for f in file.meta.get("fields", "").replace(",", ";").split(";") if f}
    known = listed & set(criteria.field_by_id)
    common = next(f.id for f in criteria.fields if f.id == "common")
    return (known or set(criteria.field_by_id)) | {common}


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
