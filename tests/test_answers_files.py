"""Answers files (JSON, YAML): what is taken, and the messages for what is not."""

from __future__ import annotations

import json

import pytest

from generator import answers
from generator.errors import AnswersError


def write(tmp_path, data, suffix=".json"):
    path = tmp_path / f"answers{suffix}"
    text = json.dumps(data) if suffix == ".json" else data
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path, criteria, flat) -> list[str]:
    path = write(tmp_path, {"employee": {"id": "E1"}, "answers": flat})
    with pytest.raises(AnswersError) as caught:
        answers.load_file(path, criteria)
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_a_yaml_file_is_read(tmp_path, criteria):
    path = write(tmp_path, "employee: {id: '0042', name: 佐藤 花子}\nanswers:\n"
                 "  hardware.5.complexity.1: true\n"
                 "  hardware.5.experience.2.component: network\n"
                 "  hardware.5.experience.2.level: 5\n"
                 "  hardware.5.experience.2.completed: true\n"
                 "  hardware.5.complexity.1.evidence: Tokyo DC, 2025\n", ".yaml")

    loaded = answers.load_file(path, criteria)

    assert loaded.employee == {"id": "0042", "name": "佐藤 花子"}
    assert loaded.answers.ticks == {"hardware.5.complexity.1": True}
    assert loaded.answers.evidence == {"hardware.5.complexity.1": "Tokyo DC, 2025"}
    [row] = loaded.answers.rows("hardware.5")
    assert (row.row, row.component, row.level, row.completed) == (2, "network", 5, True)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("hardware.5.complexity.9", True, "no such item in hardware.5 (criteria 2026.1)"),
    ("hardware.9.complexity.1", True,
     "unknown answer key; keys start with a level id such as hardware.5"),
    ("hardware.5.complexity.1", "yes", "a tick must be true or false, not 'yes'"),
    ("hardware.5.complexity.1", 1, "a tick must be true or false, not 1"),
    ("hardware.5.experience.1.level", 9,
     "level must be a whole number from 1 to 5 (Hardware's top level), not 9"),
    ("common.1.experience.1.level", 3,
     "level must be a whole number from 1 to 2 (Common to Customer Service's top level), "
     "not 3"),
    ("hardware.5.experience.1.level", "5",
     "level must be a whole number from 1 to 5 (Hardware's top level), not '5'"),
    ("hardware.5.experience.1.component", "toaster",
     "unknown IT component 'toaster'; use one of general-purpose processor, "
     "medium-sized processor, PC, storage, network, other"),
    ("facility.5.experience.1.component", "network",
     "Facility management engagements have no IT component"),
    ("hardware.5.experience.1.colour", "red",
     "unknown experience attribute 'colour'; use one of engagement, component, level, "
     "completed, evidence"),
    ("hardware.5.experience.0.level", 5, "experience rows are numbered from 1"),
    ("hardware.5.experience.1.completed", "done", "completed must be true or false, not 'done'"),
])
def test_bad_answers_are_named_by_key(tmp_path, criteria, key, value, message):
    assert problems(tmp_path, criteria, {key: value}) == [f"answers.{key}: {message}"]


def test_every_problem_is_listed(tmp_path, criteria):
    found = problems(tmp_path, criteria, {"hardware.5.complexity.1": "x",
                                          "hardware.5.experience.1.level": 0,
                                          "hardware.5.complexity.2": True})
    assert len(found) == 2


def test_unknown_top_level_and_employee_keys(tmp_path, criteria):
    path = write(tmp_path, {"employee": {"id": "E1", "age": 40}, "answer": {}})

    with pytest.raises(AnswersError) as caught:
        answers.load_file(path, criteria)

    assert caught.value.problems == [
        "unknown top-level keys ['answer']; use employee and answers",
        "employee.age: unknown; use id, name, department, manager, email"]


@pytest.mark.parametrize(("text", "suffix", "message"), [
    ("{not json", ".json", "is not valid JSON"),
    ("[1, 2]", ".json", "must be a mapping with 'employee' and 'answers'"),
    ("a: [b", ".yaml", "is not valid YAML"),
])
def test_unreadable_files(tmp_path, criteria, text, suffix, message):
    path = tmp_path / f"answers{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnswersError, match=message):
        answers.load_file(path, criteria)


def test_lenient_parsing_takes_what_spreadsheets_write(criteria):
    parsed, found = answers.parse(criteria, {
        "hardware.5.complexity.1": "TRUE", "hardware.5.complexity.2": "=TRUE()",
        "hardware.5.complexity.3": 1.0, "hardware.5.complexity.4": "false",
        "hardware.5.experience.1.level": 4.0, "hardware.5.experience.1.component": "Network",
        "hardware.5.experience.1.completed": 1, "hardware.5.experience.2.level": None,
    }, strict=False)

    assert found == []
    assert parsed.ticks == {"hardware.5.complexity.1": True, "hardware.5.complexity.2": True,
                            "hardware.5.complexity.3": True, "hardware.5.complexity.4": False}
    assert parsed.rows("hardware.5") == [answers.ExperienceRow(
        row=1, component="network", level=4, completed=True)]


def test_flat_round_trip(criteria, tmp_path):
    flat = {"software.4.themes.2": True, "software.4.themes.2.evidence": "Runbook",
            "software.4.experience.3.engagement": "ERP upgrade",
            "software.4.experience.3.component": "PC", "software.4.experience.3.level": 4,
            "software.4.experience.3.completed": True}
    parsed, _ = answers.parse(criteria, flat)
    assert answers.to_flat(parsed) == flat
