"""criteria.yaml: the shipped copy of the standard, and the refusal of broken copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import criteria as criteria_mod
from generator.errors import CriteriaError
from tests.rule_table import RULES

SHIPPED = criteria_mod.default_path()


def test_twelve_levels_in_the_standards_order(criteria):
    assert [lv.id for lv in criteria.levels] == [
        "hardware.5", "hardware.4", "hardware.3", "software.5", "software.4", "software.3",
        "facility.6", "facility.5", "facility.4", "facility.3", "common.2", "common.1"]
    assert {f.id: f.levels for f in criteria.fields} == {
        "common": [1, 2], "hardware": [3, 4, 5], "software": [3, 4, 5],
        "facility": [3, 4, 5, 6]}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.level_id)
def test_sections_items_and_numbers_match_the_standard(criteria, rule):
    level = criteria.level_by_id[rule.level_id]
    kinds = ["responsibility", "experience", "complexity"]
    kinds += ["size"] if rule.size_items else []
    kinds += ["themes"] + (["succession", "subordinates"] if rule.succession else [])

    assert [s.kind for s in level.sections] == kinds
    assert len(level.section("complexity").items) == rule.complexity_items
    assert level.section("complexity").needed == rule.complexity
    assert len(level.section("themes").items) == rule.themes_items
    assert level.section("themes").needed == rule.themes
    experience = level.experience
    assert (experience.count, experience.top_level, experience.floor_level) == rule.experience
    assert experience.per_component is rule.per_component
    if rule.size_items:
        size = level.section("size")
        assert len(size.items) == rule.size_items
        assert [i.requires_complexity for i in size.items][1:] == [rule.size_threshold][
            : rule.size_items - 1]
    if rule.succession:
        assert len(level.section("succession").items) == 7
        assert level.section("succession").needed == rule.succession


def test_item_ids_follow_field_level_section_n(criteria):
    for level in criteria.levels:
        for section in level.sections:
            numbers = [item.id.rsplit(".", 1)[1] for item in section.items]
            assert [i.id.rsplit(".", 1)[0] for i in section.items] == [
                f"{level.id}.{section.kind}"] * len(numbers)
            assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert len(criteria.item_by_id) == 188


@pytest.mark.parametrize(("item_id", "text"), [
    ("hardware.5.complexity.3", "Leading-edge and not widely used or completely new technologies"),
    ("facility.6.succession.7", "Filing of a patent application"),
    ("common.1.themes.4", "Software products"),
    ("software.4.responsibility.1", "In phases of design, development, operation, and "
     "maintenance of project, acts as a responsible person of software service."),
    ("hardware.4.size.1", "assigned to service team that covers wide service area, and provides "
     "service to specific industries"),
    ("facility.5.size.1", "Manages and operates subsidiary facilities of 3 to 4 computer rooms "
     "from 2000 but less than 5,000 square meters of space, or manages and operates subsidiary "
     "facilities of medium-scale network from 100 but less than 300 installation sites."),
    ("software.4.themes.3", "Prepare the system in the assigned team"),
    ("facility.3.themes.1", "Basic knowledge concerning to facilities management, architecture, "
     "electricity, machinery, generic cabling system, etc."),
])
def test_texts_are_quoted_from_the_standard(criteria, item_id, text):
    assert criteria.item_by_id[item_id].text == text


def test_typos_of_the_standard_are_kept(criteria):
    size = criteria.level_by_id["hardware.5"].section("size")
    assert "in the complication of installation" in size.description
    succession = criteria.level_by_id["software.5"].section("succession")
    assert "hardware technology succession" in succession.description
    assert succession.note


def test_ambiguous_rules_carry_a_note(criteria):
    facility_4 = criteria.level_by_id["facility.4"].experience
    assert "Level 5 or equivalent" in facility_4.description
    assert "as written" in facility_4.note
    for level_id in ("common.1", "common.2"):
        assert "all of them" in criteria.level_by_id[level_id].section("themes").note
    assert "regardless of its size" in criteria.level_by_id["common.2"].description


# --- broken copies ---------------------------------------------------------------------


def broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path = tmp_path / "criteria.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if fragment in line)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(CriteriaError) as caught:
        criteria_mod.load(path)
    return caught.value.problems


def test_duplicate_item_id_is_refused_with_its_line(tmp_path):
    path = broken(tmp_path, "id: hardware.5.complexity.2\n", "id: hardware.5.complexity.1\n")

    second = line_of(path, "id: hardware.5.complexity.1") + 2
    assert problems_of(path) == [
        f"criteria.yaml:{second}: levels[0].sections[2].items[1].id: "
        "duplicate item id 'hardware.5.complexity.1'"]


def test_minimum_above_the_item_count_is_refused(tmp_path):
    path = broken(tmp_path, "        min: 3\n", "        min: 9\n")

    [problem] = problems_of(path)
    assert problem == (f"criteria.yaml:{line_of(path, 'min: 9')}: levels[0].sections[5].min: "
                       "min 9 is more than the 7 items of hardware.5.succession")


def test_unknown_section_kind_is_refused(tmp_path):
    path = broken(tmp_path, "kind: themes", "kind: topics")

    [problem] = problems_of(path)
    assert problem.startswith(f"criteria.yaml:{line_of(path, 'kind: topics')}: "
                              "levels[0].sections[4]")
    assert "'topics'" in problem
    assert "themes" in problem


def test_missing_text_is_refused(tmp_path):
    path = broken(tmp_path, "            text: Multi-vendor system environment\n", "")

    [problem] = problems_of(path)
    assert problem == (f"criteria.yaml:{line_of(path, 'id: hardware.5.complexity.2')}: "
                       "levels[0].sections[2].items[1].text: Field required")


def test_every_problem_is_reported_at_once(tmp_path):
    path = broken(tmp_path, "        min: 3\n", "        min: 9\n")
    path.write_text(path.read_text().replace("field: software", "field: sofware", 1))

    problems = problems_of(path)
    assert len(problems) == 2
    assert any("unknown field 'sofware'" in p for p in problems)


def test_wrong_type_names_the_key(tmp_path):
    path = broken(tmp_path, "count: 3", "count: three")

    [problem] = problems_of(path)
    assert problem.startswith(f"criteria.yaml:{line_of(path, 'count: three')}: "
                              "levels[0].sections[1].count: ")


def test_not_yaml_is_refused(tmp_path):
    path = tmp_path / "criteria.yaml"
    path.write_text("levels: [unclosed\n")

    with pytest.raises(CriteriaError, match="is not valid YAML"):
        criteria_mod.load(path)


def test_a_fixed_number_is_taken(tmp_path):
    path = broken(tmp_path, "top_level: 5\n        other_level: 4\n",
                  "top_level: 4\n        other_level: 3\n")

    edited = criteria_mod.load(path)
    assert edited.level_by_id["hardware.5"].experience.top_level == 4
    assert edited.sha256 != criteria_mod.load().sha256
