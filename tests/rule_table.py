"""An independent reading of the standard's numbers, to test the engine and criteria.yaml.

Written from the standard's text, not from criteria.yaml: if either changes a number, the
tests that use this table fail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """What one level needs, as the standard says it."""

    level_id: str
    complexity: int  # ticks needed
    complexity_items: int
    size_items: int  # 0: no size section
    size_threshold: int | None  # complexity count that makes size option 2 count
    themes: int  # ticks needed
    themes_items: int
    succession: int  # 0: no succession section
    experience: tuple[int, int, int]  # N rows at level >= B, one at level >= A: (N, A, B)
    per_component: bool

    @property
    def field(self) -> str:
        return self.level_id.split(".")[0]

    @property
    def subordinates(self) -> bool:
        return self.succession > 0


RULES = [
    Rule("hardware.5", 2, 6, 2, 4, 1, 5, 3, (3, 5, 4), True),
    Rule("hardware.4", 2, 6, 2, 4, 1, 4, 1, (2, 4, 3), True),
    Rule("hardware.3", 2, 6, 1, None, 1, 3, 0, (1, 3, 3), True),
    Rule("software.5", 2, 6, 2, 4, 1, 5, 3, (3, 5, 4), True),
    Rule("software.4", 2, 6, 2, 4, 1, 4, 1, (2, 4, 3), True),
    Rule("software.3", 2, 6, 1, None, 1, 3, 0, (1, 3, 3), True),
    Rule("facility.6", 2, 4, 2, 3, 1, 4, 4, (3, 6, 5), False),
    Rule("facility.5", 2, 4, 2, 3, 1, 4, 3, (3, 5, 4), False),
    Rule("facility.4", 2, 4, 2, 3, 1, 3, 1, (2, 5, 4), False),
    Rule("facility.3", 2, 4, 1, None, 1, 2, 0, (1, 3, 3), False),
    Rule("common.2", 1, 3, 0, None, 4, 4, 0, (1, 2, 2), False),
    Rule("common.1", 1, 3, 0, None, 4, 4, 0, (1, 1, 1), False),
]
RULE_BY_ID = {r.level_id: r for r in RULES}


def minimal_answers(rule: Rule, component: str = "network") -> dict:
    """The fewest answers that meet `rule`'s level: flat keys as in an answers file."""
    lid = rule.level_id
    flat: dict = {f"{lid}.responsibility.1": True}
    flat.update({f"{lid}.complexity.{n}": True for n in range(1, rule.complexity + 1)})
    if rule.size_items:
        flat[f"{lid}.size.1"] = True
    flat.update({f"{lid}.themes.{n}": True for n in range(1, rule.themes + 1)})
    flat.update({f"{lid}.succession.{n}": True for n in range(1, rule.succession + 1)})
    if rule.subordinates:
        flat[f"{lid}.subordinates.1"] = True

    count, top, floor = rule.experience
    for row in range(1, count + 1):
        flat |= experience_row(rule, row, top if row == 1 else floor, component)
    return flat


def experience_row(rule: Rule, row: int, level: int, component: str = "network") -> dict:
    """Flat keys of one completed engagement."""
    prefix = f"{rule.level_id}.experience.{row}"
    flat = {f"{prefix}.engagement": f"Engagement {row}", f"{prefix}.level": level,
            f"{prefix}.completed": True}
    if rule.per_component:
        flat[f"{prefix}.component"] = component
    return flat
