"""The report's files get the permissions a plain open() gives, or keep the previous ones."""

from __future__ import annotations

import os
import stat

import pytest

from generator import importer, report, xlsx_tables
from tests.import_corpus import answers_for, filled, person

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _xlsx(result, folder):
    report.write_xlsx(result, folder / "report.xlsx")
    return [folder / "report.xlsx"]


def _json(result, folder):
    report.write_json(result, folder / "results.json")
    return [folder / "results.json"]


def _csv(result, folder):
    return report.write_csv(result, folder)


WRITERS = [_xlsx, _json, _csv]


@pytest.fixture(scope="module")
def result(criteria, tmp_path_factory):
    folder = tmp_path_factory.mktemp("returned")
    (folder / "E0001.xlsx").write_bytes(filled(criteria, person(1), answers_for("common.1")))
    return importer.import_paths(criteria, [folder], jobs=1)


@pytest.fixture
def umask():
    """Set the process's umask for one test."""
    before = os.umask(0o022)
    yield os.umask
    os.umask(before)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("write", WRITERS)
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_what_open_gives(result, tmp_path, umask, write, mask, mode):
    umask(mask)
    for path in write(result, tmp_path):
        assert oct(_mode(path)) == oct(mode), path.name


@pytest.mark.parametrize("write", WRITERS)
def test_a_replaced_file_keeps_its_permissions(result, tmp_path, umask, write):
    umask(0o022)
    paths = write(result, tmp_path)
    for path in paths:
        path.chmod(0o604)

    umask(0o077)
    assert write(result, tmp_path) == paths
    assert {path.name: oct(_mode(path)) for path in paths} == {p.name: "0o604" for p in paths}


def test_the_unfinished_report_is_private(result, tmp_path, umask, monkeypatch):
    """While it is written the report is the staff's data in full, whatever the umask."""
    umask(0o000)
    modes = []

    def add_tables(source, target, tables):
        modes.extend([_mode(source), _mode(target)])
        return real(source, target, tables)

    real = xlsx_tables.add_tables
    monkeypatch.setattr(xlsx_tables, "add_tables", add_tables)
    report.write_xlsx(result, tmp_path / "report.xlsx")

    assert [oct(m) for m in modes] == ["0o600", "0o600"]
    assert oct(_mode(tmp_path / "report.xlsx")) == "0o666"
