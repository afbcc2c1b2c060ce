"""Reading one workbook: metadata, answers by ID, and warnings that name sheet and cell."""

from __future__ import annotations

import io

import openpyxl
import pytest

from generator import answers as answers_mod
from generator import importer, layout, reader, rules
from generator.errors import WorkbookError
from tests.import_corpus import answers_for, filled, person, set_cached, with_openpyxl


@pytest.fixture(scope="module")
def hw4() -> dict:
    flat = answers_for("common.1", "hardware.3", "hardware.4")
    flat["hardware.4.complexity.2.evidence"] = '=HYPERLINK("http://x")'
    return flat


def test_reads_metadata_and_answers(criteria, hw4):
    read = reader.read_workbook(criteria, filled(criteria, person(7, "佐藤 花子"), hw4), "a")
    assert read.meta["product"] == layout.PRODUCT_MARK
    assert read.meta["criteria_version"] == criteria.version
    assert read.employee == {
        "id": "E0007",
        "name": "佐藤 花子",
        "department": "Field Service East",
    }
    expected, _ = answers_mod.parse(criteria, hw4)
    assert read.answers.ticks == {k: v for k, v in expected.ticks.items() if v}
    assert read.answers.evidence == expected.evidence
    assert read.answers.experience == expected.experience
    assert read.warnings == []
    assert read.kind == "xlsx"


def test_cached_formula_values_are_read_but_never_used(criteria, hw4):
    data = set_cached(filled(criteria, person(7), hw4), layout.level_name("hardware"), 5)
    read = reader.read_workbook(criteria, data, "a")
    assert read.cached_levels["hardware"] == 5
    assessment = rules.evaluate(criteria, read.answers)
    assert assessment.fields["hardware"].level == 4
    assert importer.formula_warnings(criteria, read.cached_levels, assessment) == [
        "the workbook's formulas were changed: it shows hardware 5 (the standard gives 4); "
        "the levels here are recomputed from the answers"
    ]


def test_uncalculated_workbooks_are_not_said_to_have_changed_formulas(criteria, hw4):
    """Generated files cache 0 (XlsxWriter) or nothing until a program recalculates them."""
    read = reader.read_workbook(criteria, filled(criteria, person(7), hw4), "a")
    assert all(v in (0, "", None) for v in read.cached_levels.values()), read.cached_levels
    assessment = rules.evaluate(criteria, read.answers)
    assert importer.formula_warnings(criteria, read.cached_levels, assessment) == []


def edit(data: bytes, change) -> bytes:
    return with_openpyxl(data, change)


def test_rows_found_by_id_after_rows_move(criteria, hw4):
    def move(book: openpyxl.Workbook) -> None:
        book["HW L4"].insert_rows(5, 7)
        book["HW L3"].delete_rows(1, 2)

    data = edit(filled(criteria, person(8), hw4), move)
    read = reader.read_workbook(criteria, data, "a")
    assert read.warnings == []
    assert read.answers.ticked("hardware.4.responsibility.1")
    assert read.answers.ticked("hardware.3.responsibility.1")


def test_bad_values_are_warnings_naming_sheet_and_cell(criteria):
    def type_in(book: openpyxl.Workbook) -> None:
        sheet = book["HW L3"]
        row = next(c.row for c in sheet["A"] if c.value == "hardware.3.complexity.2")
        sheet.cell(row=row, column=3, value="maybe")
        exp = next(c.row for c in sheet["A"] if c.value == "hardware.3.experience.1")
        sheet.cell(row=exp, column=3, value="toaster")  # the IT component column

    data = edit(filled(criteria, person(9), {}), type_in)
    warnings = reader.read_workbook(criteria, data, "a").warnings
    assert any(
        w.startswith("'HW L3'!C")
        and "(hardware.3.complexity.2): a tick must be true or false, not 'maybe'" in w
        for w in warnings
    ), warnings
    assert any(
        "(hardware.3.experience.1.component): unknown IT component 'toaster'" in w
        for w in warnings
    ), warnings


def test_a_row_twice_keeps_the_first_and_says_so(criteria):
    def copy_row(book: openpyxl.Workbook) -> None:
        sheet = book["HW L3"]
        end = sheet.max_row + 1
        sheet.cell(row=end, column=1, value="hardware.3.complexity.1")
        sheet.cell(row=end, column=3, value=True)

    data = edit(filled(criteria, person(9), {}), copy_row)
    read = reader.read_workbook(criteria, data, "a")
    assert not read.answers.ticked("hardware.3.complexity.1")
    assert any(
        w.startswith("1 ID(s) stand in more than one row; each is read from its level's own "
                     "sheet: hardware.3.complexity.1 ('HW L3'!A")
        for w in read.warnings
    ), read.warnings


def test_a_copied_id_on_another_sheet_does_not_override_the_levels_own(criteria, hw4):
    def forge(book: openpyxl.Workbook) -> None:
        cover = book["Cover"]
        for n in range(1, 4):
            cover.cell(row=40 + n, column=1, value=f"hardware.4.complexity.{n}")
            cover.cell(row=40 + n, column=3, value=False)
        book.move_sheet(cover, offset=len(book.worksheets))

    read = reader.read_workbook(criteria, edit(filled(criteria, person(9), hw4), forge), "a")

    assert read.answers.ticked("hardware.4.complexity.1") == hw4["hardware.4.complexity.1"]
    assert any("3 ID(s) stand in more than one row" in w for w in read.warnings)


def test_experience_rows_beyond_the_table_are_not_counted(criteria):
    def extra(book: openpyxl.Workbook) -> None:
        sheet = book["HW L5"]
        end = sheet.max_row + 1
        for n, number in enumerate((7, 99999999999999999999)):
            sheet.cell(row=end + n, column=1, value=f"hardware.5.experience.{number}")
            sheet.cell(row=end + n, column=3, value="network")
            sheet.cell(row=end + n, column=4, value=5)
            sheet.cell(row=end + n, column=5, value=True)

    read = reader.read_workbook(criteria, edit(filled(criteria, person(9), {}), extra), "a")

    assert read.answers.rows("hardware.5") == []
    assert ("2 experience row(s) beyond the workbook's table of 6 were not counted: "
            "hardware.5.experience.7, hardware.5.experience.99999999999999999999"
            in read.warnings)


def test_an_error_value_in_an_answer_cell_is_named(criteria, hw4):
    data = filled(criteria, person(9), hw4)
    sheet, row = reader_position(criteria, data, "hardware.4.complexity.1")

    def error(book: openpyxl.Workbook) -> None:
        book[sheet].cell(row=row + 1, column=3, value="#N/A")

    read = reader.read_workbook(criteria, edit(data, error), "a")

    assert not read.answers.ticked("hardware.4.complexity.1")
    assert (f"'{sheet}'!C{row + 1} (hardware.4.complexity.1): holds an error value, not an "
            "answer; not taken") in read.warnings


def reader_position(criteria, data, item_id):
    scan = reader._scan(criteria, reader._load_sheets(reader.open_container(data)))
    return next(place for place, row_id in scan.rows.items() if row_id == item_id)


def test_warnings_are_capped(criteria, monkeypatch):
    monkeypatch.setattr(reader, "MAX_WARNINGS", 3)

    def yes(book: openpyxl.Workbook) -> None:
        sheet = book["HW L5"]
        for row in sheet.iter_rows():
            if str(row[0].value).startswith("hardware.5.complexity."):
                row[2].value = "yes"

    read = reader.read_workbook(criteria, edit(filled(criteria, person(9), {}), yes), "a")

    assert len(read.warnings) == 4
    assert read.warnings[-1] == "and 3 more warnings"


def test_sheets_are_found_by_what_they_hold(criteria, hw4):
    def rename(book: openpyxl.Workbook) -> None:
        for n, sheet in enumerate(book.worksheets):
            sheet.title = f"Sheet {n}"
        book.move_sheet(book.worksheets[-1], offset=-(len(book.worksheets) - 1))

    read = reader.read_workbook(criteria, edit(filled(criteria, person(5), hw4), rename), "a")
    assert read.meta["employee_id"] == "E0005"
    assert read.answers.ticked("hardware.4.responsibility.1")
    assert read.warnings == []


def test_a_workbook_without_our_metadata_is_not_ours(criteria):
    book = openpyxl.Workbook()
    book.active["A1"] = "hardware.3.complexity.1"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError, match="^not one of ours: no sheet holds product = "):
        reader.read_workbook(criteria, out.getvalue(), "a")


def test_read_answers_file_for_evaluate(criteria, hw4, tmp_path, caplog):
    def type_in(book: openpyxl.Workbook) -> None:
        sheet = book["HW L3"]
        row = next(c.row for c in sheet["A"] if c.value == "hardware.3.size.1")
        sheet.cell(row=row, column=3, value="perhaps")

    path = tmp_path / "E0011.xlsx"
    path.write_bytes(edit(filled(criteria, person(11), hw4), type_in))
    source = reader.read_answers_file(criteria, path)
    assert source.source == str(path)
    assert source.employee["id"] == "E0011"
    assert source.answers.ticked("hardware.4.responsibility.1")
    [record] = [r for r in caplog.records if r.name == "generator.reader"]
    assert record.getMessage().startswith(f"{path}: 'HW L3'!C")
    assert record.getMessage().endswith(
        "(hardware.3.size.1): a tick must be true or false, not 'perhaps'"
    )


def test_read_answers_file_names_the_file_when_it_fails(criteria, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(WorkbookError, match=f"^{path}: truncated or damaged"):
        reader.read_answers_file(criteria, path)


def test_cell_ref():
    assert reader.cell_ref("HW L5", 0, 0) == "'HW L5'!A1"
    assert reader.cell_ref("HW L5", 11, 2) == "'HW L5'!C12"
    assert reader.cell_ref("x", 1048575, 16383) == "'x'!XFD1048576"


def test_several_workbooks_are_read_in_workers_in_order(criteria, hw4, tmp_path):
    good, broken = tmp_path / "good.xlsx", tmp_path / "broken.xlsx"
    good.write_bytes(filled(criteria, person(4), hw4))
    broken.write_bytes(b"PK\x03\x04 cut short")

    first, second, third = reader.read_answers_files(criteria, [broken, good, broken], jobs=2)

    assert isinstance(first, WorkbookError) and isinstance(third, WorkbookError)
    assert str(first).startswith(f"{broken}: truncated or damaged")
    assert second.employee["id"] == person(4).id
    assert second.answers.ticks == reader.read_answers_file(criteria, good).answers.ticks
