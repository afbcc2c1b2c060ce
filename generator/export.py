"""The criteria and assessments as plain data and text: JSON, CSV rows, Markdown, tables."""

from __future__ import annotations

import csv
import io
from typing import Any

from generator.criteria import Criteria, ExperienceSection
from generator.rules import Assessment, rule_text

CSV_COLUMNS = ("level_id", "field", "level", "section_id", "kind", "rule", "item_id", "text")


def criteria_to_dict(criteria: Criteria) -> dict[str, Any]:
    """The criteria as JSON-ready data: levels, their sections, their items."""
    return {
        "standard": criteria.standard,
        "version": criteria.version,
        "components": list(criteria.components),
        "levels": [
            {
                "id": level.id,
                "field": level.field,
                "level": level.level,
                "title": level.title,
                "description": level.description,
                "sections": [
                    {
                        "id": level.section_id(section.kind),
                        "kind": section.kind,
                        "description": section.description,
                        "rule": rule_text(section),
                        "note": section.note,
                        **_rule_numbers(section),
                        "items": [{"id": i.id, "text": i.text} for i in section.items],
                    }
                    for section in level.sections
                ],
            }
            for level in criteria.levels
        ],
    }


def _rule_numbers(section) -> dict[str, Any]:
    if isinstance(section, ExperienceSection):
        return {"count": section.count, "top_level": section.top_level,
                "other_level": section.floor_level, "per_component": section.per_component}
    return {"min": section.needed}


def criteria_to_csv(criteria: Criteria) -> str:
    """One row per item (and one per experience section), with its rule."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for level in criteria.levels:
        for section in level.sections:
            rows = section.items or [None]
            for item in rows:
                writer.writerow([level.id, level.field, level.level,
                                 level.section_id(section.kind), section.kind,
                                 rule_text(section), item.id if item else "",
                                 item.text if item else section.description or ""])
    return out.getvalue()


def criteria_to_markdown(criteria: Criteria) -> str:
    """A readable outline of the criteria, one heading per level."""
    lines = [f"# {criteria.standard}", "", f"Criteria version {criteria.version}.", ""]
    for level in criteria.levels:
        lines += [f"## {level.title} (`{level.id}`)", ""]
        if level.description:
            lines += [level.description, ""]
        for section in level.sections:
            lines += [f"### {section.kind.capitalize()}: {rule_text(section)}", ""]
            if section.description:
                lines += [section.description, ""]
            lines += [f"- `{item.id}` {item.text}" for item in section.items]
            if section.note:
                lines += ["", f"> Note: {section.note}"]
            lines.append("")
    return "\n".join(lines)


def assessment_to_dict(criteria: Criteria, assessment: Assessment) -> dict[str, Any]:
    """Levels per field, overall, and per level its sections and what is missing."""
    return {
        "levels": {f.id: assessment.fields[f.id].level for f in criteria.fields},
        "overall": assessment.overall,
        "fields": {
            f.id: {
                "level": r.level,
                "next_level": r.next_level,
                "next_needs": list(r.next_needs),
                "notes": list(r.notes),
            }
            for f in criteria.fields
            for r in [assessment.fields[f.id]]
        },
        "details": {
            lid: {
                "met": result.met,
                "sections": {
                    s.kind: {"met": s.met, "count": s.count, "needed": s.needed,
                             "summary": s.summary}
                    for s in result.sections
                },
                "missing": result.missing,
                "missing_items": result.missing_items,
            }
            for lid, result in assessment.levels.items()
        },
    }


def format_assessment(criteria: Criteria, assessment: Assessment, heading: str,
                      fields: tuple[str, ...] | None = None) -> str:
    """A readable block for one person: a line per field, then what its next level needs.

    Fields outside `fields` (those a workbook does not hold) say so instead.
    """
    lines = [heading]
    for f in criteria.fields:
        result = assessment.fields[f.id]
        level = "none" if result.level is None else f"level {result.level}"
        if fields is not None and f.id not in fields:
            lines.append(f"  {f.title:<28} {'-':<9} not in this workbook")
        elif result.next_level is None:
            lines.append(f"  {f.title:<28} {level:<9} top level reached")
        else:
            lines.append(f"  {f.title:<28} {level:<9} level {result.next_level} still needs:")
            lines += [f"      {need}" for need in result.next_needs]
        lines += [f"      note: {note}" for note in result.notes]
    overall = "none" if assessment.overall is None else f"level {assessment.overall}"
    lines.append(f"  {'Overall':<28} {overall}")
    return "\n".join(lines)
