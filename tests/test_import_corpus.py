"""The import against the corpus: every returned file gets its expected status, levels and
reasons, every file found is accounted for, and levels are always the engine's."""

from __future__ import annotations

import random

import pytest

from generator import importer
from tests.answer_sets import random_answers
from tests.import_corpus import FIELDS, Case, engine_levels, filled, person

CORPUS_NAMES = [
    "ok-hardware4",
    "ok-facility6",
    "ok-random",
    "ok-xlsm",
    "a-copy-newer",
    "b-copy-older",
    "zip-member",
    "rows-inserted-renamed-text-ticks",
    "tick-yes",
    "level-above-top",
    "older-criteria",
    "empty",
    "truncated",
    "not-a-zip",
    "encrypted",
    "zip-bomb",
    "zip-ratio-bomb",
    "far-cell",
    "billion-laughs",
    "entity-in-properties",
    "not-ours",
    "blank-template",
    "ole-header-only",
]
#: The random answer sets filled into workbooks and imported (at least 100).
RANDOM_SETS = 100


def result_for(result: importer.ImportResult, case: Case) -> importer.FileResult:
    matches = [f for f in result.files if f.path == case.display]
    assert len(matches) == 1, f"{case.display} appears {len(matches)} times in the results"
    return matches[0]


def check(result: importer.FileResult, case: Case) -> None:
    assert result.status == case.status, result.reasons
    for words in case.reason:
        assert words in result.reason, f"{words!r} not in {result.reason!r}"
    if case.levels is None:
        assert result.levels == {}
        assert result.answers is None
    else:
        assert {f: result.levels[f] for f in FIELDS} == case.levels


def test_the_corpus_has_every_kind(corpus):
    assert [c.name for c in corpus] == CORPUS_NAMES


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_file(corpus, corpus_result, name):
    case = next(c for c in corpus if c.name == name)
    check(result_for(corpus_result, case), case)


def test_every_file_found_is_accounted_for(corpus, corpus_result):
    on_disk = [p for p in corpus[0].path.parent.rglob("*") if p.is_file() and p.suffix != ".zip"]
    in_archive = 1  # dept/E0020.xlsx; __MACOSX is not an input, readme.txt not a spreadsheet
    counts = corpus_result.counts()
    assert sum(counts.values()) == len(corpus_result.files) == len(on_disk) + in_archive
    assert {f.path for f in corpus_result.files} == {c.display for c in corpus}
    assert counts == {"ok": 7, "warning": 3, "rejected": 12, "superseded": 1}
    archive = next(c.path for c in corpus if c.name == "zip-member")
    assert corpus_result.skipped == [f"{archive}!dept/readme.txt"]


def test_a_superseded_copy_keeps_its_levels_but_does_not_count(corpus, corpus_result):
    counted = {f.employee_id: f for f in corpus_result.counted}
    assert counted["E0010"].path.endswith("a-copy-newer.xlsx")
    assert counted["E0010"].levels["hardware"] == 4
    assert len(corpus_result.counted) == len({f.employee_id for f in corpus_result.counted})


def test_the_newest_copy_counts_whatever_the_order(criteria, corpus):
    newer, older = (
        next(c for c in corpus if c.name == n) for n in ("a-copy-newer", "b-copy-older")
    )
    for paths in ([newer.path, older.path], [older.path, newer.path]):
        result = importer.import_paths(criteria, paths, jobs=1)
        assert [f.status for f in result.files if f.path == str(newer.path)] == ["ok"]
        assert [f.status for f in result.files if f.path == str(older.path)] == ["superseded"]


def test_equal_saved_times_fall_back_to_the_file_time(criteria, tmp_path):
    data = filled(criteria, person(60), {})
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    first.write_bytes(data)
    second.write_bytes(data)
    import os

    os.utime(first, (2_000_000_000, 2_000_000_000))
    os.utime(second, (1_900_000_000, 1_900_000_000))
    result = importer.import_paths(criteria, [tmp_path], jobs=1)
    assert {f.path: f.status for f in result.files} == {
        str(first): "ok",
        str(second): "superseded",
    }


@pytest.mark.parametrize("batch", ["xlsx", "ods", "other"])
def test_libreoffice_saved_workbooks_import_right(criteria, lo_corpus, batch):
    # One batch per format: the .xlsx and .ods copies are of the same employees.
    cases = [c for c in lo_corpus if c.extra["batch"] == batch]
    result = importer.import_paths(criteria, [c.path for c in cases], jobs=2)
    for case in cases:
        check(result_for(result, case), case)
        if case.status != "rejected":
            # LibreOffice's save time: docProps/core.xml in .xlsx, meta.xml in .ods.
            assert result_for(result, case).saved_at is not None
    assert len(cases) == {"xlsx": 3, "ods": 3, "other": 4}[batch]


def test_import_levels_equal_the_engine_on_random_answer_sets(criteria, tmp_path):
    rng = random.Random(20261203)
    expected = {}
    for n in range(RANDOM_SETS):
        flat = random_answers(criteria, rng)
        path = tmp_path / f"E{n:04d}.xlsx"
        path.write_bytes(filled(criteria, person(1000 + n), flat))
        expected[str(path)] = engine_levels(criteria, flat)

    result = importer.import_paths(criteria, [tmp_path], jobs=2)
    assert result.counts() == {"ok": RANDOM_SETS, "warning": 0, "rejected": 0, "superseded": 0}
    got = {f.path: {k: f.levels[k] for k in FIELDS} for f in result.files}
    assert got == expected
    assert len({str(v) for v in expected.values()}) > 10, "the sets should differ in levels"
