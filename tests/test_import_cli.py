"""`itss-workbook import`: exit codes, the summary line, --quiet, --roster, --json, --csv."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.roster import Employee
from tests.import_corpus import answers_for, filled, person


@pytest.fixture
def returned(criteria, tmp_path):
    """A folder of three returned workbooks, nothing wrong with them."""
    folder = tmp_path / "returned"
    folder.mkdir()
    for n in (1, 2, 3):
        flat = answers_for("common.1", "hardware.3") if n != 3 else {}
        (folder / f"E{n:04d}.xlsx").write_bytes(filled(criteria, person(n), flat))
    return folder


def run(*args: str):
    return CliRunner().invoke(main, ["import", *args], catch_exceptions=False)


def test_all_ok_exits_0_with_one_summary_line(returned, tmp_path):
    report = tmp_path / "report.xlsx"
    done = run(str(returned), "--report", str(report), "--workers", "1")
    assert done.exit_code == 0, done.output
    assert done.stdout == ""
    last = done.stderr.strip().splitlines()[-1].split("\r")[-1].strip()
    assert last == (
        f"3 files: 3 ok, 0 warning, 0 rejected, 0 superseded; 3 employees imported -> {report}"
    )
    assert report.read_bytes().startswith(b"PK")


def test_quiet_prints_nothing(returned, tmp_path):
    done = run(str(returned), "--report", str(tmp_path / "r.xlsx"), "--quiet")
    assert done.exit_code == 0
    assert done.stdout == "" and done.stderr == ""


def test_some_rejected_exits_3_and_writes_everything(returned, tmp_path):
    (returned / "broken.xlsx").write_bytes(b"\x00" * 10)
    report, results, tables = tmp_path / "r.xlsx", tmp_path / "r.json", tmp_path / "tables"
    done = run(
        str(returned), "--report", str(report), "--json", str(results), "--csv", str(tables), "-q"
    )
    assert done.exit_code == 3
    files = json.loads(results.read_text(encoding="utf-8"))["files"]
    assert [f["status"] for f in files] == ["ok", "ok", "ok", "rejected"]
    assert files[3]["reason"] == "not a workbook: the file is not a zip (.xlsx, .xlsm, .ods)"
    assert sorted(p.name for p in tables.iterdir()) == [
        "files.csv",
        "gaps.csv",
        "items.csv",
        "summary.csv",
    ]
    assert report.is_file()


def test_nothing_importable_exits_1(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xlsx").write_bytes(b"")
    done = run(str(tmp_path / "in"), "--report", str(tmp_path / "r.xlsx"), "-q")
    assert done.exit_code == 1
    assert (tmp_path / "r.xlsx").is_file()  # the Files sheet says why


def test_an_empty_folder_exits_1_with_a_message(tmp_path):
    done = run(str(tmp_path), "--report", str(tmp_path / "r.xlsx"), "-q")
    assert done.exit_code == 1
    assert done.stderr == f"itss-workbook: no files found in {tmp_path}\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--report", "r.xlsx"],  # no PATH
        ["missing-folder", "--report", "r.xlsx"],
        [".", "--report", "r.xlsx", "--workers", "0"],
        ["."],  # no --report
    ],
)
def test_bad_usage_exits_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(*args).exit_code == 2


def test_roster_flags_strangers_and_lists_who_sent_nothing(criteria, returned, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_id,name,department\nE0001,社員 1,Field Service East\n"
        "E0002,Someone Else,Field Service East\nE0099,未提出,Ops\n",
        encoding="utf-8-sig",
    )
    results = tmp_path / "r.json"
    csv_dir = tmp_path / "csv"
    done = run(
        str(returned),
        "--report",
        str(tmp_path / "r.xlsx"),
        "--roster",
        str(roster),
        "--json",
        str(results),
        "--csv",
        str(csv_dir),
        "-q",
    )
    assert done.exit_code == 0, done.output
    files = {f["employee_id"]: f for f in json.loads(results.read_text())["files"]}
    assert files["E0001"]["status"] == "ok"
    assert files["E0002"]["reason"] == "name '社員 2' differs from the roster's 'Someone Else'"
    assert files["E0003"]["reason"] == "employee E0003 is not on the roster"
    summary = (csv_dir / "summary.csv").read_text(encoding="utf-8-sig")
    assert "E0099,未提出,Ops,,,,,,not returned," in summary


def test_duplicates_are_superseded_not_merged(criteria, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    employee = Employee(id="E0500", name="Twice")
    (folder / "first.xlsx").write_bytes(filled(criteria, employee, answers_for("hardware.3")))
    (folder / "second.xlsx").write_bytes(filled(criteria, employee, {}))
    import os

    os.utime(folder / "first.xlsx", (1_700_000_000, 1_700_000_000))  # 2023: older
    results = tmp_path / "r.json"
    done = run(str(folder), "--report", str(tmp_path / "r.xlsx"), "--json", str(results), "-q")
    assert done.exit_code == 0
    files = json.loads(results.read_text())["files"]
    assert [f["status"] for f in files] == ["superseded", "ok"]
    assert files[0]["reason"].startswith(f"superseded by {folder / 'second.xlsx'}")
    assert files[0]["levels"]["hardware"] == 3 and files[1]["levels"]["hardware"] is None


def test_evaluate_takes_a_workbook(criteria, tmp_path):
    path = tmp_path / "E0042.xlsx"
    path.write_bytes(filled(criteria, person(42), answers_for("common.1", "hardware.3")))
    done = CliRunner().invoke(main, ["evaluate", "--json", str(path)])
    assert done.exit_code == 0, done.output
    [out] = json.loads(done.stdout)
    assert out["employee"]["id"] == "E0042"
    assert out["levels"] == {"common": 1, "hardware": 3, "software": None, "facility": None}


def test_a_workbook_renamed_to_zip_is_one_file(criteria, tmp_path):
    path = tmp_path / "E0077.zip"
    path.write_bytes(filled(criteria, person(77), answers_for("hardware.3")))
    results = tmp_path / "r.json"
    done = run(str(path), "--report", str(tmp_path / "r.xlsx"), "--json", str(results), "-q")
    assert done.exit_code == 0
    [only] = json.loads(results.read_text())["files"]
    assert (only["path"], only["status"], only["levels"]["hardware"]) == (str(path), "ok", 3)


def test_a_shift_jis_roster_keeps_its_japanese_names(criteria, returned, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        "employee_id,name\nE0001,社員 1\nE0002,社員 2\nE0003,社員 3\n".encode("cp932")
    )
    results = tmp_path / "r.json"
    for extra in ([], ["--encoding", "cp932"]):
        done = run(
            str(returned),
            "--report",
            str(tmp_path / "r.xlsx"),
            "--roster",
            str(roster),
            "--json",
            str(results),
            "-q",
            *extra,
        )
        assert done.exit_code == 0, done.output
        assert {f["status"] for f in json.loads(results.read_text())["files"]} == {"ok"}


@pytest.mark.parametrize("option", ["--report", "--json"])
def test_an_output_in_a_missing_folder_is_refused_before_reading(returned, tmp_path, option):
    target = tmp_path / "no-such-folder" / "out.xlsx"
    args = {"--report": str(tmp_path / "r.xlsx"), option: str(target)}
    done = run(str(returned), *(x for pair in args.items() for x in pair), "-q")
    assert done.exit_code == 2
    assert f"the folder {target.parent} does not exist" in done.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_a_report_not_named_xlsx_is_refused(returned, tmp_path):
    done = run(str(returned), "--report", str(tmp_path / "r.csv"), "-q")

    assert done.exit_code == 2
    assert "r.csv must end in .xlsx: the report is an Excel workbook" in done.stderr


def test_the_report_and_other_files_in_the_folder_are_not_inputs(returned, tmp_path):
    (returned / "notes.txt").write_text("chased E0003 on Monday")
    report = returned / "report.xlsx"
    first = run(str(returned), "--report", str(report), "-q")
    assert first.exit_code == 0, first.output

    again = run(str(returned), "--report", str(report))

    assert again.exit_code == 0, again.output
    assert "1 other file(s) skipped (not spreadsheets)" in again.stderr
