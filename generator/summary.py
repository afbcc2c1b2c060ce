"""The Summary sheet: each field's level and the overall level, each level's state.

Its hidden column H holds every level's met (TRUE/FALSE); the ITSS_MET_* names point there,
FALSE for the levels a workbook does not hold, so that every name exists in every workbook.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import quote_sheetname

from generator import formulas, layout
from generator.criteria import Criteria
from generator.sheets import LevelCells, Styles, cell, colour_states, set_up_page
from generator.template import token

WIDTHS = (34, 13, 14, 22, 90)
#: First row of the table of levels (zero-based); the fields' levels come above it.
LEVELS_ROW = 11
#: The hidden column with every level's met, which ITSS_MET_* names.
MET_COL = 7
NOTE = (
    "The results follow the ticks on the level sheets. A field's level is the highest level "
    "met in it."
)
#: Progress per level, 0 to 1, as a data bar.
PROGRESS_BAR = {
    "type": "data_bar",
    "bar_color": "#5B9BD5",
    "bar_solid": True,
    "min_type": "num",
    "min_value": 0,
    "max_type": "num",
    "max_value": 1,
}


def write_summary(
    book: Any,
    sheet: Any,
    styles: Styles,
    criteria: Criteria,
    cells: dict[str, LevelCells],
    *,
    who: str,
    password: str,
) -> None:
    """Qualified level per field and overall, then each level's state and progress."""
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    sheet.set_column(MET_COL, MET_COL, None, None, {"hidden": True})
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, token("summary_title"), styles.title)
    sheet.write_string(1, 0, NOTE, styles.note)

    mets = _levels_table(book, sheet, styles, criteria, cells)
    _fields_table(book, sheet, styles, criteria, mets)
    sheet.freeze_panes(3, 0)
    set_up_page(sheet, who, 0, password)


def _fields_table(
    book: Any, sheet: Any, styles: Styles, criteria: Criteria, mets: dict[str, str]
) -> None:
    """Each field's qualified level (ITSS_LEVEL_<FIELD>) and the overall level."""
    sheet.write_string(3, 0, "Field", styles.column_head)
    sheet.write_string(3, 1, "Level", styles.column_head)
    level_cells = []
    for n, field in enumerate(criteria.fields):
        row = 4 + n
        formula = formulas.field_level(
            [(mets[lv.id], lv.level) for lv in criteria.levels_of(field.id)]
        )
        sheet.write_string(row, 0, field.title, styles.text)
        sheet.write_formula(row, 1, formula, styles.level, 0)
        book.define_name(layout.level_name(field.id), cell(layout.SUMMARY_SHEET, row, 1))
        level_cells.append(cell(layout.SUMMARY_SHEET, row, 1))
    row = 4 + len(criteria.fields)
    sheet.write_string(row, 0, "Overall", styles.heading)
    sheet.write_formula(row, 1, formulas.highest(level_cells), styles.level, 0)
    book.define_name(layout.OVERALL_NAME, cell(layout.SUMMARY_SHEET, row, 1))


def _levels_table(
    book: Any, sheet: Any, styles: Styles, criteria: Criteria, cells: dict[str, LevelCells]
) -> dict[str, str]:
    """The table of levels; returns each level's met cell (also named ITSS_MET_*)."""
    first = LEVELS_ROW
    for col, title in enumerate(("Level", "Sheet", "State", "Progress", "What is missing")):
        sheet.write_string(first - 1, col, title, styles.column_head)
    mets = {}
    for n, level in enumerate(criteria.levels):
        row, here = first + n, cells.get(level.id)
        sheet.write_string(row, 0, level.title, styles.text)
        if here is None:
            sheet.write_string(row, 1, "not included", styles.note)
            sheet.write_boolean(row, MET_COL, False)
        else:
            _level_row(sheet, styles, row, layout.sheet_name(criteria, level), here)
        mets[level.id] = cell(layout.SUMMARY_SHEET, row, MET_COL)
        book.define_name(layout.met_name(level), mets[level.id])

    last = first + len(criteria.levels) - 1
    colour_states(sheet, styles, f"C{first + 1}:C{last + 1}")
    sheet.conditional_format(first, 3, last, 3, PROGRESS_BAR)
    return mets


def _level_row(sheet: Any, styles: Styles, row: int, name: str, here: LevelCells) -> None:
    """A link to the level's sheet, then its state, progress, missing text and met."""
    sheet.write_url(row, 1, f"internal:{quote_sheetname(name)}!A1", styles.link, string=name)
    sheet.write_formula(row, 2, f"={here.state}", styles.state, "")
    sheet.write_formula(row, 3, f"={here.progress}", styles.percent, 0)
    sheet.write_formula(row, 4, f"={here.missing}", styles.text, "")
    sheet.write_formula(row, MET_COL, f"={here.met}", None, False)
