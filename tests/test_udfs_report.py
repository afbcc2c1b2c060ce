"""The Excel functions on the import report's Items table: one person's item_id and answer.

The Items table words each engagement ("network, level 4, completed: Osaka roll-out"); the
functions read that wording back, so a person's rows of the table give their levels.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from python_calamine import CalamineWorkbook

from generator import filling, importer, report, tables, udf_support, workbook
from generator.answers import ExperienceRow
from generator.roster import Employee
from tests.udf_cases import engine, engine_table, load_udf_module, random_answers
from tests.xlwings_windows import call_as_excel, windows_xlwings

PEOPLE = 6


@pytest.fixture(scope="module")
def udfs():
    with windows_xlwings():
        yield load_udf_module("itss_udfs_windows")


@pytest.fixture(scope="module")
def items_by_person(criteria, tmp_path_factory):
    """(answers typed in, the person's rows of the report's Items sheet) per employee."""
    root = tmp_path_factory.mktemp("udf-report")
    typed = {}
    for n in range(PEOPLE):
        employee = Employee(id=f"E{n:04d}", name=f"Person {n}")
        typed[employee.id] = random_answers(criteria, 2000 + n)
        blank = workbook.write_workbook(criteria, employee)
        (root / f"{employee.id}.xlsx").write_bytes(
            filling.fill(criteria, blank, typed[employee.id])
        )
    result = importer.import_paths(criteria, [root], jobs=2)
    report.write_xlsx(result, root / "report.xlsx")

    sheet = CalamineWorkbook.from_path(str(root / "report.xlsx")).get_sheet_by_name("Items")
    header, *rows = sheet.to_python()
    key, answer, who = header.index("item_id"), header.index("answer"), header.index("employee_id")
    by_person = defaultdict(lambda: [("item_id", "answer")])
    for row in rows:
        by_person[row[who]].append((row[key], row[answer]))
    return [(typed[eid], tuple(by_person[eid])) for eid in typed]


def test_a_persons_items_give_the_engine_levels(criteria, items_by_person, udfs):
    for flat, rows in items_by_person:
        expected = engine(criteria, flat)

        assert call_as_excel(udfs.itss_levels, rows) == [
            [field, "" if level is None else level]
            for field, level in engine_table(criteria, expected)
        ]
        for level in criteria.levels:
            assert call_as_excel(udfs.itss_met, rows, level.id) == [
                [expected.levels[level.id].met]
            ]


def test_everyones_items_at_once_are_refused(items_by_person, udfs):
    everyone = items_by_person[0][1] + items_by_person[1][1][1:]

    [[text]] = call_as_excel(udfs.itss_levels, everyone)

    assert text.startswith("ITSS error: ")
    assert "the key is listed twice" in text


@pytest.mark.parametrize("seed", range(40))
def test_the_items_wording_of_an_engagement_reads_back(criteria, seed):
    rng = random.Random(seed)
    row = ExperienceRow(
        row=1,
        engagement=rng.choice(["", "Osaka roll-out", "Phase 2: core, level 5, completed"]),
        component=rng.choice([None, *criteria.components]),
        level=rng.choice([None, 1, 4]),
        completed=rng.random() < 0.5,
    )

    read = udf_support.engagement_answers(
        criteria, "hardware.4.experience.1", tables._engagement(row)
    )

    assert read == {
        f"hardware.4.experience.1.{attr}": value
        for attr, value in [
            ("completed", row.completed),
            ("component", row.component),
            ("level", row.level),
            ("engagement", row.engagement),
        ]
        if value not in (None, "")
    }


def test_an_engagement_in_other_words_is_a_problem(udfs):
    rows = (("hardware.4.experience.1", "done it, twice"),)

    assert udfs.itss_levels(rows) == (
        "ITSS error: 1 problem in the answers: hardware.4.experience.1 (row 1): an engagement "
        'reads like "network, level 4, completed: what was done", not "done it, twice"'
    )
