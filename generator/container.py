"""What a returned file is, and whether it is safe to hand to a spreadsheet reader.

The fast readers are native code: a zip bomb costs them seconds and hundreds of megabytes,
and one cell at XFD1048576 makes them abort the whole process (an allocation failure no
Python ``except`` catches). So everything here looks only at the zip directory and at the
raw XML of the parts, before any reader sees the file: entity declarations in any part,
missing or cut-short parts, and the area each sheet and all of them together span. Each
check raises `WorkbookError` with a reason a person can act on; the importer turns it into
a rejected file.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.parsers import expat

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from generator.errors import WorkbookError

#: Larger than any workbook of ours could be (a generated one is under 100 KB).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Zip members: a workbook has a few dozen.
MAX_MEMBERS = 2_000
#: Sum of the members' inflated sizes, as the zip directory declares them.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
#: One member inflated.
MAX_MEMBER_BYTES = 32 * 1024 * 1024
#: Inflated over compressed size; sheet XML of ours deflates about 10:1, bombs 1000:1.
MAX_RATIO = 100
#: The ratio check applies to members that inflate beyond this.
RATIO_FLOOR_BYTES = 1024 * 1024
#: Excel: 1,048,576 rows and 16,384 (XFD) columns. The readers allocate the rectangle
#: from A1 to the farthest cell, so the area is bounded, not the address.
MAX_SHEET_CELLS = 2_000_000

#: All sheets' rectangles together: the reader holds every sheet of a workbook at once.
#: A generated workbook's sheets span a few thousand cells.
MAX_BOOK_CELLS = 4_000_000
#: Rows 1-999, columns A-Z: what a sheet without a reference beyond Z999 is counted as, so
#: that most sheets need one search, not a measurement (154 of them fit the budget).
SMALL_SHEET = (999, 26)
#: XML parts up to this size are parsed whole to prove they are well-formed; larger ones
#: are only checked to end with their root element's end tag.
WELL_FORMED_PARSE_BYTES = 16 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: The stream an encrypted ("password to open") OOXML file keeps in its OLE container.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
#: Parts an xlsx cannot be read without.
_REQUIRED_XLSX = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
#: Parts besides the sheets that the readers parse: a damaged one is named.
_READ_PARTS = {
    *_REQUIRED_XLSX,
    "_rels/.rels",
    "xl/styles.xml",
    "xl/sharedStrings.xml",
    "content.xml",
    "meta.xml",
}
#: Read parts that `_sheet_parts` parses whole anyway.
_PARSED_LATER = set(_REQUIRED_XLSX[1:])

# XML as the native reader reads it: attributes in either quotes with spaces around "=",
# references in any case. An attribute is matched whole, so an r inside another
# attribute's value is not taken for one. Patterns that start with a literal search fast.
_ATTR = rb"""\s+[^\s=<>/]+\s*=\s*(?:"[^"]*"|'[^']*')"""
_REF = rb"""\s*=\s*(["'])([A-Za-z]*)([0-9]+)\1"""
# The first r of each <c> and <row> start tag.
_CELL = re.compile(rb"<c(?:" + _ATTR + rb")*?\s+r" + _REF)
_ROW = re.compile(rb"<row(?:" + _ATTR + rb")*?\s+r" + _REF)
# A <c> or <row> start tag without an r attribute holding a reference.
_CELL_WITHOUT_REF = re.compile(rb"<c(?=[\s/>])(?!(?:" + _ATTR + rb")*?\s+r" + _REF + rb")")
_ROW_WITHOUT_REF = re.compile(rb"<row(?=[\s/>])(?!(?:" + _ATTR + rb")*?\s+r" + _REF + rb")")
#: A <c> or <row> start tag whose first attribute is not r="...", as programs write it.
_UNUSUAL_TAG = re.compile(rb'<(?:c|row)(?:[/>\t\r\n]| (?!r="))')
#: A reference so spelled beyond Z999.
_FAR_HINT = re.compile(rb'r="(?:[A-Za-z]{2,}[0-9]|[A-Za-z]?[0-9]{4})')
_DIMENSION = re.compile(
    rb"<dimension(?:"
    + _ATTR
    + rb""")*?\s+ref\s*=\s*(["'])(?:[A-Za-z]*[0-9]+:)?([A-Za-z]*)([0-9]+)\1"""
)
#: A `<x:c>`, `<x:row>` or `<x:dimension>`: the reader takes any prefix; the patterns don't.
_PREFIXED = re.compile(rb":(?:c|row|dimension)[\s/>]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
#: A reference as expat hands it over (text): letters, if any, then the row.
_REF_TEXT = re.compile(r"([A-Za-z]*)([0-9]+)")
_ROOT_TAG = re.compile(rb"<([^\s<>/!?]+)")
_CORE_NS = {
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}


@dataclass(frozen=True)
class Container:
    """A workbook file that passed the checks: its bytes, kind and saved time."""

    data: bytes
    kind: str  # "xlsx" or "ods"
    saved_at: datetime | None
    #: The raw text of xl/workbook.xml (xlsx only), for its defined names.
    workbook_xml: bytes | None
    #: Sheet parts holding error values (t="e", as Excel and LibreOffice write them), which
    #: the reader sees as blank cells: part name -> XML (xlsx only; usually none).
    error_sheets: dict[str, bytes] = field(default_factory=dict)


def open_container(data: bytes) -> Container:
    """Check `data` is a workbook zip that is safe to parse.

    Raises:
        WorkbookError: empty, too large, encrypted, not a zip, truncated, a zip bomb,
            entity declarations, a part missing or damaged, a cell far outside the sheet's
            area, or sheets spanning too many cells together.
    """
    _check_magic(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError(
            f"truncated or damaged: the zip directory cannot be read ({exc})"
        ) from None

    with archive:
        infos = archive.infolist()
        _check_directory(infos)
        names = {info.filename for info in infos}
        kind = _kind(archive, names)
        parts = _xml_parts(archive, infos)
        if kind == "xlsx":
            _check_sheets(archive, parts, names)
        saved_at = _saved_at(parts, kind)
    if kind != "xlsx":
        return Container(data=data, kind=kind, saved_at=saved_at, workbook_xml=None)
    errors = {name: xml for name, xml in parts.items()
              if _is_worksheet(name) and (b't="e"' in xml or b"t='e'" in xml)}
    return Container(data=data, kind=kind, saved_at=saved_at,
                     workbook_xml=parts.get("xl/workbook.xml"), error_sheets=errors)


def _check_magic(data: bytes) -> None:
    if not data:
        raise WorkbookError("empty file (0 bytes)")
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(
            f"{len(data):,} bytes is more than any workbook of ours (limit {MAX_FILE_BYTES:,})"
        )
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTION_INFO in data:
            raise WorkbookError(
                "password-protected (encrypted): ask the sender to remove "
                "the password to open, then send it again"
            )
        raise WorkbookError(
            "an old Excel 97-2003 (.xls) or other OLE file, not a workbook "
            "of ours: open it and save it as .xlsx"
        )
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookError("not a workbook: the file is not a zip (.xlsx, .xlsm, .ods)")


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise WorkbookError(f"the zip holds {len(infos):,} members (limit {MAX_MEMBERS:,})")
    total = sum(info.file_size for info in infos)
    if total > MAX_INFLATED_BYTES:
        raise WorkbookError(
            f"zip bomb: inflates to {total:,} bytes (limit {MAX_INFLATED_BYTES:,})"
        )
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise WorkbookError(
                f"zip bomb: {info.filename} inflates to {info.file_size:,} "
                f"bytes (limit {MAX_MEMBER_BYTES:,})"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise WorkbookError(
                f"zip bomb: {info.filename} inflates {ratio:,.0f} times (limit {MAX_RATIO})"
            )


def _kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and _read(archive, "mimetype").strip() == ODS_MIMETYPE:
        return "ods"
    if "EncryptedPackage" in names or "[Content_Types].xml" not in names:
        raise WorkbookError("not a workbook: a zip without a spreadsheet in it")
    raise WorkbookError("not a spreadsheet: an Office file without xl/workbook.xml")


def _xml_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Every XML member inflated, each checked to be UTF-8, entity-free and whole."""
    parts = {}
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels")):
            parts[info.filename] = _read(archive, info.filename)
            _check_xml_part(info.filename, parts[info.filename])
    return parts


def _check_xml_part(name: str, xml: bytes) -> None:
    # UTF-16 would hide every tag from the byte patterns below; no spreadsheet writes it.
    if b"\x00" in xml[:256]:
        raise WorkbookError(f"{name} is not UTF-8 XML, which every spreadsheet program writes")
    if _DTD.search(xml):
        raise WorkbookError(
            f"{name} declares XML entities (<!DOCTYPE>/<!ENTITY>), "
            "which no spreadsheet program writes; refused"
        )
    if name not in _READ_PARTS and not _is_worksheet(name):
        return
    if name not in _PARSED_LATER and name in _READ_PARTS and len(xml) <= WELL_FORMED_PARSE_BYTES:
        parser = expat.ParserCreate()
        try:
            parser.Parse(xml, True)
        except expat.ExpatError as exc:
            raise _damaged(name, f"it is not well-formed XML ({exc})") from None
    else:
        _check_closed(name, xml)


def _check_closed(name: str, xml: bytes) -> None:
    """A cut-short part, cheaply: it must end with its root element's end tag."""
    root = _ROOT_TAG.search(xml)
    if root is None:
        raise _damaged(name, "it holds no XML element")
    tail = xml[-len(root[1]) - 64 :].rstrip()
    closed = re.search(rb"</" + re.escape(root[1]) + rb"\s*>$", tail)
    if not (closed or tail.endswith((b"/>", b"-->"))):
        raise _damaged(name, f"it ends before its root element <{root[1].decode()}> is closed")


def _damaged(name: str, what: str) -> WorkbookError:
    return WorkbookError(
        f"truncated or damaged: {name} cannot be read, {what}; ask for the file again"
    )


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _check_sheets(archive: zipfile.ZipFile, parts: dict[str, bytes], names: set[str]) -> None:
    """Each sheet's rectangle from A1 to its farthest cell, and all of them together."""
    for required in _REQUIRED_XLSX:
        if required not in names:
            raise _damaged(required, "the part is missing")
    sheets = _sheet_parts(parts, names)
    for member in set(sheets) - set(parts):  # a sheet part not named .xml is read all the same
        parts[member] = _read(archive, member)
        _check_xml_part(member, parts[member])

    members = sorted(set(sheets) | {n for n in parts if _is_worksheet(n)})
    quick = len(members) * SMALL_SHEET[0] * SMALL_SHEET[1] <= MAX_BOOK_CELLS
    total, largest = _measure_sheets(parts, sheets, members, quick)
    if total > MAX_BOOK_CELLS:
        where, rows, cols = largest
        raise WorkbookError(
            f"the sheets together span {total:,} cells from A1, far more than a workbook of "
            f"ours uses (limit {MAX_BOOK_CELLS:,} cells for all sheets); the largest is "
            f"{where}, to cell {cell_name(rows, cols)}"
        )


def _measure_sheets(
    parts: dict[str, bytes], sheets: dict[str, str], members: list[str], quick: bool
) -> tuple[int, tuple[str, int, int]]:
    """The sheets' total area and the largest (where, rows, columns); too large a sheet
    raises. With `quick` the total is an upper bound, measured exactly once over budget."""
    total, largest = 0, ("", 0, 0)
    for name in members:
        try:
            rows, cols = sheet_extent(parts[name], quick)
        except expat.ExpatError as exc:
            raise _damaged(name, f"it is not well-formed XML ({exc})") from None
        where = f"sheet '{sheets[name]}' ({name})" if name in sheets else name
        if rows * cols > MAX_SHEET_CELLS:
            raise WorkbookError(
                f"{where} reaches cell {cell_name(rows, cols)}, far outside the area a "
                f"workbook of ours uses (limit {MAX_SHEET_CELLS:,} cells from A1)"
            )
        total += rows * cols
        largest = max(largest, (where, rows, cols), key=lambda item: item[1] * item[2])
    if quick and total > MAX_BOOK_CELLS:
        return _measure_sheets(parts, sheets, members, quick=False)
    return total, largest


def far_cell(xml: bytes) -> str | None:
    """The farthest cell of a sheet's XML when the rectangle from A1 to it is too large.

    That rectangle is what a reader allocates; the `<dimension>` a file claims counts too.
    """
    rows, cols = sheet_extent(xml)
    return cell_name(rows, cols) if rows * cols > MAX_SHEET_CELLS else None


def sheet_extent(xml: bytes, quick: bool = False) -> tuple[int, int]:
    """The farthest row and column (1-based) a reader places a cell of this sheet in.

    When every `<row>` and `<c>` names its position, the positions are found by pattern;
    a cell or row without one is placed after the previous (as OOXML and the readers
    do), which only a parse of the whole sheet can follow. With `quick`, a sheet with no
    reference beyond Z999 (most sheets) is taken to reach Z999, found by one search.

    Raises:
        xml.parsers.expat.ExpatError: that parse found the sheet not well-formed.
    """
    if _PREFIXED.search(xml):
        return _walk_positions(xml)
    if quick and not _UNUSUAL_TAG.search(xml) and _within_small_sheet(xml):
        return SMALL_SHEET
    if _CELL_WITHOUT_REF.search(xml) or _ROW_WITHOUT_REF.search(xml):
        return _walk_positions(xml)

    refs = _CELL.findall(xml) + _ROW.findall(xml) + _dimensions(xml)
    if not refs:
        return 0, 0
    _, letters, digits = zip(*refs, strict=True)
    far_row = max(map(int, set(digits)))
    far_col = max(map(column_number, {col.upper() for col in set(letters)}))
    return far_row, far_col


def _within_small_sheet(xml: bytes) -> bool:
    """No reference beyond Z999, when every one is spelled r="..." (as programs write)."""
    if _FAR_HINT.search(xml):
        return False
    return all(int(row) <= SMALL_SHEET[0] and len(col) <= 1 for _, col, row in _dimensions(xml))


def _dimensions(xml: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """The `<dimension>` references, which come before the cells."""
    head = xml.find(b"<sheetData")
    return _DIMENSION.findall(xml, 0, head if head >= 0 else len(xml))


class _Positions:
    """Expat handlers that follow the implicit row and column of each `<row>` and `<c>`."""

    def __init__(self) -> None:
        self.row, self.col = 1, 1  # where the next row and cell without `r` go
        self.far_row, self.far_col = 0, 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            self.row = _position(attrs.get("r"), self.row, 0)[0]
            self.far_row = max(self.far_row, self.row)
        elif local == "c":
            row, self.col = _position(attrs.get("r"), self.row, self.col)
            self.far_row, self.far_col = max(self.far_row, row), max(self.far_col, self.col)
        elif local == "dimension":
            for corner in attrs.get("ref", "").split(":"):
                row, col = _position(corner, 0, 0)
                self.far_row, self.far_col = max(self.far_row, row), max(self.far_col, col)

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            self.row, self.col = self.row + 1, 1
        elif local == "c":
            self.col += 1


def _walk_positions(xml: bytes) -> tuple[int, int]:
    positions = _Positions()
    parser = expat.ParserCreate()
    parser.StartElementHandler = positions.start
    parser.EndElementHandler = positions.end
    parser.Parse(xml, True)
    return positions.far_row, positions.far_col


def _position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """The (row, column) `ref` names, its row alone if it has no letters; else (row, col)."""
    match = _REF_TEXT.fullmatch(ref or "")
    if not match:
        return row, col
    if match[1]:
        col = column_number(match[1].upper())
    return int(match[2]), col


def cell_name(row: int, col: int) -> str:
    """A cell's name in A1 style: XFD1048576 for row 1,048,576, column 16,384."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _sheet_parts(parts: dict[str, bytes], names: set[str]) -> dict[str, str]:
    """Zip member -> sheet name, from xl/workbook.xml and its relationships; each there."""
    book = _parse(parts, "xl/workbook.xml")
    rels = _parse(parts, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets = {}
    # By local name, as the reader goes: strict OOXML has other namespaces.
    for sheet in (e for e in book.iter() if _local(e.tag) == "sheet"):
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        name = sheet.get("name", "")
        if rel_id not in targets:
            raise _damaged(
                "xl/_rels/workbook.xml.rels", f"it has no relationship {rel_id} for sheet '{name}'"
            )
        member = "xl/" + targets[rel_id].lstrip("/").removeprefix("xl/")
        if member not in names:
            raise _damaged(member, f"the part of sheet '{name}' is missing")
        sheets[member] = name
    return sheets


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip member -> sheet name, from xl/workbook.xml and its relationships; {} if unclear."""
    try:
        parts = {name: _read(archive, name) for name in _REQUIRED_XLSX[1:]}
        return _sheet_parts(parts, set(archive.namelist()))
    except (DefusedXmlException, WorkbookError, KeyError):
        return {}


def _parse(parts: dict[str, bytes], name: str):
    try:
        return safe_et.fromstring(parts[name])
    except safe_et.ParseError as exc:
        raise _damaged(name, f"it is not well-formed XML ({exc})") from None


def column_number(letters: bytes | str) -> int:
    """1 for A, 27 for AA, 16384 for XFD."""
    if isinstance(letters, bytes):
        letters = letters.decode()
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise WorkbookError(f"truncated or damaged: {name} cannot be inflated ({exc})") from None


def _saved_at(parts: dict[str, bytes], kind: str) -> datetime | None:
    """When the workbook was last saved, from its document properties, if it says."""
    member, path = (
        ("docProps/core.xml", "dcterms:modified")
        if kind == "xlsx"
        else ("meta.xml", "office:meta/dc:date")
    )
    if member not in parts:
        return None
    try:
        root = safe_et.fromstring(parts[member])
    except DefusedXmlException as exc:
        raise WorkbookError(
            f"{member}: XML entity tricks refused ({type(exc).__name__})"
        ) from None
    except safe_et.ParseError:
        return None
    node = root.find(path, _CORE_NS)
    return parse_time(node.text) if node is not None and node.text else None


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time as document properties write it; naive times taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
