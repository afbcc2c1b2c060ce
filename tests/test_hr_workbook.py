"""`itss-workbook hr-workbook`: xlwings' quickstart workbook set up for the Excel functions."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xlwings
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from generator import answers, hr_workbook, layout
from generator.cli import main
from generator.errors import TemplateError, WorkbookError
from tests import soffice
from tests.udf_cases import engine, engine_table, load_udf_module

XLWINGS_DIR = Path(xlwings.__file__).resolve().parent
QUICKSTART = XLWINGS_DIR / "quickstart.xlsm"
WINDOWS_PYTHON = r"C:\Users\hr\itss\Scripts\pythonw.exe"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The HR workbook as the command writes it, with an interpreter given."""
    out = tmp_path_factory.mktemp("hr") / "itss-hr.xlsm"
    result = CliRunner().invoke(
        main, ["hr-workbook", "--out", str(out), "--interpreter", WINDOWS_PYTHON]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{out}: open it in Excel with the xlwings add-in and click Import Functions\n"
    )
    return out


def sheet_rows(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def conf_settings(path: Path) -> dict[str, str]:
    """The settings as the xlwings add-in reads them: from A1 down to the first empty cell."""
    settings = {}
    for row in sheet_rows(path, hr_workbook.CONF_SHEET):
        if row[0] == "":
            break
        assert row[0].upper() not in settings, "the add-in refuses a setting twice"
        settings[row[0].upper()] = row[1]
    return settings


def test_the_vba_project_is_xlwings_own(written):
    with zipfile.ZipFile(written) as ours, zipfile.ZipFile(QUICKSTART) as theirs:
        assert ours.testzip() is None
        assert ours.read("xl/vbaProject.bin") == theirs.read("xl/vbaProject.bin")
        assert set(ours.namelist()) == set(theirs.namelist())
        types = ours.read("[Content_Types].xml").decode()
        rels = ours.read("xl/_rels/workbook.xml.rels").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert 'Target="vbaProject.bin"' in rels


def test_the_conf_sheet_names_the_module_and_where_it_is(written):
    settings = conf_settings(written)

    assert settings == {
        "UDF MODULES": "itss_udfs",
        "PYTHONPATH": str(hr_workbook.macros_dir()),
        "INTERPRETER_WIN": WINDOWS_PYTHON,
    }
    assert (Path(settings["PYTHONPATH"]) / "itss_udfs.py").is_file()


def test_the_settings_are_ones_the_xlwings_add_in_reads():
    """The add-in reads the sheet named PROJECT_NAME & ".conf", keys in upper case."""
    main_bas = (XLWINGS_DIR / "addin" / "Main.bas").read_text(encoding="utf-8")
    config_bas = (XLWINGS_DIR / "addin" / "Config.bas").read_text(encoding="utf-8")

    for name, _ in hr_workbook.conf_settings(Path("macros"), "python.exe"):
        assert f'GetConfig("{name.upper()}"' in main_bas, name
    assert 'Public Const PROJECT_NAME As String = "xlwings"' in main_bas
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in config_bas
    assert hr_workbook.CONF_SHEET == "xlwings.conf"


def test_without_an_interpreter_the_add_in_setting_applies(tmp_path, criteria):
    out = hr_workbook.write_hr_workbook(tmp_path / "hr.xlsm", criteria, interpreter=None)

    assert list(conf_settings(out)) == ["UDF MODULES", "PYTHONPATH"]


def test_the_sheets_are_renamed_everywhere(written):
    with zipfile.ZipFile(written) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
        app_xml = archive.read("docProps/app.xml").decode()
        core_xml = archive.read("docProps/core.xml").decode()
    names = re.findall(r'<sheet name="([^"]+)"', workbook_xml)

    assert names == ["ITSS functions", "xlwings.conf"]
    titles = re.search(r"<TitlesOfParts>(.*)</TitlesOfParts>", app_xml)[1]
    assert re.findall(r"<vt:lpstr>([^<]+)</vt:lpstr>", titles) == names
    assert "<dc:creator>itss-workbook</dc:creator>" in core_xml
    assert "felix" not in workbook_xml.lower()


def test_the_sample_answers_are_what_the_functions_take(written, criteria):
    """ITSS_ANSWERS in the HR workbook: every key, and the sample person's levels."""
    with zipfile.ZipFile(written) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
    target = re.search(r'<definedName name="ITSS_ANSWERS">([^<]+)</definedName>', workbook_xml)[1]
    match = re.fullmatch(r"'ITSS functions'!\$A\$(\d+):\$B\$(\d+)", target.replace("&apos;", "'"))
    rows = sheet_rows(written, "ITSS functions")[int(match[1]) - 1 : int(match[2])]
    sample = answers.load_file(
        hr_workbook.shipped_path("examples") / "answers-example.yaml", criteria
    )

    keys = [row[0] for row in rows]
    assert keys == answers.answer_keys(criteria, layout.EXPERIENCE_ROWS)
    excel = [(k, None if v == "" else float(v) if type(v) is int else v) for k, v in rows]
    expected = engine(criteria, answers.to_flat(sample.answers))
    assert load_udf_module().itss_levels(excel) == engine_table(criteria, expected)
    assert expected.overall is not None


def test_the_example_sheet_shows_each_function(written):
    column_a = [row[0] for row in sheet_rows(written, "ITSS functions")]

    for name in ("ITSS_LEVELS", "ITSS_LEVEL", "ITSS_MET", "ITSS_MISSING", "ITSS_VERSION"):
        assert any(text.startswith(f"={name}(") for text in column_a), name


def test_libreoffice_opens_it(written, tmp_path):
    soffice.require_soffice()

    out = soffice.convert([written], tmp_path, "xlsx")[0]

    assert CalamineWorkbook.from_path(str(out)).sheet_names == ["ITSS functions", "xlwings.conf"]
    assert conf_settings(out)["UDF MODULES"] == "itss_udfs"


def test_the_name_must_end_in_xlsm(tmp_path):
    result = CliRunner().invoke(main, ["hr-workbook", "--out", str(tmp_path / "hr.xlsx")])

    assert result.exit_code == 1
    assert result.output == (
        f"itss-workbook: {tmp_path / 'hr.xlsx'}: the HR workbook holds "
        "macros, so its name must end in .xlsm\n"
    )


def test_a_template_without_a_text_is_refused(tmp_path, monkeypatch, criteria):
    template = tmp_path / "hr-workbook.yaml"
    template.write_text("title: Only a title\n", encoding="utf-8")
    monkeypatch.setattr(hr_workbook, "TEMPLATE", str(template))

    with pytest.raises(TemplateError, match=r"hr-workbook.yaml: missing example_sheet, intro, "):
        hr_workbook.write_hr_workbook(tmp_path / "hr.xlsm", criteria)


def test_a_changed_quickstart_is_reported(tmp_path):
    broken = tmp_path / "quickstart.xlsm"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")

    with pytest.raises(WorkbookError, match=r"xlwings' quickstart.xlsm has changed: no "):
        hr_workbook.build(broken.read_bytes(), hr_workbook.load_texts(), [], [])
