"""Hostile and broken files: refused before parsing, or costing only their own worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from generator import container, workers
from generator.errors import WorkbookError

#: Corpus files refused by the checks before any reader parses them, and the reason.
REFUSED = {
    "empty": "empty file (0 bytes)",
    "truncated": "truncated or damaged: the zip directory cannot be read",
    "not-a-zip": "not a workbook: the file is not a zip (.xlsx, .xlsm, .ods)",
    "encrypted": "password-protected (encrypted): ask the sender to remove the password",
    "zip-bomb": "zip bomb: inflates to",
    "zip-ratio-bomb": "zip bomb: xl/media/image1.bin inflates 1,0",
    "far-cell": "sheet 'HW L5' (xl/worksheets/sheet3.xml) reaches cell XFD1048576, far outside",
    "billion-laughs": "xl/sharedStrings.xml declares XML entities (<!DOCTYPE>/<!ENTITY>)",
    "entity-in-properties": "docProps/core.xml declares XML entities (<!DOCTYPE>/<!ENTITY>)",
    "ole-header-only": "an old Excel 97-2003 (.xls) or other OLE file",
}




def corpus_file(corpus, name: str) -> bytes:
    return next(c for c in corpus if c.name == name).path.read_bytes()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_before_parsing(corpus, name):
    with pytest.raises(WorkbookError, match="^" + _literal(REFUSED[name])):
        container.open_container(corpus_file(corpus, name))


def _literal(text: str) -> str:
    import re

    return re.escape(text)


def test_a_generated_workbook_passes_the_checks(corpus):
    checked = container.open_container(corpus_file(corpus, "ok-hardware4"))
    assert checked.kind == "xlsx"
    assert checked.saved_at is not None


@pytest.mark.parametrize(
    ("cells", "far"),
    [
        (b'<c r="A1"/><c r="Z900"/>', None),  # a note far down is fine: 26 x 900 cells
        (b'<c r="A1"/><c r="CV99999"/>', "CV99999"),
        (b'<c r="XFD1"/><c r="A2000"/>', "XFD2000"),  # the rectangle, not one cell, counts
        (b'<dimension ref="A1:XFD1048576"/><c r="A1"/>', "XFD1048576"),
        (b'<c s="1" r="XFD1048576" t="b"/>', "XFD1048576"),
    ],
)
def test_the_area_check_measures_the_rectangle_from_a1(cells, far):
    assert container.far_cell(b"<worksheet>" + cells + b"</worksheet>") == far


def read_with_calamine_only(_context, path: str) -> int:
    """Parse every sheet with python-calamine, no checks first: what the checks prevent."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(path)
    return sum(len(book.get_sheet_by_index(i).to_python()) for i in range(len(book.sheet_names)))


def abort(_context, _item) -> None:
    os.abort()


def sleep(_context, seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def allocate(_context, megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def test_a_reader_abort_costs_only_its_own_file(corpus):
    """One cell at XFD1048576 aborts calamine: the worker dies, the next file is read."""
    paths = [
        str(next(c for c in corpus if c.name == n).path)
        for n in ("far-cell", "ok-hardware4", "far-cell", "ok-facility6")
    ]
    results = dict(workers.run(read_with_calamine_only, None, paths, workers=2))
    assert isinstance(results[0], workers.Failure)
    assert "the reader crashed on this file" in results[0].reason
    assert isinstance(results[2], workers.Failure)
    assert isinstance(results[1], int) and results[1] > 100
    assert isinstance(results[3], int) and results[3] > 100


def test_a_native_abort_is_reported_with_its_signal():
    results = dict(workers.run(abort, None, [None], workers=1))
    assert results[0].reason.startswith("the reader crashed on this file (signal 6)")


def test_a_file_that_hangs_is_stopped_and_the_rest_go_on():
    started = time.monotonic()
    results = dict(workers.run(sleep, None, [30, 0.01, 0.01], workers=1, timeout=1.5))
    assert results[0] == workers.Failure("took longer than 1.5 s to read; stopped")
    assert results[1] == results[2] == 0.01
    assert time.monotonic() - started < 15


def test_memory_is_limited_per_worker():
    limit = 1024**3
    results = dict(workers.run(allocate, None, [2048, 16], workers=1, memory_limit=limit))
    assert results[0].reason.startswith("ran out of memory reading this file")
    assert results[1] == 16 * 1024 * 1024


def test_evaluate_refuses_a_far_cell_without_crashing(corpus, cli_process):
    """`evaluate` reads workbooks in workers too; the checks still stop the file first."""
    path = next(c for c in corpus if c.name == "far-cell").path
    done = cli_process("evaluate", path, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "XFD1048576, far outside" in done.stderr


def test_workers_that_cannot_start_are_an_error_not_rejected_files(corpus, tmp_path):
    """A script without a main guard makes every spawned worker fail: no file is to blame."""
    script = tmp_path / "unguarded.py"
    folder = corpus[0].path.parent
    script.write_text(
        "from generator import criteria, importer\n"
        f"importer.import_paths(criteria.load(), [{str(folder)!r}], jobs=1)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "generator.errors.WorkerError: a worker process failed to start (exit code 1); if a "
        'script calls the import, put the call under `if __name__ == "__main__":`'
    )
