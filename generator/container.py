"""What a returned file is, and whether it is safe to hand to a spreadsheet reader.

The fast readers are native code: a zip bomb costs them seconds and hundreds of megabytes,
and one cell at XFD1048576 makes them abort the whole process (an allocation failure no
Python ``except`` catches). So everything here looks only at the zip directory and at the
raw sheet XML, before any reader sees the file. Each check raises `WorkbookError` with a
reason a person can act on; the importer turns it into a rejected file.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: The stream an encrypted ("password to open") OOXML file keeps in its OLE container.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")

# A cell's reference: r="XFD1048576". Patterns that start with a literal search fast.
_CELL_ROW = re.compile(rb'r="[A-Z]+([0-9]+)"')
_CELL_COL = re.compile(rb'r="([A-Z]+)[0-9]')
#: A reference beyond column ZZ or row 9,999: only then are all references measured.
_FAR_HINT = re.compile(rb'r="(?:[A-Z]{3}|[A-Z]{1,2}[0-9]{5})')
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*?\bref="(?:[A-Z]+[0-9]+:)?([A-Z]{1,3})'
    rb'([0-9]{1,7})"'
)
#: Parts besides the sheets that the native reader parses and a person's text lives in.
_TEXT_PARTS = {"xl/sharedStrings.xml", "content.xml", "styles.xml"}
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
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


def open_container(data: bytes) -> Container:
    """Check `data` is a workbook zip that is safe to parse.

    Raises:
        WorkbookError: empty, too large, encrypted, not a zip, truncated, a zip bomb,
            entity declarations, or a cell far outside the sheet's area.
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
        _check_xml_members(archive, infos, kind)
        saved_at = _saved_at(archive, kind, names)
        workbook_xml = _read(archive, "xl/workbook.xml") if kind == "xlsx" else None
    return Container(data=data, kind=kind, saved_at=saved_at, workbook_xml=workbook_xml)


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


def _check_xml_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], kind: str) -> None:
    """Refuse entity declarations in the parts the reader parses, and far-out cells.

    The parts read here with defusedxml (workbook.xml, core.xml, meta.xml) refuse entities
    by themselves; these are the ones the native reader parses.
    """
    for info in infos:
        name = info.filename
        if kind == "xlsx" and name.startswith("xl/worksheets/") and name.endswith(".xml"):
            xml = _read(archive, name)
            far = far_cell(xml)
            if far:
                sheet = _sheet_names(archive).get(name)
                where = f"sheet '{sheet}' ({name})" if sheet else name
                raise WorkbookError(
                    f"{where} reaches cell {far}, far outside the area a "
                    f"workbook of ours uses (limit {MAX_SHEET_CELLS:,} cells "
                    "from A1)"
                )
        elif name in _TEXT_PARTS:
            with archive.open(info) as member:
                xml = member.read(4096)
        else:
            continue
        if _DTD.search(xml, 0, 4096):
            raise WorkbookError(
                f"{name} declares XML entities (<!DOCTYPE>/<!ENTITY>), "
                "which no spreadsheet program writes; refused"
            )


def far_cell(xml: bytes) -> str | None:
    """The farthest cell of a sheet's XML when the rectangle from A1 to it is too large.

    That rectangle is what a reader allocates; the `<dimension>` a file claims counts too.
    Most sheets have no reference beyond column ZZ and row 9,999 (at most 7 million cells,
    which a worker's memory holds), so one quick search settles them.
    """
    rows, cols = set(), set()
    dimension = _DIMENSION.search(xml, 0, 2048)
    if dimension:
        cols.add(dimension[1])
        rows.add(dimension[2])
    if _FAR_HINT.search(xml):
        rows.update(_CELL_ROW.findall(xml))
        cols.update(_CELL_COL.findall(xml))
    if not rows or not cols:
        return None
    far_row = max(int(row) for row in rows)
    far_col = max(cols, key=column_number)
    if far_row * column_number(far_col) <= MAX_SHEET_CELLS:
        return None
    return f"{far_col.decode()}{far_row}"


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip member -> sheet name, from xl/workbook.xml and its relationships."""
    try:
        book = safe_et.fromstring(_read(archive, "xl/workbook.xml"))
        rels = safe_et.fromstring(_read(archive, "xl/_rels/workbook.xml.rels"))
    except (DefusedXmlException, safe_et.ParseError, WorkbookError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    names = {}
    for sheet in book.iter(f"{{{_NS['main']}}}sheet"):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        names["xl/" + target.lstrip("/").removeprefix("xl/")] = sheet.get("name", "")
    return names


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


def _saved_at(archive: zipfile.ZipFile, kind: str, names: set[str]) -> datetime | None:
    """When the workbook was last saved, from its document properties, if it says."""
    member, path = (
        ("docProps/core.xml", "dcterms:modified")
        if kind == "xlsx"
        else ("meta.xml", "office:meta/dc:date")
    )
    if member not in names:
        return None
    try:
        root = safe_et.fromstring(_read(archive, member))
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
