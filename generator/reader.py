"""Read one returned workbook: who it is about, the answers by ID, and what looks wrong.

Sheets are found by what they hold and rows by the ID in column A (generator/layout.py),
never by name or address, so inserted rows and renamed or re-ordered sheets read the same.
Values go through the lenient answers parser, which takes what spreadsheet programs write.
Cached formula results are read only to notice changed formulas, never as results.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as safe_et
import python_calamine
from defusedxml import DefusedXmlException

from generator import layout
from generator.answers import Answers, AnswersFile, parse
from generator.container import Container, column_number, open_container
from generator.criteria import Criteria
from generator.errors import WorkbookError

logger = logging.getLogger(__name__)

_ITEM_ID = re.compile(r"^[a-z]+\.\d+\.[a-z]+\.\d+$")
_EXPERIENCE_ID = re.compile(r"^(?P<level>[a-z]+\.\d+)\.experience\.(?P<row>\d+)$")
_FLAT_KEY = re.compile(r"\.evidence$|\.experience\.\d+\.[a-z]+$", re.MULTILINE)
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: How many IDs a warning lists before it says "and N more".
LIST_IDS = 5


@dataclass
class WorkbookRead:
    """What one workbook holds, as read; levels are the engine's job, not the reader's."""

    source: str
    kind: str
    meta: dict[str, str]
    answers: Answers
    warnings: list[str]
    saved_at: datetime | None
    #: Cached values of the ITSS_LEVEL_<FIELD> names, by field: what the file shows.
    cached_levels: dict[str, Any] = field(default_factory=dict)

    @property
    def employee(self) -> dict[str, str]:
        """The employee as answers files name it: id, name, department, manager, email."""
        keys = {
            "id": "employee_id",
            "name": "name",
            "department": "department",
            "manager": "manager",
            "email": "email",
        }
        return {k: self.meta[m] for k, m in keys.items() if self.meta.get(m)}


@dataclass
class _Scan:
    """Raw values by flat answer key, and where each came from."""

    flat: dict[str, Any] = field(default_factory=dict)
    #: (sheet, zero-based row, zero-based column) of each answer cell, and of each ID seen.
    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_answers_file(criteria: Criteria, path: str | Path) -> AnswersFile:
    """A filled-in workbook as an answers file, for `itss-workbook evaluate`.

    Warnings are logged; a file that cannot be read raises.

    Raises:
        WorkbookError: the file is not a readable workbook of ours.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        read = read_workbook(criteria, data, str(path))
    except WorkbookError as exc:
        raise WorkbookError(f"{path}: {exc}") from exc
    for warning in read.warnings:
        logger.warning("%s: %s", path, warning)
    fields = tuple(f for f in read.meta.get("fields", "").split(";") if f) or None
    return AnswersFile(source=str(path), employee=read.employee, answers=read.answers,
                       fields=fields)


def read_workbook(criteria: Criteria, data: bytes, source: str) -> WorkbookRead:
    """Read a workbook's metadata and answers, listing every problem as a warning.

    Raises:
        WorkbookError: the file is not a safe, readable workbook with our metadata sheet.
    """
    container = open_container(data)
    sheets = _load_sheets(container)
    meta = _find_meta(sheets)

    scan = _Scan()
    for name, rows in sheets.items():
        _scan_sheet(criteria, name, rows, scan)
    answers, problems = parse(criteria, scan.flat, strict=False)

    warnings = _version_warnings(criteria, meta) + scan.warnings
    warnings += [f"{_where(scan, p.key)} ({p.key}): {p.message}" for p in problems]
    warnings += _content_warnings(criteria, meta, scan)
    return WorkbookRead(
        source=source,
        kind=container.kind,
        meta=meta,
        answers=answers,
        warnings=warnings,
        saved_at=container.saved_at,
        cached_levels=_cached_levels(criteria, container, sheets),
    )


def _load_sheets(container: Container) -> dict[str, list[list[Any]]]:
    """Every sheet's cells from A1, hidden ones too (the metadata sheet is very hidden)."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(container.data))
        sheets = {}
        for index, info in enumerate(book.sheets_metadata):
            if _is_answers_mirror(info):
                continue
            sheets[info.name] = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
        return sheets
    except python_calamine.PasswordError as exc:
        raise WorkbookError(f"password-protected: {exc}") from None
    except (python_calamine.CalamineError, ValueError, TypeError, OSError) as exc:
        raise WorkbookError(f"damaged: the sheets cannot be parsed ({exc})") from None


def _is_answers_mirror(info: python_calamine.SheetMetadata) -> bool:
    """The generator's very hidden ITSS_ANSWERS sheet: formulas only, and the largest part.

    Nobody can rename a very hidden sheet in a spreadsheet program, so its name is safe to
    go by; a copy under another name is still skipped by its content (`_scan_sheet`).
    """
    return (
        info.name == layout.ANSWERS_SHEET
        and info.visible == python_calamine.SheetVisibleEnum.VeryHidden
    )


def _find_meta(sheets: dict[str, list[list[Any]]]) -> dict[str, str]:
    """The metadata sheet, found by its product mark; the named sheet is tried first."""
    names = sorted(sheets, key=lambda n: n != layout.META_SHEET)
    for name in names:
        pairs = {_text(row[0]): _text(row[1]) for row in sheets[name] if len(row) > 1}
        if pairs.get("product") == layout.PRODUCT_MARK:
            return {key: pairs.get(key, "") for key in layout.META_KEYS}
    raise WorkbookError(
        f"not one of ours: no sheet holds product = {layout.PRODUCT_MARK} "
        f"(the {layout.META_SHEET} sheet of generated workbooks)"
    )


def _scan_sheet(criteria: Criteria, sheet: str, rows: list[list[Any]], scan: _Scan) -> None:
    """Collect the answer cells of every row whose column A holds an ID.

    The very hidden ITSS_ANSWERS sheet lists flat answer keys (``<id>.evidence`` ...) beside
    formulas that mirror the input cells; its cached values are not answers, so a sheet
    holding flat keys is skipped.
    """
    ids = [
        (r, row[0].strip())
        for r, row in enumerate(rows)
        if row and type(row[0]) is str and "." in row[0]
    ]
    if _FLAT_KEY.search("\n".join(row_id for _, row_id in ids)):
        return
    for r, row_id in ids:
        experience = _EXPERIENCE_ID.match(row_id)
        if experience:
            _take_experience(criteria, sheet, r, rows[r], experience, scan)
        elif _ITEM_ID.match(row_id):
            _take_item(criteria, sheet, r, rows[r], row_id, scan)


def _take_item(
    criteria: Criteria, sheet: str, r: int, row: list[Any], item_id: str, scan: _Scan
) -> None:
    tick, evidence = _cell(row, layout.TICK_COL), _cell(row, layout.EVIDENCE_COL)
    if item_id not in criteria.item_by_id:
        if _answered(tick, evidence):
            scan.unknown.append(item_id)
        return
    if item_id in scan.cells:
        _twice(scan, item_id, sheet, r)
        return
    if tick is not False:  # unticked is the default; leaving it out keeps parsing quick
        scan.flat[item_id] = tick
    scan.cells[item_id] = (sheet, r, layout.TICK_COL)
    scan.texts[item_id] = _text(_cell(row, layout.TEXT_COL))
    if evidence != "":
        scan.flat[f"{item_id}.evidence"] = evidence
        scan.cells[f"{item_id}.evidence"] = (sheet, r, layout.EVIDENCE_COL)


def _take_experience(
    criteria: Criteria, sheet: str, r: int, row: list[Any], match: re.Match, scan: _Scan
) -> None:
    row_id = match.group(0)
    level = criteria.level_by_id.get(match["level"])
    if level is None or level.experience is None:
        if any(_answered(v) for v in row[1:]):
            scan.unknown.append(row_id)
        return
    if row_id in scan.cells:
        _twice(scan, row_id, sheet, r)
        return
    scan.cells[row_id] = (sheet, r, layout.ID_COL)
    attrs = layout.experience_attrs(criteria.field_by_id[level.field])
    for col, attr in enumerate(attrs, start=1):
        value = _cell(row, col)
        # Blank or FALSE cells say nothing; an untouched row adds no keys at all.
        if value != "" and value is not None and value is not False:
            scan.flat[f"{row_id}.{attr}"] = value
            scan.cells[f"{row_id}.{attr}"] = (sheet, r, col)


def _twice(scan: _Scan, row_id: str, sheet: str, r: int) -> None:
    first_sheet, first_row, _ = scan.cells[row_id]
    scan.warnings.append(
        f"{row_id} appears twice ({cell_ref(first_sheet, first_row, 0)} and "
        f"{cell_ref(sheet, r, 0)}); the first row is used"
    )


def _where(scan: _Scan, key: str) -> str:
    return cell_ref(*scan.cells[key]) if key in scan.cells else "(no cell)"


def _version_warnings(criteria: Criteria, meta: dict[str, str]) -> list[str]:
    version, sha = meta.get("criteria_version", ""), meta.get("criteria_sha256", "")
    warnings = []
    if version != criteria.version:
        warnings.append(
            f"made for criteria {version or '(none given)'}, read with criteria "
            f"{criteria.version}: answers carried where the item IDs still exist"
        )
    elif sha and criteria.sha256 and sha != criteria.sha256:
        warnings.append(
            f"criteria.yaml was edited since the workbook was made (version "
            f"{version}, another hash): answers carried by item ID"
        )
    template = meta.get("template_version", "")
    if template and template != layout.TEMPLATE_VERSION:
        warnings.append(
            f"made with template version {template}; this reader knows version "
            f"{layout.TEMPLATE_VERSION}"
        )
    return warnings


def _content_warnings(criteria: Criteria, meta: dict[str, str], scan: _Scan) -> list[str]:
    """Answers to IDs the criteria lack, changed item texts, items missing altogether."""
    warnings = []
    if scan.unknown:
        warnings.append(
            f"{len(scan.unknown)} answered row(s) with IDs that criteria "
            f"{criteria.version} does not have were not carried: "
            f"{_some(scan.unknown)}"
        )
    changed = [
        i for i, text in scan.texts.items() if not _same_text(text, criteria.item_by_id[i].text)
    ]
    if changed:
        warnings.append(
            f"{len(changed)} item text(s) differ from criteria "
            f"{criteria.version}: {_some(changed)}"
        )
    missing = [i for i in _expected_items(criteria, meta) if i not in scan.cells]
    if missing:
        warnings.append(
            f"{len(missing)} item(s) are missing from the workbook and count as "
            f"not ticked: {_some(missing)}"
        )
    return warnings


def _expected_items(criteria: Criteria, meta: dict[str, str]) -> Iterator[str]:
    """Items of the fields the workbook was made for (all when it does not say)."""
    wanted = {f.strip() for f in re.split(r"[;,\s]+", meta.get("fields", "")) if f.strip()}
    wanted = wanted & set(criteria.field_by_id) or set(criteria.field_by_id)
    wanted.add(criteria.fields[0].id)
    for level in criteria.levels:
        if level.field in wanted:
            yield from (item.id for section in level.sections for item in section.items)


def _cached_levels(
    criteria: Criteria, container: Container, sheets: dict[str, list[list[Any]]]
) -> dict[str, Any]:
    """Cached values of ITSS_LEVEL_<FIELD>, where the defined names point at one cell."""
    if not container.workbook_xml:
        return {}
    try:
        root = safe_et.fromstring(container.workbook_xml)
    except DefusedXmlException as exc:
        raise WorkbookError(
            f"xl/workbook.xml: XML entity tricks refused ({type(exc).__name__})"
        ) from None
    except safe_et.ParseError as exc:
        raise WorkbookError(f"damaged: xl/workbook.xml is not XML ({exc})") from None
    targets = {node.get("name"): (node.text or "") for node in root.iter(f"{_MAIN_NS}definedName")}
    cached = {}
    for f in criteria.fields:
        target = targets.get(layout.level_name(f.id))
        if target:
            cached[f.id] = _value_at(sheets, target)
    return cached


def _value_at(sheets: dict[str, list[list[Any]]], target: str) -> Any:
    """The value at a one-cell reference such as 'HW L5'!$C$7, or None."""
    sheet, _, cell = target.rpartition("!")
    sheet = sheet.strip("'").replace("''", "'")
    match = _CELL.match(cell)
    if sheet not in sheets or not match:
        return None
    row, col = int(match[2]) - 1, column_number(match[1]) - 1
    rows = sheets[sheet]
    return rows[row][col] if row < len(rows) and col < len(rows[row]) else None


def cell_ref(sheet: str, row: int, col: int) -> str:
    """'HW L5'!C12 from zero-based row and column."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"'{sheet}'!{letters}{row + 1}"


def _cell(row: list[Any], col: int) -> Any:
    return row[col] if col < len(row) else ""


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _answered(*values: Any) -> bool:
    return any(v not in ("", None, False, 0) for v in values)


def _same_text(text: str, standard: str) -> bool:
    """Equal once whitespace is folded (criteria.yaml's texts are folded already)."""
    return text == standard or " ".join(text.split()) == " ".join(standard.split())


def _some(ids: list[str]) -> str:
    shown = ", ".join(ids[:LIST_IDS])
    return shown + (f" and {len(ids) - LIST_IDS} more" if len(ids) > LIST_IDS else "")
