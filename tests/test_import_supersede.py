"""Several files of one employee: the newest counts, and the reason says why."""

from __future__ import annotations

from datetime import UTC, datetime

from generator.importer import FileResult, supersede

MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EVENING = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def copy(path, saved_at, mtime, employee="E1"):
    return FileResult(path=path, status="ok", meta={"employee_id": employee},
                      saved_at=saved_at, mtime=mtime)


def test_the_later_saved_time_counts_whatever_the_file_times():
    old, new = copy("a.xlsx", MORNING, EVENING), copy("b.xlsx", EVENING, MORNING)

    first, second = supersede([old, new])

    assert (first.status, second.status) == ("superseded", "ok")
    assert first.reason == ("superseded by b.xlsx (saved 2026-12-01 18:00:00 UTC; this one "
                            "2026-12-01 09:00:00 UTC)")


def test_a_tie_on_saved_time_is_broken_by_the_file_time_and_says_so():
    first, second = supersede([copy("a.xlsx", MORNING, EVENING), copy("b.xlsx", MORNING, MORNING)])

    assert (first.status, second.status) == ("ok", "superseded")
    assert second.reason == (
        "superseded by a.xlsx (both saved 2026-12-01 09:00:00 UTC; its file was modified "
        "later, 2026-12-01 18:00:00 UTC against 2026-12-01 09:00:00 UTC)")


def test_a_full_tie_takes_the_later_path_and_says_so():
    first, second = supersede([copy("b.xlsx", None, MORNING), copy("a.xlsx", None, MORNING)])

    assert (first.status, second.status) == ("ok", "superseded")
    assert second.reason == ("superseded by b.xlsx (saved and modified at the same time; "
                             "the later path in name order counts)")


def test_other_employees_and_rejected_files_are_left_alone():
    rejected = FileResult(path="c.xlsx", status="rejected", reasons=["empty"])
    files = [copy("a.xlsx", MORNING, None), copy("b.xlsx", MORNING, None, "E2"), rejected]

    assert [f.status for f in supersede(files)] == ["ok", "ok", "rejected"]
