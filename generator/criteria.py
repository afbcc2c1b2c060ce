"""Load criteria.yaml, the product's copy of the standard, into typed, validated objects.

Loading happens in two passes. Pydantic checks the shape (keys, types, section kinds); a
second pass checks what the shape cannot say: IDs that match their place, no duplicates,
minimums that the items can reach. Every problem is reported with the file, the line and
the key path, all at once.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator.errors import CriteriaError

#: Section kinds in the order a level lists them.
SECTION_KINDS = (
    "responsibility",
    "experience",
    "complexity",
    "size",
    "themes",
    "succession",
    "subordinates",
)
TICK_KINDS = tuple(kind for kind in SECTION_KINDS if kind != "experience")
#: Which part of the standard a section belongs to.
CONTRIBUTION = {
    "responsibility": "business",
    "experience": "business",
    "complexity": "business",
    "size": "business",
    "themes": "professional society",
    "succession": "professional society",
    "subordinates": "professional society",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Item(_Model):
    """One tickable statement of the standard."""

    id: str
    text: str = Field(min_length=1)
    requires_complexity: int | None = Field(default=None, ge=1)
    translations: dict[str, str] = Field(default_factory=dict)


class TickSection(_Model):
    """A list of statements of which at least `min` must be ticked."""

    kind: Literal["responsibility", "complexity", "size", "themes", "succession", "subordinates"]
    description: str | None = None
    note: str | None = None
    min: int | Literal["all"] = Field(default=1)
    items: list[Item] = Field(min_length=1)

    @field_validator("min")
    @classmethod
    def _min_positive(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError("min must be 1 or more, or 'all'")
        return value

    @property
    def needed(self) -> int:
        """How many items (size: options that count) the section needs."""
        return len(self.items) if self.min == "all" else self.min


class ExperienceSection(_Model):
    """Counted engagements: `count` at `other_level` or above, one at `top_level` or above."""

    kind: Literal["experience"]
    description: str | None = None
    note: str | None = None
    count: int = Field(ge=1)
    top_level: int = Field(ge=1)
    other_level: int | None = Field(default=None, ge=1)
    per_component: bool = False

    @property
    def items(self) -> list[Item]:
        return []

    @property
    def floor_level(self) -> int:
        """The lowest level an engagement may have and still count."""
        return self.top_level if self.other_level is None else self.other_level


Section = Annotated[Union[TickSection, ExperienceSection], Field(discriminator="kind")]


class Level(_Model):
    """One level of one field: the sections a person must all meet."""

    id: str
    field: str
    level: int
    title: str = Field(min_length=1)
    description: str | None = None
    note: str | None = None
    sections: list[Section] = Field(min_length=1)

    def section(self, kind: str) -> TickSection | ExperienceSection | None:
        return next((s for s in self.sections if s.kind == kind), None)

    def section_id(self, kind: str) -> str:
        return f"{self.id}.{kind}"

    @property
    def experience(self) -> ExperienceSection | None:
        section = self.section("experience")
        return section if isinstance(section, ExperienceSection) else None


class FieldInfo(_Model):
    """A specialty field (or the common levels) and the levels it has."""

    id: str = Field(pattern=r"^[a-z]+$")
    title: str = Field(min_length=1)
    short: str = Field(min_length=1, max_length=8)
    levels: list[int] = Field(min_length=1)
    components: bool = False
    description: str | None = None

    @property
    def top_level(self) -> int:
        return max(self.levels)


class Criteria(_Model):
    """The whole standard: fields, IT components and levels in the standard's order."""

    standard: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str | None = None
    components: list[str] = Field(min_length=1)
    fields: list[FieldInfo] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    sha256: str = ""

    @cached_property
    def field_by_id(self) -> dict[str, FieldInfo]:
        return {f.id: f for f in self.fields}

    @cached_property
    def level_by_id(self) -> dict[str, Level]:
        return {lv.id: lv for lv in self.levels}

    @cached_property
    def item_by_id(self) -> dict[str, Item]:
        return {item.id: item for lv in self.levels for s in lv.sections for item in s.items}

    def levels_of(self, field: str) -> list[Level]:
        """The field's levels, lowest first."""
        return sorted((lv for lv in self.levels if lv.field == field), key=lambda lv: lv.level)


def default_path() -> Path:
    """The criteria.yaml shipped with the product (installed copy, else the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "criteria.yaml", here.parent / "criteria.yaml"):
        if candidate.is_file():
            return candidate
    raise CriteriaError(f"criteria.yaml is missing: looked in {here} and {here.parent}")


_cache: dict[Path, Criteria] = {}


def load(path: str | Path | None = None) -> Criteria:
    """Load and validate a criteria file (the shipped one by default); cached per path.

    Raises:
        CriteriaError: listing every problem with its line and key path.
    """
    path = Path(path).resolve() if path is not None else default_path()
    if path not in _cache:
        _cache[path] = _load_uncached(path)
    return _cache[path]


def _load_uncached(path: Path) -> Criteria:
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise CriteriaError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        data = YAML(typ="rt").load(raw_bytes.decode("utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{path}: is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CriteriaError(f"{path}: must be a mapping with standard, version, fields, levels")

    try:
        criteria = Criteria.model_validate(_plain(data))
    except ValidationError as exc:
        problems = [_describe(path, data, err["loc"], err["msg"]) for err in exc.errors()]
        raise CriteriaError(f"{path}: {len(problems)} problem(s)", problems) from None

    problems = [_describe(path, data, loc, msg) for loc, msg in _semantic_problems(criteria)]
    if problems:
        raise CriteriaError(f"{path}: {len(problems)} problem(s)", problems)
    return criteria.model_copy(update={"sha256": hashlib.sha256(raw_bytes).hexdigest()})


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers as plain dicts and lists, for pydantic."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _semantic_problems(criteria: Criteria) -> list[tuple[tuple, str]]:
    """What the schema cannot check: (key path, message) pairs."""
    problems: list[tuple[tuple, str]] = []
    seen: dict[str, tuple] = {}
    fields = criteria.field_by_id

    for li, level in enumerate(criteria.levels):
        where = ("levels", li)
        field = fields.get(level.field)
        if field is None:
            problems.append((where + ("field",), f"unknown field {level.field!r}; "
                             f"known: {', '.join(fields)}"))
        elif level.level not in field.levels:
            problems.append((where + ("level",), f"{level.field} has no level {level.level}; "
                             f"its levels are {field.levels}"))
        elif level.id != f"{level.field}.{level.level}":
            problems.append((where + ("id",), f"id {level.id!r} must be "
                             f"'{level.field}.{level.level}'"))
        if level.id in seen:
            problems.append((where + ("id",), f"duplicate level id {level.id!r}"))
        seen[level.id] = where
        problems += _section_problems(level, where, field, seen)
    return problems


def _section_problems(level: Level, where: tuple, field: FieldInfo | None,
                      seen: dict[str, tuple]) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    kinds = [s.kind for s in level.sections]
    if len(set(kinds)) != len(kinds):
        problems.append((where + ("sections",), f"{level.id} lists a section kind twice: {kinds}"))
    elif kinds != sorted(kinds, key=SECTION_KINDS.index):
        problems.append((where + ("sections",), f"{level.id}: sections must come in the order "
                         f"{', '.join(k for k in SECTION_KINDS if k in kinds)}"))
    complexity = level.section("complexity")

    for si, section in enumerate(level.sections):
        at = where + ("sections", si)
        if isinstance(section, ExperienceSection):
            problems += _experience_problems(section, at, field)
            continue
        if isinstance(section.min, int) and section.min > len(section.items):
            problems.append((at + ("min",), f"min {section.min} is more than the "
                             f"{len(section.items)} items of {level.section_id(section.kind)}"))
        for ii, item in enumerate(section.items):
            item_at = at + ("items", ii)
            prefix = f"{level.section_id(section.kind)}."
            number = item.id[len(prefix):]
            if not item.id.startswith(prefix) or not number.isdigit() or number.startswith("0"):
                problems.append((item_at + ("id",), f"item id {item.id!r} must be "
                                 f"'{prefix}<n>' with n a whole number from 1"))
            if item.id in seen:
                problems.append((item_at + ("id",), f"duplicate item id {item.id!r}"))
            seen[item.id] = item_at
            if item.requires_complexity is not None:
                if section.kind != "size":
                    problems.append((item_at + ("requires_complexity",),
                                     "requires_complexity belongs on size options only"))
                elif complexity is None or item.requires_complexity > len(complexity.items):
                    count = 0 if complexity is None else len(complexity.items)
                    problems.append((item_at + ("requires_complexity",),
                                     f"requires {item.requires_complexity} complexity criteria "
                                     f"but {level.id} has {count}"))
    return problems


def _experience_problems(section: ExperienceSection, at: tuple,
                         field: FieldInfo | None) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    if field is not None and section.top_level > field.top_level:
        problems.append((at + ("top_level",), f"top_level {section.top_level} is above "
                         f"{field.id}'s top level {field.top_level}"))
    if section.other_level is not None and section.other_level > section.top_level:
        problems.append((at + ("other_level",), f"other_level {section.other_level} is above "
                         f"top_level {section.top_level}"))
    if section.per_component and field is not None and not field.components:
        problems.append((at + ("per_component",), f"{field.id} has no IT components "
                         "(set components: true on the field)"))
    return problems


def _describe(path: Path, data: Any, loc: tuple, message: str) -> str:
    """'file:line: key.path: message', the line found by walking the YAML nodes."""
    line = _line_of(data, loc)
    dotted = _dotted(loc)
    place = f"{path.name}:{line}" if line else path.name
    return f"{place}: {dotted}: {message}" if dotted else f"{place}: {message}"


def _dotted(loc: tuple) -> str:
    text = ""
    for previous, part in zip((None, *loc), loc, strict=False):
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(previous, int) and part in SECTION_KINDS:
            continue  # pydantic names the union branch by its tag: not a key of the file
        else:
            text += f".{part}" if text else str(part)
    return text


def _line_of(data: Any, loc: tuple) -> int | None:
    """1-based line of the deepest node of `loc` that exists in the file."""
    node, line = data, None
    for part in loc:
        try:
            if isinstance(node, dict) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
        except (AttributeError, KeyError, TypeError):
            break
    return line
