"""Fixtures shared by the test files."""

from __future__ import annotations

import pytest

from generator import criteria as criteria_mod


@pytest.fixture(scope="session")
def criteria() -> criteria_mod.Criteria:
    """The shipped criteria.yaml, loaded once."""
    return criteria_mod.load()


# The import tests' corpus of returned workbooks (tests/import_corpus.py).
from tests.import_corpus import corpus, corpus_result, lo_corpus  # noqa: E402, F401


@pytest.fixture(scope="session")
def blank_workbook(criteria) -> bytes:
    """A generated workbook with every field and nobody's name: the bytes, built once."""
    from generator import workbook

    return workbook.write_workbook(criteria)


@pytest.fixture(scope="session")
def cli_process():
    """Run `itss-workbook ARGS...` in a process of its own: a reader that aborts the process
    fails the test instead of taking pytest down with it."""
    import subprocess
    import sys

    code = "import sys; from generator.cli import main; sys.exit(main())"

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code, *map(str, args)],
                              capture_output=True, text=True, timeout=timeout, check=False)

    return run
