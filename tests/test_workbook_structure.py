"""Generated workbooks read back: sheets, rows by ID, locking, checkboxes, names, print set-up."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from generator import answers, layout, workbook
from generator.roster import Employee


@pytest.fixture(scope="module")
def book(blank_workbook):
    return openpyxl.load_workbook(io.BytesIO(blank_workbook))


@pytest.fixture(scope="module")
def parts(blank_workbook) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(blank_workbook)) as archive:
        return {n: archive.read(n).decode("utf-8", "replace") for n in archive.namelist()}


def level_sheets(criteria):
    return [(level, layout.sheet_name(criteria, level)) for level in criteria.levels]


def test_sheets_in_order(criteria, book):
    names = [
        layout.COVER_SHEET,
        layout.SUMMARY_SHEET,
        *(n for _, n in level_sheets(criteria)),
        layout.META_SHEET,
        layout.ANSWERS_SHEET,
    ]
    assert book.sheetnames == names
    assert len(level_sheets(criteria)) == 12
    assert all(len(n) <= layout.MAX_SHEET_NAME for n in names)
    assert book[layout.META_SHEET].sheet_state == "veryHidden"
    assert book[layout.ANSWERS_SHEET].sheet_state == "veryHidden"


def test_every_item_has_one_row_on_its_level_sheet(criteria, book):
    found: dict[str, list[str]] = {}
    for _, name in level_sheets(criteria):
        for (value,) in book[name].iter_rows(min_col=1, max_col=1, values_only=True):
            if isinstance(value, str) and value in criteria.item_by_id:
                found.setdefault(value, []).append(name)
    for level, name in level_sheets(criteria):
        for section in level.sections:
            for item in section.items:
                assert found.get(item.id) == [name], item.id


def test_item_rows_hold_text_and_a_false_tick(criteria, book):
    for level, name in level_sheets(criteria):
        sheet = book[name]
        for key, (row, col) in layout.input_cells(criteria, level).items():
            if key in criteria.item_by_id:
                assert sheet.cell(row + 1, 1).value == key
                assert sheet.cell(row + 1, 2).value == criteria.item_by_id[key].text
                assert sheet.cell(row + 1, col + 1).value is False


def test_experience_rows_keyed_in_column_a(criteria, book):
    for level, name in level_sheets(criteria):
        keys = [
            v
            for (v,) in book[name].iter_rows(min_col=1, max_col=1, values_only=True)
            if isinstance(v, str) and ".experience." in v
        ]
        assert keys == [f"{level.id}.experience.{n}" for n in range(1, layout.EXPERIENCE_ROWS + 1)]


def test_only_input_cells_are_unlocked(criteria, book):
    for level, name in level_sheets(criteria):
        sheet = book[name]
        inputs = {(r + 1, c + 1) for r, c in layout.input_cells(criteria, level).values()}
        unlocked = {
            (c.row, c.column)
            for row in sheet.iter_rows()
            for c in row
            if c.protection.locked is False
        }
        assert unlocked == inputs, name
        assert sheet.protection.sheet is True
    for name in (layout.COVER_SHEET, layout.SUMMARY_SHEET, layout.META_SHEET):
        sheet = book[name]
        assert sheet.protection.sheet is True
        assert not any(c.protection.locked is False for row in sheet.iter_rows() for c in row)
    assert book.security.lockStructure is True


def test_checkbox_parts_and_validations(criteria, parts):
    assert "xl/featurePropertyBag/featurePropertyBag.xml" in parts
    assert "featurePropertyBag" in parts["[Content_Types].xml"]
    assert "XFControls" in parts["xl/featurePropertyBag/featurePropertyBag.xml"]
    sheet_xml = parts["xl/worksheets/sheet3.xml"]  # HW L5
    assert (
        sheet_xml.count('t="b"')
        >= len([i for s in criteria.levels[0].sections for i in s.items]) + layout.EXPERIENCE_ROWS
    )
    lists = re.findall(r"<formula1>([^<]*)</formula1>", sheet_xml)
    assert '"TRUE,FALSE"' in lists
    assert '"1,2,3,4,5"' in lists
    assert f'"{",".join(criteria.components)}"' in lists


def test_defined_names_point_at_cells(criteria, book):
    names = [layout.met_name(lv) for lv in criteria.levels]
    names += [layout.level_name(f.id) for f in criteria.fields] + [layout.OVERALL_NAME]
    for name in names:
        ((sheet, ref),) = book.defined_names[name].destinations
        assert re.fullmatch(r"\$[A-Z]+\$\d+", ref), (name, ref)
        assert book[sheet][ref.replace("$", "")].data_type == "f", name


def test_answers_range_lists_every_key_beside_its_input(criteria, book):
    ((sheet, ref),) = book.defined_names[layout.ANSWERS_NAME].destinations
    assert sheet == layout.ANSWERS_SHEET
    rows = list(book[sheet][ref.replace("$", "")])
    keys = [r[0].value for r in rows]
    assert keys == answers.answer_keys(criteria, layout.EXPERIENCE_ROWS)
    cells = {}
    for level, name in level_sheets(criteria):
        for key, (r, c) in layout.input_cells(criteria, level).items():
            cells[key] = f"'{name}'!${get_column_letter(c + 1)}${r + 1}"
    for key_cell, value_cell in rows:
        target = cells[key_cell.value]
        assert value_cell.value == f'=IF(ISBLANK({target}),"",{target})'


def test_metadata_sheet_and_properties(criteria, blank_workbook, parts):
    employee = Employee(
        id="0042", name="Sato Hanako", department="Field", manager="Ito", email="sato@example.com"
    )
    data = workbook.write_workbook(criteria, employee, fields=["hardware"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = {r[0]: r[1] for r in book[layout.META_SHEET].iter_rows(values_only=True)}
    assert list(meta) == list(layout.META_KEYS)
    assert meta["product"] == layout.PRODUCT_MARK
    assert meta["criteria_version"] == criteria.version
    assert meta["criteria_sha256"] == criteria.sha256
    assert meta["template_version"] == layout.TEMPLATE_VERSION
    assert (meta["employee_id"], meta["name"], meta["email"]) == (
        "0042",
        "Sato Hanako",
        "sato@example.com",
    )
    assert meta["fields"] == "common;hardware"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", meta["generated_at"])
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert {k.removeprefix("itss_"): v for k, v in props.items()} == meta
    assert "Sato Hanako (0042)" in book.properties.title


def test_fields_limit_the_level_sheets(criteria):
    data = workbook.write_workbook(criteria, fields=["software"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [n for n in book.sheetnames if " L" in n] == [
        "SW L5",
        "SW L4",
        "SW L3",
        "Common L2",
        "Common L1",
    ]
    for level in criteria.levels:  # every name stays, on levels not held it is FALSE
        ((sheet, ref),) = book.defined_names[layout.met_name(level)].destinations
        value = book[sheet][ref.replace("$", "")].value
        assert (value is False) == (level.field not in ("software", "common"))


def test_roster_values_are_text_never_formulas(criteria):
    employee = Employee(
        id="=1+1",
        name='=HYPERLINK("http://x","y")',
        department="+SUM(A1)",
        manager="@me",
        email="-2 & <b>",
    )
    data = workbook.write_workbook(criteria, employee)
    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = {r[0]: r[1] for r in book[layout.META_SHEET].iter_rows(values_only=True)}
    assert meta["employee_id"] == "=1+1"
    assert meta["name"] == employee.name
    assert book[layout.META_SHEET]["B5"].data_type == "s"
    assert meta["email"] == "-2 & <b>"
    assert book[layout.COVER_SHEET]["B2"].data_type == "s"
    footer = book["HW L5"].oddFooter.left.text
    assert "-2" not in footer and '=HYPERLINK("http://x","y") (=1+1)' in footer


def test_frozen_panes_print_setup_and_footer(criteria, book):
    for _, name in level_sheets(criteria):
        sheet = book[name]
        assert sheet.freeze_panes == f"A{layout.HEADER_ROWS + 1}"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == f"$1:${layout.HEADER_ROWS}"
        assert "&P" in sheet.oddFooter.right.text
        assert sheet.column_dimensions["B"].width > 50
        assert sheet["B6"].alignment.wrap_text is True


def test_password_protects_sheets_and_structure(criteria):
    data = workbook.write_workbook(criteria, password="s3cret")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["HW L5"].protection.password
    assert book.security.workbookPassword
    assert book.security.lockStructure is True
