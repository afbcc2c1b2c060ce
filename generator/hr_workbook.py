"""The HR workbook: xlwings' own quickstart workbook, set up for the ITSS Excel functions.

xlwings ships ``quickstart.xlsm``, the macro-enabled workbook that ``xlwings quickstart``
copies: a VBA project that calls the xlwings add-in, and a ``_xlwings.conf`` sheet of
settings. This module copies it part by part, keeps the VBA project byte for byte and edits
only the sheet XML: the settings sheet becomes ``xlwings.conf`` (the name the add-in reads)
naming the UDF module and its folder, and the other sheet shows the functions beside sample
answers under the defined name ITSS_ANSWERS. Its texts live in templates/hr-workbook.yaml.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from generator import answers as answers_mod
from generator import layout
from generator.criteria import Criteria
from generator.errors import AnswersError, TemplateError, WorkbookError

logger = logging.getLogger(__name__)

#: The workbook ``xlwings quickstart`` copies for a project that uses the add-in.
QUICKSTART = "quickstart.xlsm"
#: The module of Excel functions, found on PYTHONPATH by xlwings' Import Functions.
UDF_MODULE = "itss_udfs"
#: The sheet name the xlwings add-in reads settings from.
CONF_SHEET = "xlwings.conf"
#: How the quickstart names its settings sheet: inactive until renamed.
QUICKSTART_CONF_SHEET = "_xlwings.conf"
QUICKSTART_EXAMPLE_SHEET = "Sheet1"
EXAMPLE_PART = "xl/worksheets/sheet1.xml"
CONF_PART = "xl/worksheets/sheet2.xml"
#: Cell styles of the quickstart's styles.xml: 1 plain, 2 bold (both vertically centred).
PLAIN, BOLD = 1, 2
TEMPLATE = "hr-workbook.yaml"
SAMPLE_ANSWERS = "answers-example.yaml"
#: The zip entries' timestamp: fixed, so that equal inputs give equal files.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)

#: Excel: characters a sheet name may not hold.
_SHEET_NAME_FORBIDDEN = "/\\?*[]:"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Cell:
    """One cell to write: its value (str, bool, number, None for empty) and style."""

    value: Any
    style: int = PLAIN


def shipped_path(name: str) -> Path:
    """A folder or file shipped with the product: the installed copy, else the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent / name):
        if candidate.exists():
            return candidate
    raise WorkbookError(
        f"{name} is missing: looked in {here} and {here.parent}; reinstall itss-workbook"
    )


def macros_dir() -> Path:
    """The installed folder holding the UDF module, for xlwings' PYTHONPATH setting."""
    return shipped_path("macros")


def quickstart_path() -> Path:
    """xlwings' quickstart workbook inside the installed xlwings package."""
    import xlwings

    path = Path(xlwings.__file__).resolve().parent / QUICKSTART
    if not path.is_file():
        raise WorkbookError(
            f"{path} is missing: xlwings {xlwings.__version__} does not ship "
            f"{QUICKSTART}; reinstall xlwings"
        )
    return path


def default_interpreter() -> str | None:
    """On Windows, the Python running itss-workbook (pythonw.exe, without a console window).

    Elsewhere None: a path of this machine means nothing to Excel on Windows.
    """
    if sys.platform != "win32":
        return None
    python = Path(sys.executable)
    windowless = python.with_name("pythonw.exe")
    return str(windowless if windowless.is_file() else python)


def conf_settings(macros: Path, interpreter: str | None) -> list[tuple[str, str]]:
    """The xlwings.conf rows: (setting, value), in the order the sheet lists them."""
    settings = [("UDF Modules", UDF_MODULE), ("PYTHONPATH", str(macros))]
    if interpreter:
        settings.append(("Interpreter_Win", interpreter))
    return settings


def write_hr_workbook(
    out: str | Path,
    criteria: Criteria,
    *,
    macros: Path | None = None,
    interpreter: str | None = None,
) -> Path:
    """Write the HR workbook to `out` (a .xlsm file).

    Raises:
        WorkbookError: `out` is not a .xlsm file name, or cannot be written.
        TemplateError: templates/hr-workbook.yaml lacks a text.
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsm":
        raise WorkbookError(f"{out}: the HR workbook holds macros, so its name must end in .xlsm")
    texts = load_texts()
    settings = conf_settings(macros or macros_dir(), interpreter)
    data = build(quickstart_path().read_bytes(), texts, settings, sample_rows(criteria))
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise WorkbookError(f"{out}: cannot be written ({exc.strerror})") from exc
    return out


def load_texts() -> dict[str, Any]:
    """templates/hr-workbook.yaml, checked to hold every text the workbook needs."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    path = shipped_path("templates") / TEMPLATE
    try:
        texts = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise TemplateError(f"{path}: cannot be read: {exc}") from exc
    needed = (
        "example_sheet",
        "title",
        "intro",
        "steps_heading",
        "steps",
        "formulas_heading",
        "formulas",
        "errors_note",
        "answers_heading",
        "answers_columns",
        "conf_heading",
        "conf_notes",
    )
    missing = [key for key in needed if not isinstance(texts, dict) or key not in texts]
    if missing:
        raise TemplateError(f"{path}: missing {', '.join(missing)}; see its header comment")
    name = str(texts["example_sheet"])
    if not name or len(name) > layout.MAX_SHEET_NAME or set(name) & set(_SHEET_NAME_FORBIDDEN):
        raise TemplateError(
            f"{path}: example_sheet {name!r} is no sheet name: 1 to "
            f"{layout.MAX_SHEET_NAME} characters, none of {_SHEET_NAME_FORBIDDEN}"
        )
    return texts


def sample_rows(criteria: Criteria) -> list[tuple[str, Any]]:
    """Every answer key of a generated workbook beside the shipped sample person's value."""
    flat: dict[str, Any] = {}
    try:
        sample = answers_mod.load_file(shipped_path("examples") / SAMPLE_ANSWERS, criteria)
        flat = answers_mod.to_flat(sample.answers)
    except (AnswersError, WorkbookError) as exc:
        logger.warning("the sample answers do not fit these criteria, left blank: %s", exc)

    rows = []
    for key in answers_mod.answer_keys(criteria, layout.EXPERIENCE_ROWS):
        unticked = key in criteria.item_by_id or key.endswith(".completed")
        rows.append((key, flat.get(key, False if unticked else None)))
    return rows


def build(
    quickstart: bytes,
    texts: dict[str, Any],
    settings: Sequence[tuple[str, str]],
    answers: Sequence[tuple[str, Any]],
) -> bytes:
    """The quickstart workbook's parts, with the two sheets and their names rewritten."""
    strings = SharedStrings()
    example, answers_ref = _example_sheet(texts, answers)
    sheets = {EXAMPLE_PART: example, CONF_PART: _conf_sheet(texts, settings)}
    sheet_name = texts["example_sheet"]
    defined_name = "'" + sheet_name.replace("'", "''") + "'!" + answers_ref

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(quickstart)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        parts = {info.filename: source.read(info) for info in source.infolist()}
        missing = {EXAMPLE_PART, CONF_PART, "xl/workbook.xml", "xl/sharedStrings.xml"} - set(parts)
        if missing:
            raise WorkbookError(f"xlwings' {QUICKSTART} has changed: no {', '.join(missing)}")
        for name, data in parts.items():
            if name == "xl/sharedStrings.xml":
                continue  # written last, once the sheets have filled the table
            if name in sheets:
                data = _replace_sheet_data(name, data.decode("utf-8"), sheets[name], strings)
            elif name == "xl/workbook.xml":
                data = _rename_sheets(data.decode("utf-8"), sheet_name, defined_name)
            elif name == "docProps/app.xml":
                data = _rename_titles(data.decode("utf-8"), sheet_name)
            elif name == "docProps/core.xml":
                data = _core_properties(data.decode("utf-8"))
            target.writestr(
                zipfile.ZipInfo(name, ZIP_DATE), _encode(data), compress_type=zipfile.ZIP_DEFLATED
            )
        target.writestr(
            zipfile.ZipInfo("xl/sharedStrings.xml", ZIP_DATE),
            strings.xml().encode("utf-8"),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return out.getvalue()


def _encode(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _example_sheet(
    texts: dict[str, Any], answers: Sequence[tuple[str, Any]]
) -> tuple[list[list[Cell]], str]:
    """The rows of the example sheet, and the A1 range of its sample answers."""
    rows: list[list[Cell]] = [[Cell(texts["title"], BOLD)], [Cell(texts["intro"])], []]
    rows += [[Cell(texts["steps_heading"], BOLD)]] + [[Cell(step)] for step in texts["steps"]]
    rows += [[], [Cell(text, BOLD) for text in texts["formulas_heading"]]]
    rows += [[Cell(formula), Cell(gives)] for formula, gives in texts["formulas"]]
    rows += [[Cell(texts["errors_note"])], []]
    rows += [[Cell(texts["answers_heading"], BOLD)]]
    rows += [[Cell(text, BOLD) for text in texts["answers_columns"]]]
    first = len(rows) + 1
    rows += [[Cell(key), Cell(value)] for key, value in answers]
    return rows, f"$A${first}:$B${len(rows)}"


def _conf_sheet(texts: dict[str, Any], settings: Sequence[tuple[str, str]]) -> list[list[Cell]]:
    """The settings from A1 down without a gap (xlwings stops at the first empty cell)."""
    rows = [[Cell(name), Cell(value)] for name, value in settings]
    rows += [[], [Cell(texts["conf_heading"], BOLD)]]
    return rows + [[Cell(note)] for note in texts["conf_notes"]]


class SharedStrings:
    """The workbook's shared string table, filled as cells are written."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str) -> int:
        self.count += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in self.index
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="{_MAIN_NS}" count="{self.count}" '
            f'uniqueCount="{len(self.index)}">{items}</sst>'
        )


def _cell_xml(ref: str, cell: Cell, strings: SharedStrings) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{cell.style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{cell.style}"><v>{value}</v></c>'
    text = str(value)[: layout.MAX_CELL_TEXT]
    return f'<c r="{ref}" s="{cell.style}" t="s"><v>{strings.add(text)}</v></c>'


def _sheet_data_xml(rows: list[list[Cell]], strings: SharedStrings) -> str:
    out = []
    for r, row in enumerate(rows, 1):
        cells = "".join(_cell_xml(f"{'AB'[c]}{r}", cell, strings) for c, cell in enumerate(row))
        if cells:
            out.append(f'<row r="{r}">{cells}</row>')
    return "<sheetData>" + "".join(out) + "</sheetData>"


#: Column widths in characters: the setting or formula, then the value or explanation.
_COLS = (
    '<cols><col min="1" max="1" width="64" customWidth="1"/>'
    '<col min="2" max="2" width="100" customWidth="1"/></cols>'
)


def _replace_sheet_data(
    part: str, xml: str, rows: list[list[Cell]], strings: SharedStrings
) -> str:
    """A quickstart sheet with its cells, columns and used range replaced."""
    xml = _sub_once(part, r"<cols>.*?</cols>", "", xml, required=False)
    xml = _sub_once(
        part,
        r"<sheetData\s*/>|<sheetData>.*?</sheetData>",
        _COLS + _sheet_data_xml(rows, strings),
        xml,
    )
    return _sub_once(part, r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:B{len(rows)}"/>', xml)


def _rename_sheets(xml: str, example_sheet: str, answers_ref: str) -> str:
    """workbook.xml with the sheets renamed and ITSS_ANSWERS defined."""
    part = "xl/workbook.xml"
    xml = _sub_once(
        part,
        f'name="{QUICKSTART_EXAMPLE_SHEET}"',
        f'name="{escape(example_sheet, {chr(34): "&quot;"})}"',
        xml,
    )
    xml = _sub_once(part, f'name="{QUICKSTART_CONF_SHEET}"', f'name="{CONF_SHEET}"', xml)
    # The quickstart records the folder it was saved in on its author's machine.
    xml = _sub_once(
        part, r"<mc:AlternateContent .*?</mc:AlternateContent>", "", xml, required=False
    )
    names = (
        f'<definedNames><definedName name="{layout.ANSWERS_NAME}">'
        f"{escape(answers_ref)}</definedName></definedNames>"
    )
    return _sub_once(part, r"</sheets>", "</sheets>" + names, xml)


def _rename_titles(xml: str, example_sheet: str) -> str:
    """docProps/app.xml, whose list of sheet names must match workbook.xml."""
    part = "docProps/app.xml"
    xml = _sub_once(
        part,
        f"<vt:lpstr>{QUICKSTART_EXAMPLE_SHEET}</vt:lpstr>",
        f"<vt:lpstr>{escape(example_sheet)}</vt:lpstr>",
        xml,
    )
    return _sub_once(
        part,
        f"<vt:lpstr>{QUICKSTART_CONF_SHEET}</vt:lpstr>",
        f"<vt:lpstr>{CONF_SHEET}</vt:lpstr>",
        xml,
    )


def _core_properties(xml: str) -> str:
    """docProps/core.xml naming itss-workbook as the author, dated now."""
    part = "docProps/core.xml"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for tag, value in (
        ("dc:creator", "itss-workbook"),
        ("cp:lastModifiedBy", "itss-workbook"),
        ("dcterms:created", now),
        ("dcterms:modified", now),
    ):
        xml = _sub_once(
            part,
            rf"(<{tag}[^>]*>)[^<]*(</{tag}>)",
            lambda m, value=value: m[1] + value + m[2],
            xml,
            required=False,
        )
    return xml


def _sub_once(
    part: str,
    pattern: str,
    replacement: str | Callable[[re.Match], str],
    xml: str,
    *,
    required: bool = True,
) -> str:
    """`xml` with the one match of `pattern` replaced; a missing match means xlwings changed.

    A text `replacement` is taken literally: it may hold a Windows path's backslashes.
    """
    function = replacement if callable(replacement) else (lambda m: replacement)
    new, count = re.subn(pattern, function, xml, count=1, flags=re.S)
    if required and count != 1:
        raise WorkbookError(f"xlwings' {QUICKSTART} has changed: {part} has no {pattern!r}")
    return new
