"""The cover sheet: texts from templates/cover.yaml, which HR may edit without code."""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator import layout
from generator.errors import TemplateError
from generator.sheets import Styles, rows_for, set_up_page

COVER_FILE = "cover.yaml"
#: Placeholders a cover text may use; the roster's are filled in per workbook.
PERSONAL_PLACEHOLDERS = ("name", "employee_id", "department", "manager", "email")
CRITERIA_PLACEHOLDERS = ("standard", "criteria_version", "fields")
COVER_WIDTH = 110


@dataclass(frozen=True)
class CoverTexts:
    """The cover's title, its per-person line and its blocks of (heading, text)."""

    title: str
    prepared_for: tuple[str, ...]
    blocks: tuple[tuple[str, str], ...]

    def prepared_for_line(self, values: dict[str, str]) -> str:
        """The parts of prepared_for whose placeholders all have a value, joined."""
        kept = [part.format(**values) for part in self.prepared_for
                if all(values.get(name) for name in _placeholders(part))]
        return ", ".join(kept) + ("." if kept else "")


#: Names a folder of edited templates to use instead of the shipped ones.
TEMPLATES_ENV = "ITSS_TEMPLATES"


def templates_dir() -> Path:
    """$ITSS_TEMPLATES, else the shipped templates/ folder (installed copy or source tree)."""
    chosen = os.environ.get(TEMPLATES_ENV)
    if chosen:
        if not (Path(chosen) / COVER_FILE).is_file():
            raise TemplateError(f"{TEMPLATES_ENV}={chosen}: holds no {COVER_FILE}")
        return Path(chosen)
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / COVER_FILE).is_file():
            return candidate
    raise TemplateError(f"templates/{COVER_FILE} is missing: looked in {here} and {here.parent}")


def load_cover(path: Path | None = None) -> CoverTexts:
    """Read and check the cover texts.

    Raises:
        TemplateError: naming the file and every problem found.
    """
    path = path or templates_dir() / COVER_FILE
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: must be a mapping with title, prepared_for and blocks")

    problems = []
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        problems.append("title: must be a non-empty text")
    parts = data.get("prepared_for")
    parts = [parts] if isinstance(parts, str) else parts
    if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
        problems.append("prepared_for: must be a list of texts")
        parts = []
    blocks = data.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        problems.append("blocks: must be a list of {heading, text}")
        blocks = []
    for n, block in enumerate(blocks):
        if not isinstance(block, dict) or not all(
            isinstance(block.get(k), str) for k in ("heading", "text")
        ):
            problems.append(f"blocks[{n}]: needs a heading and a text")
    texts = [data.get("title"), *parts]
    texts += [b.get("text") for b in blocks if isinstance(b, dict)]
    problems += _placeholder_problems(t for t in texts if isinstance(t, str))
    if problems:
        raise TemplateError(f"{path}: {len(problems)} problem(s)", problems)
    return CoverTexts(
        data["title"].strip(),
        tuple(p.strip() for p in parts),
        tuple((b["heading"].strip(), b["text"].strip()) for b in blocks),
    )


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _placeholder_problems(texts: Any) -> list[str]:
    known = set(PERSONAL_PLACEHOLDERS) | set(CRITERIA_PLACEHOLDERS)
    problems = []
    for text in texts:
        try:
            names = _placeholders(text)
        except ValueError as exc:
            problems.append(f"{text[:40]!r}...: {exc} (write {{{{ for a literal brace)")
            continue
        for name in sorted(names - known):
            problems.append(
                f"unknown placeholder {{{name}}}; use one of "
                f"{', '.join('{' + k + '}' for k in sorted(known))}"
            )
    return problems


def write_cover(
    book: Any,
    styles: Styles,
    texts: CoverTexts,
    values: dict[str, str],
    *,
    prepared_for: str,
    who: str,
    password: str,
) -> None:
    """The cover sheet: title, the line naming the person, then each block."""
    sheet = book.add_worksheet(layout.COVER_SHEET)
    sheet.set_column(0, 0, 2)
    sheet.set_column(1, 1, COVER_WIDTH)
    sheet.hide_gridlines(2)
    sheet.set_row(0, 28)
    sheet.write_string(0, 1, texts.title.format(**values), styles.title)
    sheet.write_string(1, 1, prepared_for, styles.text)

    row = 3
    for heading, text in texts.blocks:
        body = text.format(**values)
        sheet.write_string(row, 1, heading, styles.heading)
        sheet.write_string(row + 1, 1, body, styles.text)
        sheet.set_row(row + 1, rows_for(body, COVER_WIDTH))
        row += 3
    set_up_page(sheet, who, 0, password)
