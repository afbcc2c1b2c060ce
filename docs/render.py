"""Render the Summary and a level sheet of a filled-in workbook to PNG, for the README.

The workbook is the demo's Hanako Sato, filled with her sample answers; LibreOffice
recalculates it and prints it to PDF (A4 landscape, as set in the workbook), and pdftoppm
turns the pages to PNG. Run from the repository root:

    python docs/render.py [--out docs]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import answers, criteria, demo, filling, workbook  # noqa: E402
from generator.roster import read_roster  # noqa: E402
from tests import soffice  # noqa: E402

PERSON = "E0042"
#: (PNG name, a text only the page to render holds).
PAGES = (
    ("summary.png", "What is missing"),
    ("level-sheet.png", "hardware.4.responsibility.1"),
    ("cover.png", "What this is"),
)
RESOLUTION = 90


def page_with(pdf: Path, text: str) -> int:
    """The first page (from 1) whose text holds `text`."""
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    for page in range(1, pages + 1):
        found = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if text in " ".join(found.split()):
            return page
    raise SystemExit(f"no page of {pdf} shows {text!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    crit = criteria.load()
    examples = demo.examples_dir()
    person = next(e for e in read_roster(examples / demo.ROSTER, crit) if e.id == PERSON)
    sample = answers.load_file(examples / demo.ANSWERS_DIR / f"{PERSON}.yaml", crit)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in" / "workbook.xlsx"
        path.parent.mkdir()
        blank = workbook.write_workbook(crit, person)
        path.write_bytes(filling.fill(crit, blank, answers.to_flat(sample.answers)))
        pdf = soffice.convert([path], Path(tmp) / "out", "pdf")[0]
        for name, text in PAGES:
            page, target = page_with(pdf, text), args.out / name
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-singlefile",
                    "-r",
                    str(RESOLUTION),
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    str(pdf),
                    str(target.with_suffix("")),
                ],
                check=True,
            )
            print(f"{target}: page {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
