"""How fast personalised workbooks are generated, against the floor of zipping their bytes.

Generates N workbooks (default 1,000) for a synthetic roster, then deflates the very same
parts into zip files: that is the least any writer of such a file must do. Prints
milliseconds per workbook for both and their ratio (target: within 3x).

    python benchmarks/bench_generate.py [--count 1000] [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from generator import criteria as criteria_mod
from generator.generate import generate_roster
from generator.roster import Employee

FIELD_SETS = (None, ("hardware",), ("software",), ("facility",), ("hardware", "software"))
SURNAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村")
GIVEN = ("花子", "太郎", "健", "愛子", "翔", "美咲")


def roster(count: int) -> list[Employee]:
    """A synthetic roster: Japanese names, IDs with leading zeros, five sets of fields."""
    return [
        Employee(
            id=f"{n:06d}",
            name=f"{SURNAMES[n % 8]} {GIVEN[n % 6]}",
            department=f"Field Service {n % 7}",
            manager="伊藤 健",
            email=f"user{n}@example.com",
            fields=FIELD_SETS[n % len(FIELD_SETS)],
        )
        for n in range(count)
    ]


def deflate_floor(paths: list[Path]) -> float:
    """Seconds to deflate each workbook's parts into a new zip, the files read beforehand."""
    contents = []
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            contents.append([(i, archive.read(i)) for i in archive.infolist()])
    start = time.perf_counter()
    for parts in contents:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in parts:
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, help="keep the workbooks here [default: a temp dir]")
    args = parser.parse_args()
    criteria = criteria_mod.load()
    people = roster(args.count)

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        start = time.perf_counter()
        paths = generate_roster(criteria, people, out).paths
        generate = time.perf_counter() - start
        size = sum(p.stat().st_size for p in paths) / len(paths)
        floor = deflate_floor(paths)

    per, floor_per = generate / args.count * 1000, floor / args.count * 1000
    print(
        f"{args.count} workbooks ({len(FIELD_SETS)} sets of fields, {size / 1024:.0f} KB "
        f"each on average)"
    )
    print(f"generate (templates built, rendered, written): {per:.2f} ms per workbook")
    print(f"floor (deflating the same parts into a zip):   {floor_per:.2f} ms per workbook")
    print(f"ratio: {generate / floor:.2f}x the floor (target: within 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
