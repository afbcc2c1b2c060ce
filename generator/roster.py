"""Read HR's roster (.csv or .xlsx) into employees, and give each a safe, unique file name.

A roster has a header row with the columns employee_id, name, department, manager, email
and, optionally, fields ("hardware;software": which specialty sheets the person gets). IDs
stay text, leading zeros and all; stray spaces are stripped. A CSV may be UTF-8 (with or
without the byte-order mark Excel's "CSV UTF-8" writes) or Shift_JIS/cp932, as Excel on
Japanese Windows saves it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.criteria import Criteria
from generator.errors import RosterError

COLUMNS = ("employee_id", "name", "department", "manager", "email", "fields")
#: Encodings tried in turn when none is given; the first that decodes the whole file wins.
ENCODINGS = ("utf-8-sig", "cp932")
#: A roster .xlsx whose parts inflate beyond this is refused before parsing.
MAX_XLSX_INFLATED = 200_000_000
#: File names stay within what every file system and zip tool handles.
MAX_FILE_NAME = 100
#: Windows refuses these names, with any extension.
RESERVED_NAMES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Employee:
    """One roster row."""

    id: str
    name: str = ""
    department: str = ""
    manager: str = ""
    email: str = ""
    #: Specialty fields the workbook holds; None for all. The common levels always.
    fields: tuple[str, ...] | None = None
    #: Line of the roster the row came from (1 is the header).
    line: int = 0


def read_roster(
    path: str | Path, criteria: Criteria, *, encoding: str | None = None
) -> list[Employee]:
    """Read a roster; every bad row is reported at once.

    Raises:
        RosterError: the file cannot be read, lacks employee_id, or has bad rows (no ID, a
            duplicate ID, an unknown field), each listed with its line.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif path.suffix.lower() in (".csv", ".txt"):
        rows = _csv_rows(path, encoding)
    else:
        raise RosterError(f"{path}: a roster must be a .csv or .xlsx file")
    return _employees(path, rows, criteria)


def _decode(path: Path, raw: bytes, encoding: str | None) -> str:
    """The file's text in the given encoding, else the first of ENCODINGS that fits."""
    for name in [encoding] if encoding else ENCODINGS:
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
        except LookupError as exc:
            raise RosterError(f"{path}: unknown encoding {name!r}") from exc
    if encoding:
        raise RosterError(f"{path}: is not {encoding} text; try --encoding cp932 (Excel on "
                          "Japanese Windows) or save it as CSV UTF-8")
    raise RosterError(f"{path}: is not {' or '.join(ENCODINGS)} text; save it as CSV UTF-8 "
                      "or give its encoding with --encoding")


def _csv_rows(path: Path, encoding: str | None) -> list[tuple[int, list[str]]]:
    """(line, cells) per record; a quoted cell may span lines, the record's first counts."""
    try:
        text = _decode(path, path.read_bytes(), encoding)
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read ({exc.strerror})") from exc
    text = text.lstrip("\ufeff")
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows, line = [], 1
    for cells in reader:
        rows.append((line, cells))
        line = reader.line_num + 1
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """(row number, cells) of the first sheet, read with calamine."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise RosterError(f"{path}: is not a readable .xlsx file ({exc})") from exc
    if inflated > MAX_XLSX_INFLATED:
        raise RosterError(f"{path}: inflates to {inflated:,} bytes, more than a roster needs")
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise RosterError(f"{path}: cannot be read: {exc}") from exc
    return [(n, row) for n, row in enumerate(data, 1)]


def _cell_text(value: Any) -> str:
    """A cell as text: numbers from Excel as whole numbers where they are, spaces stripped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else unicodedata.normalize("NFC", str(value)).strip()


def _header(path: Path, cells: list[Any]) -> dict[str, int]:
    names = [re.sub(r"[\s-]+", "_", _cell_text(c).lower()) for c in cells]
    columns = {name: i for i, name in reversed(list(enumerate(names))) if name in COLUMNS}
    if "employee_id" not in columns:
        raise RosterError(
            f"{path}: line 1 must name the columns; employee_id is missing "
            f"(found {', '.join(repr(n) for n in names if n) or 'nothing'}; "
            f"expected {', '.join(COLUMNS)})"
        )
    return columns


def _employees(
    path: Path, rows: list[tuple[int, list[Any]]], criteria: Criteria
) -> list[Employee]:
    """Employees of the rows after the header; blank rows skipped, bad ones all listed."""
    if not rows:
        raise RosterError(f"{path}: is empty; it needs a header row and one row per employee")
    columns = _header(path, rows[0][1])
    employees, problems, seen = [], [], {}
    for line, cells in rows[1:]:
        values = {k: _cell_text(cells[i]) if i < len(cells) else "" for k, i in columns.items()}
        if not any(values.values()):
            continue
        fields, field_problem = parse_fields(criteria, values.get("fields", ""))
        row_problems = [_id_problem(values["employee_id"], line, seen), field_problem]
        problems += [f"line {line}: {p}" for p in row_problems if p]
        personal = {k: values.get(k, "") for k in ("name", "department", "manager", "email")}
        employees.append(Employee(id=values["employee_id"], fields=fields, line=line, **personal))

    if problems:
        raise RosterError(f"{path}: {len(problems)} bad row(s); nothing was generated", problems)
    if not employees:
        raise RosterError(f"{path}: has a header but no employees")
    return employees


def _id_problem(employee_id: str, line: int, seen: dict[str, int]) -> str | None:
    """What is wrong with a row's ID (missing, or seen on an earlier line), else None."""
    if not employee_id:
        return "no employee_id"
    if employee_id in seen:
        return f"duplicate employee_id {employee_id!r} (first on line {seen[employee_id]})"
    seen[employee_id] = line
    return None


def parse_fields(criteria: Criteria, text: str) -> tuple[tuple[str, ...] | None, str | None]:
    """The `fields` cell as field IDs (None when blank), or a problem naming the bad ones."""
    parts = [p.strip() for p in re.split(r"[;,/]", text) if p.strip()]
    if not parts:
        return None, None
    by_name = {}
    for field in criteria.fields:
        by_name.update(
            {field.id: field.id, field.short.lower(): field.id, field.title.lower(): field.id}
        )
    unknown = [p for p in parts if p.lower() not in by_name]
    if unknown:
        known = ", ".join(f.id for f in criteria.fields)
        return None, f"unknown field(s) {', '.join(map(repr, unknown))}; use {known}"
    return tuple(dict.fromkeys(by_name[p.lower()] for p in parts)), None


def safe_stem(text: str) -> str:
    """`text` as a file name stem that Windows, macOS and Linux all accept."""
    stem = unicodedata.normalize("NFC", text)
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .")
    if stem.split(".")[0].strip().upper() in RESERVED_NAMES:
        stem = "_" + stem
    return stem or "_"


def file_names(employees: Iterable[Employee], suffix: str = ".xlsx") -> dict[str, str]:
    """A unique file name per employee ID, from ID and name, at most 100 characters.

    Uniqueness ignores case, as Windows and macOS do; a clash gets "-2", "-3" and so on.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for employee in employees:
        stem = safe_stem("_".join(filter(None, [employee.id, employee.name])))
        stem = stem[: MAX_FILE_NAME - len(suffix)].rstrip(" .")
        candidate, n = stem + suffix, 1
        while candidate.casefold() in taken:
            n += 1
            mark = f"-{n}"
            candidate = stem[: MAX_FILE_NAME - len(suffix) - len(mark)] + mark + suffix
        taken.add(candidate.casefold())
        names[employee.id] = candidate
    return names
