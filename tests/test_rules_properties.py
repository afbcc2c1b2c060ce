"""Properties of the engine over random answer sets (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import answers, rules
from generator import criteria as criteria_mod

CRITERIA = criteria_mod.load()
ITEM_IDS = sorted(CRITERIA.item_by_id)
LEVEL_IDS = [lv.id for lv in CRITERIA.levels]


@st.composite
def experience_rows(draw):
    """Flat keys of a few engagements on random levels."""
    flat = {}
    for row in range(1, draw(st.integers(0, 6)) + 1):
        level = CRITERIA.level_by_id[draw(st.sampled_from(LEVEL_IDS))]
        field = CRITERIA.field_by_id[level.field]
        prefix = f"{level.id}.experience.{row}"
        flat[f"{prefix}.level"] = draw(st.integers(1, field.top_level))
        flat[f"{prefix}.completed"] = draw(st.booleans())
        if field.components and draw(st.booleans()):
            flat[f"{prefix}.component"] = draw(st.sampled_from(CRITERIA.components[:3]))
    return flat


@st.composite
def answer_sets(draw):
    ticked = draw(st.sets(st.sampled_from(ITEM_IDS)))
    return {item_id: True for item_id in ticked} | draw(experience_rows())


def levels(flat: dict) -> tuple:
    parsed, problems = answers.parse(CRITERIA, flat)
    assert problems == []
    result = rules.evaluate(CRITERIA, parsed)
    met = tuple(result.levels[lid].met for lid in LEVEL_IDS)
    return met, tuple(result.fields[f.id].level or 0 for f in CRITERIA.fields), result


def assert_not_lower(before: dict, after: dict) -> None:
    met_before, fields_before, result_before = levels(before)
    met_after, fields_after, result_after = levels(after)
    assert all(a or not b for b, a in zip(met_before, met_after, strict=True))
    assert all(a >= b for b, a in zip(fields_before, fields_after, strict=True))
    assert (result_after.overall or 0) >= (result_before.overall or 0)


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(answer_sets(), st.sampled_from(ITEM_IDS))
def test_one_more_tick_never_lowers_a_level(flat, item_id):
    assert_not_lower(flat, {**flat, item_id: True})


@SETTINGS
@given(answer_sets(), st.sampled_from(LEVEL_IDS), st.integers(1, 6),
       st.sampled_from(CRITERIA.components))
def test_one_more_completed_engagement_never_lowers_a_level(flat, level_id, level, component):
    target = CRITERIA.level_by_id[level_id]
    field = CRITERIA.field_by_id[target.field]
    prefix = f"{level_id}.experience.99"
    extra = {f"{prefix}.level": min(level, field.top_level), f"{prefix}.completed": True}
    if field.components:
        extra[f"{prefix}.component"] = component

    assert_not_lower(flat, flat | extra)


@SETTINGS
@given(answer_sets())
def test_completing_an_existing_engagement_never_lowers_a_level(flat):
    completed = {k: (True if k.endswith(".completed") else v) for k, v in flat.items()}
    assert_not_lower(flat, completed)


@SETTINGS
@given(answer_sets())
def test_evaluation_is_deterministic(flat):
    first, again = levels(flat)[2], levels(dict(reversed(list(flat.items()))))[2]
    assert first == again
