"""The ITSS_ANSWERS range of a generated workbook is exactly what the Excel functions take.

Workbooks are generated, filled as a person would fill them and recalculated in headless
LibreOffice; the range the defined name ITSS_ANSWERS points at is read back and handed to the
functions as Excel would hand it over, through xlwings' Windows conversion.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from generator import answers, filling, layout, udf_support, workbook
from tests import soffice
from tests.udf_cases import engine, engine_table, load_udf_module, random_answers
from tests.xlwings_windows import call_as_excel, windows_xlwings

#: Filled workbooks recalculated in one soffice call (about 0.4 s each).
WORKBOOKS = 12
_DEFINED = re.compile(r'<definedName [^>]*?name="ITSS_ANSWERS"[^>]*>([^<]+)</definedName>')


@pytest.fixture(scope="module")
def udfs():
    with windows_xlwings():
        yield load_udf_module("itss_udfs_windows")


def answers_range(path: Path) -> tuple[tuple, ...]:
    """The cells ITSS_ANSWERS names, read back, shaped as Excel hands a range over.

    Excel gives numbers as floats, and "" for the formulas' empty text. calamine gives "" too,
    and leaves a row short when its last cells hold "": the range is two columns all the same.
    """
    with zipfile.ZipFile(path) as archive:
        target = _DEFINED.search(archive.read("xl/workbook.xml").decode())[1]
    sheet, _, ref = target.replace("&apos;", "'").lstrip("=").rpartition("!")
    match = re.fullmatch(r"\$A\$(\d+):\$B\$(\d+)", ref)
    assert match, f"ITSS_ANSWERS is not two columns A:B: {target}"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet.strip("'")).to_python()
    first, last = int(match[1]), int(match[2])
    width = 2
    cells = [(list(row) + [""] * width)[:width] for row in rows[first - 1 : last]]
    return tuple(tuple(_as_excel(v) for v in row) for row in cells)


def openpyxl_range(path: Path) -> tuple[tuple, ...]:
    """The same cells read by openpyxl through its own view of the defined name."""
    book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    [(sheet, ref)] = book.defined_names[layout.ANSWERS_NAME].destinations
    rows = book[sheet][ref.replace("$", "")]
    values = tuple(tuple(_as_excel(cell.value) for cell in row) for row in rows)
    book.close()
    return values


def _as_excel(value):
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


@pytest.fixture(scope="module")
def recalculated(criteria, tmp_path_factory):
    """(answers, the ITSS_ANSWERS range LibreOffice computed) per filled workbook."""
    soffice.require_soffice()
    root = tmp_path_factory.mktemp("udf-workbooks")
    blank = workbook.write_workbook(criteria)
    sets = [random_answers(criteria, 1000 + n) for n in range(WORKBOOKS)]
    paths = []
    for n, flat in enumerate(sets):
        path = root / "in" / f"person{n:02d}.xlsx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(filling.fill(criteria, blank, flat))
        paths.append(path)
    converted = soffice.convert(paths, root / "out")
    return [(flat, answers_range(path), path) for flat, path in zip(sets, converted, strict=True)]


def test_a_blank_workbook_holds_every_key_the_functions_take(criteria, tmp_path, udfs):
    """Without recalculation: the keys, in order, and the "" XlsxWriter caches for blanks."""
    path = tmp_path / "blank.xlsx"
    path.write_bytes(workbook.write_workbook(criteria))

    rows = answers_range(path)

    assert [key for key, _ in rows] == answers.answer_keys(criteria, layout.EXPERIENCE_ROWS)
    assert {value for _, value in rows} == {""}
    assert call_as_excel(udfs.itss_levels, rows) == [[f.id, ""] for f in criteria.fields] + [
        ["overall", ""]
    ]


def test_the_range_holds_every_key_and_spreadsheet_values(criteria, recalculated):
    keys = answers.answer_keys(criteria, layout.EXPERIENCE_ROWS)
    for _, rows, _ in recalculated:
        assert [key for key, _ in rows] == keys
        for key, value in rows:
            if key in criteria.item_by_id or key.endswith(".completed"):
                assert isinstance(value, bool), (key, value)
            elif key.endswith(".level"):
                assert value == "" or isinstance(value, float), (key, value)
            else:
                assert isinstance(value, str), (key, value)


def test_the_range_reads_back_as_the_answers_typed_in(criteria, recalculated):
    for flat, rows, _ in recalculated:
        read, problems = udf_support.read_range(criteria, rows)
        parsed, parse_problems = answers.parse(criteria, read, strict=False)
        typed, _ = answers.parse(criteria, flat, strict=True)

        assert problems == [] and parse_problems == []
        assert _given(parsed) == _given(typed)


def _given(parsed: answers.Answers) -> dict:
    """The answers someone gave: an unticked box is FALSE in a workbook, absent in a file."""
    return {key: value for key, value in answers.to_flat(parsed).items() if value is not False}


def test_the_functions_give_the_engine_levels_on_the_range(criteria, recalculated, udfs):
    met_seen = set()
    for flat, rows, _ in recalculated:
        expected = engine(criteria, flat)

        table = engine_table(criteria, expected)
        assert call_as_excel(udfs.itss_levels, rows) == [
            [field, "" if level is None else level] for field, level in table
        ]
        for level in criteria.levels:
            met = expected.levels[level.id].met
            assert call_as_excel(udfs.itss_met, rows, level.id) == [[met]]
            met_seen.add(met)
    assert met_seen == {True, False}


def test_openpyxl_reads_the_range_as_calamine_does(recalculated, udfs):
    """openpyxl gives None where calamine gives "": the functions take both alike."""
    for _, rows, path in recalculated[:4]:
        other = openpyxl_range(path)

        assert other == tuple(tuple(None if v == "" else v for v in row) for row in rows)
        assert call_as_excel(udfs.itss_levels, other) == call_as_excel(udfs.itss_levels, rows)
