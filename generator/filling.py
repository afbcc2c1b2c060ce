"""Fill a generated workbook's input cells as a person would, by the IDs in column A.

The sheet XML inside the zip is edited in place: every other part (cell checkboxes, data
validations, conditional formats, styles) is copied byte for byte. Loading and saving with
openpyxl would drop the checkboxes and the Excel 2010 validations, so it is not used here.
Cached formula results are dropped (`generator.template.drop_cached_values`), so that every
program computes the results of the filled-in answers on opening.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from html import unescape
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_rowcol_to_cell

from generator import layout
from generator.answers import EXPERIENCE_ATTRS, to_level, to_tick
from generator.criteria import Criteria
from generator.errors import WorkbookError
from generator.template import drop_cached_values

_SHARED = re.compile(r"<si>(.*?)</si>", re.S)
_TEXT = re.compile(r"<t(?: [^>]*)?>(.*?)</t>", re.S)
_SHEET = re.compile(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(r'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_REVERSED = re.compile(r'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ID_CELL = re.compile(r'<c r="A(\d+)"[^>]*?t="s"[^>]*>\s*<v>(\d+)</v>')
_CELL = re.compile(r'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_STYLE = re.compile(r'\ss="(\d+)"')
#: Sheets whose column A holds keys but no input cells.
_NOT_INPUT = {layout.META_SHEET, layout.ANSWERS_SHEET, layout.COVER_SHEET, layout.SUMMARY_SHEET}


def fill(criteria: Criteria, workbook: str | Path | bytes, answers: Mapping[str, Any]) -> bytes:
    """The workbook with `answers` (flat answer keys) typed into its input cells.

    A tick takes True/False, a level a whole number, other cells text; None or "" clears a
    cell. Text is stored as text, never as a formula.

    Raises:
        WorkbookError: listing every key the workbook has no input cell for.
    """
    data = Path(workbook).read_bytes() if isinstance(workbook, str | Path) else workbook
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    contents = {info.filename: raw for info, raw in parts}
    rows = _key_rows(contents)

    edits: dict[str, dict[str, str]] = {}
    problems = []
    for key, value in answers.items():
        target = _target(criteria, rows, key)
        if target is None:
            problems.append(f"{key}: no input cell for this key in the workbook")
            continue
        part, row, col, kind = target
        edits.setdefault(part, {})[xl_rowcol_to_cell(row, col)] = _value_xml(kind, value)
    if problems:
        raise WorkbookError(f"cannot fill {len(problems)} answer(s)", problems)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, raw in parts:
            if info.filename in edits:
                raw = _edit_cells(raw.decode("utf-8"), edits[info.filename]).encode("utf-8")
            if info.filename.startswith("xl/worksheets/sheet") and b"<v>" in raw:
                raw = drop_cached_values(raw.decode("utf-8")).encode("utf-8")
            archive.writestr(info, raw, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _key_rows(contents: dict[str, bytes]) -> dict[str, tuple[str, int]]:
    """Column A keys of the level sheets: key -> (sheet part, zero-based row)."""
    strings = [
        unescape("".join(_TEXT.findall(si)))
        for si in _SHARED.findall(contents.get("xl/sharedStrings.xml", b"").decode())
    ]
    rels_xml = contents["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(_REL.findall(rels_xml)) | {i: t for t, i in _REL_REVERSED.findall(rels_xml)}
    rows = {}
    for name, rel_id in _SHEET.findall(contents["xl/workbook.xml"].decode()):
        if unescape(name) in _NOT_INPUT:
            continue
        part = "xl/" + targets[rel_id].lstrip("/").removeprefix("xl/")
        for row, index in _ID_CELL.findall(contents[part].decode()):
            rows[strings[int(index)]] = (part, int(row) - 1)
    return rows


def _target(
    criteria: Criteria, rows: dict[str, tuple[str, int]], key: str
) -> tuple[str, int, int, str] | None:
    """(sheet part, row, column, kind of input) of the cell for an answer key."""
    if key in rows:
        return (*rows[key], layout.TICK_COL, "tick")
    item_id = key.removesuffix(".evidence")
    # An experience row's key is in column A too: its evidence is an experience attribute.
    if key.endswith(".evidence") and item_id in rows and item_id in criteria.item_by_id:
        return (*rows[item_id], layout.EVIDENCE_COL, "text")
    row_key, _, attr = key.rpartition(".")
    level = criteria.level_by_id.get(".".join(key.split(".")[:2]))
    if row_key not in rows or level is None or attr not in EXPERIENCE_ATTRS:
        return None
    field = criteria.field_by_id[level.field]
    if attr not in layout.experience_attrs(field):
        return None
    kind = {"completed": "tick", "level": "level"}.get(attr, "text")
    return (*rows[row_key], layout.experience_col(field, attr), kind)


def _value_xml(kind: str, value: Any) -> str:
    """The rest of a <c> element (type, value, end tag) for what a person types."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if kind == "tick":
        return f' t="b"><v>{int(bool(to_tick(value, strict=False)))}</v></c>'
    number = to_level(value, strict=False) if kind == "level" else None
    if number is not None:
        return f"><v>{number}</v></c>"
    text = escape(str(value))
    return f' t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _edit_cells(sheet_xml: str, edits: dict[str, str]) -> str:
    """Replace the <c> elements named in `edits`, keeping each cell's style."""
    missing = set(edits)

    def replace(match: re.Match) -> str:
        ref = match[1]
        if ref not in edits:
            return match[0]
        missing.discard(ref)
        style = _STYLE.search(match[2])
        head = f'<c r="{ref}"' + (f' s="{style[1]}"' if style else "")
        return head + (edits[ref] or "/>")

    result = _CELL.sub(replace, sheet_xml)
    if missing:
        raise WorkbookError(f"input cells {', '.join(sorted(missing))} are not in the sheet")
    return result
