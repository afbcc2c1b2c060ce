"""Earlier answers to carry into new workbooks, by item ID: the next assessment cycle.

A prefill file is one of:

- an answers file (.json, .yaml): ``{"employee": {"id": ...}, "answers": {...}}``, or a list of
  such records;
- the bulk import's JSON report (``{"files": [...]}``): each file that was read (status ok or
  warning) is read again from its path, or its ``answers`` taken when the report has them;
- a returned workbook (.xlsx).

Answers to IDs that the criteria no longer have are not carried; `carry` lists them, so that
the caller can say so instead of losing them silently.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import answers as answers_mod
from generator import layout
from generator.criteria import Criteria
from generator.errors import ITSSError, PrefillError

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Report statuses whose files were read and count.
READ_STATUSES = ("ok", "warning")


@dataclass
class Prefill:
    """Flat answers by employee ID; `anyone` for records that name nobody."""

    by_employee: dict[str, dict[str, Any]] = field(default_factory=dict)
    anyone: dict[str, Any] | None = None
    #: What reading the prefill file had to say (files not read, values not taken).
    notes: list[str] = field(default_factory=list)

    def answers_for(self, employee_id: str | None) -> dict[str, Any] | None:
        """The answers for one employee; the nameless record, or a lone record, otherwise."""
        if employee_id and employee_id in self.by_employee:
            return self.by_employee[employee_id]
        if employee_id is None and self.anyone is None and len(self.by_employee) == 1:
            return next(iter(self.by_employee.values()))
        return self.anyone


def load_prefills(criteria: Criteria, paths: Iterable[str | Path]) -> Prefill:
    """Read several prefill files into one; for an employee in two, the later file wins."""
    merged = Prefill()
    for path in paths:
        one = load_prefill(criteria, path)
        merged.by_employee.update(one.by_employee)
        merged.anyone = one.anyone if one.anyone is not None else merged.anyone
        merged.notes += one.notes
    return merged


def load_prefill(criteria: Criteria, path: str | Path) -> Prefill:
    """Read a prefill file of any of the accepted kinds (report entries inside a .zip
    archive are read from it).

    Raises:
        PrefillError: the file cannot be read or holds no answers.
    """
    path = Path(path)
    prefill = Prefill()
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        _add_workbooks(criteria, prefill, [_WorkbookJob(path)])
        return prefill
    data = _read_data(path)
    if isinstance(data, dict) and isinstance(data.get("files"), list):
        jobs = [_report_entry(prefill, path.parent, entry) for entry in data["files"]]
        _add_workbooks(criteria, prefill, [job for job in jobs if job is not None])
    else:
        records = data if isinstance(data, list) else [data]
        for n, record in enumerate(records):
            _add_record(prefill, record, f"{path}: record {n + 1}")
    if not prefill.by_employee and prefill.anyone is None:
        raise PrefillError(
            f"{path}: holds no answers to carry (expected an answers file, "
            "a list of them, or the import's JSON report)",
            prefill.notes,
        )
    return prefill


def _read_data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PrefillError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        from ruamel.yaml import YAML

        return YAML(typ="safe").load(text)
    except Exception as exc:  # json and ruamel raise several kinds for bad syntax
        raise PrefillError(f"{path}: is not valid {path.suffix[1:].upper()}: {exc}") from exc


def _add_record(prefill: Prefill, record: Any, where: str) -> None:
    if not isinstance(record, dict) or not isinstance(record.get("answers"), dict):
        raise PrefillError(f"{where}: needs an 'answers' mapping of answer keys to values")
    employee = record.get("employee") or {}
    employee_id = str(employee.get("id", "")).strip() if isinstance(employee, dict) else ""
    if employee_id:
        prefill.by_employee[employee_id] = dict(record["answers"])
    else:
        prefill.anyone = dict(record["answers"])


@dataclass(frozen=True)
class _WorkbookJob:
    """A returned workbook to read answers from: a file, or a member of a .zip archive."""

    path: Path
    member: str | None = None
    employee_id: str | None = None

    @property
    def shown(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)


def _report_entry(prefill: Prefill, base: Path, entry: Any) -> _WorkbookJob | None:
    """A workbook to read for one entry of the import's JSON report (answers it carries are
    taken at once)."""
    if not isinstance(entry, dict) or entry.get("status") not in READ_STATUSES:
        return None
    if isinstance(entry.get("answers"), dict):
        _add_record(
            prefill,
            {"employee": {"id": entry.get("employee_id")}, "answers": entry["answers"]},
            str(entry.get("path")),
        )
        return None
    shown = str(entry.get("path", ""))
    archive, mark, member = shown.partition(ARCHIVE_MARK)
    path = Path(f"{archive}.zip" if mark else shown)
    if not path.is_absolute() and not path.is_file():
        path = base / path  # the report's paths are as given to the import; else beside it
    if not path.is_file():
        prefill.notes.append(f"{path}: listed in the report but not found; not carried")
        return None
    return _WorkbookJob(path, member or None, entry.get("employee_id"))


#: How the import names a member of a .zip archive: "archive.zip!folder/file.xlsx".
ARCHIVE_MARK = ".zip!"


def _add_workbooks(criteria: Criteria, prefill: Prefill, jobs: list[_WorkbookJob]) -> None:
    """Read the workbooks in worker processes, as the import does, so that a hostile file
    costs only its worker; their answers are added in the order given."""
    from generator import workers

    if not jobs:
        return
    outcomes = dict(workers.run(_read_job, criteria, jobs, workers=os.cpu_count() or 1))
    for index, job in enumerate(jobs):
        outcome = outcomes[index]
        if isinstance(outcome, workers.Failure):
            outcome = f"not carried: {outcome.reason}"
        if isinstance(outcome, str):
            prefill.notes.append(f"{job.shown}: {outcome}")
            continue
        flat, employee_id, warnings = outcome
        prefill.notes += [f"{job.shown}: {w}" for w in warnings]
        record = {"employee": {"id": job.employee_id or employee_id}, "answers": flat}
        _add_record(prefill, record, job.shown)


def _read_job(criteria: Criteria, job: _WorkbookJob) -> tuple[dict, str, list[str]] | str:
    """A workbook's flat answers, employee ID and warnings, or why not (runs in a worker)."""
    from generator.reader import read_workbook

    try:
        data = _member_bytes(job.path, job.member) if job.member else job.path.read_bytes()
        read = read_workbook(criteria, data, job.shown)
    except (OSError, ITSSError, zipfile.BadZipFile, KeyError) as exc:
        return f"not carried: {exc}"
    return answers_mod.to_flat(read.answers), read.meta.get("employee_id", ""), read.warnings


#: A prefill member larger than this is not read (a returned workbook is some 50 KB).
MAX_MEMBER_BYTES = 32 * 1024 * 1024


def _member_bytes(archive: Path, member: str) -> bytes:
    """One member of a .zip archive, refusing one that inflates beyond reason."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
        if info.file_size > MAX_MEMBER_BYTES:
            raise OSError(f"{member} inflates to {info.file_size} bytes")
        return zf.read(info)


def carry(
    criteria: Criteria, flat: Mapping[str, Any], fields: Iterable[str]
) -> tuple[dict[str, Any], list[str]]:
    """Split earlier answers into those a workbook of `fields` can hold and the rest.

    Returns:
        The answers to fill in, and one line per answer not carried, naming its key and why.
    """
    keys = set(answers_mod.answer_keys(criteria, layout.EXPERIENCE_ROWS, fields))
    _, problems = answers_mod.parse(criteria, flat, strict=False)
    bad = {p.key: p.message for p in problems}
    kept, dropped = {}, []
    for key, value in flat.items():
        key = str(key).strip()
        if key in bad:
            dropped.append(f"{key}: {bad[key]}")
        elif key not in keys:
            dropped.append(f"{key}: not in this workbook (its field or row is not included)")
        elif value not in (None, "", False):
            kept[key] = value
    return kept, dropped
