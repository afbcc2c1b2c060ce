"""Write the assessment workbooks: build once per set of fields, personalise per employee.

A workbook holds a cover, a Summary, one sheet per level in the criteria's order, and two
very hidden sheets: the metadata the import checks and the ITSS_ANSWERS range. XlsxWriter
writes it with placeholder tokens where a person's values go (`generator.template`), so that
a thousand workbooks cost one XlsxWriter build per distinct set of fields.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import xlsxwriter

from generator import answers as answers_mod
from generator import cover, formulas, layout
from generator.criteria import Criteria
from generator.roster import Employee
from generator.sheets import (
    LevelCells,
    Styles,
    cell,
    colour_states,
    set_up_page,
    write_level_sheet,
)
from generator.template import Template, footer_text, password_hash, token

log = logging.getLogger(__name__)

#: The field whose levels every workbook holds.
COMMON_FIELD = "common"
#: Roster values that go into a workbook, by metadata key.
PERSONAL_KEYS = ("employee_id", "name", "department", "manager", "email")
SUMMARY_WIDTHS = (34, 13, 14, 22, 90)
#: First row of the Summary's table of levels (zero-based).
SUMMARY_LEVELS_ROW = 11
#: The Summary's hidden column with every level's met, which ITSS_MET_* names.
SUMMARY_MET_COL = 7


def specialty_fields(criteria: Criteria, wanted: Iterable[str] | None) -> tuple[str, ...]:
    """The fields a workbook holds, in the criteria's order: `wanted` plus the common ones."""
    wanted = set(wanted) if wanted is not None else None
    return tuple(
        f.id for f in criteria.fields if wanted is None or f.id in wanted or f.id == COMMON_FIELD
    )


def build_template(
    criteria: Criteria,
    fields: Iterable[str] | None = None,
    *,
    password: str = "",
    generated_at: str | None = None,
) -> Template:
    """The workbook for `fields` (default all) with tokens for the person's values."""
    present = specialty_fields(criteria, fields)
    generated_at = generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    texts = cover.load_cover()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    styles = Styles(book)
    who = token("who_footer")

    values = {k: token(k) for k in cover.PERSONAL_PLACEHOLDERS}
    values.update(standard=criteria.standard, criteria_version=criteria.version)
    cover.write_cover(
        book, styles, texts, values, prepared_for=token("prepared_for"), who=who, password=password
    )
    summary = book.add_worksheet(layout.SUMMARY_SHEET)
    cells = {
        level.id: write_level_sheet(book, styles, criteria, level, who=who, password=password)
        for level in criteria.levels
        if level.field in present
    }
    _write_summary(book, summary, styles, criteria, cells, who=who, password=password)
    _write_meta(book, criteria, present, generated_at)
    _write_answers(book, criteria, present)
    _set_properties(book, criteria, present, generated_at)
    book.close()
    log.info("built the workbook template for %s", ", ".join(present))
    return Template.from_xlsx(
        buffer.getvalue(),
        lock_structure=True,
        password_hash=password_hash(password) if password else "",
    )


def personal_values(employee: Employee | None, texts: cover.CoverTexts) -> dict[str, str]:
    """The token values of one person (all empty for a blank workbook)."""
    row = (
        {
            "employee_id": employee.id,
            "name": employee.name,
            "department": employee.department,
            "manager": employee.manager,
            "email": employee.email,
        }
        if employee
        else {}
    )
    values = {key: row.get(key, "") for key in PERSONAL_KEYS}
    who = " ".join(
        filter(
            None, [values["name"], f"({values['employee_id']})" if values["employee_id"] else ""]
        )
    )
    values["who"] = who
    values["who_footer"] = footer_text(who)
    values["prepared_for"] = texts.prepared_for.format(**values) if employee else ""
    values["title"] = f"ITSS assessment: {who}" if who else "ITSS assessment"
    values["summary_title"] = f"Summary: {who}" if who else "Summary"
    return values


class WorkbookFactory:
    """Workbooks for many people: one template per set of fields, rendered per person."""

    def __init__(self, criteria: Criteria, *, password: str = ""):
        self.criteria = criteria
        self.password = password
        self.generated_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.texts = cover.load_cover()
        self._templates: dict[tuple[str, ...], Template] = {}

    def fields_of(
        self, employee: Employee | None, fields: Iterable[str] | None = None
    ) -> tuple[str, ...]:
        """The fields a workbook holds: `fields`, else the employee's, else all."""
        wanted = fields if fields is not None else (employee.fields if employee else None)
        return specialty_fields(self.criteria, wanted)

    def template(self, fields: tuple[str, ...]) -> Template:
        if fields not in self._templates:
            self._templates[fields] = build_template(
                self.criteria, fields, password=self.password, generated_at=self.generated_at
            )
        return self._templates[fields]

    def workbook(
        self, employee: Employee | None = None, fields: Iterable[str] | None = None
    ) -> bytes:
        """One workbook's bytes, for `employee` or blank."""
        template = self.template(self.fields_of(employee, fields))
        return template.render(personal_values(employee, self.texts))


def write_workbook(
    criteria: Criteria,
    employee: Employee | None = None,
    *,
    fields: Iterable[str] | None = None,
    password: str = "",
) -> bytes:
    """One workbook's bytes, for `employee` or blank (fields: the employee's, else all)."""
    return WorkbookFactory(criteria, password=password).workbook(employee, fields)


def _write_summary(
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
    for col, width in enumerate(SUMMARY_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.set_column(SUMMARY_MET_COL, SUMMARY_MET_COL, None, None, {"hidden": True})
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, token("summary_title"), styles.title)
    sheet.write_string(
        1,
        0,
        "The results follow the ticks on the level sheets. A field's "
        "level is the highest level met in it.",
        styles.note,
    )

    mets = _summary_levels(book, sheet, styles, criteria, cells)
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
    sheet.freeze_panes(3, 0)
    set_up_page(sheet, who, 0, password)


def _summary_levels(
    book: Any, sheet: Any, styles: Styles, criteria: Criteria, cells: dict[str, LevelCells]
) -> dict[str, str]:
    """The table of levels; returns each level's met cell (also named ITSS_MET_*)."""
    first = SUMMARY_LEVELS_ROW
    for col, title in enumerate(("Level", "Sheet", "State", "Progress", "What is missing")):
        sheet.write_string(first - 1, col, title, styles.column_head)
    mets = {}
    for n, level in enumerate(criteria.levels):
        row, here = first + n, cells.get(level.id)
        sheet.write_string(row, 0, level.title, styles.text)
        if here is None:
            sheet.write_string(row, 1, "not included", styles.note)
            sheet.write_boolean(row, SUMMARY_MET_COL, False)
        else:
            name = layout.sheet_name(criteria, level)
            sheet.write_url(
                row, 1, f"internal:{here.state.split('!')[0]}!A1", styles.link, string=name
            )
            sheet.write_formula(row, 2, f"={here.state}", styles.state, "")
            sheet.write_formula(row, 3, f"={here.progress}", styles.percent, 0)
            sheet.write_formula(row, 4, f"={here.missing}", styles.text, "")
            sheet.write_formula(row, SUMMARY_MET_COL, f"={here.met}", None, False)
        mets[level.id] = cell(layout.SUMMARY_SHEET, row, SUMMARY_MET_COL)
        book.define_name(layout.met_name(level), mets[level.id])

    last = first + len(criteria.levels) - 1
    colour_states(sheet, styles, f"C{first + 1}:C{last + 1}")
    sheet.conditional_format(
        first,
        3,
        last,
        3,
        {
            "type": "data_bar",
            "bar_color": "#5B9BD5",
            "bar_solid": True,
            "min_type": "num",
            "min_value": 0,
            "max_type": "num",
            "max_value": 1,
        },
    )
    return mets


def _write_meta(
    book: Any, criteria: Criteria, present: tuple[str, ...], generated_at: str
) -> None:
    """The very hidden metadata sheet: key in column A, value in column B."""
    sheet = book.add_worksheet(layout.META_SHEET)
    for row, key in enumerate(layout.META_KEYS):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, _meta_values(criteria, present, generated_at)[key])
    sheet.very_hidden()
    sheet.protect()


def _meta_values(criteria: Criteria, present: tuple[str, ...], generated_at: str) -> dict:
    return {
        "product": layout.PRODUCT_MARK,
        "template_version": layout.TEMPLATE_VERSION,
        "criteria_version": criteria.version,
        "criteria_sha256": criteria.sha256,
        **{key: token(key) for key in PERSONAL_KEYS},
        "fields": ";".join(present),
        "generated_at": generated_at,
    }


def _write_answers(book: Any, criteria: Criteria, present: tuple[str, ...]) -> None:
    """ITSS_ANSWERS: every answer key beside its input cell's live value ("" when blank)."""
    sheet = book.add_worksheet(layout.ANSWERS_SHEET)
    where = {}
    for level in criteria.levels:
        if level.field in present:
            name = layout.sheet_name(criteria, level)
            where.update(
                {key: (name, rc) for key, rc in layout.input_cells(criteria, level).items()}
            )
    keys = answers_mod.answer_keys(criteria, layout.EXPERIENCE_ROWS, present)
    for row, key in enumerate(keys):
        name, (r, c) = where[key]
        sheet.write_string(row, 0, key)
        sheet.write_formula(row, 1, formulas.live_value(cell(name, r, c)), None, "")
    book.define_name(layout.ANSWERS_NAME, f"={layout.ANSWERS_SHEET}!$A$1:$B${len(keys)}")
    sheet.very_hidden()
    sheet.protect()


def _set_properties(
    book: Any, criteria: Criteria, present: tuple[str, ...], generated_at: str
) -> None:
    """Document properties: a title, and the metadata again as custom properties."""
    book.set_properties(
        {
            "title": token("title"),
            "author": layout.PRODUCT_MARK,
            "subject": criteria.standard,
            "keywords": "ITSS",
            "comments": f"criteria {criteria.version}",
        }
    )
    for key, value in _meta_values(criteria, present, generated_at).items():
        book.set_custom_property(f"itss_{key}", value)
