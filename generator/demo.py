"""The demo: a sample roster's workbooks generated, filled as people would, and imported.

Runs on shipped files only (examples/demo-roster.csv and one answers file per person in
examples/demo-answers/), so a new user sees the whole cycle with nothing to set up.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator import answers as answers_mod
from generator import filling, rules
from generator.criteria import Criteria
from generator.errors import ITSSError
from generator.generate import generate_roster
from generator.roster import Employee, read_roster

ROSTER = "demo-roster.csv"
ANSWERS_DIR = "demo-answers"
NAME_WIDTH = 14


def examples_dir() -> Path:
    """The shipped examples/ folder (installed copy, else the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "examples", here.parent / "examples"):
        if (candidate / ROSTER).is_file():
            return candidate
    raise ITSSError(f"examples/{ROSTER} is missing: looked in {here} and {here.parent}")


@dataclass
class DemoResult:
    """What the demo wrote and what the import made of it."""

    generated: list[Path]
    returned: list[Path]
    report: Path
    #: (employee, levels by field, overall) per person, as the import computed them.
    rows: list[tuple[Employee, dict[str, int | None], int | None]]
    summary_line: str


def run_demo(criteria: Criteria, out_dir: Path) -> DemoResult:
    """Generate the sample roster's workbooks, fill them in, import them into a report.

    Raises:
        ITSSError: when the import's levels differ from the engine's on the same answers,
            which would mean the round trip through the workbooks lost something.
    """
    from generator import importer, report

    examples = examples_dir()
    employees = read_roster(examples / ROSTER, criteria)
    generated = generate_roster(criteria, employees, out_dir / "generated").paths
    returned, expected = _fill_in(criteria, employees, generated, out_dir / "returned")

    roster = {e.id: _roster_row(e) for e in employees}
    result = importer.import_paths(criteria, [out_dir / "returned"], roster=roster)
    report_path = out_dir / "report.xlsx"
    report.write_xlsx(result, report_path)
    rows = _rows(criteria, employees, result, expected)
    return DemoResult(generated, returned, report_path, rows, report.progress_line(result))


def _fill_in(
    criteria: Criteria, employees: list[Employee], generated: list[Path], folder: Path
) -> tuple[list[Path], dict[str, rules.Assessment]]:
    """Each blank workbook filled with its person's sample answers, and what the engine says."""
    folder.mkdir(parents=True, exist_ok=True)
    returned, expected = [], {}
    for employee, blank in zip(employees, generated, strict=True):
        sample_path = examples_dir() / ANSWERS_DIR / f"{employee.id}.yaml"
        sample = answers_mod.load_file(sample_path, criteria)
        path = folder / blank.name
        path.write_bytes(filling.fill(criteria, blank, answers_mod.to_flat(sample.answers)))
        returned.append(path)
        expected[employee.id] = rules.evaluate(criteria, sample.answers)
    return returned, expected


def _roster_row(employee: Employee) -> dict[str, str]:
    """An employee as the import's roster check takes them."""
    return {
        "employee_id": employee.id,
        "name": employee.name,
        "department": employee.department,
        "manager": employee.manager,
        "email": employee.email,
    }


def _rows(criteria: Criteria, employees: list[Employee], result, expected) -> list:
    """Each person's imported levels, checked against the engine on the filled answers."""
    by_id = {f.employee_id: f for f in result.counted}
    rows, problems = [], []
    for employee in employees:
        file = by_id.get(employee.id)
        if file is None:
            problems.append(f"{employee.id}: not imported")
            continue
        want = {f.id: expected[employee.id].fields[f.id].level for f in criteria.fields}
        if file.levels != want:
            problems.append(f"{employee.id}: imported {file.levels}, engine {want}")
        rows.append((employee, file.levels, file.overall))
    if problems:
        raise ITSSError("the demo's round trip went wrong", problems)
    return rows


def format_rows(criteria: Criteria, rows: list) -> str:
    """The demo's summary table: one line per person, a column per field."""
    titles = [f.short for f in criteria.fields]
    lines = [
        f"{'ID':<7} {_pad('Name', NAME_WIDTH)} "
        + " ".join(f"{t:>7}" for t in titles)
        + "  Overall"
    ]
    for employee, levels, overall in rows:
        cells = " ".join(f"{_level(levels.get(f.id)):>7}" for f in criteria.fields)
        name = _pad(employee.name, NAME_WIDTH)
        lines.append(f"{employee.id:<7} {name} {cells}  {_level(overall):>7}")
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns; CJK characters take two."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def _level(value: int | None) -> str:
    return "-" if value is None else str(value)
