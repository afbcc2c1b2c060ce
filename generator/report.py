"""The import's report: an .xlsx for HR, and the same results as JSON and CSV.

Every file is written atomically: to a temporary file beside the target, then renamed, so an
interrupted run never leaves half a report. Staff text is written as strings, never as
formulas, whatever it starts with; what no file can hold (bytes of a file name that are not
UTF-8, control characters) is written as a visible escape such as `\\xff` (`safe_text`).
"""

from __future__ import annotations

import contextlib
import json
import numbers
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import xlsxwriter

from generator import tables as tables_mod
from generator import xlsx_tables
from generator.errors import OutputError
from generator.importer import ImportResult
from generator.tables import TABLE_NAMES

#: Sheet per table, in the report's order; the Dashboard comes last.
SHEETS = {"summary": "Summary", "gaps": "Gaps", "items": "Items", "files": "Files"}
DASHBOARD = "Dashboard"
#: Excel: a cell holds at most 32,767 characters.
MAX_CELL_TEXT = 32_767
#: Excel: a sheet holds at most 1,048,576 rows, its header row included. A table with more
#: rows goes on over further sheets.
MAX_SHEET_ROWS = 1_048_576
#: Widest column the report sets, in characters.
MAX_WIDTH = 60
#: What XML 1.0 forbids (control characters other than tab, newline and carriage return;
#: U+FFFE, U+FFFF), and lone surrogates, which no UTF-8 file can hold: os.fsdecode makes
#: them of the bytes of a file name that are not UTF-8, and XlsxWriter, json and to_csv
#: fail on them.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_text(text: str) -> str:
    r"""`text` as every report file can hold it, with each character it cannot hold as a
    visible escape: an undecoded byte of a file name (a surrogate from os.fsdecode) as
    `\xff`, a control character as `\x01`, any other as `\ud800`."""
    # Nearly all text needs nothing, which a search tells quicker than a substitution.
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def _escape(match: re.Match) -> str:
    code = ord(match[0])
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def to_json(result: ImportResult) -> dict[str, Any]:
    """`{"files": [{"path", "status", "reason", "employee_id", "levels", "overall"}]}`."""
    fields = [f.id for f in result.criteria.fields]
    out = []
    for file in result.files:
        read = file.status != "rejected"
        out.append(
            {
                "path": safe_text(file.path),
                "status": file.status,
                "reason": safe_text(file.reason),
                "employee_id": file.employee_id and safe_text(file.employee_id),
                "levels": {f: file.levels.get(f) if read else None for f in fields},
                "overall": file.overall if read else None,
            }
        )
    return {"files": out}


def write_json(result: ImportResult, path: str | Path) -> None:
    """The per-file results as JSON."""
    text = json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
    with _atomic(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_csv(
    result: ImportResult, directory: str | Path, tables: dict[str, pd.DataFrame] | None = None
) -> list[Path]:
    """summary.csv, gaps.csv, items.csv, files.csv in `directory` (UTF-8 with a BOM, which
    Excel needs to show Japanese names right)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = tables or result.tables()
    written = []
    for name in TABLE_NAMES:
        target = directory / f"{name}.csv"
        with _atomic(target) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as file:
            tables[name].to_csv(_SafeText(file), index=False)
        written.append(target)
    return written


class _SafeText:
    """A text file that writes what it is given through `safe_text`.

    An escape is letters and a backslash, which CSV never quotes, so escaping the CSV text
    gives what escaping each value would, without a Python call per cell.
    """

    def __init__(self, file: TextIO):
        self.file = file

    def write(self, text: str) -> int:
        return self.file.write(safe_text(text))


def write_xlsx(
    result: ImportResult, path: str | Path, tables: dict[str, pd.DataFrame] | None = None
) -> None:
    """The report: Summary, Gaps, Items, Files (Excel tables, frozen headers), Dashboard.

    A table with more rows than a sheet holds goes on over further sheets, each with its
    header row and its own Excel table: "Items" (table Items), "Items 2" (Items2), ...
    """
    tables = tables or result.tables()
    parts = _parts(tables)
    with _atomic(Path(path)) as tmp:
        stream = tmp.with_name(tmp.name + ".stream")
        stream.touch(mode=0o600, exist_ok=False)  # private like `tmp`; XlsxWriter truncates it
        try:
            _stream_workbook(result, tables, parts, stream)
            specs = [
                xlsx_tables.Table(
                    sheet=n,
                    name=part.name,
                    columns=[safe_text(c) for c in part.frame.columns],
                    rows=len(part.frame),
                )
                for n, part in enumerate(parts, start=1)
            ]
            xlsx_tables.add_tables(stream, tmp, specs)
        finally:
            stream.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Part:
    """The rows of a table that one sheet holds."""

    title: str  # the sheet's: "Items 2"
    name: str  # its Excel table's: "Items2"
    frame: pd.DataFrame


def _parts(tables: dict[str, pd.DataFrame]) -> list[_Part]:
    """Every table's sheets in the report's order: as many as its rows need, at least one."""
    per_sheet = MAX_SHEET_ROWS - 1  # under the header row
    parts = []
    for name, title in SHEETS.items():
        frame = tables[name]
        starts = range(0, max(len(frame), 1), per_sheet)
        for n, start in enumerate(starts, start=1):
            rows = frame.iloc[start : start + per_sheet]
            if n == 1:
                parts.append(_Part(title, title, rows))
            else:
                parts.append(_Part(f"{title} {n}", f"{title}{n}", rows))
    return parts


def _stream_workbook(
    result: ImportResult, tables: dict[str, pd.DataFrame], parts: list[_Part], path: Path
) -> None:
    """Every sheet's cells, written by XlsxWriter in constant_memory mode: each row goes to
    disk once the next is begun, so the Items table (a row per employee and item) never sits
    in memory whole. The table objects are added afterwards (generator.xlsx_tables)."""
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for part in parts:
        _write_table(book.add_worksheet(part.title), part.frame, header)
    _write_dashboard(book, book.add_worksheet(DASHBOARD), result, tables, header)
    book.close()


@contextlib.contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed onto it when the block succeeds.

    The temporary file is private while it is written; renamed, it has the permissions of
    the file it replaces, or for a new file those a plain open() gives (0o666 less the
    umask).

    Raises:
        OutputError: the folder does not exist or cannot be written, or the rename fails.
    """
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written ({exc.strerror})") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written ({exc.strerror})") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _mode(target: Path) -> int:
    """The permission bits of `target`, or those open() would give it when it is new."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        pass
    # The umask can only be read by setting it; a thread creating a file meanwhile gets the
    # strictest one, never a looser one.
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


def _write_table(sheet: Any, frame: pd.DataFrame, header: Any) -> None:
    """A table's cells under a frozen header row; every value written by its own type."""
    columns = list(frame.columns)
    for col, column in enumerate(columns):
        _write_text(sheet, 0, col, column, header)
    for row, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for col, value in enumerate(values):
            _write_value(sheet, row, col, value)
    sheet.freeze_panes(1, 0)
    for col, column in enumerate(columns):
        sheet.set_column(col, col, _width(column, frame[column]))
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)


def _write_value(sheet: Any, row: int, col: int, value: Any) -> None:
    if (
        value is None
        or value is pd.NA
        or value == ""
        or (isinstance(value, float) and value != value)
    ):
        return  # a blank cell
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, numbers.Real):  # numpy's integers too, from Int64 columns
        sheet.write_number(row, col, float(value))
    else:
        _write_text(sheet, row, col, str(value))


def _write_text(sheet: Any, row: int, col: int, text: str, fmt: Any = None) -> None:
    text = _cut(safe_text(text))
    if text.startswith("<r>") and text.endswith("</r>"):
        # XlsxWriter takes such a string for rich text of its own making and writes it
        # unescaped, which is no longer XML; the runs of a rich string are escaped.
        formats = [] if fmt is None else [fmt]
        sheet.write_rich_string(row, col, text[:1], text[1:-1], text[-1:], *formats)
    else:
        sheet.write_string(row, col, text, fmt)


def _cut(text: str) -> str:
    """`text` cut to what a cell holds (Excel counts UTF-16 code units)."""
    if len(text) <= MAX_CELL_TEXT // 2:
        return text
    return text.encode("utf-16-le")[: 2 * MAX_CELL_TEXT].decode("utf-16-le", "ignore")


def _width(column: str, values: pd.Series) -> float:
    lengths = [len(str(v)) for v in values.head(200) if v is not None and v is not pd.NA]
    return min(MAX_WIDTH, max([len(column), *lengths]) + 2)


@dataclass(frozen=True)
class _Panel:
    """One small data table on the Dashboard and the chart drawn from it."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    kind: str
    axes: tuple[str, str] = ("", "")


def _write_dashboard(
    book: Any, sheet: Any, result: ImportResult, tables: dict[str, pd.DataFrame], header: Any
) -> None:
    """Level distribution per field, mean level by department and field, files by status."""
    cells = _InRowOrder()
    cells.write_string(
        0, 0, "ITSS import dashboard", book.add_format({"bold": True, "font_size": 14})
    )
    levels, departments, statuses = _panels(result, tables)
    formats = (book.add_format({"bold": True}), header)

    below = _panel(book, sheet, cells, (2, 0), formats, levels)
    _panel(book, sheet, cells, (2, len(levels.columns) + 2), formats, departments)
    _panel(book, sheet, cells, (below + 2, 0), formats, statuses)
    cells.flush(sheet)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


class _InRowOrder:
    """Cell writes kept until `flush` writes them row by row, top to bottom.

    In constant_memory mode XlsxWriter writes a row out when a later one is begun and drops
    writes to earlier rows; the Dashboard's panels stand side by side, so they are buffered.
    """

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[str, tuple]] = {}
        self.heights: dict[int, float] = {}

    def write_string(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        self.cells[row, col] = ("write_string", (value, fmt))

    def write_rich_string(self, row: int, col: int, *runs: Any) -> None:
        self.cells[row, col] = ("write_rich_string", runs)

    def write_number(self, row: int, col: int, value: float, fmt: Any = None) -> None:
        self.cells[row, col] = ("write_number", (value, fmt))

    def write_boolean(self, row: int, col: int, value: bool, fmt: Any = None) -> None:
        self.cells[row, col] = ("write_boolean", (value, fmt))

    def set_row(self, row: int, height: float) -> None:
        self.heights[row] = height

    def flush(self, sheet: Any) -> None:
        rows = sorted({r for r, _ in self.cells} | set(self.heights))
        by_row = sorted(self.cells)
        for row in rows:
            if row in self.heights:
                sheet.set_row(row, self.heights[row])
            for r, col in (key for key in by_row if key[0] == row):
                method, args = self.cells[r, col]
                getattr(sheet, method)(r, col, *args)


def _panels(result: ImportResult, tables: dict[str, pd.DataFrame]) -> tuple[_Panel, ...]:
    """The Dashboard's three tables, from the employees whose files count."""
    fields = result.criteria.fields
    titles = [f.title for f in fields]
    people = tables["summary"][tables["summary"]["status"].isin(["ok", "warning"])]
    # A person counts in a field only when their workbook holds it.
    held = {f.employee_id: tables_mod.fields_of(f, result.criteria) for f in result.counted}
    holding = {f.id: people[people["employee_id"].map(lambda e, f=f: f.id in held.get(e, ()))
                            .astype(bool)]
               for f in fields}

    top = max(f.top_level for f in fields)
    levels = [["none", *(int(holding[f.id][f.id].isna().sum()) for f in fields)]]
    levels += [
        [str(n), *(int((holding[f.id][f.id] == n).sum()) for f in fields)]
        for n in range(1, top + 1)
    ]
    departments = sorted({str(d) for d in people["department"]}) or ["(none)"]
    means = [[d, *(_mean(holding[f.id], d, f.id) for f in fields)] for d in departments]
    statuses = [[s, n] for s, n in result.counts().items()]
    return (
        _Panel(
            "Staff per qualified level",
            ["level", *titles],
            levels,
            "column",
            ("qualified level", "staff"),
        ),
        _Panel(
            "Mean level by department (no level counts as 0)",
            ["department", *titles],
            means,
            "bar",
            ("mean level", "department"),
        ),
        _Panel("Files by status", ["status", "files"], statuses, "pie"),
    )


def _mean(people: pd.DataFrame, department: str, field_id: str) -> float:
    levels = people.loc[people["department"].astype(str) == department, field_id]
    return round(float(levels.fillna(0).astype(float).mean()), 2) if len(levels) else 0.0


#: Rows a Dashboard chart covers (XlsxWriter's default chart is 15 rows high).
CHART_ROWS = 16


def _panel(
    book: Any, sheet: Any, cells: _InRowOrder, at: tuple[int, int], formats: tuple, panel: _Panel
) -> int:
    """Write `panel`'s table at (row, col) and its chart under it; return the next free row."""
    (row, col), (title, header) = at, formats
    cells.write_string(row, col, panel.title, title)
    cells.set_row(row + 1, 30)  # field titles wrap onto two lines
    for c, name in enumerate(panel.columns):
        _write_text(cells, row + 1, col + c, name, header)
    for r, values in enumerate(panel.rows, start=row + 2):
        for c, value in enumerate(values):
            _write_value(cells, r, col + c, value)
    first, last = row + 2, row + 1 + len(panel.rows)
    sheet.set_column(col, col + len(panel.columns) - 1, 14)

    chart = book.add_chart({"type": panel.kind})
    for c in range(1, len(panel.columns)):
        chart.add_series(
            {
                "name": [DASHBOARD, row + 1, col + c],
                "categories": [DASHBOARD, first, col, last, col],
                "values": [DASHBOARD, first, col + c, last, col + c],
            }
        )
    chart.set_title({"name": panel.title})
    if panel.kind != "pie":
        chart.set_x_axis({"name": panel.axes[0]})
        chart.set_y_axis({"name": panel.axes[1]})
    sheet.insert_chart(last + 2, col, chart)
    return last + 2 + CHART_ROWS


def progress_line(result: ImportResult) -> str:
    """One line for the end of a run: "120 files: 110 ok, 5 warning, 3 rejected, ..."."""
    counts = result.counts()
    parts = ", ".join(f"{n} {s}" for s, n in counts.items())
    line = f"{len(result.files)} files: {parts}; {len(result.counted)} employees imported"
    if result.skipped:
        line += f"; {len(result.skipped)} other file(s) skipped (not spreadsheets)"
    return line
