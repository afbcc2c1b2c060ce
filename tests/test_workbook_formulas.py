"""The workbook's native formulas against the engine, recalculated in headless LibreOffice.

Answer sets (the rules' edge cases and seeded random ones) are typed into generated
workbooks as a person would; LibreOffice recalculates them on load, and every ITSS_MET_*
and ITSS_LEVEL_* name must equal what the engine says for the same answers.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_cell_to_rowcol

from generator import answers, filling, layout, rules, workbook
from tests import soffice
from tests.answer_sets import edge_cases, random_answers
from tests.rule_table import RULE_BY_ID, minimal_answers

SEED = 20261203
RANDOM_SETS = 80
#: Two soffice processes, one per core.
BATCHES = 2
#: The Summary is the second sheet, after the cover.
SHEET_NUMBER = 2
_DEFINED = re.compile(r'<definedName name="(ITSS_[A-Z_0-9]+)"[^>]*>([^<]+)</definedName>')


def expected_names(criteria, flat: dict) -> dict[str, object]:
    """What the engine says, under the workbook's defined names."""
    parsed, problems = answers.parse(criteria, flat, strict=False)
    assert problems == []
    result = rules.evaluate(criteria, parsed)
    names: dict[str, object] = {
        layout.met_name(lv): result.levels[lv.id].met for lv in criteria.levels
    }
    names |= {layout.level_name(f): r.level or 0 for f, r in result.fields.items()}
    names[layout.OVERALL_NAME] = result.overall or 0
    return names


def summary_cells(data: bytes) -> dict[str, tuple[int, int]]:
    """(row, column) on the Summary of every single-cell ITSS_* name of a generated file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/workbook.xml").decode()
    cells = {}
    for name, target in _DEFINED.findall(xml):
        if name == layout.ANSWERS_NAME:
            continue
        sheet, _, ref = target.rpartition("!")
        assert sheet == layout.SUMMARY_SHEET, f"{name} points at {target}, not the Summary"
        cells[name] = xl_cell_to_rowcol(ref.replace("$", ""))
    return cells


def csv_values(path: Path, cells: dict[str, tuple[int, int]]) -> dict[str, object]:
    """The values LibreOffice computed at `cells`, from its CSV of the Summary."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    values: dict[str, object] = {}
    for name, (row, col) in cells.items():
        text = rows[row][col] if row < len(rows) and col < len(rows[row]) else ""
        values[name] = {"TRUE": True, "FALSE": False}.get(
            text, int(text) if text.isdigit() else text
        )
    return values


@pytest.fixture(scope="module")
def recalculated(criteria, tmp_path_factory):
    """(label, answers, names LibreOffice computed) for every answer set."""
    soffice.require_soffice()
    rng = random.Random(SEED)
    sets = list(edge_cases().items())
    sets += [(f"random {n}", random_answers(criteria, rng)) for n in range(RANDOM_SETS)]
    blank = workbook.write_workbook(criteria)
    root = tmp_path_factory.mktemp("formulas")

    cells = summary_cells(blank)
    batches: list[list[Path]] = [[] for _ in range(BATCHES)]
    for n, (_, flat) in enumerate(sets):
        path = root / f"in{n % BATCHES}" / f"set{n:03d}.xlsx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(filling.fill(criteria, blank, flat))
        batches[n % BATCHES].append(path)
    sheet = SHEET_NUMBER
    with ThreadPoolExecutor(BATCHES) as pool:
        outs = list(
            pool.map(
                lambda b: soffice.sheet_csv(b[1], root / f"out{b[0]}", sheet), enumerate(batches)
            )
        )
    converted = {p.name.split("-")[0]: p for out in outs for p in out}
    return [
        (label, flat, csv_values(converted[f"set{n:03d}"], cells))
        for n, (label, flat) in enumerate(sets)
    ]


def test_libreoffice_computes_what_the_engine_computes(criteria, recalculated):
    mismatches = []
    for label, flat, got in recalculated:
        want = expected_names(criteria, flat)
        wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
        if wrong:
            mismatches.append(f"{label}: (workbook, engine) {wrong}")
    assert not mismatches, "\n".join(mismatches[:10])


def test_answer_sets_reach_every_outcome(criteria, recalculated):
    """At least 100 sets; each level met in some and not in others; every field level seen."""
    assert len(recalculated) >= 100
    outcomes = [expected_names(criteria, flat) for _, flat, _ in recalculated]
    for level in criteria.levels:
        seen = {o[layout.met_name(level)] for o in outcomes}
        assert seen == {True, False}, level.id
    for field in criteria.fields:
        seen = {o[layout.level_name(field.id)] for o in outcomes}
        assert seen >= {0, *field.levels}, field.id


@pytest.mark.parametrize(
    ("label", "met"),
    [
        ("hardware.5 size 2 with 3 complexity", False),
        ("hardware.5 size 2 with 4 complexity", True),
        ("facility.5 size 2 with 2 complexity", False),
        ("facility.5 size 2 with 3 complexity", True),
        ("hardware.5 experience split", False),
        ("hardware.5 experience one component", True),
        ("hardware.5 engagement without component", False),
        ("facility.4 two at level 4", False),
        ("facility.4 one at 5, one at 4", True),
    ],
)
def test_edge_case_outcome(criteria, recalculated, label, met):
    """The edge cases go the way the rules say, in LibreOffice as in the engine."""
    level = criteria.level_by_id[label.split()[0]]
    flat, got = next((flat, values) for name, flat, values in recalculated if name == label)
    assert got[layout.met_name(level)] is met
    assert expected_names(criteria, flat)[layout.met_name(level)] is met


def test_answers_range_is_live_and_blank_is_empty(criteria, tmp_path):
    """ITSS_ANSWERS mirrors each input cell; blank inputs arrive as "" (not 0)."""
    soffice.require_soffice()
    flat = {
        "common.1.responsibility.1": True,
        "common.1.responsibility.1.evidence": "memo",
        "hardware.5.experience.2.level": 5,
        "hardware.5.experience.2.component": "PC",
    }
    path = tmp_path / "in" / "answers.xlsx"
    path.parent.mkdir()
    path.write_bytes(filling.fill(criteria, workbook.write_workbook(criteria), flat))
    out = soffice.convert([path], tmp_path / "out")[0]

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(layout.ANSWERS_SHEET)
    values = {row[0]: row[1] for row in rows.to_python()}
    assert list(values) == answers.answer_keys(criteria, layout.EXPERIENCE_ROWS)
    assert values["common.1.responsibility.1"] is True
    assert values["common.1.responsibility.1.evidence"] == "memo"
    assert values["hardware.5.experience.2.level"] == 5
    assert values["hardware.5.experience.2.component"] == "PC"
    assert values["common.1.complexity.1"] is False
    assert values["common.1.complexity.1.evidence"] == ""
    assert values["hardware.5.experience.1.level"] == ""


def test_libreoffice_defaults_show_a_filled_workbooks_results(criteria, tmp_path):
    """Opened with LibreOffice's default settings (no recalculation forced), a filled-in
    workbook shows its own results, not the blank workbook's: no stale cached values."""
    soffice.require_soffice()
    flat = minimal_answers(RULE_BY_ID["hardware.4"]) | minimal_answers(RULE_BY_ID["common.1"])
    blank = workbook.write_workbook(criteria)
    path = tmp_path / "in" / "filled.xlsx"
    path.parent.mkdir()
    path.write_bytes(filling.fill(criteria, blank, flat))
    out = soffice.sheet_csv([path], tmp_path / "out", SHEET_NUMBER, always_recalculate=False)
    got = csv_values(out[0], summary_cells(blank))
    assert got == expected_names(criteria, flat)
    assert got["ITSS_LEVEL_HARDWARE"] == 4
