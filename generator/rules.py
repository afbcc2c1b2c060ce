"""The rules engine: which levels a person's answers meet, and what each level still needs.

Pure: no I/O, no spreadsheet library. The import, the CLI and the Excel functions all call
`evaluate`, so there is one copy of the rules. How each section kind is met is described at
the top of criteria.yaml; this module implements exactly that.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from generator.answers import Answers, ExperienceRow
from generator.criteria import Criteria, ExperienceSection, Level, TickSection


@dataclass(frozen=True)
class SectionResult:
    """One section of one level: whether it holds, its count against what it needs."""

    id: str
    kind: str
    met: bool
    count: int
    needed: int
    #: Short state, e.g. "complexity: 1 of 2 needed".
    summary: str
    #: What is still missing, in words; None when met.
    missing: str | None = None
    #: Items not ticked (tick sections only).
    unticked: tuple[str, ...] = ()


@dataclass(frozen=True)
class LevelResult:
    """One level: met when every section holds."""

    id: str
    field: str
    level: int
    met: bool
    sections: tuple[SectionResult, ...]

    @property
    def missing(self) -> list[str]:
        """What the level still needs, one phrase per section that does not hold."""
        return [s.missing for s in self.sections if s.missing]

    @property
    def missing_items(self) -> list[str]:
        """IDs of the unticked items in the sections that do not hold."""
        return [i for s in self.sections if not s.met for i in s.unticked]

    def section(self, kind: str) -> SectionResult | None:
        return next((s for s in self.sections if s.kind == kind), None)


@dataclass(frozen=True)
class FieldResult:
    """A field's qualified level (its highest met level) and what the next one needs."""

    field: str
    level: int | None
    next_level: int | None
    next_needs: tuple[str, ...]
    #: Plain-word remarks, e.g. a level met above an unmet lower level.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """Everything the rules say about one person's answers."""

    levels: dict[str, LevelResult]
    fields: dict[str, FieldResult]
    overall: int | None = field(default=None)

    def level_of(self, field_id: str) -> int | None:
        return self.fields[field_id].level


def evaluate(criteria: Criteria, answers: Answers) -> Assessment:
    """Evaluate every level of `criteria` against `answers`."""
    levels = {lv.id: evaluate_level(lv, answers) for lv in criteria.levels}
    fields = {f.id: _field_result(criteria, f.id, levels) for f in criteria.fields}
    met = [r.level for r in fields.values() if r.level is not None]
    return Assessment(levels=levels, fields=fields, overall=max(met) if met else None)


def evaluate_level(level: Level, answers: Answers) -> LevelResult:
    """Evaluate the sections of one level."""
    complexity = level.section("complexity")
    complexity_count = _ticked_count(complexity, answers) if complexity else 0
    results = []
    for section in level.sections:
        if isinstance(section, ExperienceSection):
            results.append(_experience(level, section, answers.rows(level.id)))
        elif section.kind == "size":
            results.append(_size(level, section, answers, complexity_count))
        else:
            results.append(_ticks(level, section, answers))
    return LevelResult(id=level.id, field=level.field, level=level.level,
                       met=all(r.met for r in results), sections=tuple(results))


def _ticked_count(section: TickSection, answers: Answers) -> int:
    return sum(answers.ticked(item.id) for item in section.items)


def _ticks(level: Level, section: TickSection, answers: Answers) -> SectionResult:
    count, needed = _ticked_count(section, answers), section.needed
    unticked = tuple(i.id for i in section.items if not answers.ticked(i.id))
    met = count >= needed
    if len(section.items) == 1:
        summary = f"{section.kind}: {'ticked' if met else 'not ticked'}"
        missing = None if met else f"{section.kind}: not ticked"
    else:
        summary = f"{section.kind}: {count} of {needed} needed"
        goal = f"all {needed}" if needed == len(section.items) else f"{needed - count} more"
        missing = None if met else f"{section.kind}: tick {goal} ({count} of {needed} ticked)"
    return SectionResult(id=level.section_id(section.kind), kind=section.kind, met=met,
                         count=count, needed=needed, summary=summary, missing=missing,
                         unticked=unticked)


def _size(level: Level, section: TickSection, answers: Answers,
          complexity_count: int) -> SectionResult:
    """Options count when ticked and their complexity condition, if any, holds."""
    counting = [item for item in section.items if answers.ticked(item.id)
                and complexity_count >= (item.requires_complexity or 0)]
    count, needed = len(counting), section.needed
    met = count >= needed
    unticked = tuple(i.id for i in section.items if not answers.ticked(i.id))
    summary = f"size: {count} of {needed} needed"
    missing = None
    if not met:
        ways = []
        for n, item in enumerate(section.items, 1):
            if item in counting:
                continue
            if item.requires_complexity and complexity_count < item.requires_complexity:
                ways.append(f"option {n} with {item.requires_complexity} or more complexity "
                            f"criteria ({complexity_count} ticked)")
            else:
                ways.append(f"option {n}")
        missing = f"size: tick {' or '.join(ways)}"
    return SectionResult(id=level.section_id("size"), kind="size", met=met, count=count,
                         needed=needed, summary=summary, missing=missing, unticked=unticked)


def counted_rows(level: Level, rows: list[ExperienceRow]) -> list[ExperienceRow]:
    """Rows that count: completed, with a level and, per component, with a component."""
    section = level.experience
    need_component = section is not None and section.per_component
    return [r for r in rows if r.completed and r.level is not None
            and (r.component is not None or not need_component)]


def _experience(level: Level, section: ExperienceSection,
                rows: list[ExperienceRow]) -> SectionResult:
    """At least `count` counted rows at `floor_level`+ in one group, one of them `top_level`+."""
    groups: dict[str, list[ExperienceRow]] = defaultdict(list)
    for row in counted_rows(level, rows):
        groups[row.component if section.per_component else "all"].append(row)

    def tally(members: list[ExperienceRow]) -> tuple[int, int]:
        return (sum(r.level >= section.floor_level for r in members),
                sum(r.level >= section.top_level for r in members))

    def rank(name: str) -> tuple[bool, int, bool]:
        floor, top = tally(groups[name])
        return floor >= section.count and top >= 1, min(floor, section.count), top >= 1

    best_name = max(sorted(groups), key=rank, default=None)
    best_floor, best_top = tally(groups[best_name]) if best_name else (0, 0)
    met = best_floor >= section.count and best_top >= 1

    summary = f"experience: {min(best_floor, section.count)} of {section.count} needed"
    missing = None if met else f"experience: {rule_text(section)}" + (
        f" (best so far: {best_floor} at level {section.floor_level}+, {best_top} at level "
        f"{section.top_level}+{' in ' + best_name if section.per_component else ''})"
        if best_name else " (none completed yet)")
    return SectionResult(id=level.section_id("experience"), kind="experience", met=met,
                         count=min(best_floor, section.count), needed=section.count,
                         summary=summary, missing=missing)


def rule_text(section: TickSection | ExperienceSection) -> str:
    """The section's rule in words, as the sheets show it."""
    if isinstance(section, ExperienceSection):
        where = " in one IT component" if section.per_component else ""
        if section.count == 1:
            where = " in an IT component" if section.per_component else ""
            return f"1 completed engagement{where} at level {section.top_level} or above"
        return (f"{section.count} completed engagements{where} at level "
                f"{section.floor_level} or above, one of them at level {section.top_level} "
                "or above")
    if len(section.items) == 1:
        return "tick this"
    if section.kind == "size":
        conditional = [i for i in section.items if i.requires_complexity]
        if conditional:
            n = conditional[0].requires_complexity
            return (f"tick at least {section.needed}; an option that names complexity "
                    f"criteria counts only with {n} or more complexity criteria ticked")
    if section.needed == len(section.items):
        return f"tick all {section.needed} of these"
    return f"tick at least {section.needed} of these"


def _field_result(criteria: Criteria, field_id: str,
                  levels: dict[str, LevelResult]) -> FieldResult:
    ordered = [levels[lv.id] for lv in criteria.levels_of(field_id)]
    met = [r for r in ordered if r.met]
    qualified = met[-1].level if met else None

    notes = []
    for result in met:
        below = [r for r in ordered if r.level < result.level and not r.met]
        if below:
            notes.append(f"{result.id} is met while {', '.join(r.id for r in below)} "
                         f"{'is' if len(below) == 1 else 'are'} not")
    above = [r for r in ordered if qualified is None or r.level > qualified]
    nxt = above[0] if above else None
    return FieldResult(field=field_id, level=qualified,
                       next_level=nxt.level if nxt else None,
                       next_needs=tuple(nxt.missing) if nxt else (), notes=tuple(notes))
