"""Import many returned workbooks: every file accounted for, one result per employee.

The phases: find the input files (files, folders searched recursively, .zip archives); read
and assess each in a worker process (generator/workers.py), so that a hostile file costs
only itself; then check employees against the roster and supersede older copies of one
employee. Every file found ends with exactly one status:

- ok: read, and nothing looked wrong;
- warning: read, with reasons (values not taken, another criteria version, ...);
- rejected: not read, with the reason (empty, truncated, not ours, password-protected, ...);
- superseded: read, but a newer file of the same employee counts.
"""

from __future__ import annotations

import logging
import os
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator import rules, workers
from generator.answers import Answers
from generator.container import MAX_FILE_BYTES, OLE_MAGIC, ZIP_MAGIC
from generator.criteria import Criteria
from generator.errors import WorkbookError
from generator.reader import read_workbook

logger = logging.getLogger(__name__)

STATUSES = ("ok", "warning", "rejected", "superseded")
ARCHIVE_SUFFIX = ".zip"
_EPOCH = datetime.min.replace(tzinfo=UTC)
#: Members that make a zip a workbook (.xlsx/.xlsm, .ods) rather than an archive of files.
_WORKBOOK_PARTS = {"xl/workbook.xml", "mimetype"}


@dataclass(frozen=True)
class Source:
    """One input file: on disk, or a member of a .zip archive ("a.zip!dir/b.xlsx")."""

    path: str
    file: Path
    member: str | None = None
    mtime: datetime | None = None


@dataclass
class FileResult:
    """What became of one input file."""

    path: str
    status: str
    reasons: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    answers: Answers | None = None
    levels: dict[str, int | None] = field(default_factory=dict)
    overall: int | None = None
    #: Per field: the next level and what it still needs, in words.
    next_level: dict[str, int | None] = field(default_factory=dict)
    next_needs: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    saved_at: datetime | None = None
    mtime: datetime | None = None

    @property
    def employee_id(self) -> str | None:
        return self.meta.get("employee_id") or None

    @property
    def counts(self) -> bool:
        """Whether this file gives its employee's result."""
        return self.status in ("ok", "warning")

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass
class ImportResult:
    """Every input file's result; the tables and exports are built from it."""

    criteria: Criteria
    files: list[FileResult]
    roster: dict[str, dict[str, str]] | None = None
    #: Files in the folders and archives searched that are not spreadsheets.
    skipped: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Files per status; they add up to the number of files found."""
        return {s: sum(f.status == s for f in self.files) for s in STATUSES}

    @property
    def counted(self) -> list[FileResult]:
        """The file that counts for each employee, in input order."""
        return [f for f in self.files if f.counts]

    def not_returned(self) -> list[dict[str, str]]:
        """Roster rows with no file that counts."""
        seen = {f.employee_id for f in self.counted}
        return [row for eid, row in (self.roster or {}).items() if eid not in seen]

    def tables(self) -> dict[str, Any]:
        """Summary, Gaps, Items and Files as pandas DataFrames (see generator.tables)."""
        from generator import tables

        return tables.build(self)


def import_paths(
    criteria: Criteria,
    paths: Iterable[str | Path],
    *,
    roster: dict[str, dict[str, str]] | None = None,
    jobs: int | None = None,
    progress: Callable[[FileResult, int], None] | None = None,
    exclude: Iterable[str | Path] = (),
    timeout: float = workers.DEFAULT_TIMEOUT,
    memory_limit: int | None = workers.DEFAULT_MEMORY_LIMIT,
) -> ImportResult:
    """Import every workbook under `paths` and account for each file found.

    Args:
        criteria: the criteria to assess against (answers carried by item ID).
        paths: files, folders (searched recursively) and .zip archives.
        roster: employee ID -> row (name, department, ...), to check employees against.
        jobs: worker processes (default: the number of CPUs).
        progress: called with each file's result as it is read, and the files found.
        exclude: paths not to read even when a folder holds them (the report itself).
        timeout: seconds one file may take.
        memory_limit: bytes of address space per worker.
    """
    found = find_sources(paths, exclude)
    sources, results, skipped = found.sources, found.rejected, found.skipped
    total = len(sources) + len(results)
    logger.info("%d files found", total)
    for path in skipped:
        logger.info("%s: skipped: not a spreadsheet", path)
    for result in results:
        _report(progress, result, total)

    slots: list[FileResult | None] = [None] * len(sources)
    for index, outcome in workers.run(
        assess_source,
        criteria,
        sources,
        workers=jobs or os.cpu_count() or 1,
        timeout=timeout,
        memory_limit=memory_limit,
    ):
        if isinstance(outcome, workers.Failure):
            outcome = _rejected(sources[index], outcome.reason)
        if outcome.status == "rejected":
            logger.info("%s: rejected: %s", outcome.path, outcome.reason)
        slots[index] = _shared(outcome)
        _report(progress, outcome, total)

    files = results + [s for s in slots if s is not None]
    if roster is not None:
        files = [check_roster(f, roster) if f.counts else f for f in files]
    return ImportResult(criteria=criteria, files=supersede(files), roster=roster,
                        skipped=skipped)


def _shared(result: FileResult) -> FileResult:
    """The result with its IDs and texts interned: each file arrives from a worker with its
    own copies of the same few hundred strings, and the run keeps every file's result."""
    intern = sys.intern
    if result.answers is not None:
        answers = result.answers
        answers.ticks = {intern(k): v for k, v in answers.ticks.items()}
        answers.experience = {intern(k): v for k, v in answers.experience.items()}
    result.next_needs = {
        intern(f): [intern(n) for n in needs] for f, needs in result.next_needs.items()
    }
    result.meta = {intern(k): v for k, v in result.meta.items()}
    return result


def _report(
    progress: Callable[[FileResult, int], None] | None, result: FileResult, total: int
) -> None:
    if progress is not None:
        progress(result, total)


#: Inside folders and archives, files with these endings (or none) are inputs, and so is any
#: file that starts like a zip or an old Office file; others (notes, PDFs, CSV exports) are
#: listed as skipped. A file named on the command line always counts.
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".numbers",
                        ARCHIVE_SUFFIX, ""}
#: An archive with more members is rejected whole: each member is read by opening the
#: archive again, so the time grows with the square of the count.
MAX_ARCHIVE_MEMBERS = 2_000


@dataclass
class Found:
    """What the search of the input paths found."""

    sources: list[Source] = field(default_factory=list)
    #: Results decided before reading: archives that cannot be opened, folders that cannot
    #: be read, entries that are not regular files, duplicate names in an archive.
    rejected: list[FileResult] = field(default_factory=list)
    #: Files in folders and archives that are not spreadsheets.
    skipped: list[str] = field(default_factory=list)

    def reject(self, path: str, reason: str, mtime: datetime | None = None) -> None:
        self.rejected.append(FileResult(path=path, status="rejected", reasons=[reason],
                                        mtime=mtime))


def find_sources(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Found:
    """The input files under `paths` (files, folders searched recursively, .zip archives).

    Hidden files (a name starting with "."), Excel's "~$" owner files and macOS's __MACOSX
    folders are not inputs, nor are the paths in `exclude` (the import's own outputs).
    """
    found = Found()
    left_out = {Path(p).resolve() for p in exclude}
    for path in map(Path, paths):
        if path.is_dir():
            _walk(path, found, left_out)
        else:
            _add_file(path, found, named=True)
    return found


def _walk(root: Path, found: Found, left_out: set[Path]) -> None:
    def unreadable(exc: OSError) -> None:
        found.reject(display(exc.filename), f"a folder that cannot be read ({exc.strerror})")

    for folder, folders, names in os.walk(root, onerror=unreadable):
        folders[:] = sorted(f for f in folders if not _hidden(f))
        for name in sorted(names):
            path = Path(folder, name)
            if not _hidden(name) and path.resolve() not in left_out:
                _add_file(path, found)


def _hidden(name: str) -> bool:
    return (name.startswith(".") and name not in (".", "..")) or name.startswith("~$") or (
        name == "__MACOSX")


def _add_file(path: Path, found: Found, named: bool = False) -> None:
    shown = display(path)
    spreadsheet = path.suffix.lower() in SPREADSHEET_SUFFIXES
    if not path.is_file():
        if spreadsheet or named:
            found.reject(shown, "not a regular file (a broken link, a pipe or a device)")
        else:
            found.skipped.append(shown)
    elif path.suffix.lower() == ARCHIVE_SUFFIX:
        _archive_sources(path, found)
    elif named or spreadsheet or _starts_like_a_workbook(path):
        found.sources.append(Source(path=shown, file=path, mtime=_mtime(path)))
    else:
        found.skipped.append(shown)


def display(path: str | Path) -> str:
    """A path as reports show it: bytes that are not UTF-8 as visible escapes (\\xff)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _starts_like_a_workbook(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return True  # it will be rejected as unreadable, with the reason
    return head.startswith((ZIP_MAGIC, OLE_MAGIC))


def _archive_sources(archive: Path, found: Found) -> None:
    shown, mtime = display(archive), _mtime(archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        found.reject(shown, f"a .zip archive that cannot be opened ({exc})", mtime)
        return
    if {i.filename for i in infos} & _WORKBOOK_PARTS:
        # A workbook renamed to .zip is one file, not an archive of its parts.
        found.sources.append(Source(path=shown, file=archive, mtime=mtime))
        return
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        found.reject(shown, f"a .zip archive of {len(infos):,} files (limit "
                     f"{MAX_ARCHIVE_MEMBERS:,}); split it into smaller archives", mtime)
        return

    last = {info.filename: n for n, info in enumerate(infos)}
    for n, info in enumerate(infos):
        name = info.filename
        if any(_hidden(part) for part in Path(name).parts):
            continue
        if Path(name).suffix.lower() not in SPREADSHEET_SUFFIXES:
            found.skipped.append(f"{shown}!{name}")
        elif last[name] != n:
            found.reject(f"{shown}!{name} (entry {n + 1})", "the archive holds another file "
                         "with this name; only the last one is read", mtime)
        else:
            moment = datetime(*info.date_time, tzinfo=UTC)
            found.sources.append(Source(path=f"{shown}!{name}", file=archive, member=name,
                                        mtime=moment))


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return None


def assess_source(criteria: Criteria, source: Source) -> FileResult:
    """Read and assess one input file; never raises for a bad file (runs in a worker)."""
    try:
        read = read_workbook(criteria, load_bytes(source), source.path)
    except WorkbookError as exc:
        return _rejected(source, str(exc))
    if not read.meta.get("employee_id"):
        return _rejected(
            source,
            "no employee ID in the metadata sheet: a blank workbook was "
            "filled in; generate one per employee with --roster",
        )

    assessment = rules.evaluate(criteria, read.answers)
    reasons = read.warnings + formula_warnings(criteria, read.cached_levels, assessment)
    return FileResult(
        path=source.path,
        status="warning" if reasons else "ok",
        reasons=reasons,
        meta=read.meta,
        answers=read.answers,
        levels={f: r.level for f, r in assessment.fields.items()},
        overall=assessment.overall,
        next_level={f: r.next_level for f, r in assessment.fields.items()},
        next_needs={f: list(r.next_needs) for f, r in assessment.fields.items()},
        notes={f: list(r.notes) for f, r in assessment.fields.items() if r.notes},
        saved_at=read.saved_at,
        mtime=source.mtime,
    )


def load_bytes(source: Source) -> bytes:
    """The file's bytes, refusing anything larger than a workbook of ours could be.

    Raises:
        WorkbookError: the file cannot be read or is too large.
    """
    try:
        if source.member is None:
            size = source.file.stat().st_size
            _check_size(size)
            return source.file.read_bytes()
        with zipfile.ZipFile(source.file) as archive:
            info = archive.getinfo(source.member)
            _check_size(info.file_size)
            return archive.read(info)
    except OSError as exc:
        raise WorkbookError(f"cannot be read ({exc.strerror or exc})") from None
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError) as exc:
        raise WorkbookError(f"cannot be read from its archive ({exc})") from None


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"{size:,} bytes is more than any workbook of ours (limit {MAX_FILE_BYTES:,})"
        )


def formula_warnings(
    criteria: Criteria, cached: dict[str, Any], assessment: rules.Assessment
) -> list[str]:
    """A warning when the levels the workbook shows differ from the engine's.

    Generated workbooks cache 0 for every formula until a spreadsheet program recalculates
    them, so all-zero cached levels mean "never calculated" and are not compared.
    """
    shown = {
        f: v for f, v in cached.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    if not any(shown.values()):
        return []
    differ = [
        f"{f} {int(v)} (the standard gives {assessment.fields[f].level or 0})"
        for f, v in shown.items()
        if int(v) != (assessment.fields[f].level or 0)
    ]
    if not differ:
        return []
    return [
        f"the workbook's formulas were changed: it shows {', '.join(differ)}; the "
        "levels here are recomputed from the answers"
    ]


def _rejected(source: Source, reason: str) -> FileResult:
    return FileResult(path=source.path, status="rejected", reasons=[reason], mtime=source.mtime)


def check_roster(result: FileResult, roster: dict[str, dict[str, str]]) -> FileResult:
    """Warn when the file's employee is not on the roster or the name differs from it."""
    row = roster.get(result.employee_id or "")
    if row is None:
        reason = f"employee {result.employee_id} is not on the roster"
        return replace(result, status="warning", reasons=result.reasons + [reason])
    name = result.meta.get("name", "")
    if row.get("name") and name and " ".join(name.split()) != " ".join(row["name"].split()):
        reason = f"name {name!r} differs from the roster's {row['name']!r}"
        return replace(result, status="warning", reasons=result.reasons + [reason])
    return result


def supersede(files: list[FileResult]) -> list[FileResult]:
    """Of several files of one employee the newest counts; the others are superseded.

    Newest by the workbook's saved time (its document properties), then the file's
    modification time, then the later path, so the choice never depends on reading order.
    """
    by_employee: dict[str, list[int]] = {}
    for index, result in enumerate(files):
        if result.counts:
            by_employee.setdefault(result.employee_id or "", []).append(index)

    out = list(files)
    for indexes in by_employee.values():
        if len(indexes) < 2:
            continue
        ranked = sorted(indexes, key=lambda i: _age_key(files[i]))
        winner = files[ranked[-1]]
        for i in ranked[:-1]:
            reason = f"superseded by {winner.path} ({_why_newer(winner, files[i])})"
            out[i] = replace(files[i], status="superseded", reasons=[reason] + files[i].reasons)
    return out


def _why_newer(winner: FileResult, other: FileResult) -> str:
    """Which of the three keys decided, in words."""
    if (winner.saved_at or _EPOCH) != (other.saved_at or _EPOCH):
        return f"saved {_when(winner.saved_at)}; this one {_when(other.saved_at)}"
    if (winner.mtime or _EPOCH) != (other.mtime or _EPOCH):
        return (f"both saved {_when(winner.saved_at)}; its file was modified later, "
                f"{_when(winner.mtime)} against {_when(other.mtime)}")
    return "saved and modified at the same time; the later path in name order counts"


def _age_key(result: FileResult) -> tuple[datetime, datetime, str]:
    return (result.saved_at or _EPOCH, result.mtime or _EPOCH, result.path)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "at an unknown time"
