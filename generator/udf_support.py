"""What the Excel functions of macros/itss_udfs.py do, so that module stays a thin layer.

xlwings hands a range to a function argument read with ``ndim=2`` as a list of rows: empty
cells as None, numbers as floats, booleans as bools and, with ``err_to_str``, error cells as
their text ("#N/A"). Called from Python, a tuple of row tuples and Excel's negative error codes
work too. This module turns such rows into flat answer keys, calls the rules engine and shapes
its results as cell values.

Bad input never reaches a cell as a traceback: `cell_function` turns it into one line of text
starting with "ITSS error:".
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from generator import answers as answers_mod
from generator import criteria as criteria_mod
from generator import rules
from generator.errors import FunctionInputError, ITSSError
from generator.layout import MAX_CELL_TEXT

logger = logging.getLogger(__name__)

#: Every error text a function returns starts with this, so a formula can test for it.
ERROR_PREFIX = "ITSS error: "
#: The row of ITSS_LEVELS and the ITSS_LEVEL argument for the highest level of all fields.
OVERALL = "overall"
#: Excel's error values by their xlErr number. COM hands one over as the HRESULT
#: 0x800A0000 + number, a negative 32-bit int (#N/A: -2146826246).
_XL_ERRORS = {
    2000: "#NULL!",
    2007: "#DIV/0!",
    2015: "#VALUE!",
    2023: "#REF!",
    2029: "#NAME?",
    2036: "#NUM!",
    2042: "#N/A",
    2043: "#GETTING_DATA",
    2045: "#SPILL!",
    2046: "#CONNECT!",
    2047: "#BLOCKED!",
    2048: "#UNKNOWN!",
    2049: "#FIELD!",
    2050: "#CALC!",
}
_COM_ERROR_BASE = 0x800A0000 - 2**32
EXCEL_ERRORS = {_COM_ERROR_BASE + number: text for number, text in _XL_ERRORS.items()}
_ERROR_TEXTS = frozenset(EXCEL_ERRORS.values())
#: The key of an engagement row as a whole, without an attribute.
_ENGAGEMENT_KEY = re.compile(r"^(?P<level>[a-z]+\.\d+)\.experience\.\d+$")
#: Excel shows at most 255 characters of a function's or an argument's description.
MAX_DESCRIPTION = 255
#: How many problems an error text lists before "and N more".
MAX_LISTED_PROBLEMS = 3
#: How many assessments are kept for ranges asked about again.
CACHED_ASSESSMENTS = 64

_assessments: OrderedDict[tuple, rules.Assessment] = OrderedDict()


def load_criteria() -> criteria_mod.Criteria:
    """The criteria the CLI would use: $ITSS_CRITERIA when set, else the shipped ones."""
    return criteria_mod.load(os.environ.get("ITSS_CRITERIA") or None)


def read_range(criteria: criteria_mod.Criteria, rows: Any) -> tuple[dict[str, Any], list[str]]:
    """Answer keys and values from a two-column range, and a problem text per bad row.

    Rows with an empty key are skipped, and so is a first row whose key has no dot: a heading
    such as "key" (every answer key starts with a level ID such as "hardware.5"). A row keyed
    by an engagement (``hardware.5.experience.1``) may hold it in words, as the import
    report's Items table does. A row whose value is an error, whose key is not text or repeats
    an earlier key is a problem.

    Raises:
        FunctionInputError: the range is not two columns wide.
    """
    flat: dict[str, Any] = {}
    first_row: dict[str, int] = {}
    problems = []
    for number, (key, value) in enumerate(_two_columns(rows), 1):
        entries, problem = _row_answers(criteria, number, key, value)
        if problem:
            problems.append(problem)
        for flat_key, flat_value in entries.items():
            if flat_key in first_row:
                problems.append(
                    f"{flat_key} (row {number}): the key is listed twice, first in row "
                    f"{first_row[flat_key]}"
                )
            else:
                first_row[flat_key] = number
                flat[flat_key] = flat_value
    return flat, problems


def _row_answers(
    criteria: criteria_mod.Criteria, number: int, key: Any, value: Any
) -> tuple[dict[str, Any], str | None]:
    """The flat answers one row holds (none for a blank or heading row), or a problem."""
    if _error_text(key):
        return {}, f"row {number}: the key cell holds the error {_error_text(key)}"
    if key is None or (isinstance(key, str) and not key.strip()):
        return {}, None
    if not isinstance(key, str):
        return {}, (
            f"row {number}: {_show(key)} is not an answer key; keys are text such as "
            "hardware.5.complexity.1"
        )
    key = key.strip()
    if number == 1 and "." not in key:
        return {}, None  # a heading row
    if _error_text(value):
        return {}, (
            f"{key} (row {number}): the value holds the error {_error_text(value)}; "
            "fix the cell it comes from"
        )
    match = _ENGAGEMENT_KEY.match(key)
    if match and match["level"] in criteria.level_by_id:
        if value is None or (isinstance(value, str) and not value.strip()):
            return {}, None
        entries = engagement_answers(criteria, key, value) if isinstance(value, str) else None
        if entries is None:
            return {}, (
                f'{key} (row {number}): an engagement reads like "network, level 4, '
                f'completed: what was done", not {_show(value)}'
            )
        return entries, None
    return {key: value}, None


def engagement_answers(
    criteria: criteria_mod.Criteria, row_key: str, text: str
) -> dict[str, Any] | None:
    """One engagement's flat answers from its wording in the import report's Items table.

    "network, level 4, completed: Osaka roll-out" gives the component, level, completed and
    engagement keys of `row_key`; None when `text` is not worded that way.
    """
    match = _engagement_pattern(tuple(criteria.components)).fullmatch(text.strip())
    if match is None:
        return None
    found: dict[str, Any] = {"completed": match["state"] == "completed"}
    if match["component"]:
        found["component"] = match["component"]
    if match["level"]:
        found["level"] = int(match["level"])
    if match["engagement"]:
        found["engagement"] = match["engagement"]
    return {f"{row_key}.{attr}": value for attr, value in found.items()}


@functools.lru_cache(maxsize=4)
def _engagement_pattern(components: tuple[str, ...]) -> re.Pattern:
    names = "|".join(re.escape(c) for c in sorted(components, key=len, reverse=True))
    return re.compile(
        rf"(?:(?P<component>{names}), )?(?:level (?P<level>\d+), )?"
        r"(?P<state>completed|not completed)(?:: (?P<engagement>.*))?",
        re.S,
    )


def assess(rows: Any) -> rules.Assessment:
    """The engine's assessment of the answers in a two-column range.

    A sheet often has many cells over the same range (a level per field, a state per level),
    so the last assessments are kept by the range's values.

    Raises:
        FunctionInputError: listing every row and answer that cannot be taken, all at once.
    """
    criteria = load_criteria()
    key = _cache_key(criteria, _two_columns(rows))
    if key is not None and key in _assessments:
        _assessments.move_to_end(key)
        return _assessments[key]

    flat, problems = read_range(criteria, rows)
    parsed, parse_problems = answers_mod.parse(criteria, flat, strict=False)
    problems += [str(p) for p in parse_problems]
    if problems:
        raise FunctionInputError(_count(problems, "in the answers"), problems)
    assessment = rules.evaluate(criteria, parsed)

    if key is not None:
        _assessments[key] = assessment
        if len(_assessments) > CACHED_ASSESSMENTS:
            _assessments.popitem(last=False)
    return assessment


def _cache_key(criteria: criteria_mod.Criteria, rows: list[Sequence[Any]]) -> tuple | None:
    """The range's values with their types (TRUE and 1 read differently), or None."""
    key = (criteria.sha256, tuple((k, type(k), v, type(v)) for k, v in rows))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def levels_table(rows: Any) -> list[list[Any]]:
    """Rows [field, level] for each field, then [overall, level]; None where none is met."""
    criteria = load_criteria()
    assessment = assess(rows)
    table: list[list[Any]] = [[f.id, assessment.fields[f.id].level] for f in criteria.fields]
    return table + [[OVERALL, assessment.overall]]


def field_level(rows: Any, field: Any) -> int | None:
    """A field's qualified level, or the overall level; None when none is met."""
    criteria = load_criteria()
    field_id = _choice(field, [f.id for f in criteria.fields] + [OVERALL], "field")
    assessment = assess(rows)
    return assessment.overall if field_id == OVERALL else assessment.fields[field_id].level


def level_met(rows: Any, level: Any) -> bool:
    """Whether the answers meet a level such as "hardware.5"."""
    return _level_result(rows, level).met


def level_missing(rows: Any, level: Any) -> str:
    """What a level still needs, one phrase per requirement, "; " between; "" when met."""
    return "; ".join(_level_result(rows, level).missing)


def criteria_version() -> str:
    """The version of the criteria the functions use."""
    return load_criteria().version


def _level_result(rows: Any, level: Any) -> rules.LevelResult:
    criteria = load_criteria()
    level_id = _choice(level, [lv.id for lv in criteria.levels], "level")
    return assess(rows).levels[level_id]


def _two_columns(rows: Any) -> list[Sequence[Any]]:
    """The rows of a range, checked to be two cells wide."""
    single = rows[0][0] if _is_one_cell(rows) else rows
    if _error_text(single):
        raise FunctionInputError(
            f"the answers are the error {_error_text(single)}, not a range of answer keys and "
            "values; fix the formula or range it comes from"
        )
    if not isinstance(rows, list | tuple) or not rows:
        raise FunctionInputError(
            "the answers must be a range of two columns, answer key and "
            f"value, not the single value {_show(rows)}"
        )
    widths = {len(row) if isinstance(row, list | tuple) else 1 for row in rows}
    if widths != {2}:
        shown = " or ".join(str(w) for w in sorted(widths))
        plural = "" if widths == {1} else "s"
        raise FunctionInputError(
            "the answers must be a range of two columns, answer key and "
            f"value; this one has {shown} column{plural}"
        )
    return list(rows)


def _is_one_cell(rows: Any) -> bool:
    """A 1-by-1 range: xlwings hands a single cell over so with ``ndim=2``."""
    return (
        isinstance(rows, list | tuple)
        and len(rows) == 1
        and isinstance(rows[0], list | tuple)
        and len(rows[0]) == 1
    )


def _choice(value: Any, choices: list[str], what: str) -> str:
    """One of `choices`, written in any case and with stray spaces."""
    text = value.strip().lower() if isinstance(value, str) else None
    folded = {c.lower(): c for c in choices}
    if text in folded:
        return folded[text]
    if _error_text(value):
        wrong = f"the {what} is the error {_error_text(value)}"
    elif value is None or text == "":
        wrong = f"no {what} given"
    else:
        wrong = f"unknown {what} {_show(value)}"
    raise FunctionInputError(f"{wrong}; use one of {', '.join(choices)}")


def _error_text(value: Any) -> str | None:
    """Excel's text for an error value ("#N/A"), or None when `value` is no error."""
    if isinstance(value, int) and not isinstance(value, bool):
        return EXCEL_ERRORS.get(value)
    if isinstance(value, str) and value.strip() in _ERROR_TEXTS:
        return value.strip()
    return None


def _show(value: Any) -> str:
    """A cell value as a spreadsheet user writes it."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "a range"
    return "an empty cell" if value is None else str(value)


def _count(problems: list, where: str) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''} {where}"


def error_text(exc: ITSSError) -> str:
    """An exception as one line for a cell: its message, then the first problems."""
    text = ERROR_PREFIX + str(exc.args[0]).split("\n", 1)[0]
    if exc.problems:
        shown = exc.problems[:MAX_LISTED_PROBLEMS]
        more = len(exc.problems) - len(shown)
        text += ": " + "; ".join(shown) + (f"; and {more} more" if more else "")
    return text[:MAX_CELL_TEXT]


def cell_function(func: Callable[..., Any]) -> Callable[..., Any]:
    """Make `func` the body of an Excel function: errors become text, the doc one paragraph.

    Put it below xlwings' decorators: they read the docstring it folds, which Excel's function
    dialog shows as one paragraph of at most `MAX_DESCRIPTION` characters.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ITSSError as exc:
            return error_text(exc)
        except Exception as exc:  # a cell shows text, never a traceback
            logger.exception("%s failed", func.__name__)
            return (
                f"{ERROR_PREFIX}unexpected {type(exc).__name__}: {exc} (a bug in "
                "itss-workbook; please report it)"
            )[:MAX_CELL_TEXT]

    wrapper.__doc__ = one_paragraph(func.__doc__ or "")
    return wrapper


def one_paragraph(text: str) -> str:
    """A docstring folded to one line, as Excel's function dialog shows it."""
    return " ".join(inspect.cleandoc(text).split())
