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
from generator import cover, formulas, layout, summary
from generator.criteria import Criteria
from generator.roster import Employee
from generator.sheets import Styles, cell, write_level_sheet
from generator.template import Template, footer_text, password_hash, token

log = logging.getLogger(__name__)

#: The field whose levels every workbook holds.
COMMON_FIELD = "common"
#: Roster values that go into a workbook, by metadata key.
PERSONAL_KEYS = ("employee_id", "name", "department", "manager", "email")
#: Roster texts are never turned into formulas, numbers or links.
XLSXWRITER_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


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
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, XLSXWRITER_OPTIONS)

    _write_sheets(book, criteria, present, password)
    _write_meta(book, criteria, present, generated_at)
    _write_answers(book, criteria, present)
    _set_properties(book, criteria, present, generated_at)
    book.close()
    log.info("built the workbook template for %s", ", ".join(present))
    hashed = password_hash(password) if password else ""
    return Template.from_xlsx(buffer.getvalue(), lock_structure=True, password_hash=hashed)


def _write_sheets(book: Any, criteria: Criteria, present: tuple[str, ...], password: str) -> None:
    """The visible sheets: cover, Summary, then one sheet per level held."""
    styles = Styles(book)
    who = token("who_footer")
    values = {k: token(k) for k in cover.PERSONAL_PLACEHOLDERS}
    specialties = [criteria.field_by_id[f].title.lower() for f in present if f != "common"]
    values.update(standard=criteria.standard, criteria_version=criteria.version,
                  fields=", ".join(specialties) or "none")
    cover.write_cover(
        book,
        styles,
        cover.load_cover(),
        values,
        prepared_for=token("prepared_for"),
        who=who,
        password=password,
    )

    sheet = book.add_worksheet(layout.SUMMARY_SHEET)
    cells = {
        level.id: write_level_sheet(book, styles, criteria, level, who=who, password=password)
        for level in criteria.levels
        if level.field in present
    }
    summary.write_summary(book, sheet, styles, criteria, cells, who=who, password=password)


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
    values["prepared_for"] = texts.prepared_for_line(values) if employee else ""
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
