"""A table longer than a sheet goes on over further sheets of the report, nothing lost.

Excel's limit is lowered (report.MAX_SHEET_ROWS) so that a few rows fill a sheet.
"""

from __future__ import annotations

import zipfile

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from generator import importer, report
from tests.import_corpus import answers_for, filled, person

#: Rows a sheet holds in these tests: the header and four rows.
ROWS = 5
SHEETS = ["Summary", "Gaps", "Gaps 2", "Items", "Items 2", "Items 3", "Files", "Dashboard"]
#: Each table's sheets: the name of the sheet's Excel table and the rows under its header.
PARTS = {
    "summary": {"Summary": ("Summary", 2)},
    "gaps": {"Gaps": ("Gaps", 4), "Gaps 2": ("Gaps2", 4)},
    "items": {"Items": ("Items", 4), "Items 2": ("Items2", 4), "Items 3": ("Items3", 1)},
    "files": {"Files": ("Files", 0)},
}


@pytest.fixture(scope="module")
def result(criteria, tmp_path_factory):
    folder = tmp_path_factory.mktemp("returned")
    for n in (1, 2):
        data = filled(criteria, person(n), answers_for("common.1", "hardware.3"))
        (folder / f"E{n:04d}.xlsx").write_bytes(data)
    return importer.import_paths(criteria, [folder], jobs=1)


@pytest.fixture(scope="module")
def tables(result):
    """Lengths around the lowered limit: one sheet, two full ones, three (the last with one
    row), and an empty table."""
    full = result.tables()
    assert len(full["gaps"]) == 2 * (ROWS - 1)
    return {
        "summary": full["summary"],
        "gaps": full["gaps"],
        "items": full["items"].head(2 * (ROWS - 1) + 1),
        "files": full["files"].head(0),
    }


@pytest.fixture(scope="module")
def written(result, tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report, "MAX_SHEET_ROWS", ROWS)
        report.write_xlsx(result, path, tables)
    return path


def _cells(frame: pd.DataFrame) -> list[tuple]:
    """The rows as openpyxl reads them back: a blank cell is None."""
    blank = {None, ""}
    return [
        tuple(None if v in blank or pd.isna(v) else v for v in row)
        for row in frame.itertuples(index=False, name=None)
    ]


def test_the_sheets_go_on_as_the_rows_need(written):
    assert openpyxl.load_workbook(written).sheetnames == SHEETS


@pytest.mark.parametrize("table", list(PARTS))
def test_every_row_is_on_exactly_one_sheet(written, tables, table):
    book = openpyxl.load_workbook(written)
    rows = []
    for title in PARTS[table]:
        header, *body = book[title].iter_rows(values_only=True)
        assert list(header) == list(tables[table].columns)
        rows += body

    assert rows == _cells(tables[table])


@pytest.mark.parametrize("table", list(PARTS))
def test_each_sheet_has_its_own_table_over_its_rows(written, tables, table):
    book = openpyxl.load_workbook(written)
    last = get_column_letter(len(tables[table].columns))
    for title, (name, rows) in PARTS[table].items():
        sheet = book[title]
        [excel_table] = sheet.tables.values()
        assert sheet.max_row == 1 + rows
        # An empty table still covers one (blank) row under its header.
        ref = f"A1:{last}{1 + max(rows, 1)}"
        assert (excel_table.name, excel_table.ref) == (name, ref)
        assert excel_table.autoFilter.ref == ref
        assert [c.name for c in excel_table.tableColumns] == list(tables[table].columns)
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows == "$1:$1"


def test_libreoffice_opens_the_continued_sheets(written, tmp_path):
    from tests import soffice

    soffice.require_soffice()
    [again] = soffice.convert([written], tmp_path, "xlsx")
    before, after = openpyxl.load_workbook(written), openpyxl.load_workbook(again)
    assert after.sheetnames == SHEETS
    for title in SHEETS[:-1]:
        first_column = [[c.value for c in row] for row in before[title].iter_cols(max_col=1)]
        assert [[c.value for c in row] for row in after[title].iter_cols(max_col=1)] == (
            first_column
        )
    with zipfile.ZipFile(again) as archive:
        assert archive.testzip() is None
