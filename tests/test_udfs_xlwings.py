"""The Excel functions through xlwings' own Windows decorators and value conversion.

tests/xlwings_windows.py makes ``xlwings.udfs`` importable on Linux; each function is called
as xlwings calls it for a cell, with values shaped as Excel hands them over.
"""

from __future__ import annotations

import io
import sys
import types

import pytest

from generator import udf_support
from tests.udf_cases import (
    ANSWER_SETS,
    engine,
    engine_table,
    excel_range,
    load_udf_module,
    random_answers,
)
from tests.xlwings_windows import call_as_excel, windows_cell_errors, windows_xlwings

NA, REF, CALC = -2146826246, -2146826265, -2146826238


@pytest.fixture(scope="module")
def xl():
    """The UDF module as decorated on Windows, and xlwings.udfs itself."""
    with windows_xlwings() as udfs:
        yield types.SimpleNamespace(udfs=udfs, module=load_udf_module("itss_udfs_windows"))


def cells(value):
    """What an Excel function returns for `value`: empty cells for None, as rows."""
    rows = value if isinstance(value, list) else [[value]]
    return [["" if v is None else v for v in row] for row in rows]


def test_the_stubs_are_gone_after_the_block():
    names = {"pythoncom", "pywintypes", "win32com", "win32com.client", "xlwings.udfs"}
    before = {name: sys.modules.get(name) for name in names}

    with windows_xlwings():
        assert sys.modules["pythoncom"] is not before["pythoncom"]
    assert {name: sys.modules.get(name) for name in names} == before


def test_results_equal_the_engine_on_random_answer_sets(criteria, xl):
    m = xl.module
    for seed in range(ANSWER_SETS):
        flat = random_answers(criteria, seed)
        expected = engine(criteria, flat)
        rows = excel_range(criteria, flat)

        assert call_as_excel(m.itss_levels, rows) == cells(engine_table(criteria, expected))
        for field in criteria.fields:
            level = expected.fields[field.id].level
            assert call_as_excel(m.itss_level, rows, field.id) == cells(level), seed
        assert call_as_excel(m.itss_level, rows, "overall") == cells(expected.overall)
        for level in criteria.levels:
            result = expected.levels[level.id]
            assert call_as_excel(m.itss_met, rows, level.id) == [[result.met]], seed
            assert call_as_excel(m.itss_missing, rows, level.id) == [["; ".join(result.missing)]]


def test_the_workbook_formulas_blank_text_reads_as_empty(criteria, xl):
    """The generated workbook's ITSS_ANSWERS gives "" for an empty input cell."""
    flat = random_answers(criteria, 3)
    expected = engine(criteria, flat)

    result = call_as_excel(xl.module.itss_levels, excel_range(criteria, flat, blank=""))

    assert result == cells(engine_table(criteria, expected))


def test_a_one_row_range_and_a_single_cell(xl):
    one_row = (("hardware.3.responsibility.1", True),)

    assert call_as_excel(xl.module.itss_met, one_row, "hardware.3") == [[False]]
    assert call_as_excel(xl.module.itss_level, "hardware.3.responsibility.1", "hardware") == [
        [
            "ITSS error: the answers must be a range of two columns, answer key and value; this "
            "one has 1 column"
        ]
    ]


def test_error_values_arrive_as_text_and_are_named(xl):
    rows = (("hardware.3.responsibility.1", NA), ("hardware.3.themes.1", True), (REF, None))

    [[text]] = call_as_excel(xl.module.itss_levels, rows)

    assert text == (
        "ITSS error: 2 problems in the answers: hardware.3.responsibility.1 (row 1): the value "
        "holds the error #N/A; fix the cell it comes from; row 3: the key cell holds the error "
        "#REF!"
    )


def test_an_error_value_as_the_field_is_named(xl):
    rows = (("hardware.3.responsibility.1", True),)

    [[text]] = call_as_excel(xl.module.itss_level, rows, NA)

    assert text == (
        "ITSS error: the field is the error #N/A; use one of common, hardware, software, "
        "facility, overall"
    )


def test_blank_rows_and_a_heading_pass_through_conversion(criteria, xl):
    flat = random_answers(criteria, 11)
    rows = excel_range(criteria, flat)
    padded = (("Answer key", "Value"), *rows, (None, None), (None, None))

    assert call_as_excel(xl.module.itss_levels, padded) == call_as_excel(
        xl.module.itss_levels, rows
    )


def test_the_decorators_record_what_import_functions_needs(xl):
    m = xl.module
    names = {
        "itss_levels": ["answers"],
        "itss_level": ["answers", "field"],
        "itss_met": ["answers", "level"],
        "itss_missing": ["answers", "level"],
        "itss_version": [],
    }

    for name, args in names.items():
        info = getattr(m, name).__xlfunc__
        assert info["name"] == name and info["category"] == "ITSS"
        assert [a["name"] for a in info["args"]] == args
        assert len(info["ret"]["doc"]) <= 255 and "\n" not in info["ret"]["doc"]
        for arg in info["args"]:
            assert arg["doc"] != f"Positional argument {arg['pos'] + 1}"
            assert len(arg["doc"]) <= 255
        if args:
            assert info["args"][0]["options"] == {"ndim": 2, "err_to_str": True}


def test_xlwings_writes_the_vba_wrappers(xl):
    """Import Functions writes one VBA function per UDF, calling the itss_udfs module."""
    vba = io.StringIO()
    workbook = types.SimpleNamespace(Name="itss-hr.xlsm")

    xl.udfs.generate_vba_wrapper("itss_udfs", xl.module, vba, workbook)

    text = vba.getvalue()
    for signature in (
        "Function itss_levels(answers)",
        "Function itss_level(answers, field)",
        "Function itss_met(answers, level)",
        "Function itss_missing(answers, level)",
        "Function itss_version()",
    ):
        assert signature in text
    assert 'XLPy.CallUDF("itss_udfs", "itss_level", Array(answers, field), ThisWorkbook' in text


def test_the_error_codes_are_those_xlwings_knows_and_newer_ones():
    known = windows_cell_errors()

    assert {code: udf_support.EXCEL_ERRORS[code] for code in known} == known
    assert udf_support.EXCEL_ERRORS[CALC] == "#CALC!"


def test_an_error_xlwings_does_not_know_is_named_too(xl):
    """#CALC! (FILTER finding nothing) reaches Python as its code, in a range or alone."""
    in_range = call_as_excel(xl.module.itss_levels, (("hardware.3.themes.1", CALC),))
    alone = call_as_excel(xl.module.itss_levels, CALC)

    assert in_range == [
        [
            "ITSS error: 1 problem in the answers: hardware.3.themes.1 (row 1): the value holds "
            "the error #CALC!; fix the cell it comes from"
        ]
    ]
    assert alone == [
        [
            "ITSS error: the answers are the error #CALC!, not a range of answer keys and values; "
            "fix the formula or range it comes from"
        ]
    ]
