"""The sheets of a workbook, written with XlsxWriter: cover, summary, levels, metadata.

Each writer takes the XlsxWriter workbook, the shared `Styles` and what it shows. Texts that
come from a roster arrive as placeholder tokens (see `generator.workbook`) and are always
written with write_string, so that a value starting with "=" stays text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell

from generator import formulas, layout
from generator.criteria import Criteria, ExperienceSection, Level, TickSection
from generator.rules import rule_text

#: Excel: paper size 9 is A4.
PAPER_A4 = 9
#: Column widths (Excel character units) of a level sheet, columns A to F.
LEVEL_WIDTHS = (17, 62, 22, 30, 11, 30)
#: About how many characters of running text fit in one width unit.
CHARS_PER_UNIT = 1.25
#: Points per line of wrapped 10-point text.
LINE_HEIGHT = 13.5
#: Excel: a row is at most 409 points high.
MAX_ROW_HEIGHT = 409
FOOTER = "&L&8{who}&C&8&A&R&8Page &P of &N"
#: Protection options: rows may be resized to read long texts; nothing else.
PROTECT_OPTIONS = {"format_rows": True}
TRUE_FALSE = ["TRUE", "FALSE"]
SECTION_TITLES = {
    "responsibility": "Responsibility",
    "experience": "Experience",
    "complexity": "Complexity",
    "size": "Size",
    "themes": "Major themes",
    "succession": "Technology succession",
    "subordinates": "Developing subordinates",
}
STATE_COLOURS = {
    "Met": ("#C6EFCE", "#006100"),
    "met": ("#C6EFCE", "#006100"),
    "Close": ("#FFEB9C", "#9C5700"),
    "In progress": ("#DDEBF7", "#1F4E78"),
    "Not started": ("#EDEDED", "#595959"),
}


class Styles:
    """The cell formats every sheet shares, made once per workbook."""

    def __init__(self, book: Any):
        add = book.add_format
        base = {"font_size": 10, "valign": "top"}
        self.id = add({**base, "font_size": 7, "font_color": "#808080"})
        self.text = add({**base, "text_wrap": True})
        self.title = add({**base, "bold": True, "font_size": 14, "valign": "vcenter"})
        self.heading = add({**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True})
        self.head_cell = add({**base, "bold": True, "bg_color": "#D9E1F2", "align": "center"})
        self.column_head = add({**base, "bold": True, "bottom": 1, "text_wrap": True})
        self.note = add({**base, "italic": True, "font_color": "#404040", "text_wrap": True})
        self.state = add({**base, "bold": True, "align": "center", "border": 1})
        self.number = add({**base, "align": "center"})
        self.percent = add({**base, "num_format": "0%", "align": "center"})
        self.level = add(
            {**base, "bold": True, "font_size": 12, "align": "center", "num_format": '0;-0;"none"'}
        )
        self.link = add({**base, "font_color": "#0563C1", "underline": 1})
        unlocked = {
            **base,
            "locked": False,
            "border": 1,
            "border_color": "#A6A6A6",
            "bg_color": "#FFFDE7",
        }
        self.tick = add({**unlocked, "align": "center"})
        self.input_text = add({**unlocked, "text_wrap": True, "num_format": "@"})
        self.input_choice = add({**unlocked, "align": "center"})
        self.states = {
            name: add({"bg_color": bg, "font_color": fg})
            for name, (bg, fg) in STATE_COLOURS.items()
        }


def cell(sheet: str, row: int, col: int) -> str:
    """An absolute, sheet-qualified reference such as 'HW L5'!$C$12."""
    return f"{quote_sheetname(sheet)}!{xl_rowcol_to_cell(row, col, True, True)}"


def rows_for(text: str, width: float) -> float:
    """A row height that shows `text` wrapped in a cell `width` units wide."""
    lines = sum(
        max(1, math.ceil(len(part) / (width * CHARS_PER_UNIT))) for part in text.split("\n")
    )
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 3)


def set_up_page(sheet: Any, who: str, header_rows: int, password: str) -> None:
    """A4 landscape, fit to width, header rows repeated, footer, protection."""
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.set_footer(FOOTER.format(who=who))
    sheet.protect(password, PROTECT_OPTIONS)


def colour_states(sheet: Any, styles: Styles, cell_range: str) -> None:
    """Conditional formats: met green, close amber, in progress blue, not started grey."""
    for name, fmt in styles.states.items():
        sheet.conditional_format(
            cell_range, {"type": "cell", "criteria": "==", "value": f'"{name}"', "format": fmt}
        )


@dataclass(frozen=True)
class LevelCells:
    """The cells of a written level sheet that other sheets refer to."""

    met: str
    progress: str
    state: str
    missing: str


def write_level_sheet(
    book: Any, styles: Styles, criteria: Criteria, level: Level, *, who: str, password: str
) -> LevelCells:
    """One level: its description, sections with their rules and inputs, then its result."""
    name = layout.sheet_name(criteria, level)
    sheet = book.add_worksheet(name)
    plan = layout.plan_level(level)
    _level_frame(sheet, styles, level, plan)

    complexity = plan.section("complexity")
    complexity_count = (
        xl_rowcol_to_cell(complexity.header_row, layout.COUNT_COL, True, True)
        if complexity
        else None
    )
    for section, where in zip(level.sections, plan.sections, strict=True):
        _section_header(sheet, styles, section, where)
        if isinstance(section, ExperienceSection):
            _experience_rows(sheet, styles, criteria, level, section, where)
        else:
            _item_rows(sheet, styles, section, where, complexity_count)

    cells = _level_result(sheet, styles, level, plan)
    set_up_page(sheet, who, layout.HEADER_ROWS, password)
    return LevelCells(**{k: cell(name, *v) for k, v in cells.items()})


def _level_frame(sheet: Any, styles: Styles, level: Level, plan: layout.LevelPlan) -> None:
    """Column widths, the title rows, the column titles and the level's description."""
    for col, width in enumerate(LEVEL_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.set_column(layout.MET_COL, layout.MET_COL + 2, None, None, {"hidden": True})

    result = plan.result_row
    sheet.set_row(0, 24)
    sheet.write_string(0, layout.ID_COL, level.id, styles.id)
    sheet.write_string(0, 1, level.title, styles.title)
    sheet.write_formula(0, 2, f"={xl_rowcol_to_cell(result, 2)}", styles.state, "")
    sheet.merge_range(1, 1, 1, 5, "", styles.note)
    sheet.write_formula(1, 1, f"={xl_rowcol_to_cell(result, 3)}", styles.note, "")
    colour_states(sheet, styles, "C1")
    titles = ("ID", "What the standard says", "Tick", "Evidence or comment")
    for col, title in enumerate(titles):
        sheet.write_string(2, col, title, styles.column_head)
    sheet.freeze_panes(layout.HEADER_ROWS, 0)

    if plan.description_row is not None:
        text = level.description
        sheet.merge_range(plan.description_row, 1, plan.description_row, 5, "", styles.note)
        sheet.write_string(plan.description_row, 1, text, styles.note)
        sheet.set_row(plan.description_row, rows_for(text, sum(LEVEL_WIDTHS[1:])))


def _section_header(sheet: Any, styles: Styles, section: Any, where: layout.SectionPlan) -> None:
    """The section's title and rule in words, its count, state and (hidden) met."""
    row = where.header_row
    sheet.write_string(row, layout.ID_COL, "", styles.heading)
    title = f"{SECTION_TITLES[section.kind]}: {rule_text(section)}"
    sheet.write_string(row, 1, title, styles.heading)
    sheet.set_row(row, rows_for(title, LEVEL_WIDTHS[1]))
    count = xl_rowcol_to_cell(row, layout.COUNT_COL)
    met = xl_rowcol_to_cell(row, layout.MET_COL)
    needed = section.count if isinstance(section, ExperienceSection) else section.needed
    sheet.write_formula(
        row, layout.STATE_COL, formulas.section_state(met, count, needed), styles.state, ""
    )
    colour_states(sheet, styles, xl_rowcol_to_cell(row, layout.STATE_COL))
    sheet.write_formula(row, layout.MET_COL, formulas.at_least(count, needed), None, False)

    if where.description_row is not None:
        sheet.merge_range(where.description_row, 1, where.description_row, 5, "", styles.note)
        sheet.write_string(where.description_row, 1, section.description, styles.note)
        sheet.set_row(where.description_row, rows_for(section.description, sum(LEVEL_WIDTHS[1:])))


def _item_rows(
    sheet: Any,
    styles: Styles,
    section: TickSection,
    where: layout.SectionPlan,
    complexity_count: str | None,
) -> None:
    """One row per item: ID, text, a FALSE checkbox with a TRUE/FALSE list, evidence."""
    for item, row in zip(section.items, where.rows, strict=True):
        sheet.write_string(row, layout.ID_COL, item.id, styles.id)
        sheet.write_string(row, layout.TEXT_COL, item.text, styles.text)
        sheet.insert_checkbox(row, layout.TICK_COL, False, styles.tick)
        sheet.write_blank(row, layout.EVIDENCE_COL, None, styles.input_text)
        sheet.set_row(row, rows_for(item.text, LEVEL_WIDTHS[1]))

    first, last = where.rows[0], where.rows[-1]
    sheet.data_validation(first, layout.TICK_COL, last, layout.TICK_COL, _list(TRUE_FALSE))
    ticks = [xl_rowcol_to_cell(r, layout.TICK_COL) for r in where.rows]
    count_row, count_col = where.header_row, layout.COUNT_COL
    if section.kind == "size":
        options = [(t, i.requires_complexity) for t, i in zip(ticks, section.items, strict=True)]
        formula = formulas.size_count(options, complexity_count)
    else:
        formula = formulas.tick_count(f"{ticks[0]}:{ticks[-1]}")
    sheet.write_formula(count_row, count_col, formula, styles.head_cell, 0)


def _experience_rows(
    sheet: Any,
    styles: Styles,
    criteria: Criteria,
    level: Level,
    section: ExperienceSection,
    where: layout.SectionPlan,
) -> None:
    """The engagements table: titles, then rows keyed in column A with their input cells."""
    field = criteria.field_by_id[level.field]
    attrs = layout.experience_attrs(field)
    titles = {
        "engagement": "Engagement",
        "component": "IT component",
        "level": f"Level (1-{field.top_level})",
        "completed": "Completed",
        "evidence": "Evidence or comment",
    }
    for attr in attrs:
        sheet.write_string(
            where.rows[0] - 1, layout.experience_col(field, attr), titles[attr], styles.column_head
        )

    for n, row in enumerate(where.rows, 1):
        sheet.write_string(row, layout.ID_COL, layout.experience_key(level, n), styles.id)
        for attr in attrs:
            col = layout.experience_col(field, attr)
            if attr == "completed":
                sheet.insert_checkbox(row, col, False, styles.tick)
            elif attr in ("component", "level"):
                sheet.write_blank(row, col, None, styles.input_choice)
            else:
                sheet.write_blank(row, col, None, styles.input_text)
        sheet.set_row(row, 20)
    _experience_checks(sheet, criteria, field, where)
    _experience_formulas(sheet, styles, criteria, field, section, where)


def _experience_checks(
    sheet: Any, criteria: Criteria, field: Any, where: layout.SectionPlan
) -> None:
    """List validations: components, levels 1 to the field's top, completed TRUE/FALSE."""
    first, last = where.rows[0], where.rows[-1]
    lists = {"completed": TRUE_FALSE, "level": [str(n) for n in range(1, field.top_level + 1)]}
    if field.components:
        lists["component"] = list(criteria.components)
    for attr, values in lists.items():
        col = layout.experience_col(field, attr)
        sheet.data_validation(first, col, last, col, _list(values))


def _experience_formulas(
    sheet: Any,
    styles: Styles,
    criteria: Criteria,
    field: Any,
    section: ExperienceSection,
    where: layout.SectionPlan,
) -> None:
    """The section's count and met, written over the table's columns."""

    def column(attr: str) -> str:
        col = xl_col_to_name(layout.experience_col(field, attr), True)
        return f"{col}${where.rows[0] + 1}:{col}${where.rows[-1] + 1}"

    components = (column("component"), criteria.components) if section.per_component else None
    args = (section, column("completed"), column("level"), components)
    row = where.header_row
    sheet.write_formula(
        row, layout.COUNT_COL, formulas.experience_count(*args), styles.head_cell, 0
    )
    # The met of an experience section is its own rule, not count >= needed: the engagement
    # at the top level matters too.
    sheet.write_formula(row, layout.MET_COL, formulas.experience_met(*args), None, False)


def _level_result(
    sheet: Any, styles: Styles, level: Level, plan: layout.LevelPlan
) -> dict[str, tuple[int, int]]:
    """The result row: state, missing text, and the hidden met, progress and missing list."""
    row = plan.result_row
    mets = [xl_rowcol_to_cell(s.header_row, layout.MET_COL) for s in plan.sections]
    counts = [
        (
            xl_rowcol_to_cell(s.header_row, layout.COUNT_COL),
            section.count if isinstance(section, ExperienceSection) else section.needed,
        )
        for s, section in zip(plan.sections, level.sections, strict=True)
    ]
    met, prog = xl_rowcol_to_cell(row, layout.MET_COL), xl_rowcol_to_cell(row, layout.PROGRESS_COL)
    missing_list = xl_rowcol_to_cell(row, layout.PROGRESS_COL + 1)

    sheet.write_formula(row, layout.MET_COL, formulas.all_of(mets), None, False)
    sheet.write_formula(row, layout.PROGRESS_COL, formulas.progress(counts), None, 0)
    names = [(m, s.kind) for m, s in zip(mets, plan.sections, strict=True)]
    sheet.write_formula(row, layout.PROGRESS_COL + 1, formulas.missing_list(names), None, "")
    sheet.set_row(row, 22)
    sheet.write_string(row, 1, f"Result: {level.title}", styles.title)
    sheet.write_formula(row, 2, formulas.level_state(met, prog), styles.state, "")
    colour_states(sheet, styles, xl_rowcol_to_cell(row, 2))
    sheet.merge_range(row, 3, row, 5, "", styles.note)
    sheet.write_formula(row, 3, formulas.missing_text(met, missing_list), styles.note, "")
    return {
        "met": (row, layout.MET_COL),
        "progress": (row, layout.PROGRESS_COL),
        "state": (row, 2),
        "missing": (row, 3),
    }


def _list(values: list[str]) -> dict[str, Any]:
    return {
        "validate": "list",
        "source": values,
        "error_type": "stop",
        "error_title": "Choose from the list",
        "error_message": "Choose one of: " + ", ".join(values),
    }
