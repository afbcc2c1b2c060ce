"""Personalising a template: the parts are the template's with the values in, in a valid zip."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

import xlsxwriter

from generator.template import Template, token


def tokened_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("HW L5")
    sheet.write_string(0, 0, token("name"))
    sheet.write_string(1, 0, f"Prepared for {token('name')} ({token('employee_id')})")
    sheet.write_formula(2, 0, "=1+1", None, 2)
    sheet.set_footer(f"&L{token('who')}&RPage &P")
    book.set_custom_property("itss_name", token("name"))
    book.close()
    return buffer.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC-32 checks
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_render_substitutes_escaped_values_into_every_part():
    source = tokened_xlsx()
    values = {"name": 'Sato & <Hanako> "H"', "employee_id": "=0042", "who": "A&&B"}
    rendered = parts(Template.from_xlsx(source, lock_structure=False).render(values))

    escaped = {k: escape(v, {'"': "&quot;"}) for k, v in values.items()}
    for name, data in parts(source).items():
        text = data.decode("utf-8")
        expected = re.sub(r"\{\{itss:(\w+)\}\}", lambda m: escaped[m[1]], text)
        if name.startswith("xl/worksheets/"):
            expected = expected.replace("<f>1+1</f><v>2</v>", "<f>1+1</f>")
        assert rendered[name].decode("utf-8") == expected, name
    assert list(rendered) == list(parts(source))


def test_values_are_cleaned_and_missing_ones_empty():
    template = Template.from_xlsx(tokened_xlsx(), lock_structure=True, password_hash="CE4B")
    rendered = parts(template.render({"name": "a\x00b\x1fc"}))
    assert b"<t>abc</t>" in rendered["xl/sharedStrings.xml"]
    assert b"Prepared for abc ()" in rendered["xl/sharedStrings.xml"]
    assert (
        b'<workbookProtection workbookPassword="CE4B" lockStructure="1"/>'
        in rendered["xl/workbook.xml"]
    )
    assert all(b"{{itss:" not in data for data in rendered.values())
