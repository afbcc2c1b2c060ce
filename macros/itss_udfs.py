"""ITSS levels as Excel functions, for xlwings' "UDF Modules" setting (Windows Excel).

Each function reads its arguments as xlwings hands them over and calls the itss-workbook
rules engine through generator.udf_support; nothing here knows a rule. The docstrings and the
argument docs are what Excel's function dialog shows. The parameters carry no type hints on
purpose: xlwings would read them as converters. There is no ``@xw.ret``: the default writes a
list of rows as a table and None as an empty cell, and its one option that matters here,
``expand``, is the legacy resizing that Excel 365's own spilling of arrays replaces.
"""

import xlwings as xw

from generator import udf_support as udf

CATEGORY = "ITSS"
ANSWERS_DOC = (
    "Two columns: answer key and value, such as the ITSS_ANSWERS range of a generated "
    "workbook or one person's item_id and answer columns of the import report's Items table. "
    "Empty keys and a heading row are skipped."
)
FIELD_DOC = 'A field: "common", "hardware", "software", "facility", or "overall".'
LEVEL_DOC = 'A level ID such as "hardware.5", "facility.6" or "common.1".'


@xw.func(category=CATEGORY)
@xw.arg("answers", ndim=2, err_to_str=True, doc=ANSWERS_DOC)
@udf.cell_function
def itss_levels(answers):
    """The qualified level of each field (common, hardware, software, facility) and the
    overall level, as five rows of field and level. The level is empty when none is met.
    """
    return udf.levels_table(answers)


@xw.func(category=CATEGORY)
@xw.arg("answers", ndim=2, err_to_str=True, doc=ANSWERS_DOC)
@xw.arg("field", err_to_str=True, doc=FIELD_DOC)
@udf.cell_function
def itss_level(answers, field):
    """The qualified level of one field, or the overall level: the highest level met.
    Empty when none is met.
    """
    return udf.field_level(answers, field)


@xw.func(category=CATEGORY)
@xw.arg("answers", ndim=2, err_to_str=True, doc=ANSWERS_DOC)
@xw.arg("level", err_to_str=True, doc=LEVEL_DOC)
@udf.cell_function
def itss_met(answers, level):
    """TRUE when the answers meet every requirement of the level, otherwise FALSE."""
    return udf.level_met(answers, level)


@xw.func(category=CATEGORY)
@xw.arg("answers", ndim=2, err_to_str=True, doc=ANSWERS_DOC)
@xw.arg("level", err_to_str=True, doc=LEVEL_DOC)
@udf.cell_function
def itss_missing(answers, level):
    """What the level still needs, in words, one requirement after another. Empty when the
    level is met.
    """
    return udf.level_missing(answers, level)


@xw.func(category=CATEGORY)
@udf.cell_function
def itss_version():
    """The version of the ITSS criteria that these functions apply."""
    return udf.criteria_version()
