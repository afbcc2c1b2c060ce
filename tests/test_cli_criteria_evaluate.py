"""The `criteria` and `evaluate` commands, through the installed entry point's code."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.rule_table import RULE_BY_ID, minimal_answers


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def answers_file(tmp_path, name, flat, employee=None):
    path = tmp_path / name
    path.write_text(json.dumps({"employee": employee or {"id": name}, "answers": flat}))
    return path


def test_criteria_json_lists_every_level_and_item(run, criteria):
    result = run("criteria", "--format", "json")

    data = json.loads(result.output)
    assert result.exit_code == 0
    assert data["version"] == criteria.version
    assert [lv["id"] for lv in data["levels"]] == [lv.id for lv in criteria.levels]
    hardware_5 = data["levels"][0]
    assert (hardware_5["field"], hardware_5["level"], hardware_5["title"]) == (
        "hardware", 5, "Hardware Level 5")
    complexity = hardware_5["sections"][2]
    assert (complexity["id"], complexity["kind"]) == ("hardware.5.complexity", "complexity")
    assert complexity["items"][2] == {
        "id": "hardware.5.complexity.3",
        "text": "Leading-edge and not widely used or completely new technologies"}
    items = {i["id"]: i["text"] for lv in data["levels"] for s in lv["sections"]
             for i in s["items"]}
    assert items == {i: item.text for i, item in criteria.item_by_id.items()}


def test_criteria_csv_and_markdown(run, criteria):
    rows = list(csv.DictReader(io.StringIO(run("criteria", "--format", "csv").output)))
    assert len([r for r in rows if r["item_id"]]) == len(criteria.item_by_id)
    assert rows[0]["rule"] == "tick this"

    markdown = run("criteria", "--format", "markdown").output
    assert "## Facility management Level 6 (`facility.6`)" in markdown
    assert "- `facility.6.succession.7` Filing of a patent application" in markdown


def test_evaluate_json_keeps_the_order_of_paths(run, tmp_path):
    first = answers_file(tmp_path, "b.json", minimal_answers(RULE_BY_ID["hardware.4"]),
                         {"id": "E0042", "name": "佐藤 花子", "department": "East"})
    second = answers_file(tmp_path, "a.json", {})

    result = run("evaluate", "--json", str(first), str(second))

    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [d["source"] for d in data] == [str(first), str(second)]
    assert data[0]["employee"] == {"id": "E0042", "name": "佐藤 花子", "department": "East"}
    assert data[0]["levels"] == {"common": None, "hardware": 4, "software": None,
                                 "facility": None}
    assert data[0]["overall"] == 4
    assert data[0]["details"]["hardware.4"]["met"] is True
    assert data[0]["details"]["hardware.5"]["sections"]["complexity"] == {
        "met": False, "count": 0, "needed": 2, "summary": "complexity: 0 of 2 needed"}
    assert data[1]["overall"] is None


def test_evaluate_prints_a_table(run, tmp_path):
    path = answers_file(tmp_path, "e.json", minimal_answers(RULE_BY_ID["facility.3"]),
                        {"id": "E7", "name": "Kenji"})

    output = run("evaluate", str(path)).output

    assert f"{path}: E7 Kenji" in output
    assert "  Facility management          level 3   level 4 still needs:\n" in output
    assert "      complexity: tick 2 more (0 of 2 ticked)\n" in output
    assert "  Overall                      level 3" in output


def test_evaluate_shipped_example(run):
    from generator.criteria import default_path

    example = default_path().parent / "examples" / "answers-example.yaml"
    result = run("evaluate", "--json", str(example))

    assert json.loads(result.output)[0]["levels"] == {
        "common": 2, "hardware": 4, "software": None, "facility": None}


def test_bad_answers_file_is_one_message_and_exit_1(tmp_path):
    path = answers_file(tmp_path, "bad.json", {"hardware.5.experience.1.level": 9})

    result = CliRunner().invoke(main, ["evaluate", str(path)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"itss-workbook: {path}: 1 problem(s)\n")
    assert "answers.hardware.5.experience.1.level: level must be a whole number" in (
        result.stderr)


def test_broken_criteria_is_exit_1(tmp_path):
    path = tmp_path / "criteria.yaml"
    path.write_text("standard: x\n")

    result = CliRunner().invoke(main, ["--criteria", str(path), "criteria"])

    assert result.exit_code == 1
    assert "criteria.yaml: version: Field required" in result.stderr


@pytest.mark.parametrize("args", [["evaluate"], ["criteria", "--format", "pdf"],
                                  ["evaluate", "no-such-file.json"], ["frobnicate"]])
def test_bad_usage_is_exit_2(args):
    assert CliRunner().invoke(main, args).exit_code == 2


def test_a_bad_file_does_not_lose_the_good_ones(tmp_path):
    good = answers_file(tmp_path, "good.json", minimal_answers(RULE_BY_ID["common.1"]))
    bad = answers_file(tmp_path, "bad.json", {"common.1.themes.9": True})

    result = CliRunner().invoke(main, ["evaluate", "--json", str(bad), str(good)])

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data[0] == {"source": str(bad), "error": f"{bad}: 1 problem(s)\n  - "
                       "answers.common.1.themes.9: no such item in common.1 (criteria 2026.1)"}
    assert data[1]["levels"]["common"] == 1
    assert result.stderr.startswith(f"itss-workbook: {bad}: 1 problem(s)")


def test_an_unwritable_output_is_one_line_and_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")

    result = CliRunner().invoke(main, ["generate", "--out", str(blocker / "x.xlsx")])

    assert result.exit_code == 1
    assert result.stderr.startswith("itss-workbook: ")
    assert "Traceback" not in result.stderr


def test_evaluate_a_workbook_names_the_fields_it_does_not_hold(run, criteria, tmp_path):
    from generator import workbook
    from generator.roster import Employee

    path = tmp_path / "E1.xlsx"
    path.write_bytes(workbook.write_workbook(criteria, Employee(id="E1", fields=("facility",))))

    output = run("evaluate", str(path)).output

    assert "  Hardware                     -         not in this workbook\n" in output
    assert "  Facility management          none      level 3 still needs:\n" in output
