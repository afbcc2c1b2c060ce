"""A built workbook with placeholder tokens, personalised per employee without XlsxWriter.

XlsxWriter builds a workbook once per set of fields with tokens such as ``{{itss:name}}``
where a person's values go. `Template.render` puts the XML-escaped values into the few parts
that hold tokens and writes the zip: the same workbook XlsxWriter would have written for that
person. The parts' static bytes are deflated once per template (`generator.zipparts`), so a
render deflates only the values.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from generator import layout
from generator.zipparts import Entry, PieceDeflater, deflate_piece, write_zip

_TOKEN = re.compile(r"\{\{itss:(\w+)\}\}")
#: A formula cell as XlsxWriter writes it: reference, style, result type, formula, result.
_CACHED = re.compile(
    r'(<c r="[A-Z]+\d+"(?: s="\d+")?)(?: t="\w+")?>(<f>[^<]*</f>)<v>[^<]*</v></c>'
)
#: XML 1.0 forbids most control characters; a roster exported from an HR system may hold them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Excel: a header or footer holds at most 255 characters.
MAX_FOOTER = 255


def token(key: str) -> str:
    """The placeholder written into the template for the personal value `key`."""
    return "{{itss:" + key + "}}"


def clean(value: object) -> str:
    """A roster value as cell text: no characters XML forbids, within Excel's cell limit."""
    text = "" if value is None else str(value)
    return _XML_INVALID.sub("", text)[: layout.MAX_CELL_TEXT]


def footer_text(value: str) -> str:
    """A value inside a footer, where "&" starts a code: "&&" prints one ampersand."""
    return value.replace("&", "&&")[: MAX_FOOTER // 2]


@dataclass(frozen=True)
class _TokenPart:
    """A part holding tokens: its static segments, deflated once, around the token keys."""

    name: str
    segments: tuple[bytes, ...]
    deflated: tuple[bytes, ...]
    keys: tuple[str, ...]

    @classmethod
    def of(cls, name: str, text: str) -> _TokenPart:
        pieces = _TOKEN.split(text)  # segment, key, segment, key, ..., segment
        segments = tuple(p.encode("utf-8") for p in pieces[0::2])
        deflated = tuple(
            deflate_piece(seg, last=n == len(segments) - 1) for n, seg in enumerate(segments)
        )
        return cls(name, segments, deflated, tuple(pieces[1::2]))

    def render(self, values: Mapping[str, bytes], deflater: PieceDeflater) -> Entry:
        """The part with `values` in its token slots, deflating only the values."""
        crc, size, out = 0, 0, []
        # One more segment than keys: the last is added after the loop.
        pairs = zip(self.segments[:-1], self.deflated[:-1], self.keys, strict=True)
        for segment, deflated, key in pairs:
            value = values.get(key, b"")
            crc = zlib.crc32(value, zlib.crc32(segment, crc))
            size += len(segment) + len(value)
            out += [deflated, deflater.piece(value)]
        crc = zlib.crc32(self.segments[-1], crc)
        out.append(self.deflated[-1])
        return Entry(self.name, crc, size + len(self.segments[-1]), b"".join(out))


@dataclass(frozen=True)
class Template:
    """The parts of a built workbook in zip order: deflated entries, or parts with tokens."""

    parts: tuple[Entry | _TokenPart, ...]

    @classmethod
    def from_xlsx(cls, data: bytes, *, lock_structure: bool, password_hash: str = "") -> Template:
        """Split XlsxWriter's output into parts, protecting the workbook's structure."""
        parts: list[Entry | _TokenPart] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                raw = archive.read(info)
                if info.filename == "xl/workbook.xml" and lock_structure:
                    raw = _protect_structure(raw.decode("utf-8"), password_hash).encode("utf-8")
                elif info.filename.startswith("xl/worksheets/sheet"):
                    raw = drop_cached_values(raw.decode("utf-8")).encode("utf-8")
                if info.filename.endswith(".xml") and b"{{itss:" in raw:
                    parts.append(_TokenPart.of(info.filename, raw.decode("utf-8")))
                else:
                    parts.append(Entry.of(info.filename, raw))
        return cls(tuple(parts))

    def render(self, values: Mapping[str, str]) -> bytes:
        """The workbook with `values` (by token key) in place of the tokens."""
        escaped = {
            key: escape(clean(value), {'"': "&quot;"}).encode("utf-8")
            for key, value in values.items()
        }
        deflater = PieceDeflater()
        entries = [
            p.render(escaped, deflater) if isinstance(p, _TokenPart) else p for p in self.parts
        ]
        return write_zip(entries)


def drop_cached_values(sheet_xml: str) -> str:
    """Formula cells without a cached result, so that every program computes them on load.

    XlsxWriter caches 0 or "" for every formula. Excel recalculates on load anyway (the
    workbook says fullCalcOnLoad), but LibreOffice, by default, shows cached numbers and
    booleans as they are: a prefilled workbook would show the blank workbook's results.
    Without a cached value LibreOffice computes the cell.
    """
    return _CACHED.sub(r"\1>\2</c>", sheet_xml)


def _protect_structure(workbook_xml: str, password_hash: str) -> str:
    """Add workbookProtection (sheets cannot be added, deleted, renamed or unhidden).

    XlsxWriter has no call for it. The element goes right before bookViews, where the
    schema puts it.
    """
    attrs = ' lockStructure="1"'
    if password_hash:
        attrs = f' workbookPassword="{password_hash}"' + attrs
    return workbook_xml.replace("<bookViews>", f"<workbookProtection{attrs}/><bookViews>", 1)


def password_hash(password: str) -> str:
    """Excel's legacy 16-bit protection hash (ECMA-376 Part 1, 18.2.29), as hex."""
    digest = 0
    for char in reversed(password):
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"
