"""Finding the input files: folders, archives and odd entries, every one accounted for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from generator import importer
from tests.import_corpus import answers_for, filled, person


@pytest.fixture(scope="module")
def good(criteria):
    return filled(criteria, person(1), answers_for("common.1"))


def statuses(result) -> dict[str, str]:
    return {f.path: f.status for f in result.files}


def test_a_name_that_is_not_utf8_is_shown_escaped_and_imported(criteria, good, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"bad\xff\xfename.xlsx")).write_bytes(good)

    result = importer.import_paths(criteria, [folder], jobs=1)

    assert statuses(result) == {f"{folder}/bad\\xff\\xfename.xlsx": "ok"}


def test_spreadsheets_by_content_count_and_other_files_are_skipped(criteria, good, tmp_path):
    (tmp_path / "E1.xlsx.part").write_bytes(good)
    (tmp_path / "notes.txt").write_text("chased E0003")
    (tmp_path / "~$E1.xlsx").write_bytes(b"owner file")
    (tmp_path / "broken.xlsx").symlink_to(tmp_path / "nowhere.xlsx")

    result = importer.import_paths(criteria, [tmp_path], jobs=1)

    assert statuses(result) == {f"{tmp_path}/E1.xlsx.part": "ok",
                                f"{tmp_path}/broken.xlsx": "rejected"}
    assert result.files[0].reason == "not a regular file (a broken link, a pipe or a device)"
    assert result.skipped == [f"{tmp_path}/notes.txt"]


def test_two_members_with_one_name_are_both_accounted_for(criteria, good, tmp_path):
    archive = tmp_path / "twice.zip"
    other = filled(criteria, person(2), answers_for("common.1"))
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("returned/a.xlsx", good)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("returned/a.xlsx", other)
        zf.writestr("../../etc/evil.xlsx", good)

    result = importer.import_paths(criteria, [archive], jobs=1)

    assert statuses(result) == {
        f"{archive}!returned/a.xlsx (entry 1)": "rejected",
        f"{archive}!returned/a.xlsx": "ok",
        f"{archive}!../../etc/evil.xlsx": "ok",
    }
    read = next(f for f in result.files if f.path == f"{archive}!returned/a.xlsx")
    assert read.employee_id == person(2).id
    assert sum(result.counts().values()) == 3


def test_an_archive_of_too_many_files_is_rejected_whole(criteria, good, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ARCHIVE_MEMBERS", 3)
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in range(4):
            zf.writestr(f"f{n}.xlsx", good)

    [file] = importer.import_paths(criteria, [archive], jobs=1).files

    assert (file.path, file.status) == (str(archive), "rejected")
    assert file.reason == "a .zip archive of 4 files (limit 3); split it into smaller archives"


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_an_unreadable_folder_is_rejected_not_skipped(good, tmp_path):
    locked = tmp_path / "in" / "locked"
    locked.mkdir(parents=True)
    (locked / "E1.xlsx").write_bytes(good)
    locked.chmod(0)
    script = ("import sys; from generator import importer; "
              "found = importer.find_sources([sys.argv[1]]); "
              "print([(f.path, f.reason) for f in found.rejected])")
    try:
        # As root, mode 000 is no obstacle: drop the capabilities that override it.
        done = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                               "--inh-caps=-dac_override,-dac_read_search", sys.executable,
                               "-c", script, str(tmp_path / "in")],
                              capture_output=True, text=True, check=True)
    finally:
        locked.chmod(0o755)

    assert done.stdout.strip() == str(
        [(str(locked), "a folder that cannot be read (Permission denied)")])
