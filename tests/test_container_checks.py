"""The checks a returned file passes before any reader parses it (generator/container.py).

Every hostile file here is a generated workbook with zip members edited the way an attacker
or a damaged transfer would edit them.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from generator import container
from generator.errors import WorkbookError
from tests.import_corpus import rewrite, sheet_part

FAR = (
    "sheet 'HW L5' (xl/worksheets/sheet3.xml) reaches cell XFD1048576, far outside the area "
    "a workbook of ours uses (limit 2,000,000 cells from A1)"
)
ROW = b'<row r="1048576">'

#: Rows that put a cell at XFD1048576, spelled every way the native reader accepts.
FAR_ROWS = {
    "single quotes": ROW + b"<c r='XFD1048576'><v>1</v></c></row>",
    "spaces around =": ROW + b'<c r = "XFD1048576"><v>1</v></c></row>',
    "lower case": ROW + b'<c r="xfd1048576"><v>1</v></c></row>',
    "r not first": ROW + b'<c s="0" r="XFD1048576"><v>1</v></c></row>',
    "cells without r": ROW + b"<c><v>1</v></c>" * 16384 + b"</row>",
    "row without r": b'<row r="1048575"></row><row>' + b"<c><v>1</v></c>" * 16384 + b"</row>",
    "prefixed": b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
}


def with_sheet_rows(data: bytes, rows: bytes, sheet: str = "HW L5") -> bytes:
    def edit(raw: bytes) -> bytes:
        return raw.replace(b"</sheetData>", rows + b"</sheetData>")

    return rewrite(data, {sheet_part(data, sheet): edit})


def without(data: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info.filename, src.read(info))
    return out.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(WorkbookError) as caught:
        container.open_container(data)
    return str(caught.value)


@pytest.mark.parametrize("spelling", sorted(FAR_ROWS))
def test_a_far_cell_is_refused_however_it_is_spelled(blank_workbook, spelling):
    assert refused(with_sheet_rows(blank_workbook, FAR_ROWS[spelling])) == FAR


@pytest.mark.parametrize("spelling", ["single quotes", "cells without r"])
def test_evaluate_refuses_a_far_cell_instead_of_aborting(
    blank_workbook, tmp_path, spelling, cli_process
):
    path = tmp_path / "far.xlsx"
    path.write_bytes(with_sheet_rows(blank_workbook, FAR_ROWS[spelling]))
    done = cli_process("evaluate", path, timeout=120)
    assert done.returncode == 1, done.stderr
    assert FAR in done.stderr


@pytest.mark.parametrize(
    ("xml", "extent"),
    [
        (b'<row r="5"><c/><c/><c r="D5"/><c/></row>', (5, 5)),  # after D5 comes E5
        (b'<row r="3"></row><row><c/></row>', (4, 1)),  # a row without r follows the last
        (b"<row r='2'><c r='b2'/></row>", (2, 2)),
        (b'<x:row r="3"><x:c r="C3"/></x:row>', (3, 3)),
        (b'<row r="4"><c s="1" r="E4"/></row>', (4, 5)),
        (b'<row r="1"><c t="s" x="a r=\'Z9\'" r="A1"/></row>', (1, 1)),
        (b"<dimension ref='a1:c7'/><sheetData/>", (7, 3)),
    ],
)
def test_the_extent_follows_the_readers_placement(xml, extent):
    sheet = b"<worksheet><sheetData>" + xml + b"</sheetData></worksheet>"
    if xml.startswith(b"<dimension"):
        sheet = b"<worksheet>" + xml + b"</worksheet>"
    assert container.sheet_extent(sheet) == extent


def test_a_generated_workbook_is_measured_by_the_quick_path(blank_workbook):
    with zipfile.ZipFile(io.BytesIO(blank_workbook)) as archive:
        xml = archive.read(sheet_part(blank_workbook, "HW L5"))
    assert container.sheet_extent(xml, quick=True) == container.SMALL_SHEET
    rows, cols = container.sheet_extent(xml)
    assert rows < container.SMALL_SHEET[0] and cols < container.SMALL_SHEET[1]


def test_a_sheet_part_outside_the_worksheets_folder_is_measured(blank_workbook):
    """The reader follows workbook.xml's relationships, wherever they point."""
    data = with_sheet_rows(blank_workbook, FAR_ROWS["lower case"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                raw = raw.replace(b"worksheets/sheet3.xml", b"media/sheet3.bin")
            name = info.filename.replace("worksheets/sheet3.xml", "media/sheet3.bin")
            dst.writestr(name, raw)
    assert refused(out.getvalue()) == FAR.replace(
        "xl/worksheets/sheet3.xml", "xl/media/sheet3.bin"
    )


def test_sheets_within_their_own_limit_are_refused_together(blank_workbook):
    sheets = ["HW L5", "HW L4", "HW L3", "SW L5", "SW L4", "SW L3", "FM L6", "FM L5"]
    sheets += ["FM L4", "FM L3", "Common L2"]
    data = blank_workbook
    for sheet in sheets:  # 40 columns by 9,999 rows: 399,960 cells each
        data = with_sheet_rows(data, b'<row r="9999"><c r="AN9999"><v>1</v></c></row>', sheet)
    message = refused(data)
    assert re.fullmatch(
        r"the sheets together span 4,4\d\d,\d\d\d cells from A1, far more than a workbook of "
        r"ours uses \(limit 4,000,000 cells for all sheets\); the largest is sheet '[^']+' "
        r"\(xl/worksheets/sheet\d+\.xml\), to cell AN9999",
        message,
    ), message


def test_one_far_sheet_among_many_is_named_by_its_own_limit(blank_workbook):
    data = with_sheet_rows(blank_workbook, b'<row r="9999"><c r="ZZ9999"/></row>', "FM L3")
    assert refused(data) == (
        "sheet 'FM L3' (xl/worksheets/sheet12.xml) reaches cell ZZ9999, far outside the area "
        "a workbook of ours uses (limit 2,000,000 cells from A1)"
    )


DOCTYPE = b'<!DOCTYPE x [<!ENTITY e "e">]>'


@pytest.mark.parametrize(
    ("member", "before"),
    [
        ("xl/styles.xml", b""),
        ("[Content_Types].xml", b""),
        ("_rels/.rels", b""),
        ("xl/_rels/workbook.xml.rels", b""),
        ("docProps/app.xml", b""),
        ("xl/theme/theme1.xml", b""),
        ("xl/sharedStrings.xml", b"<!--" + b" " * 5000 + b"-->"),  # past the first 4 KB
    ],
)
def test_entities_are_refused_in_every_part(blank_workbook, member, before):
    def edit(raw: bytes) -> bytes:
        head, _, rest = raw.partition(b"?>")
        return head + b"?>" + before + DOCTYPE + rest

    assert refused(rewrite(blank_workbook, {member: edit})) == (
        f"{member} declares XML entities (<!DOCTYPE>/<!ENTITY>), which no spreadsheet "
        "program writes; refused"
    )


def _damaged(member: str, what: str) -> str:
    return f"truncated or damaged: {member} cannot be read, {what}; ask for the file again"


@pytest.mark.parametrize(
    "member", ["[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet3.xml"]
)
def test_a_missing_part_is_named(blank_workbook, member):
    what = "the part of sheet 'HW L5' is missing" if "sheet3" in member else "the part is missing"
    assert refused(without(blank_workbook, member)) == _damaged(member, what)


@pytest.mark.parametrize(
    ("member", "what"),
    [
        ("xl/workbook.xml", "it ends before its root element <workbook> is closed"),
        ("xl/styles.xml", "it is not well-formed XML ("),
        ("[Content_Types].xml", "it is not well-formed XML ("),
        ("xl/_rels/workbook.xml.rels", "it ends before its root element <Relationships> is"),
        ("xl/sharedStrings.xml", "it ends before its root element <sst> is closed"),
        ("xl/worksheets/sheet3.xml", "it ends before its root element <worksheet> is closed"),
    ],
)
def test_a_cut_short_part_is_named(blank_workbook, member, what):
    message = refused(rewrite(blank_workbook, {member: lambda raw: raw[: len(raw) * 2 // 3]}))
    assert message.startswith(f"truncated or damaged: {member} cannot be read, {what}")
    assert message.endswith("; ask for the file again")


def test_a_sheet_with_a_tag_left_open_is_named(blank_workbook):
    data = with_sheet_rows(blank_workbook, b"<row><c><v>1</v></row>")
    assert refused(data).startswith(
        "truncated or damaged: xl/worksheets/sheet3.xml cannot be read, it is not well-formed "
        "XML (mismatched tag: line "
    )


def test_a_malformed_workbook_part_is_named(blank_workbook):
    data = rewrite(blank_workbook, {"xl/workbook.xml": lambda raw: raw.replace(b"</sheets>", b"")})
    assert refused(data).startswith(
        "truncated or damaged: xl/workbook.xml cannot be read, it is not well-formed XML "
        "(mismatched tag: line "
    )


def test_utf16_parts_are_refused(blank_workbook):
    def edit(raw: bytes) -> bytes:
        return raw.decode().replace("UTF-8", "UTF-16").encode("utf-16")

    assert refused(rewrite(blank_workbook, {"xl/styles.xml": edit})) == (
        "xl/styles.xml is not UTF-8 XML, which every spreadsheet program writes"
    )


def test_the_generated_workbook_passes(blank_workbook):
    checked = container.open_container(blank_workbook)
    assert checked.kind == "xlsx"
    assert checked.workbook_xml.startswith(b"<?xml")
