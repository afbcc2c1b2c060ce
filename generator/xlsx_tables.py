"""Add Excel table objects to a workbook that XlsxWriter streamed in constant_memory mode.

XlsxWriter cannot add tables in that mode (and its add_table keeps a dict entry per cell of
the table, which is what the mode is there to avoid). A table is a small part of its own,
so it is added afterwards at the file-format level: the table part, a relationship from the
sheet, a content type, and a <tableParts> element at the end of the sheet's XML. The sheets
are copied in chunks, so memory stays flat however long they are.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from xlsxwriter.utility import xl_range

#: Bytes read at a time when a sheet is copied.
CHUNK = 1024 * 1024
_END = b"</worksheet>"
_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Table:
    """A table over a sheet's header row and `rows` data rows, from A1."""

    sheet: int  # 1 for xl/worksheets/sheet1.xml
    name: str
    columns: Sequence[str]
    rows: int

    @property
    def ref(self) -> str:
        return xl_range(0, 0, max(self.rows, 1), len(self.columns) - 1)


def add_tables(source: Path, target: Path, tables: Sequence[Table]) -> None:
    """Copy the workbook at `source` to `target` with `tables` added."""
    by_part = {f"xl/worksheets/sheet{t.sheet}.xml": (n, t) for n, t in enumerate(tables, 1)}
    with (
        zipfile.ZipFile(source) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst,
    ):
        names = set(src.namelist())
        for info in src.infolist():
            if info.filename == "[Content_Types].xml":
                dst.writestr(info.filename, _content_types(src.read(info), len(tables)))
            elif info.filename in by_part:
                _copy(src, dst, info, _table_parts())
            else:
                _copy(src, dst, info)
        for part, (number, table) in by_part.items():
            rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels in names:
                raise ValueError(f"{part} already has relationships; tables go on plain sheets")
            dst.writestr(rels, _sheet_rels(number))
            dst.writestr(f"xl/tables/table{number}.xml", _table_xml(number, table))


def _copy(
    src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo, before_end: bytes = b""
) -> None:
    """Copy one member in chunks, inserting `before_end` before the closing </worksheet>."""
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = zipfile.ZIP_DEFLATED
    with src.open(info) as fin, dst.open(out, "w", force_zip64=True) as fout:
        held = b""
        while chunk := fin.read(CHUNK):
            data = held + chunk
            held, data = data[-len(_END) :], data[: -len(_END)]
            fout.write(data)
        if before_end:
            if held != _END:
                raise ValueError(f"{info.filename} does not end with {_END.decode()}")
            held = before_end + held
        fout.write(held)


def _table_parts() -> bytes:
    return b'<tableParts count="1"><tablePart r:id="rId1"/></tableParts>'


def _sheet_rels(number: int) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL_TYPE}" Target="../tables/table{number}.xml"/>'
        "</Relationships>"
    )


def _content_types(xml: bytes, count: int) -> bytes:
    overrides = "".join(
        f'<Override PartName="/xl/tables/table{n}.xml" ContentType="{_TABLE_TYPE}"/>'
        for n in range(1, count + 1)
    )
    return xml.replace(b"</Types>", overrides.encode() + b"</Types>")


def _table_xml(number: int, table: Table) -> str:
    columns = "".join(
        f'<tableColumn id="{n}" name={quoteattr(c)}/>' for n, c in enumerate(table.columns, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{_MAIN_NS}" id="{number}" name="{escape(table.name)}" '
        f'displayName="{escape(table.name)}" ref="{table.ref}" totalsRowShown="0">'
        f'<autoFilter ref="{table.ref}"/>'
        f'<tableColumns count="{len(table.columns)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleLight9" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    )
