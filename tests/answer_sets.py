"""Answer sets for the formula tests: seeded random ones and the rules' edge cases.

Every set holds only what a person can enter in a generated workbook: ticks, texts, a
component from the list, a level from 1 to the field's top.
"""

from __future__ import annotations

import random

from generator import layout
from generator.criteria import Criteria
from tests.rule_table import RULE_BY_ID, experience_row, minimal_answers


def random_answers(criteria: Criteria, rng: random.Random) -> dict:
    """One person's answers, each level with its own density so that some levels are met."""
    flat: dict = {}
    for level in criteria.levels:
        density = rng.choice((0.1, 0.4, 0.7, 0.9, 1.0))
        field = criteria.field_by_id[level.field]
        for section in level.sections:
            for item in section.items:
                if rng.random() < density:
                    flat[item.id] = True
                if rng.random() < 0.05:
                    flat[f"{item.id}.evidence"] = rng.choice(("Project X", "=1+1", "memo"))
        favourites = rng.sample(criteria.components, 2)
        for row in range(1, layout.EXPERIENCE_ROWS + 1):
            if rng.random() < density:
                flat |= _random_row(level.id, row, field, favourites, rng)
    return flat


def _random_row(level_id: str, row: int, field, favourites: list[str], rng: random.Random):
    prefix = f"{level_id}.experience.{row}"
    flat: dict = {f"{prefix}.engagement": f"Engagement {row}"}
    if rng.random() < 0.9:
        flat[f"{prefix}.level"] = rng.randint(max(1, field.top_level - 3), field.top_level)
    if rng.random() < 0.85:
        flat[f"{prefix}.completed"] = True
    if field.components and rng.random() < 0.9:
        flat[f"{prefix}.component"] = rng.choice(favourites)
    return flat


def edge_cases() -> dict[str, dict]:
    """Named answer sets at the edges of the rules, each with what the engine should say."""
    cases: dict[str, dict] = {"nothing": {}}
    for level_id, rule in RULE_BY_ID.items():
        cases[f"{level_id} minimal"] = minimal_answers(rule)

    # Size option 2 counts only with enough complexity criteria: at and just below.
    for level_id in ("hardware.5", "software.4", "facility.5"):
        rule = RULE_BY_ID[level_id]
        base = {k: v for k, v in minimal_answers(rule).items() if ".size." not in k}
        base[f"{level_id}.size.2"] = True
        for n in (rule.size_threshold - 1, rule.size_threshold):
            ticks = {f"{level_id}.complexity.{i}": True for i in range(1, n + 1)}
            cases[f"{level_id} size 2 with {n} complexity"] = base | ticks

    # Experience split across components does not add up; in one component it does.
    rule = RULE_BY_ID["hardware.5"]
    base = {k: v for k, v in minimal_answers(rule).items() if ".experience." not in k}
    rows = [(5, "network"), (4, "network"), (4, "storage")]
    split = base.copy()
    for n, (level, component) in enumerate(rows, 1):
        split |= experience_row(rule, n, level, component)
    cases["hardware.5 experience split"] = split
    cases["hardware.5 experience one component"] = split | experience_row(rule, 4, 4, "network")
    no_component = {
        k: v for k, v in minimal_answers(rule).items() if k != "hardware.5.experience.1.component"
    }
    cases["hardware.5 engagement without component"] = no_component

    # Facility 4 names level 5 for its best engagement.
    rule = RULE_BY_ID["facility.4"]
    base = {k: v for k, v in minimal_answers(rule).items() if ".experience." not in k}
    four = base | experience_row(rule, 1, 4) | experience_row(rule, 2, 4)
    cases["facility.4 two at level 4"] = four
    cases["facility.4 one at 5, one at 4"] = four | experience_row(rule, 3, 5)
    cases["everything ticked"] = {k: True for k in _all_items()}
    return cases


def _all_items() -> list[str]:
    from generator import criteria as criteria_mod

    return list(criteria_mod.load().item_by_id)
