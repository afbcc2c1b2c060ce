"""The cover sheet: its texts come from templates/cover.yaml, or HR's edited copy."""

from __future__ import annotations

import shutil

import pytest
from python_calamine import CalamineWorkbook

from generator import cover, generate, layout
from generator.errors import TemplateError
from generator.roster import Employee


def cover_texts(path) -> list[str]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.COVER_SHEET)
    return [str(cell) for row in rows.to_python() for cell in row if cell != ""]


def generated(criteria, tmp_path, employee):
    result = generate.generate_roster(criteria, [employee], tmp_path / "out")
    return cover_texts(result.paths[0])


def test_blank_roster_values_leave_their_part_out(criteria, tmp_path):
    texts = generated(criteria, tmp_path, Employee(id="E1", name="Aiko", fields=("hardware",)))

    assert "Prepared for Aiko (E1)." in texts
    assert any("levels of your specialty fields (hardware)." in t for t in texts)


def test_every_roster_value_is_named(criteria, tmp_path):
    person = Employee(id="E2", name="Ken", department="Ops", manager="Mori")

    texts = generated(criteria, tmp_path, person)

    assert "Prepared for Ken (E2), Ops, manager: Mori." in texts
    assert any("(hardware, software, facility management)." in t for t in texts)


def test_an_edited_copy_named_by_itss_templates_is_used(criteria, tmp_path, monkeypatch):
    edited = tmp_path / "templates"
    shutil.copytree(cover.templates_dir(), edited)
    text = (edited / cover.COVER_FILE).read_text(encoding="utf-8")
    (edited / cover.COVER_FILE).write_text(
        text.replace("title: ITSS skill assessment, Customer Service",
                     "title: 2027 skills review"), encoding="utf-8")
    monkeypatch.setenv(cover.TEMPLATES_ENV, str(edited))

    assert generated(criteria, tmp_path, Employee(id="E3"))[0] == "2027 skills review"


def test_a_folder_without_cover_yaml_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(cover.TEMPLATES_ENV, str(tmp_path))

    with pytest.raises(TemplateError, match=f"ITSS_TEMPLATES={tmp_path}: holds no cover.yaml"):
        cover.templates_dir()


def test_an_unknown_placeholder_is_refused(tmp_path):
    path = tmp_path / "cover.yaml"
    path.write_text("title: x\nprepared_for: ['{nme}']\nblocks: [{heading: a, text: b}]\n")

    with pytest.raises(TemplateError) as caught:
        cover.load_cover(path)

    assert caught.value.problems[0].startswith("unknown placeholder {nme}; use one of")
