"""Text no file can hold (undecodable bytes of a file name, control characters) is written
as a visible escape by the report, JSON and CSV writers alike; text that looks like the
report's own XML is written as text."""

from __future__ import annotations

import json
import os
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest

from generator import importer, report
from tests.import_corpus import answers_for, filled, person

#: A file name with a control character and a byte that is not UTF-8, as os.fsdecode gives it.
FILE_NAME = os.fsdecode(b"E0001 \x01\xff.xlsx")
SHOWN_NAME = "E0001 \\x01\\xff.xlsx"
ROSTER = {
    "E0001": {"employee_id": "E0001", "name": "社員\x01\udcff 1", "department": "<r>IT & Ops</r>"},
    "E0002": {"employee_id": "E0002", "name": "未提出\udcfe", "department": "Ops\x0b"},
}
SHOWN = {"E0001": ("社員\\x01\\xff 1", "<r>IT & Ops</r>"), "E0002": ("未提出\\xfe", "Ops\\x0b")}
#: A rejected file named as os.fsdecode gives it, surrogate and all, whatever the import's own
#: display of paths makes of it.
RAW_NAME = os.fsdecode(b"E0003 \xfe.xlsx")
SHOWN_RAW = "E0003 \\xfe.xlsx"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("田中 plain", "田中 plain"),
        ("tab\tnewline\ncarriage return\r", "tab\tnewline\ncarriage return\r"),
        ("E0001\udcff.xlsx", "E0001\\xff.xlsx"),
        ("\udc80", "\\x80"),
        ("\x00\x01\x08\x0b\x0c\x1f", "\\x00\\x01\\x08\\x0b\\x0c\\x1f"),
        ("lone \ud800", "lone \\ud800"),
        ("non-characters \ufffe\uffff", "non-characters \\ufffe\\uffff"),
        ("\x7f and \x85 are allowed", "\x7f and \x85 are allowed"),
    ],
)
def test_safe_text(text, shown):
    assert report.safe_text(text) == shown


@pytest.fixture(scope="module")
def result(criteria, tmp_path_factory):
    folder = tmp_path_factory.mktemp("returned")
    try:
        (folder / FILE_NAME).write_bytes(filled(criteria, person(1), answers_for("common.1")))
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only UTF-8 file names")
    imported = importer.import_paths(criteria, [folder], roster=ROSTER, jobs=1)
    raw = importer.FileResult(RAW_NAME, "rejected", [f"not a workbook: {RAW_NAME}"])
    return importer.ImportResult(criteria, [*imported.files, raw], ROSTER)


def test_the_report_is_well_formed_and_shows_the_escapes(result, tmp_path):
    path = tmp_path / "report.xlsx"
    report.write_xlsx(result, path)

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))  # expat takes only valid XML 1.0
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"_x00" in data for data in sheets)  # no control character left to Excel
    book = openpyxl.load_workbook(path)
    summary = {row[0]: row[1:3] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary == SHOWN
    dashboard = {cell.value for row in book["Dashboard"].iter_rows() for cell in row}
    assert "<r>IT & Ops</r>" in dashboard  # a department, in the mean level panel
    files = [row[:3] for row in book["Files"].iter_rows(min_row=2, values_only=True)]
    assert files[0][0].endswith(SHOWN_NAME)
    assert files[1] == (SHOWN_RAW, "rejected", f"not a workbook: {SHOWN_RAW}")


def test_json_shows_the_escapes(result, tmp_path):
    path = tmp_path / "results.json"
    report.write_json(result, path)

    imported, raw = json.loads(path.read_bytes().decode("utf-8"))["files"]
    assert imported["path"].endswith(SHOWN_NAME)
    assert (raw["path"], raw["reason"]) == (SHOWN_RAW, f"not a workbook: {SHOWN_RAW}")


def test_csv_shows_the_escapes(result, tmp_path):
    written = report.write_csv(result, tmp_path)

    texts = {p.stem: p.read_bytes().decode("utf-8-sig") for p in written}
    assert all("\x01" not in text and "\x0b" not in text for text in texts.values())
    for name, department in SHOWN.values():
        assert f"{name},{department}" in texts["summary"]
    assert f"{SHOWN_NAME}," in texts["files"]
    assert f"{SHOWN_RAW},rejected,not a workbook: {SHOWN_RAW}," in texts["files"]


def test_libreoffice_reads_the_same_text(result, tmp_path):
    from tests import soffice

    soffice.require_soffice()
    path = tmp_path / "report.xlsx"
    report.write_xlsx(result, path)
    [again] = soffice.convert([path], tmp_path / "lo", "xlsx")

    book = openpyxl.load_workbook(again)
    summary = {row[0]: row[1:3] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary == SHOWN


def test_a_long_text_is_cut_to_what_a_cell_holds(result, tmp_path):
    """Excel counts UTF-16 code units: an emoji takes two."""
    tables = result.tables()
    tables["summary"].loc[0, "name"] = "<r>" + "😀" * 20_000 + "</r>"
    report.write_xlsx(result, tmp_path / "report.xlsx", tables)

    name = openpyxl.load_workbook(tmp_path / "report.xlsx")["Summary"]["B2"].value
    assert name == "<r>" + "😀" * ((report.MAX_CELL_TEXT - 3) // 2)
