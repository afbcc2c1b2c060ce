"""The import's report: the .xlsx sheets, JSON, CSV and the DataFrames they come from."""

from __future__ import annotations

import json
import zipfile

import openpyxl
import pandas as pd
import pytest

from generator import filling, importer, report, workbook
from generator.errors import OutputError
from generator.roster import Employee
from tests.import_corpus import answers_for, filled

SHEETS = ["Summary", "Gaps", "Items", "Files", "Dashboard"]


@pytest.fixture(scope="module")
def tricky(criteria, tmp_path_factory):
    """Two employees whose names and departments look like formulas, and one on no file."""
    folder = tmp_path_factory.mktemp("tricky")
    people = [
        Employee(id="007", name='=HYPERLINK("http://evil","click")', department="@SUM(A1)"),
        Employee(id="008", name="+81 田中", department="-Ops"),
    ]
    flat = answers_for("common.1", "hardware.3")
    flat["hardware.3.complexity.1.evidence"] = "=cmd|' /C calc'!A0"
    for n, employee in enumerate(people):
        (folder / f"{n}.xlsx").write_bytes(filled(criteria, employee, flat))
    (folder / "junk.xlsx").write_bytes(b"")
    roster = {
        e.id: {"employee_id": e.id, "name": e.name, "department": e.department} for e in people
    }
    roster["009"] = {"employee_id": "009", "name": "未提出 太郎", "department": "-Ops"}
    return importer.import_paths(criteria, [folder], roster=roster, jobs=1)


@pytest.fixture(scope="module")
def written(tricky, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    report.write_xlsx(tricky, path)
    return path


def test_the_tables_as_dataframes(tricky):
    tables = tricky.tables()
    assert list(tables) == ["summary", "gaps", "items", "files"]
    summary = tables["summary"]
    assert list(summary["employee_id"]) == ["007", "008", "009"]
    assert list(summary["status"]) == ["ok", "ok", "not returned"]
    assert summary["hardware"].tolist()[:2] == [3, 3]
    assert summary["software"].isna().all()
    assert len(tables["files"]) == 3
    assert len(tables["gaps"]) == 2 * len(tricky.criteria.fields)
    items = tables["items"]
    ticked = items[(items["employee_id"] == "007") & (items["answer"] == True)]  # noqa: E712
    assert "hardware.3.responsibility.1" in set(ticked["item_id"])
    assert set(items["employee_id"]) == {"007", "008"}


def test_report_sheets_tables_and_frozen_headers(written, tricky):
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == SHEETS
    tables = tricky.tables()
    for title, name in zip(SHEETS[:4], ["summary", "gaps", "items", "files"], strict=True):
        sheet = book[title]
        assert sheet.freeze_panes == "A2"
        [table] = sheet.tables.values()
        last_col = sheet.cell(1, len(tables[name].columns)).column_letter
        assert (table.name, table.ref) == (title, f"A1:{last_col}{len(tables[name]) + 1}")
        assert [c.name for c in table.tableColumns] == list(tables[name].columns)
        assert [c.value for c in sheet[1]] == list(tables[name].columns)
        assert sheet.max_row == len(tables[name]) + 1


def test_libreoffice_opens_the_report_with_its_tables(written, tmp_path):
    """The table parts are added to XlsxWriter's output afterwards: a real reader must take
    them. LibreOffice re-saves the report, keeping the tables as database ranges."""
    from tests import soffice

    soffice.require_soffice()
    [again] = soffice.convert([written], tmp_path, "xlsx")
    with zipfile.ZipFile(again) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    reread = openpyxl.load_workbook(again)
    assert reread.sheetnames == SHEETS
    assert reread["Items"].max_row == openpyxl.load_workbook(written)["Items"].max_row
    assert any(n.startswith("xl/tables/") for n in names)


def test_staff_text_is_written_as_text_never_as_a_formula(written):
    book = openpyxl.load_workbook(written)
    summary = book["Summary"]
    names = {
        summary.cell(r, 2).value: summary.cell(r, 2).data_type
        for r in range(2, summary.max_row + 1)
    }
    assert names['=HYPERLINK("http://evil","click")'] == "s"
    assert names["+81 田中"] == "s"
    items = book["Items"]
    evidence = [c for c in items["G"] if c.value and str(c.value).startswith("=cmd")]
    assert evidence and all(c.data_type == "s" for c in evidence)
    with zipfile.ZipFile(written) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)


def test_dashboard_has_the_charts(written):
    with zipfile.ZipFile(written) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 3
        kinds = b"".join(archive.read(n) for n in charts)
    assert b"<c:barChart>" in kinds and b"<c:pieChart>" in kinds
    sheet = openpyxl.load_workbook(written)["Dashboard"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=10, max_col=5)]
    # Staff per qualified level: both imported people are hardware 3, common 1.
    assert values[0] == ["none", 0, 0, 2, 2]
    assert values[1] == ["1", 2, 0, 0, 0]
    assert values[3] == ["3", 0, 2, 0, 0]


def test_the_report_is_written_atomically(tricky, tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"the previous report")
    broken = {name: frame for name, frame in tricky.tables().items() if name != "items"}
    with pytest.raises(KeyError):
        report.write_xlsx(tricky, path, broken)
    assert path.read_bytes() == b"the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]

    report.write_xlsx(tricky, path)
    assert path.read_bytes().startswith(b"PK")
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_json_has_exactly_the_documented_shape(tricky, tmp_path):
    path = tmp_path / "results.json"
    report.write_json(tricky, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == ["files"]
    assert [sorted(f) for f in data["files"]] == [
        ["employee_id", "levels", "overall", "path", "reason", "status"]
    ] * 3
    first, _, junk = data["files"]
    assert first["employee_id"] == "007"
    assert first["levels"] == {"common": 1, "hardware": 3, "software": None, "facility": None}
    assert first["overall"] == 3
    assert first["reason"] == "" and first["status"] == "ok"
    assert junk == {
        "path": junk["path"],
        "status": "rejected",
        "reason": "empty file (0 bytes)",
        "employee_id": None,
        "levels": dict.fromkeys(["common", "hardware", "software", "facility"]),
        "overall": None,
    }


def test_csv_holds_the_same_tables(tricky, tmp_path):
    written = report.write_csv(tricky, tmp_path / "csv")
    assert [p.name for p in written] == ["summary.csv", "gaps.csv", "items.csv", "files.csv"]
    tables = tricky.tables()
    for path in written:
        back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame = tables[path.stem]
        assert list(back.columns) == list(frame.columns)
        assert len(back) == len(frame)
    summary = pd.read_csv(written[0], dtype=str, encoding="utf-8-sig")
    assert list(summary["employee_id"]) == ["007", "008", "009"]  # leading zeros kept
    assert written[0].read_bytes().startswith(b"\xef\xbb\xbf")


def test_an_unwritable_target_is_an_output_error(tricky, tmp_path):
    target = tmp_path / "missing" / "report.xlsx"
    with pytest.raises(OutputError, match=f"^{target}: cannot be written \\(No such file"):
        report.write_xlsx(tricky, target)
    with pytest.raises(OutputError, match="cannot be written"):
        report.write_json(tricky, tmp_path / "missing" / "results.json")


def test_levels_are_numbers_in_the_report(written):
    book = openpyxl.load_workbook(written, read_only=True)
    header, *rows = book["Summary"].iter_rows(values_only=True)
    hardware, overall = header.index("hardware"), header.index("overall")

    assert [(row[hardware], row[overall]) for row in rows[:2]] == [(3, 3), (3, 3)]
    assert all(isinstance(row[hardware], int | float) for row in rows[:2])


def test_the_dashboard_counts_a_field_only_for_workbooks_that_hold_it(criteria, tmp_path):
    folder = tmp_path / "returned"
    folder.mkdir()
    flat = answers_for("common.1", "hardware.3")
    factory = workbook.WorkbookFactory(criteria)
    for n, fields in enumerate([("hardware",), None]):
        person = Employee(id=f"E{n}", name=f"P{n}", department="Ops", fields=fields)
        (folder / f"{n}.xlsx").write_bytes(
            filling.fill(criteria, factory.workbook(person), flat))
    path = tmp_path / "report.xlsx"

    report.write_xlsx(importer.import_paths(criteria, [folder], jobs=1), path)

    sheet = openpyxl.load_workbook(path, read_only=True)["Dashboard"]
    rows = [r for r in sheet.iter_rows(min_row=4, max_row=10, max_col=5, values_only=True)]
    none_row = next(r for r in rows if r[0] == "none")
    titles = [f.title for f in criteria.fields]
    # Both hold common and hardware; only the second holds software and facility.
    assert dict(zip(titles, none_row[1:], strict=True)) == {
        "Common to Customer Service": 0, "Hardware": 0, "Software": 1,
        "Facility management": 1}
