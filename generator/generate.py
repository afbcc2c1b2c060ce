"""Generate workbooks to files: one blank workbook, or one per employee of a roster.

Earlier answers (`generator.prefill`) are typed into the new workbooks as a person would
(`generator.filling`); every answer that could not be carried is listed in the result's
warnings, never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator import filling
from generator.criteria import Criteria
from generator.errors import OutputError
from generator.prefill import Prefill, carry
from generator.roster import Employee, file_names
from generator.workbook import WorkbookFactory

log = logging.getLogger(__name__)


@dataclass
class GenerateResult:
    """The files written and what the caller should tell the user."""

    paths: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    carried: int = 0


def generate_blank(
    criteria: Criteria,
    out: Path,
    *,
    fields: Sequence[str] | None = None,
    password: str = "",
    prefill: Prefill | None = None,
) -> GenerateResult:
    """One workbook at `out`, for nobody in particular (or the prefill's one person)."""
    factory = WorkbookFactory(criteria, password=password)
    result = GenerateResult()
    data = _personalise(factory, None, fields, prefill, result)
    _write(out, data)
    result.paths.append(out)
    return result


def generate_roster(
    criteria: Criteria,
    employees: Sequence[Employee],
    out_dir: Path,
    *,
    password: str = "",
    prefill: Prefill | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateResult:
    """One workbook per employee in `out_dir`, named safely from ID and name."""
    factory = WorkbookFactory(criteria, password=password)
    names = file_names(employees)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = GenerateResult()
    for n, employee in enumerate(employees, 1):
        path = out_dir / names[employee.id]
        _write(path, _personalise(factory, employee, None, prefill, result))
        result.paths.append(path)
        if progress:
            progress(n, len(employees))
    if prefill:
        known = {e.id for e in employees}
        extra = sorted(set(prefill.by_employee) - known)
        if extra:
            result.warnings.append(
                f"prefill: answers of {len(extra)} employee(s) not in the "
                f"roster were not used: {', '.join(extra)}"
            )
    log.info("wrote %d workbook(s) to %s", len(result.paths), out_dir)
    return result


def _personalise(
    factory: WorkbookFactory,
    employee: Employee | None,
    fields: Sequence[str] | None,
    prefill: Prefill | None,
    result: GenerateResult,
) -> bytes:
    """The person's workbook, with their earlier answers typed in."""
    data = factory.workbook(employee, fields)
    earlier = prefill.answers_for(employee.id if employee else None) if prefill else None
    if not earlier:
        return data
    kept, dropped = carry(factory.criteria, earlier, factory.fields_of(employee, fields))
    who = employee.id if employee else "workbook"
    if dropped:
        result.warnings.append(f"{who}: {len(dropped)} earlier answer(s) not carried:")
        result.warnings += [f"  {line}" for line in dropped]
    result.carried += len(kept)
    return filling.fill(factory.criteria, data, kept) if kept else data


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from exc
