"""Where things stand in a generated workbook: shared by the writer and the reader.

The reader finds rows by the ID in column A and sheets by what they hold, so these
positions are what the generator writes, not what the reader trusts blindly.
"""

from __future__ import annotations

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
