"""Benchmark the bulk import: files per second, peak memory, and the ratio to openpyxl.

Writes N completed workbooks (generated, then filled with seeded random answers as a person
would), imports them with `generator.importer` and, for comparison, merely loads a sample of
the same files with openpyxl in one process. Peak memory is each process's peak resident
size (ru_maxrss): the importing parent, and the largest worker. To show whether memory stays
flat as the number of files grows, each run size is imported in a fresh process. CPU time per
file (parent and workers together) is reported too: unlike wall-clock speed it does not
depend on what else the machine is doing.

Run from the repository root:

    python benchmarks/bench_import.py                      # 2,000 files, 2 workers
    python benchmarks/bench_import.py --files 500 --workers 4 --dir /tmp/itss-bench
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import cover, filling, importer, workbook  # noqa: E402
from generator.criteria import load  # noqa: E402
from generator.roster import Employee  # noqa: E402
from tests.answer_sets import random_answers  # noqa: E402


def write_corpus(folder: Path, count: int, seed: int = 2026) -> list[Path]:
    """`count` filled workbooks in `folder` (kept when they are already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"E{n:05d}.xlsx" for n in range(count)]
    missing = [p for p in paths if not p.is_file()]
    if not missing:
        return paths
    criteria = load()
    template = workbook.build_template(criteria)
    texts = cover.load_cover()
    rng = random.Random(seed)
    for path in missing:
        employee = Employee(id=path.stem, name=f"社員 {path.stem}", department="Benchmark")
        data = template.render(workbook.personal_values(employee, texts))
        path.write_bytes(filling.fill(criteria, data, random_answers(criteria, rng)))
    return paths


def peak_mib(who: int) -> float:
    """Peak resident size in MiB of this process or its (waited-for) children; Linux KiB."""
    return resource.getrusage(who).ru_maxrss / 1024


def measure_import(folder: Path, count: int, jobs: int) -> dict:
    """Import the first `count` files of `folder` (run in a fresh process by `main`)."""
    paths = sorted(folder.glob("*.xlsx"))[:count]
    criteria = load()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = importer.import_paths(criteria, paths, jobs=jobs)
    seconds = time.perf_counter() - started
    parent_cpu = time.process_time() - cpu_started
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    import_peak = peak_mib(resource.RUSAGE_SELF)
    tables_started = time.perf_counter()
    result.tables()
    return {
        "files": count,
        "seconds": seconds,
        "files_per_s": count / seconds,
        "tables_s": time.perf_counter() - tables_started,
        "counts": result.counts(),
        "cpu_ms_per_file": 1000 * (parent_cpu + workers.ru_utime + workers.ru_stime) / count,
        "parent_import_peak_mib": import_peak,
        "parent_peak_mib": peak_mib(resource.RUSAGE_SELF),
        "worker_peak_mib": peak_mib(resource.RUSAGE_CHILDREN),
    }


def measure_openpyxl(paths: list[Path]) -> dict:
    """Merely load each file with openpyxl, one process, nothing read from the cells."""
    import openpyxl

    started, cpu_started = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for path in paths:
            openpyxl.load_workbook(path)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "files": len(paths),
        "seconds": seconds,
        "files_per_s": len(paths) / seconds,
        "cpu_ms_per_file": 1000 * cpu / len(paths),
    }


def in_fresh_process(folder: Path, count: int, jobs: int) -> dict:
    command = [
        sys.executable,
        __file__,
        "--measure",
        str(count),
        "--dir",
        str(folder),
        "--workers",
        str(jobs),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--openpyxl-sample",
        type=int,
        default=200,
        help="files openpyxl loads (it takes ~0.2 s each); default 200",
    )
    parser.add_argument("--dir", type=Path, help="where the workbooks are (kept for reuse)")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.gettempdir()) / "itss-bench-import"
    if args.measure:
        print(json.dumps(measure_import(folder, args.measure, args.workers)))
        return

    started = time.perf_counter()
    paths = write_corpus(folder, args.files)
    print(
        f"{len(paths)} workbooks in {folder} ({time.perf_counter() - started:.0f} s to "
        f"make; {sum(p.stat().st_size for p in paths) / len(paths) / 1024:.0f} KiB each)"
    )

    sizes = sorted({max(1, args.files // 8), args.files // 4, args.files // 2, args.files})
    runs = [in_fresh_process(folder, n, args.workers) for n in sizes]
    for run in runs:
        print(
            f"import {run['files']:>5} files, {args.workers} workers: {run['seconds']:6.1f} s, "
            f"{run['files_per_s']:6.0f} files/s; peak RSS: parent "
            f"{run['parent_import_peak_mib']:.0f} MiB importing, {run['parent_peak_mib']:.0f} "
            f"MiB with the tables built ({run['tables_s']:.1f} s), largest worker "
            f"{run['worker_peak_mib']:.0f} MiB; {run['counts']}"
        )

    sample = paths[: args.openpyxl_sample]
    base = measure_openpyxl(sample)
    print(
        f"openpyxl load_workbook, {base['files']} files, 1 process: {base['seconds']:.1f} s, "
        f"{base['files_per_s']:.1f} files/s ({1000 / base['files_per_s']:.0f} ms a file)"
    )
    full = runs[-1]
    print(
        f"ratio: the import is {full['files_per_s'] / base['files_per_s']:.1f}x faster than "
        "openpyxl merely loading the files (wall clock)"
    )
    print(
        f"CPU time per file: import {full['cpu_ms_per_file']:.1f} ms (parent and workers), "
        f"openpyxl {base['cpu_ms_per_file']:.0f} ms: "
        f"{base['cpu_ms_per_file'] / full['cpu_ms_per_file']:.1f}x less CPU (unaffected by "
        "other load on the machine)"
    )


if __name__ == "__main__":
    main()
