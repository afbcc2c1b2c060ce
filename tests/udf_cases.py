"""Answer sets for the Excel-function tests, and the ranges Excel would hand over for them.

`random_answers` makes a person's flat answers as an answers file holds them (bools, ints,
text); `excel_range` lays them out as the ITSS_ANSWERS range of a generated workbook and shapes
the values as Excel hands a range to a function: a tuple of row tuples, numbers as floats,
empty cells as None.
"""

from __future__ import annotations

import importlib.util
import random
from types import ModuleType
from typing import Any

from generator import answers as answers_mod
from generator import hr_workbook, layout, rules
from generator.criteria import Criteria

#: How many random answer sets each comparison with the engine runs.
ANSWER_SETS = 120
_TEXTS = ("Osaka data centre move", "PC roll-out, 40 branches", "Core switch renewal, 2024")


def load_udf_module(name: str = "itss_udfs") -> ModuleType:
    """A fresh copy of the shipped macros/itss_udfs.py, decorated by whatever xlwings holds."""
    path = hr_workbook.macros_dir() / "itss_udfs.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_answers(criteria: Criteria, seed: int) -> dict[str, Any]:
    """One person's flat answers: each level filled with its own diligence, so levels vary."""
    rng = random.Random(seed)
    flat: dict[str, Any] = {}
    for level in criteria.levels:
        diligence = rng.choice((0.0, 0.4, 0.7, 0.9, 1.0))
        for section in level.sections:
            for item in section.items:
                if rng.random() < diligence:
                    flat[item.id] = True
                elif rng.random() < 0.2:
                    flat[item.id] = False
                if rng.random() < 0.1:
                    flat[f"{item.id}.evidence"] = rng.choice(_TEXTS)
        if level.experience is not None and diligence:
            flat.update(_random_engagements(criteria, level.id, diligence, rng))
    return flat


def _random_engagements(
    criteria: Criteria, level_id: str, diligence: float, rng: random.Random
) -> dict[str, Any]:
    level = criteria.level_by_id[level_id]
    field = criteria.field_by_id[level.field]
    flat: dict[str, Any] = {}
    for row in range(1, rng.randint(1, layout.EXPERIENCE_ROWS) + 1):
        prefix = f"{level_id}.experience.{row}"
        if rng.random() < 0.8:
            low = max(1, level.experience.top_level - 2)
            flat[f"{prefix}.level"] = rng.randint(low, field.top_level)
        if field.components and rng.random() < 0.9:
            # Mostly two components, so that rows add up within one of them.
            flat[f"{prefix}.component"] = rng.choice(
                criteria.components[:2] * 3 + criteria.components
            )
        flat[f"{prefix}.completed"] = rng.random() < diligence + 0.1
        if rng.random() < 0.5:
            flat[f"{prefix}.engagement"] = rng.choice(_TEXTS)
        if rng.random() < 0.2:
            flat[f"{prefix}.evidence"] = rng.choice(_TEXTS)
    return flat


def excel_range(
    criteria: Criteria, flat: dict[str, Any], *, blank: Any = None
) -> tuple[tuple[str, Any], ...]:
    """`flat` as the ITSS_ANSWERS range Excel hands over: every key, numbers as floats.

    Unticked boxes hold FALSE, as in a generated workbook; other empty cells hold `blank`
    (None for an empty cell, "" for the workbook's formulas over an empty input cell).
    """
    rows = []
    for key in answers_mod.answer_keys(criteria, layout.EXPERIENCE_ROWS):
        value = flat.get(key)
        if value is None:
            unticked = key in criteria.item_by_id or key.endswith(".completed")
            value = False if unticked else blank
        elif isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        rows.append((key, value))
    return tuple(rows)


def engine(criteria: Criteria, flat: dict[str, Any]) -> rules.Assessment:
    """The engine's assessment of `flat`, parsed as an answers file is (strictly)."""
    parsed, problems = answers_mod.parse(criteria, flat, strict=True)
    assert problems == []
    return rules.evaluate(criteria, parsed)


def engine_table(criteria: Criteria, assessment: rules.Assessment) -> list[list[Any]]:
    """The rows ITSS_LEVELS should give, straight from the engine's assessment."""
    rows = [[f.id, assessment.fields[f.id].level] for f in criteria.fields]
    return rows + [["overall", assessment.overall]]
