"""A built workbook with placeholder tokens, personalised per employee without XlsxWriter.

XlsxWriter builds a workbook once per set of fields with tokens such as ``{{itss:name}}``
where a person's values go. `Template.render` substitutes the XML-escaped values into the
few parts that hold tokens and zips the parts again: the same file XlsxWriter would have
written for that person, at the cost of little more than deflating it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from generator import layout

_TOKEN = re.compile(r"\{\{itss:(\w+)\}\}")
#: A formula cell as XlsxWriter writes it: reference, style, result type, formula, result.
_CACHED = re.compile(
    r'(<c r="[A-Z]+\d+"(?: s="\d+")?)(?: t="\w+")?>(<f>[^<]*</f>)<v>[^<]*</v></c>'
)
#: XML 1.0 forbids most control characters; a roster exported from an HR system may hold them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Excel: a header or footer holds at most 255 characters.
MAX_FOOTER = 255
#: The zip entries' timestamp: fixed, so that equal inputs give equal files.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


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
class Template:
    """The parts of a built workbook, in zip order; parts holding tokens kept as text."""

    parts: tuple[tuple[str, bytes | str], ...]

    @classmethod
    def from_xlsx(cls, data: bytes, *, lock_structure: bool, password_hash: str = "") -> Template:
        """Split XlsxWriter's output into parts, protecting the workbook's structure."""
        parts: list[tuple[str, bytes | str]] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                raw = archive.read(info)
                if info.filename == "xl/workbook.xml" and lock_structure:
                    raw = _protect_structure(raw.decode("utf-8"), password_hash).encode("utf-8")
                elif info.filename.startswith("xl/worksheets/sheet"):
                    raw = drop_cached_values(raw.decode("utf-8")).encode("utf-8")
                text = raw.decode("utf-8") if info.filename.endswith(".xml") else None
                parts.append((info.filename, text if text and "{{itss:" in text else raw))
        return cls(tuple(parts))

    def render(self, values: Mapping[str, str]) -> bytes:
        """The workbook with `values` (by token key) in place of the tokens."""
        escaped = {key: escape(clean(value), {'"': "&quot;"}) for key, value in values.items()}

        def substitute(match: re.Match) -> str:
            return escaped.get(match[1], "")

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.parts:
                if isinstance(data, str):
                    data = _TOKEN.sub(substitute, data).encode("utf-8")
                archive.writestr(
                    zipfile.ZipInfo(name, ZIP_DATE), data, compress_type=zipfile.ZIP_DEFLATED
                )
        return out.getvalue()


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
