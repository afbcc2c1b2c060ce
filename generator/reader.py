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
import zipfile
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
from generator.container import Container, column_number, open_container, sheet_names
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
#: How many warnings one file gets before the rest are only counted.
MAX_WARNINGS = 40


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
    #: Experience rows numbered beyond the workbook's table, with something in them.
    extra_rows: list[str] = field(default_factory=list)
    #: (sheet, zero-based row) -> the ID read from that row.
    rows: dict[tuple[str, int], str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_answers_file(criteria: Criteria, path: str | Path) -> AnswersFile:
    """A filled-in workbook as an answers file, read in this process; warnings are logged.

    Raises:
        WorkbookError: the file is not a readable workbook of ours.
    """
    outcome = _read_answers(criteria, Path(path))
    if isinstance(outcome, str):
        raise WorkbookError(outcome)
    answers_file, warnings = outcome
    for warning in warnings:
        logger.warning("%s: %s", path, warning)
    return answers_file


def read_answers_files(criteria: Criteria, paths: list[Path],
                       jobs: int = 2) -> list[AnswersFile | WorkbookError]:
    """Filled-in workbooks as answers files, in the order given, each read in a worker
    process with the import's memory and time limits: a file that makes the native reader
    abort costs only its worker. Warnings are logged; an unreadable file gives its error."""
    from generator import workers

    if not paths:
        return []  # no worker to start
    out: list[AnswersFile | WorkbookError] = [WorkbookError("not read")] * len(paths)
    for index, outcome in workers.run(_read_answers, criteria, paths, workers=jobs):
        if isinstance(outcome, workers.Failure):
            outcome = f"{paths[index]}: {outcome.reason}"
        if isinstance(outcome, str):
            out[index] = WorkbookError(outcome)
            continue
        out[index], warnings = outcome
        for warning in warnings:
            logger.warning("%s: %s", paths[index], warning)
    return out


def _read_answers(criteria: Criteria, path: Path) -> tuple[AnswersFile, list[str]] | str:
    """The answers file and its warnings, or the reason it cannot be read (runs in workers)."""
    try:
        data = path.read_bytes()
        read = read_workbook(criteria, data, str(path))
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror})"
    except WorkbookError as exc:
        return f"{path}: {exc}"
    fields = tuple(f for f in read.meta.get("fields", "").split(";") if f) or None
    answers_file = AnswersFile(source=str(path), employee=read.employee, answers=read.answers,
                               fields=fields)
    return answers_file, read.warnings


def read_workbook(criteria: Criteria, data: bytes, source: str) -> WorkbookRead:
    """Read a workbook's metadata and answers, listing every problem as a warning.

    Raises:
        WorkbookError: the file is not a safe, readable workbook with our metadata sheet.
    """
    container = open_container(data)
    sheets = _load_sheets(container)
    meta = _find_meta(sheets)

    scan = _scan(criteria, sheets)
    answers, problems = parse(criteria, scan.flat, strict=False)

    warnings = _version_warnings(criteria, meta) + scan.warnings
    warnings += [f"{_where(scan, p.key)} ({p.key}): {p.message}" for p in problems]
    warnings += _error_value_warnings(criteria, container, scan)
    warnings += _content_warnings(criteria, meta, scan)
    return WorkbookRead(
        source=source,
        kind=container.kind,
        meta=meta,
        answers=answers,
        warnings=_capped(warnings),
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
    go by; a copy under another name is still skipped by its content (`_id_rows`).
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


def _scan(criteria: Criteria, sheets: dict[str, list[list[Any]]]) -> _Scan:
    """The answer cells of every row whose column A holds an ID.

    An ID found in several rows is read from its level's own sheet (the sheet holding most
    of that level's IDs), so the choice does not depend on the order of the sheets.
    """
    places: dict[str, list[tuple[str, int]]] = {}
    for name, rows in sheets.items():
        for r, row_id in _id_rows(rows):
            places.setdefault(row_id, []).append((name, r))
    home = _home_sheets(places)

    scan, repeated = _Scan(), []
    for row_id, found in places.items():
        chosen = next((p for p in found if p[0] == home[_level_of(row_id)]), found[0])
        if len(found) > 1:
            repeated.append(f"{row_id} ({cell_ref(*chosen, 0)}; also "
                            f"{', '.join(cell_ref(*p, 0) for p in found if p != chosen)})")
        sheet, r = chosen
        scan.rows[sheet, r] = row_id
        experience = _EXPERIENCE_ID.match(row_id)
        if experience:
            _take_experience(criteria, sheet, r, sheets[sheet][r], experience, scan)
        else:
            _take_item(criteria, sheet, r, sheets[sheet][r], row_id, scan)
    if repeated:
        scan.warnings.append(f"{len(repeated)} ID(s) stand in more than one row; each is read "
                             f"from its level's own sheet: {_some(repeated)}")
    return scan


def _id_rows(rows: list[list[Any]]) -> list[tuple[int, str]]:
    """(row, ID) of a sheet's ID rows; none for the very hidden ITSS_ANSWERS mirror.

    That sheet lists flat answer keys (``<id>.evidence`` ...) beside formulas that mirror
    the input cells; its cached values are not answers, so a sheet holding flat keys is
    skipped whatever its name.
    """
    ids = [(r, row[0].strip()) for r, row in enumerate(rows)
           if row and type(row[0]) is str and "." in row[0]]
    if _FLAT_KEY.search("\n".join(row_id for _, row_id in ids)):
        return []
    return [(r, row_id) for r, row_id in ids
            if _EXPERIENCE_ID.match(row_id) or _ITEM_ID.match(row_id)]


def _level_of(row_id: str) -> str:
    return ".".join(row_id.split(".")[:2])


def _home_sheets(places: dict[str, list[tuple[str, int]]]) -> dict[str, str]:
    """Level ID -> the sheet holding most of its IDs (ties: the first name in order)."""
    counts: dict[tuple[str, str], int] = {}
    for row_id, found in places.items():
        for sheet in {sheet for sheet, _ in found}:
            key = (_level_of(row_id), sheet)
            counts[key] = counts.get(key, 0) + 1
    home: dict[str, str] = {}
    for (level_id, sheet), n in sorted(counts.items()):
        if n > counts.get((level_id, home.get(level_id, "")), 0):
            home[level_id] = sheet
    return home


def _take_item(
    criteria: Criteria, sheet: str, r: int, row: list[Any], item_id: str, scan: _Scan
) -> None:
    tick, evidence = _cell(row, layout.TICK_COL), _cell(row, layout.EVIDENCE_COL)
    if item_id not in criteria.item_by_id:
        if _answered(tick, evidence):
            scan.unknown.append(item_id)
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
    if not 1 <= int(match["row"]) <= layout.EXPERIENCE_ROWS:
        if any(_answered(v) for v in row[1:]):
            scan.extra_rows.append(row_id)
        return
    scan.cells[row_id] = (sheet, r, layout.ID_COL)
    attrs = layout.experience_attrs(criteria.field_by_id[level.field])
    for col, attr in enumerate(attrs, start=1):
        value = _cell(row, col)
        # Blank or FALSE cells say nothing; an untouched row adds no keys at all.
        if value != "" and value is not None and value is not False:
            scan.flat[f"{row_id}.{attr}"] = value
            scan.cells[f"{row_id}.{attr}"] = (sheet, r, col)


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
    if scan.extra_rows:
        warnings.append(
            f"{len(scan.extra_rows)} experience row(s) beyond the workbook's table of "
            f"{layout.EXPERIENCE_ROWS} were not counted: {_some(scan.extra_rows)}"
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


def _error_value_warnings(criteria: Criteria, container: Container, scan: _Scan) -> list[str]:
    """Answer cells holding an error value (#N/A, #DIV/0! ...), which the reader sees as
    blank: a warning for each, so that a lost answer is not silent (.xlsx only)."""
    warnings = []
    for sheet, r, c in error_cells(container):
        key = _answer_key(criteria, scan.rows.get((sheet, r)), c)
        if key:
            warnings.append(f"{cell_ref(sheet, r, c)} ({key}): holds an error value, not an "
                            "answer; not taken")
    return warnings


_ERROR_MARK = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL_TAG = re.compile(rb"<c\b[^>]*>")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")


def error_cells(container: Container) -> Iterator[tuple[str, int, int]]:
    """(sheet, zero-based row, zero-based column) of each cell whose value is an error."""
    if not container.error_sheets:
        return
    with zipfile.ZipFile(io.BytesIO(container.data)) as archive:
        names = sheet_names(archive)
    for part, xml in container.error_sheets.items():
        sheet = names.get(part)
        for tag in _CELL_TAG.findall(xml) if sheet else ():
            ref = _CELL_REF.search(tag)
            if ref and _ERROR_MARK.search(tag):
                yield sheet, int(ref[2]) - 1, column_number(ref[1].upper()) - 1


def _answer_key(criteria: Criteria, row_id: str | None, col: int) -> str | None:
    """The flat key of the answer cell at `col` of an ID row, or None."""
    if row_id is None:
        return None
    match = _EXPERIENCE_ID.match(row_id)
    if match is None:
        return {layout.TICK_COL: row_id, layout.EVIDENCE_COL: f"{row_id}.evidence"}.get(col)
    field_id = _level_of(row_id).split(".")[0]
    attrs = layout.experience_attrs(criteria.field_by_id[field_id])
    return f"{row_id}.{attrs[col - 1]}" if 1 <= col <= len(attrs) else None


def _capped(warnings: list[str]) -> list[str]:
    """At most MAX_WARNINGS warnings; the rest counted, so a hostile file stays small."""
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    return warnings[:MAX_WARNINGS] + [f"and {len(warnings) - MAX_WARNINGS} more warnings"]


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
