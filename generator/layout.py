"""Where things stand in a generated workbook: shared by the writer and the reader.

The reader finds rows by the ID in column A and sheets by what they hold, so these
positions are what the generator writes, not what the reader trusts blindly.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.answers import EXPERIENCE_ATTRS
from generator.criteria import Criteria, FieldInfo, Level

#: Excel: a sheet name has at most 31 characters.
MAX_SHEET_NAME = 31
#: Excel: a cell holds at most 32,767 characters.
MAX_CELL_TEXT = 32_767

COVER_SHEET = "Cover"
SUMMARY_SHEET = "Summary"
#: The very hidden sheet with the workbook's metadata (key in column A, value in B).
META_SHEET = "itss_meta"
#: Bump when the layout of generated workbooks changes in a way the reader must know.
TEMPLATE_VERSION = "1"

#: Metadata keys, in the order the metadata sheet lists them.
META_KEYS = (
    "product",
    "template_version",
    "criteria_version",
    "criteria_sha256",
    "employee_id",
    "name",
    "department",
    "manager",
    "email",
    "fields",
    "generated_at",
)
#: The value of the "product" key, how the reader knows a workbook is one of ours.
PRODUCT_MARK = "itss-workbook"

#: Zero-based columns of an item row: ID, the standard's text, tick, evidence.
ID_COL, TEXT_COL, TICK_COL, EVIDENCE_COL = 0, 1, 2, 3
#: Rows in each experience table; more than any level needs (the most is 3).
EXPERIENCE_ROWS = 6


def sheet_name(criteria: Criteria, level: Level) -> str:
    """A level sheet's name, such as "HW L5"."""
    return f"{criteria.field_by_id[level.field].short} L{level.level}"


def experience_attrs(field: FieldInfo) -> tuple[str, ...]:
    """The input cells of an experience row, in column order from column B."""
    return tuple(a for a in EXPERIENCE_ATTRS if field.components or a != "component")


def met_name(level: Level) -> str:
    """Defined name holding TRUE when the level is met, e.g. ITSS_MET_HARDWARE_5."""
    return f"ITSS_MET_{level.field.upper()}_{level.level}"


def level_name(field: str) -> str:
    """Defined name holding a field's qualified level (0 when none): ITSS_LEVEL_HARDWARE."""
    return f"ITSS_LEVEL_{field.upper()}"


OVERALL_NAME = "ITSS_LEVEL_OVERALL"
ANSWERS_NAME = "ITSS_ANSWERS"


#: The very hidden sheet holding ITSS_ANSWERS: answer key in column A, live value in B.
ANSWERS_SHEET = "itss_answers"
#: Rows 1-3 of a level sheet (title, state, column headers) are frozen and print on every page.
HEADER_ROWS = 3
#: Hidden column of a level sheet with each section's met (TRUE/FALSE) and the level's progress.
MET_COL = 6
PROGRESS_COL = 7
#: Columns of a section's header row: its count and its state in words.
COUNT_COL, STATE_COL = TICK_COL, EVIDENCE_COL


def experience_col(field: FieldInfo, attr: str) -> int:
    """Zero-based column of an experience row's input cell for `attr`."""
    return 1 + experience_attrs(field).index(attr)


def experience_key(level: Level, row: int) -> str:
    """Column A of an experience row: `<level id>.experience.<row>`, rows from 1."""
    return f"{level.id}.experience.{row}"


@dataclass(frozen=True)
class SectionPlan:
    """Where one section of a level sheet stands (zero-based rows)."""

    kind: str
    header_row: int
    description_row: int | None
    #: Item rows (tick sections) or engagement rows (experience), in order.
    rows: tuple[int, ...]


@dataclass(frozen=True)
class LevelPlan:
    """Where everything on one level sheet stands (zero-based rows)."""

    level_id: str
    description_row: int | None
    sections: tuple[SectionPlan, ...]
    result_row: int

    def section(self, kind: str) -> SectionPlan | None:
        return next((s for s in self.sections if s.kind == kind), None)


def plan_level(level: Level) -> LevelPlan:
    """Row positions of a level sheet: description, then each section, then the result.

    A section is a header row (its rule, count and state), an optional description row, then
    its item rows; an experience section has a row of column titles before its engagements.
    A blank row separates sections.
    """
    row = HEADER_ROWS
    description_row = None
    if level.description:
        description_row, row = row, row + 1
    sections = []
    for section in level.sections:
        row += 1
        header, row = row, row + 1
        description = None
        if section.description:
            description, row = row, row + 1
        if section.kind == "experience":
            row += 1  # the table's column titles
            count = EXPERIENCE_ROWS
        else:
            count = len(section.items)
        sections.append(SectionPlan(section.kind, header, description,
                                    tuple(range(row, row + count))))
        row += count
    return LevelPlan(level.id, description_row, tuple(sections), row + 1)


def input_cells(criteria: Criteria, level: Level) -> dict[str, tuple[int, int]]:
    """Every answer key of a level sheet and its input cell (zero-based row, column)."""
    plan = plan_level(level)
    field = criteria.field_by_id[level.field]
    cells: dict[str, tuple[int, int]] = {}
    for section, where in zip(level.sections, plan.sections, strict=True):
        if section.kind == "experience":
            for n, row in enumerate(where.rows, 1):
                key = experience_key(level, n)
                for attr in experience_attrs(field):
                    cells[f"{key}.{attr}"] = (row, experience_col(field, attr))
            continue
        for item, row in zip(section.items, where.rows, strict=True):
            cells[item.id] = (row, TICK_COL)
            cells[f"{item.id}.evidence"] = (row, EVIDENCE_COL)
    return cells
