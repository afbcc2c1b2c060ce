"""The `generate` and `demo` commands: files written, errors as one message, prefill."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from generator import answers, layout
from generator.cli import main

ROSTER = (
    "employee_id,name,department,manager,email,fields\n"
    "0042,Sato Hanako,Field,Ito,sato@example.com,hardware\n"
    "0043,CON,Field,Ito,con@example.com,\n"
    "0044,Sato Hanako,HQ,,,software;facility\n"
)


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def sheet_names(path) -> list[str]:
    return openpyxl.load_workbook(path, read_only=True).sheetnames


def meta_of(path) -> dict:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.META_SHEET)
    return {r[0]: r[1] for r in rows.to_python()}


def test_one_blank_workbook(run, tmp_path):
    out = tmp_path / "itss.xlsx"
    result = run("generate", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 1 workbook(s) to {out}\n"
    assert len(sheet_names(out)) == 16
    assert meta_of(out)["employee_id"] == ""


def test_blank_workbook_with_fields(run, tmp_path):
    out = tmp_path / "hw.xlsx"
    assert run("generate", "--out", out, "--fields", "HW").exit_code == 0
    assert [n for n in sheet_names(out) if " L" in n] == [
        "HW L5",
        "HW L4",
        "HW L3",
        "Common L2",
        "Common L1",
    ]
    result = run("generate", "--out", out, "--fields", "toaster")
    assert result.exit_code == 2 and "unknown field(s) 'toaster'" in result.output


def test_roster_one_workbook_each(run, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="cp932")
    out = tmp_path / "out"
    result = run("generate", "--roster", roster, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 3 workbook(s) to {out}/\n"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["0042_Sato Hanako.xlsx", "0043_CON.xlsx", "0044_Sato Hanako.xlsx"]
    meta = meta_of(out / "0042_Sato Hanako.xlsx")
    assert (meta["employee_id"], meta["name"], meta["fields"]) == (
        "0042",
        "Sato Hanako",
        "common;hardware",
    )
    assert meta_of(out / "0044_Sato Hanako.xlsx")["fields"] == "common;software;facility"
    assert len(sheet_names(out / "0043_CON.xlsx")) == 16


def test_bad_roster_is_one_message(run, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER + ",Nobody,,,,\n0042,Twin,,,,\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["generate", "--roster", str(roster), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"itss-workbook: {roster}: 2 bad row(s); nothing was "
        "generated\n  - line 5: no employee_id\n  - line 6: "
        "duplicate employee_id '0042' (first on line 2)"
    )
    assert not (tmp_path / "out").exists()


def test_usage_errors(run, tmp_path):
    assert run("generate", "--out", tmp_path / "dir").exit_code == 2
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    assert run("generate", "--roster", roster, "--out", tmp_path / "a.xlsx").exit_code == 2


def test_prefill_carries_answers_and_lists_the_lost(run, tmp_path, criteria):
    earlier = {
        "hardware.5.complexity.1": True,
        "hardware.5.complexity.1.evidence": "memo",
        "hardware.5.experience.2.level": 5,
        "hardware.5.complexity.42": True,
        "software.3.themes.1": True,
    }
    prefill = tmp_path / "last.json"
    prefill.write_text(json.dumps({"employee": {"id": "0042"}, "answers": earlier}))
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["generate", "--roster", str(roster), "--out", str(out), "--prefill", str(prefill), "-q"],
    )
    assert result.exit_code == 0, result.output
    assert "3 earlier answer(s) carried" in result.stdout
    assert "0042: 2 earlier answer(s) not carried:" in result.stderr
    assert "hardware.5.complexity.42: no such item in hardware.5" in result.stderr
    assert "software.3.themes.1: not in this workbook" in result.stderr

    data = (out / "0042_Sato Hanako.xlsx").read_bytes()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("HW L5")
    cells = layout.input_cells(criteria, criteria.level_by_id["hardware.5"])
    values = rows.to_python()
    for key in (
        "hardware.5.complexity.1",
        "hardware.5.complexity.1.evidence",
        "hardware.5.experience.2.level",
    ):
        row, col = cells[key]
        assert values[row][col] == earlier[key]
    untouched = (out / "0043_CON.xlsx").read_bytes()
    assert b"memo" not in untouched


def test_prefill_from_a_returned_workbook(run, tmp_path, criteria):
    first = tmp_path / "first.xlsx"
    earlier = {"common.1.responsibility.1": True}
    prefill = tmp_path / "a.yaml"
    prefill.write_text("answers:\n  common.1.responsibility.1: true\n")
    assert run("generate", "--out", first, "--prefill", prefill).exit_code == 0
    second = tmp_path / "second.xlsx"
    result = run("generate", "--out", second, "--prefill", first)
    assert "1 earlier answer(s) carried" in result.output
    from generator import reader

    read = reader.read_answers_file(criteria, second)
    assert answers.to_flat(read.answers) == earlier


def test_demo(run, tmp_path):
    result = run("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert "4 files: 4 ok" in result.output
    lines = result.output.splitlines()
    assert lines[-4].split() == ["E0042", "Hanako", "Sato", "2", "4", "-", "-", "4"]
    assert lines[-1].split() == ["E0450", "Kenji", "Ito", "2", "5", "-", "-", "5"]
    assert (tmp_path / "demo" / "report.xlsx").is_file()
    assert len(list((tmp_path / "demo" / "returned").glob("*.xlsx"))) == 4


def test_prefill_from_the_import_report(run, tmp_path):
    """The next cycle: the import's JSON report names the returned files to carry from."""
    demo = tmp_path / "demo"
    assert run("demo", "--out", demo).exit_code == 0
    report = tmp_path / "results.json"
    imported = run(
        "import", demo / "returned", "--report", tmp_path / "r.xlsx", "--json", report, "--quiet"
    )
    assert imported.exit_code == 0, imported.output
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,name\nE0042,Hanako Sato\nE9999,New Person\n")
    out = tmp_path / "next"
    result = CliRunner().invoke(
        main,
        ["generate", "--roster", str(roster), "--out", str(out), "--prefill", str(report), "-q"],
    )
    assert result.exit_code == 0, result.output
    assert "prefill: answers of 3 employee(s) not in the roster were not used" in result.stderr
    evaluated = run(
        "evaluate", "--json", out / "E0042_Hanako Sato.xlsx", out / "E9999_New Person.xlsx"
    )
    levels = [person["levels"] for person in json.loads(evaluated.output)]
    assert levels[0] == {"common": 2, "hardware": 4, "software": None, "facility": None}
    assert levels[1] == {"common": None, "hardware": None, "software": None, "facility": None}


def test_prefill_from_a_report_of_workbooks_in_a_zip(run, tmp_path, criteria):
    import zipfile

    earlier = tmp_path / "a.yaml"
    earlier.write_text("employee: {id: E1}\nanswers:\n  common.1.responsibility.1: true\n")
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,name\nE1,Aiko\n")
    assert run("generate", "--roster", roster, "--out", tmp_path / "g", "--prefill",
               earlier, "-q").exit_code == 0
    [made] = (tmp_path / "g").glob("*.xlsx")
    with zipfile.ZipFile(tmp_path / "late.zip", "w") as zf:
        zf.write(made, "team/E1.xlsx")
    report = tmp_path / "results.json"
    assert run("import", tmp_path / "late.zip", "--report", tmp_path / "r.xlsx",
               "--json", report, "-q").exit_code == 0

    result = run("generate", "--roster", roster, "--out", tmp_path / "next", "--prefill",
                 report, "-q")

    assert result.exit_code == 0, result.output
    assert "1 earlier answer(s) carried" in result.output


def test_several_prefill_files_are_merged(run, tmp_path):
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text("employee: {id: E1}\nanswers:\n  common.1.responsibility.1: true\n")
    two.write_text("employee: {id: E2}\nanswers:\n  common.1.complexity.1: true\n"
                   "  common.1.complexity.2: true\n")
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,name\nE1,Aiko\nE2,Ken\n")

    result = run("generate", "--roster", roster, "--out", tmp_path / "out", "--prefill", one,
                 "--prefill", two, "-q")

    assert result.exit_code == 0, result.output
    assert "3 earlier answer(s) carried" in result.output


def test_a_prefill_workbook_that_cannot_be_read_is_named_not_fatal(criteria, tmp_path):
    from generator import prefill, workbook
    from generator.roster import Employee

    good, broken = tmp_path / "good.xlsx", tmp_path / "broken.xlsx"
    good.write_bytes(workbook.write_workbook(criteria, Employee(id="E1")))
    broken.write_bytes(b"PK\x03\x04 cut short")
    report = tmp_path / "results.json"
    report.write_text(json.dumps({"files": [
        {"path": str(broken), "status": "ok", "employee_id": "E2"},
        {"path": str(good), "status": "ok", "employee_id": "E1"}]}))

    loaded = prefill.load_prefill(criteria, report)

    assert list(loaded.by_employee) == ["E1"]
    assert loaded.notes[0].startswith(f"{broken}: not carried: truncated or damaged")
