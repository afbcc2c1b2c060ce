"""The rules engine against an independent reading of the standard (tests/rule_table.py)."""

from __future__ import annotations

import pytest

from generator import answers, rules
from tests.rule_table import RULE_BY_ID, RULES, Rule, experience_row, minimal_answers


def assess(criteria, flat):
    parsed, problems = answers.parse(criteria, flat)
    assert problems == []
    return rules.evaluate(criteria, parsed)


def without(flat: dict, *keys: str) -> dict:
    return {k: v for k, v in flat.items() if k not in keys}


def broken_variants(rule: Rule) -> list[tuple[str, str, dict]]:
    """(requirement, how, answers) for each way of breaking one requirement of `rule`."""
    lid, flat = rule.level_id, minimal_answers(rule)
    count, top, floor = rule.experience
    variants = [
        ("responsibility", "unticked", without(flat, f"{lid}.responsibility.1")),
        ("complexity", "one too few", without(flat, f"{lid}.complexity.{rule.complexity}")),
        ("themes", "one too few", without(flat, f"{lid}.themes.{rule.themes}")),
        ("experience", "not completed",
         {**flat, f"{lid}.experience.1.completed": False}),
        ("experience", "no level", without(flat, f"{lid}.experience.1.level")),
    ]
    if top > 1:
        variants.append(("experience", "best engagement one level too low",
                         {**flat, f"{lid}.experience.1.level": top - 1}))
    if count > 1:
        variants.append(("experience", "one engagement too few",
                         without(flat, *experience_row(rule, count, floor))))
        if floor > 1:
            variants.append(("experience", "another engagement one level too low",
                             {**flat, f"{lid}.experience.{count}.level": floor - 1}))
    if rule.per_component:
        variants.append(("experience", "no component",
                         without(flat, f"{lid}.experience.1.component")))
    if rule.size_items:
        variants.append(("size", "unticked", without(flat, f"{lid}.size.1")))
    if rule.succession:
        variants.append(("succession", "one too few",
                         without(flat, f"{lid}.succession.{rule.succession}")))
        variants.append(("subordinates", "unticked", without(flat, f"{lid}.subordinates.1")))
    return variants


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.level_id)
def test_minimal_answers_meet_the_level(criteria, rule):
    result = assess(criteria, minimal_answers(rule))

    assert result.levels[rule.level_id].met
    assert result.levels[rule.level_id].missing == []
    assert result.fields[rule.field].level == int(rule.level_id.split(".")[1])


@pytest.mark.parametrize(
    ("rule", "requirement", "how", "flat"),
    [(r, req, how, flat) for r in RULES for req, how, flat in broken_variants(r)],
    ids=lambda v: v.level_id if isinstance(v, Rule) else (v if isinstance(v, str) else ""),
)
def test_breaking_one_requirement_fails_the_level(criteria, rule, requirement, how, flat):
    result = assess(criteria, flat).levels[rule.level_id]

    assert not result.met, how
    assert len(result.missing) == 1
    assert result.missing[0].startswith(f"{requirement}: ")


@pytest.mark.parametrize("level_id", ["hardware.5", "hardware.4", "software.5", "software.4",
                                      "facility.6", "facility.5", "facility.4"])
@pytest.mark.parametrize("below", [False, True], ids=["at threshold", "just below"])
def test_size_option_2_counts_only_with_enough_complexity(criteria, level_id, below):
    rule = RULE_BY_ID[level_id]
    flat = without(minimal_answers(rule), f"{level_id}.size.1") | {f"{level_id}.size.2": True}
    ticks = rule.size_threshold - (1 if below else 0)
    flat |= {f"{level_id}.complexity.{n}": True for n in range(1, ticks + 1)}
    flat = {k: v for k, v in flat.items()
            if not (".complexity." in k and int(k.rsplit(".", 1)[1]) > ticks)}

    result = assess(criteria, flat).levels[level_id]

    assert result.met is (not below)
    assert result.section("size").met is (not below)
    if below:
        assert f"{rule.size_threshold} or more complexity criteria" in result.missing[0]


def test_facility_4_needs_an_engagement_at_level_5_as_written(criteria):
    rule = RULE_BY_ID["facility.4"]
    flat = minimal_answers(rule)
    assert flat["facility.4.experience.1.level"] == 5

    assert assess(criteria, flat).levels["facility.4"].met
    at_own_level = {**flat, "facility.4.experience.1.level": 4}
    assert not assess(criteria, at_own_level).levels["facility.4"].met
    above = {**flat, "facility.4.experience.1.level": 6, "facility.4.experience.2.level": 6}
    assert assess(criteria, above).levels["facility.4"].met


@pytest.mark.parametrize("level_id", ["common.1", "common.2"])
def test_common_levels_need_every_theme(criteria, level_id):
    flat = minimal_answers(RULE_BY_ID[level_id])
    assert assess(criteria, flat).levels[level_id].met

    for n in range(1, 5):
        result = assess(criteria, without(flat, f"{level_id}.themes.{n}")).levels[level_id]
        assert not result.met
        assert result.missing == ["themes: tick all 4 (3 of 4 ticked)"]


@pytest.mark.parametrize("level_id", ["hardware.5", "software.5", "hardware.4"])
def test_experience_split_across_components_does_not_count(criteria, level_id):
    rule = RULE_BY_ID[level_id]
    flat = minimal_answers(rule)
    split = {**flat, f"{level_id}.experience.2.component": "storage"}

    result = assess(criteria, split).levels[level_id]

    assert not result.met
    assert result.missing[0].startswith("experience: ")
    assert "in one IT component" in result.missing[0]
    moved_all = {k: ("storage" if k.endswith(".component") else v) for k, v in flat.items()}
    assert assess(criteria, moved_all).levels[level_id].met


def test_facility_experience_counts_over_all_rows(criteria):
    flat = minimal_answers(RULE_BY_ID["facility.6"])
    assert assess(criteria, flat).levels["facility.6"].met
    assert answers.parse(criteria, {"facility.6.experience.1.component": "network"})[1]


def test_field_level_is_the_highest_met_level_and_gaps_are_reported(criteria):
    flat = minimal_answers(RULE_BY_ID["hardware.5"]) | minimal_answers(RULE_BY_ID["common.2"])

    result = assess(criteria, flat)

    assert result.fields["hardware"].level == 5
    assert result.fields["common"].level == 2
    assert result.overall == 5
    assert result.fields["hardware"].notes == ("hardware.5 is met while hardware.3, "
                                               "hardware.4 are not",)
    assert result.fields["common"].notes == ("common.2 is met while common.1 is not",)
    assert result.fields["software"].level is None
    assert result.fields["software"].next_level == 3


def test_next_level_needs_are_the_next_levels_missing_phrases(criteria):
    flat = minimal_answers(RULE_BY_ID["software.3"])
    flat |= {"software.4.complexity.1": True, "software.4.responsibility.1": True}

    result = assess(criteria, flat)

    software = result.fields["software"]
    assert (software.level, software.next_level) == (3, 4)
    assert list(software.next_needs) == result.levels["software.4"].missing
    assert "complexity: tick 1 more (1 of 2 ticked)" in software.next_needs
    assert not any(n.startswith("responsibility") for n in software.next_needs)


def test_top_level_reached_has_no_next_level(criteria):
    result = assess(criteria, minimal_answers(RULE_BY_ID["facility.6"]))

    assert result.fields["facility"].next_level is None
    assert result.fields["facility"].next_needs == ()


def test_no_answers_meets_nothing(criteria):
    result = assess(criteria, {})

    assert result.overall is None
    assert all(not lv.met for lv in result.levels.values())
    assert result.levels["hardware.5"].section("complexity").summary == (
        "complexity: 0 of 2 needed")
