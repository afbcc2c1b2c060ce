"""The Excel functions of macros/itss_udfs.py, called as plain Python functions.

On Linux xlwings' decorators pass the functions through unchanged; tests/test_udfs_xlwings.py
runs the same functions through xlwings' Windows decorators and value conversion.
"""

from __future__ import annotations

from collections import OrderedDict

import pytest

from generator import udf_support
from tests.udf_cases import (
    ANSWER_SETS,
    engine,
    engine_table,
    excel_range,
    load_udf_module,
    random_answers,
)

FUNCTIONS = ("itss_levels", "itss_level", "itss_met", "itss_missing", "itss_version")


@pytest.fixture(scope="module")
def udfs():
    return load_udf_module()


@pytest.fixture(scope="module")
def sample_range(criteria):
    """A person meeting common 1-2 and hardware 3, as the workbook's range holds them."""
    return excel_range(criteria, random_answers(criteria, 0) | _meets_hardware_3())


def _meets_hardware_3() -> dict:
    return {
        "hardware.3.responsibility.1": True,
        "hardware.3.experience.1.component": "network",
        "hardware.3.experience.1.level": 3,
        "hardware.3.experience.1.completed": True,
        "hardware.3.complexity.1": True,
        "hardware.3.complexity.2": True,
        "hardware.3.size.1": True,
        "hardware.3.themes.1": True,
    }


def test_results_equal_the_engine_on_random_answer_sets(criteria, udfs):
    overall_levels = set()
    for seed in range(ANSWER_SETS):
        flat = random_answers(criteria, seed)
        expected = engine(criteria, flat)
        rows = excel_range(criteria, flat, blank=None if seed % 2 else "")

        assert udfs.itss_levels(rows) == engine_table(criteria, expected), seed
        for field in criteria.fields:
            assert udfs.itss_level(rows, field.id) == expected.fields[field.id].level, seed
        assert udfs.itss_level(rows, "overall") == expected.overall
        for level in criteria.levels:
            result = expected.levels[level.id]
            assert udfs.itss_met(rows, level.id) is result.met, (seed, level.id)
            assert udfs.itss_missing(rows, level.id) == "; ".join(result.missing)
        overall_levels.add(expected.overall)

    # The sets must reach a spread of results, or the comparison above proves little.
    assert None in overall_levels and len(overall_levels) >= 4


def test_a_met_level_misses_nothing_and_an_unmet_one_says_what(criteria, udfs, sample_range):
    assert udfs.itss_met(sample_range, "hardware.3") is True
    assert udfs.itss_missing(sample_range, "hardware.3") == ""
    assert udfs.itss_level(sample_range, "hardware") >= 3

    missing = udfs.itss_missing([("hardware.3.responsibility.1", True)], "hardware.3")
    expected = engine(criteria, {"hardware.3.responsibility.1": True}).levels["hardware.3"]
    assert missing == "; ".join(expected.missing)
    assert [part.split(":")[0] for part in missing.split("; ")] == [
        "experience",
        "complexity",
        "size",
        "themes",
    ]


def test_a_one_row_range_works(udfs):
    rows = [("common.1.responsibility.1", True)]

    assert udfs.itss_levels(rows) == [
        ["common", None],
        ["hardware", None],
        ["software", None],
        ["facility", None],
        ["overall", None],
    ]
    assert udfs.itss_met(rows, "common.1") is False
    assert udfs.itss_missing(rows, "common.1").startswith("experience: ")


def test_spreadsheet_values_are_taken(udfs):
    """Floats for numbers, TRUE/FALSE text, 1 and 0, None and "" for empty cells."""
    rows = (
        ("common.1.responsibility.1", "TRUE"),
        ("common.1.experience.1.engagement", 2024.0),
        ("common.1.experience.1.level", 1.0),
        ("common.1.experience.1.completed", 1),
        ("common.1.experience.1.evidence", ""),
        ("common.1.complexity.1", 1.0),
        ("common.1.complexity.2", None),
        ("common.1.themes.1", True),
        ("common.1.themes.2", "true"),
        ("common.1.themes.3", True),
        ("common.1.themes.4", "=TRUE()"),
    )

    assert udfs.itss_met(rows, "common.1") is True
    assert udfs.itss_level(rows, "common") == 1


def test_a_heading_row_and_blank_rows_are_skipped(udfs, sample_range):
    rows = (("key", "value"), *sample_range[:40], (None, None), ("", "stray"), *sample_range[40:])

    assert udfs.itss_levels(rows) == udfs.itss_levels(sample_range)


def test_only_the_first_row_may_be_a_heading(udfs, sample_range):
    rows = (*sample_range, ("key", "value"))

    assert udfs.itss_level(rows, "hardware") == (
        "ITSS error: 1 problem in the answers: key: unknown answer key; keys start with a "
        "level id such as hardware.5"
    )


def test_field_and_level_arguments_ignore_case_and_spaces(udfs, sample_range):
    assert udfs.itss_level(sample_range, " Hardware ") == udfs.itss_level(sample_range, "hardware")
    assert udfs.itss_met(sample_range, "HARDWARE.3") is True


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda f, r: f.itss_level(r, "hw"),
            'ITSS error: unknown field "hw"; use one of common, hardware, software, facility, '
            "overall",
        ),
        (
            lambda f, r: f.itss_level(r, 3.0),
            "ITSS error: unknown field 3; use one of common, hardware, software, facility, "
            "overall",
        ),
        (
            lambda f, r: f.itss_met(r, "hardware.6"),
            'ITSS error: unknown level "hardware.6"; use one of hardware.5, hardware.4, '
            "hardware.3, software.5, software.4, software.3, facility.6, facility.5, facility.4, "
            "facility.3, common.2, common.1",
        ),
        (
            lambda f, r: f.itss_missing(r, None),
            "ITSS error: no level given; use one of hardware.5, hardware.4, hardware.3, "
            "software.5, software.4, software.3, facility.6, facility.5, facility.4, "
            "facility.3, common.2, common.1",
        ),
        (
            lambda f, r: f.itss_levels([row + (None,) for row in r]),
            "ITSS error: the answers must be a range of two columns, answer key and value; this "
            "one has 3 columns",
        ),
        (
            lambda f, r: f.itss_levels([("hardware.5.complexity.1",)]),
            "ITSS error: the answers must be a range of two columns, answer key and value; this "
            "one has 1 column",
        ),
        (
            lambda f, r: f.itss_levels("hardware.5.complexity.1"),
            "ITSS error: the answers must be a range of two columns, answer key and value, not "
            'the single value "hardware.5.complexity.1"',
        ),
    ],
)
def test_bad_arguments_give_an_error_text(udfs, sample_range, call, message):
    assert call(udfs, sample_range) == message


def test_bad_answers_are_all_listed(udfs):
    rows = (
        ("hardware.3.themes.1", True),
        ("hardware.5.complexity.9", True),
        ("hardware.3.experience.2.level", 7.0),
        ("hardware.3.themes.1", "maybe"),
    )

    assert udfs.itss_levels(rows) == (
        "ITSS error: 3 problems in the answers: hardware.3.themes.1 (row 4): the key is "
        "listed twice, first in row 1; hardware.5.complexity.9: no such item in hardware.5 "
        "(criteria 2026.1); hardware.3.experience.2.level: level must be a whole number from "
        "1 to 5 (Hardware's top level), not 7"
    )


def test_error_values_are_named_not_taken(udfs):
    """Excel hands an error cell over as a negative code, or as text with err_to_str."""
    rows = (
        ("hardware.3.responsibility.1", -2146826246),
        ("hardware.3.experience.1.engagement", "#REF!"),
        (-2146826259, True),
        ("hardware.3.themes.1", True),
    )

    assert udfs.itss_met(rows, "hardware.3") == (
        "ITSS error: 3 problems in the answers: hardware.3.responsibility.1 (row 1): the "
        "value holds the error #N/A; fix the cell it comes from; "
        "hardware.3.experience.1.engagement (row 2): the value holds the error #REF!; fix the "
        "cell it comes from; row 3: the key cell holds the error #NAME?"
    )


def test_keys_that_are_not_text_are_problems(udfs):
    text = udfs.itss_levels([(3.0, True), (True, True)])

    assert text == (
        "ITSS error: 2 problems in the answers: row 1: 3 is not an answer key; keys are text "
        "such as hardware.5.complexity.1; row 2: TRUE is not an answer key; keys are text such "
        "as hardware.5.complexity.1"
    )


def test_long_lists_of_problems_are_cut_short(udfs):
    rows = [(f"hardware.5.complexity.{n}", True) for n in range(10, 16)]

    text = udfs.itss_levels(rows)

    assert text.startswith("ITSS error: 6 problems in the answers: hardware.5.complexity.10")
    assert text.endswith("; and 3 more")


def test_an_unexpected_failure_is_text_too(udfs, monkeypatch):
    def broken(criteria, answers):
        raise RuntimeError("boom")

    monkeypatch.setattr(udf_support.rules, "evaluate", broken)
    monkeypatch.setattr(udf_support, "_assessments", OrderedDict())

    assert udfs.itss_level([("hardware.3.themes.1", True)], "hardware") == (
        "ITSS error: unexpected RuntimeError: boom (a bug in itss-workbook; please report it)"
    )


def test_a_range_asked_about_again_is_assessed_once(criteria, udfs, monkeypatch):
    calls = []
    evaluate = udf_support.rules.evaluate
    monkeypatch.setattr(
        udf_support.rules, "evaluate", lambda *args: calls.append(1) or evaluate(*args)
    )
    rows = excel_range(criteria, random_answers(criteria, 7))

    results = [udfs.itss_met(rows, level.id) for level in criteria.levels]

    assert len(calls) == 1
    assert results == [
        engine(criteria, random_answers(criteria, 7)).levels[lv.id].met for lv in criteria.levels
    ]


def test_the_cache_tells_true_from_one(udfs):
    """TRUE and 1 are equal in Python but not the same answer: a level must be a number."""
    level_one = [("common.1.experience.1.level", 1.0)]
    level_true = [("common.1.experience.1.level", True)]

    assert udfs.itss_met(level_one, "common.1") is False
    assert udfs.itss_met(level_true, "common.1").startswith(
        "ITSS error: 1 problem in the answers: common.1.experience.1.level"
    )


def test_the_version_is_the_criteria_version(criteria, udfs):
    assert udfs.itss_version() == criteria.version


def test_itss_criteria_chooses_the_criteria_as_for_the_cli(criteria, udfs, tmp_path, monkeypatch):
    source = (udf_support.criteria_mod.default_path()).read_text(encoding="utf-8")
    edited = tmp_path / "criteria.yaml"
    edited.write_text(
        source.replace(f'version: "{criteria.version}"', 'version: "2099.9-hr"', 1),
        encoding="utf-8",
    )
    monkeypatch.setenv("ITSS_CRITERIA", str(edited))

    assert udfs.itss_version() == "2099.9-hr"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_descriptions_fit_excel_function_dialog(udfs, name):
    """Excel shows one paragraph of at most 255 characters per function."""
    doc = getattr(udfs, name).__doc__

    assert 20 < len(doc) <= udf_support.MAX_DESCRIPTION
    assert "\n" not in doc and "  " not in doc
    assert "Args" not in doc and "Returns" not in doc


def test_argument_descriptions_fit_excel_function_dialog(udfs):
    for doc in (udfs.ANSWERS_DOC, udfs.FIELD_DOC, udfs.LEVEL_DOC):
        assert 20 < len(doc) <= udf_support.MAX_DESCRIPTION
