"""Fixtures shared by the test files."""

from __future__ import annotations

import pytest

from generator import criteria as criteria_mod


@pytest.fixture(scope="session")
def criteria() -> criteria_mod.Criteria:
    """The shipped criteria.yaml, loaded once."""
    return criteria_mod.load()
