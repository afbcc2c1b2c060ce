"""Reading rosters (.csv in UTF-8, UTF-8 with BOM, cp932; .xlsx) and naming their files."""

from __future__ import annotations

import pytest
import xlsxwriter

from generator.errors import RosterError
from generator.roster import Employee, file_names, read_roster, safe_stem

HEADER = "employee_id,name,department,manager,email,fields\n"
ROWS = (
    "0042, 佐藤 花子 ,Field Service East,Ito,sato@example.com,hardware;software\n"
    "E7,Jane Doe,HQ,,jane@example.com,\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings(criteria, tmp_path, encoding):
    path = tmp_path / "roster.csv"
    path.write_bytes((HEADER + ROWS).encode(encoding))
    first, second = read_roster(path, criteria)
    assert first == Employee(
        id="0042",
        name="佐藤 花子",
        department="Field Service East",
        manager="Ito",
        email="sato@example.com",
        fields=("hardware", "software"),
        line=2,
    )
    assert (second.id, second.fields, second.line) == ("E7", None, 3)


def test_xlsx_roster_keeps_text_ids(criteria, tmp_path):
    path = tmp_path / "roster.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Employee ID", "Name", "Department", "Manager", "Email", "Fields"])
    sheet.write_row(1, 0, ["00123 ", "山田 太郎", "Ops", "Kato", "y@example.com", "FM"])
    sheet.write_number(2, 0, 4567)
    sheet.write_string(2, 1, "Numeric Id")
    book.close()
    first, second = read_roster(path, criteria)
    assert (first.id, first.name, first.fields) == ("00123", "山田 太郎", ("facility",))
    assert (second.id, second.line) == ("4567", 3)


def test_bad_rows_are_listed_together(criteria, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        HEADER + "E1,A,,,,\n,No Id,,,,\nE1,Again,,,,\n"
        '"E2","multi\nline",,,,toasters\nE3,Fine,,,,\n',
        encoding="utf-8",
    )
    with pytest.raises(RosterError) as error:
        read_roster(path, criteria)
    assert str(error.value) == (
        f"{path}: 3 bad row(s); nothing was generated\n"
        "  - line 3: no employee_id\n"
        "  - line 4: duplicate employee_id 'E1' (first on line 2)\n"
        "  - line 5: unknown field(s) 'toasters'; use common, hardware, software, facility"
    )


def test_missing_id_column_and_unknown_encoding(criteria, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("id,name\n1,A\n", encoding="utf-8")
    with pytest.raises(RosterError, match="employee_id is missing"):
        read_roster(path, criteria)
    path.write_bytes(HEADER.encode() + b"\x82\x20\xff,x,,,,\n")
    with pytest.raises(RosterError, match="or give its encoding with --encoding"):
        read_roster(path, criteria)


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("0042_Sato Hanako", "0042_Sato Hanako"),
        ('a<b>c:d"e/f\\g|h?i*j', "a_b_c_d_e_f_g_h_i_j"),
        ("CON", "_CON"),
        ("lpt1.backup", "_lpt1.backup"),
        (" trailing dot. ", "trailing dot"),
        ("", "_"),
    ],
)
def test_safe_stem(text, stem):
    assert safe_stem(text) == stem


def test_file_names_unique_and_short():
    people = [
        Employee(id="1", name="Aoki"),
        Employee(id="1", name="aoki"),
        Employee(id="X" * 150, name="Long"),
        Employee(id="2", name="佐藤/花子"),
    ]
    names = list(file_names(people).values()) + [file_names(people[1:2])["1"]]
    assert file_names(people)["2"] == "2_佐藤_花子.xlsx"
    assert len({n.casefold() for n in file_names(people).values()}) == 3
    assert all(len(n) <= 100 and n.endswith(".xlsx") for n in names)


def test_name_clashes_get_a_number():
    people = [
        Employee(id="A1", name="Sato"),
        Employee(id="a1", name="sato"),
        Employee(id="A1 ", name="Sato"),
    ]
    names = file_names(people)
    assert names["A1"] == "A1_Sato.xlsx"
    assert names["a1"] == "a1_sato-2.xlsx"
