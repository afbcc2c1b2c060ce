"""Filling a generated workbook as a person would: values land in the right cells, and the
checkboxes, validations and formulas survive."""

from __future__ import annotations

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from generator import filling, layout
from generator.errors import WorkbookError


def sheet_rows(data: bytes, name: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name).to_python()


def test_values_land_in_their_cells(criteria, blank_workbook):
    flat = {
        "hardware.5.complexity.2": True,
        "hardware.5.complexity.2.evidence": "=cmd|'/c'",
        "hardware.5.experience.3.component": "storage",
        "hardware.5.experience.3.level": 4,
        "hardware.5.experience.3.completed": True,
        "hardware.5.experience.3.engagement": "Array <swap> & test",
        "common.1.experience.1.level": 1,
    }
    data = filling.fill(criteria, blank_workbook, flat)
    level = criteria.level_by_id["hardware.5"]
    cells = layout.input_cells(criteria, level)
    rows = sheet_rows(data, "HW L5")
    for key, value in flat.items():
        if key.startswith("hardware.5"):
            row, col = cells[key]
            assert rows[row][col] == value, key
    common = layout.input_cells(criteria, criteria.level_by_id["common.1"])
    row, col = common["common.1.experience.1.level"]
    assert sheet_rows(data, "Common L1")[row][col] == 1
    row, col = cells["hardware.5.complexity.1"]
    assert rows[row][col] is False


def test_everything_but_the_edited_sheets_is_kept(criteria, blank_workbook):
    data = filling.fill(criteria, blank_workbook, {"hardware.5.complexity.1": True})
    with zipfile.ZipFile(io.BytesIO(blank_workbook)) as a, zipfile.ZipFile(io.BytesIO(data)) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        edited = b.read("xl/worksheets/sheet3.xml").decode()
    assert changed == ["xl/worksheets/sheet3.xml"]
    original = zipfile.ZipFile(io.BytesIO(blank_workbook)).read("xl/worksheets/sheet3.xml")
    for marker in ("<dataValidation ", "<conditionalFormatting", "<sheetProtection", "<f>"):
        assert edited.count(marker) == original.decode().count(marker)


def test_clearing_a_cell(criteria, blank_workbook):
    key = "hardware.5.complexity.1.evidence"
    once = filling.fill(criteria, blank_workbook, {key: "memo"})
    twice = filling.fill(criteria, once, {key: ""})
    row, col = layout.input_cells(criteria, criteria.level_by_id["hardware.5"])[key]
    assert sheet_rows(once, "HW L5")[row][col] == "memo"
    assert sheet_rows(twice, "HW L5")[row][col] == ""


def test_keys_without_a_cell_are_listed(criteria, blank_workbook):
    flat = {
        "hardware.5.complexity.99": True,
        "facility.3.experience.1.component": "PC",
        "hardware.5.experience.7.level": 5,
        "hardware.5.complexity.1": True,
    }
    with pytest.raises(WorkbookError) as error:
        filling.fill(criteria, blank_workbook, flat)
    message = str(error.value)
    assert "cannot fill 3 answer(s)" in message
    for key in (
        "hardware.5.complexity.99",
        "facility.3.experience.1.component",
        "hardware.5.experience.7.level",
    ):
        assert key in message
