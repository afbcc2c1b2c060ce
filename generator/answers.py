"""A person's answers: flat keys as in answers files, workbooks and the Excel functions.

Keys, all derived from criteria.yaml:

- ``<item id>``: the item is ticked (true/false), e.g. ``hardware.5.complexity.3``;
- ``<item id>.evidence``: free text beside the tick;
- ``<level id>.experience.<row>.<attr>``: one engagement of the experience table, attr one of
  engagement, component, level, completed, evidence.

`parse` turns such a mapping into `Answers` and lists every problem. ``strict`` parsing (answers
files) takes only the JSON types; lenient parsing (workbooks, Excel) also takes what spreadsheet
programs write: TRUE/FALSE text, LibreOffice's ``=TRUE()``, 1 and 0, numbers as floats.
This module has no I/O beyond `load_file` and imports no spreadsheet library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator.criteria import Criteria
from generator.errors import AnswersError

EXPERIENCE_ATTRS = ("engagement", "component", "level", "completed", "evidence")
EMPLOYEE_KEYS = ("id", "name", "department", "manager", "email")
_EXPERIENCE_KEY = re.compile(r"^(?P<level>[a-z]+\.\d+)\.experience\.(?P<row>\d+)\.(?P<attr>\w+)$")
_TRUE_TEXTS = {"true", "=true()", "1"}
_FALSE_TEXTS = {"false", "=false()", "0", ""}


@dataclass(frozen=True)
class ExperienceRow:
    """One engagement a person lists for a level."""

    row: int
    engagement: str = ""
    component: str | None = None
    level: int | None = None
    completed: bool = False
    evidence: str = ""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one answer key; the value was not taken."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass
class Answers:
    """Ticks, evidence and experience rows by item and level ID."""

    ticks: dict[str, bool] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    experience: dict[str, dict[int, ExperienceRow]] = field(default_factory=dict)

    def ticked(self, item_id: str) -> bool:
        return self.ticks.get(item_id, False)

    def rows(self, level_id: str) -> list[ExperienceRow]:
        return [r for _, r in sorted(self.experience.get(level_id, {}).items())]


def parse(criteria: Criteria, flat: Mapping[str, Any], *,
          strict: bool = True) -> tuple[Answers, list[Problem]]:
    """Turn flat answer keys into `Answers`, with every key that could not be taken."""
    answers, problems = Answers(), []
    rows: dict[str, dict[int, dict[str, Any]]] = {}

    for key, value in flat.items():
        key = str(key).strip()
        match = _EXPERIENCE_KEY.match(key)
        if key in criteria.item_by_id:
            tick = to_tick(value, strict=strict)
            if tick is None:
                problems.append(Problem(key, f"a tick must be true or false, not {_shown(value)}"))
            else:
                answers.ticks[key] = tick
        elif key.endswith(".evidence") and key[: -len(".evidence")] in criteria.item_by_id:
            if not _is_blank(value):
                answers.evidence[key[: -len(".evidence")]] = _text(value)
        elif match and match["level"] in criteria.level_by_id:
            problem = _experience_value(criteria, match, value, strict, rows)
            if problem:
                problems.append(Problem(key, problem))
        else:
            problems.append(Problem(key, _unknown_key_hint(criteria, key)))

    for level_id, by_row in rows.items():
        answers.experience[level_id] = {n: ExperienceRow(row=n, **v) for n, v in by_row.items()}
    return answers, problems


def _experience_value(criteria: Criteria, match: re.Match, value: Any, strict: bool,
                      rows: dict[str, dict[int, dict[str, Any]]]) -> str | None:
    """Store one experience attribute in `rows`; return a problem text or None."""
    level = criteria.level_by_id[match["level"]]
    field_info = criteria.field_by_id[level.field]
    row, attr = int(match["row"]), match["attr"]
    if level.experience is None:
        return f"{level.id} has no experience section"
    if row < 1:
        return "experience rows are numbered from 1"
    if attr not in EXPERIENCE_ATTRS:
        return f"unknown experience attribute {attr!r}; use one of {', '.join(EXPERIENCE_ATTRS)}"
    if _is_blank(value) and attr != "completed":
        return None
    target = rows.setdefault(level.id, {}).setdefault(row, {})

    if attr in ("engagement", "evidence"):
        target[attr] = _text(value)
    elif attr == "completed":
        tick = to_tick(value, strict=strict)
        if tick is None:
            return f"completed must be true or false, not {_shown(value)}"
        target[attr] = tick
    elif attr == "component":
        if not field_info.components:
            return f"{field_info.title} engagements have no IT component"
        component = to_component(criteria, value, strict=strict)
        if component is None:
            return (f"unknown IT component {_shown(value)}; use one of "
                    f"{', '.join(criteria.components)}")
        target[attr] = component
    else:
        number = to_level(value, strict=strict)
        if number is None or not 1 <= number <= field_info.top_level:
            return (f"level must be a whole number from 1 to {field_info.top_level} "
                    f"({field_info.title}'s top level), not {_shown(value)}")
        target[attr] = number
    return None


def _unknown_key_hint(criteria: Criteria, key: str) -> str:
    level_id = ".".join(key.split(".")[:2])
    if level_id in criteria.level_by_id:
        return f"no such item in {level_id} (criteria {criteria.version})"
    return f"unknown answer key; keys start with a level id such as {criteria.levels[0].id}"


def to_tick(value: Any, *, strict: bool = True) -> bool | None:
    """A tick as a bool, or None when the value is not a tick at all."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if strict:
        return None
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_TEXTS:
            return True
        if text in _FALSE_TEXTS:
            return False
    return None


def to_level(value: Any, *, strict: bool = True) -> int | None:
    """A whole-number level, or None. Spreadsheets hand numbers over as floats."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not strict and isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def to_component(criteria: Criteria, value: Any, *, strict: bool = True) -> str | None:
    """One of the standard's IT components, or None."""
    if not isinstance(value, str):
        return None
    if value in criteria.components:
        return value
    if not strict:
        folded = value.strip().casefold()
        return next((c for c in criteria.components if c.casefold() == folded), None)
    return None


def _shown(value: Any) -> str:
    """A value as a message quotes it; spreadsheets' whole floats as whole numbers."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def to_flat(answers: Answers) -> dict[str, Any]:
    """The flat keys of `answers`, as an answers file would hold them."""
    flat: dict[str, Any] = dict(answers.ticks)
    flat.update({f"{item_id}.evidence": text for item_id, text in answers.evidence.items()})
    for level_id in answers.experience:
        for row in answers.rows(level_id):
            prefix = f"{level_id}.experience.{row.row}"
            for attr in EXPERIENCE_ATTRS:
                value = getattr(row, attr)
                if value not in (None, "") and not (attr == "completed" and not value):
                    flat[f"{prefix}.{attr}"] = value
    return flat


def answer_keys(criteria: Criteria, experience_rows: int,
                fields: Iterable[str] | None = None) -> list[str]:
    """Every flat key a workbook with `experience_rows` rows per table can hold, in order."""
    wanted = set(fields) if fields is not None else None
    keys = []
    for level in criteria.levels:
        if wanted is not None and level.field not in wanted:
            continue
        for section in level.sections:
            if section.kind == "experience":
                comp = criteria.field_by_id[level.field].components
                attrs = [a for a in EXPERIENCE_ATTRS if comp or a != "component"]
                keys += [f"{level.id}.experience.{n}.{a}"
                         for n in range(1, experience_rows + 1) for a in attrs]
            for item in section.items:
                keys += [item.id, f"{item.id}.evidence"]
    return keys


@dataclass(frozen=True)
class AnswersFile:
    """An answers file read from disk: who it is about, and their answers."""

    source: str
    employee: dict[str, str]
    answers: Answers
    #: The fields a workbook holds; None when the source does not say (answers files).
    fields: tuple[str, ...] | None = None


def load_file(path: str | Path, criteria: Criteria) -> AnswersFile:
    """Read a JSON or YAML answers file.

    Raises:
        AnswersError: listing every key that is unknown or has a wrong value.
    """
    path = Path(path)
    data = _read_mapping(path)
    problems: list[str] = []
    unknown = set(data) - {"employee", "answers"}
    if unknown:
        problems.append(f"unknown top-level keys {sorted(unknown)}; use employee and answers")

    employee = data.get("employee") or {}
    if not isinstance(employee, dict):
        problems.append("employee must be a mapping of id, name, department")
        employee = {}
    for key in sorted(set(employee) - set(EMPLOYEE_KEYS)):
        problems.append(f"employee.{key}: unknown; use {', '.join(EMPLOYEE_KEYS)}")

    flat = data.get("answers") or {}
    if not isinstance(flat, dict):
        problems.append("answers must be a mapping of answer keys to values")
        flat = {}
    answers, answer_problems = parse(criteria, flat, strict=True)
    problems += [f"answers.{p}" for p in answer_problems]
    if problems:
        raise AnswersError(f"{path}: {len(problems)} problem(s)", problems)
    clean = {k: "" if v is None else str(v) for k, v in employee.items() if k in EMPLOYEE_KEYS}
    return AnswersFile(source=str(path), employee=clean, answers=answers)


def _parse_error(exc: Exception) -> str:
    """The parser's complaint in one line, with its line number."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"line {mark.line + 1}: {problem.split(chr(10))[0]}"
    return str(exc).split("\n")[0]


def _read_mapping(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise AnswersError(f"{path}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise AnswersError(f"{path}: is not UTF-8 text") from exc
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        data = json.loads(text) if kind == "JSON" else YAML(typ="safe").load(text)
    except (ValueError, YAMLError) as exc:
        raise AnswersError(f"{path}: is not valid {kind}: {_parse_error(exc)}") from None
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: must be a mapping with 'employee' and 'answers'")
    return data
