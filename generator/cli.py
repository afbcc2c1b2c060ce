"""The itss-workbook command: a thin layer over the library.

Each command parses its options, calls the library and turns the library's exceptions into
one line on stderr: exit 1 for bad input, 2 for bad usage (click's own).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import sys
from pathlib import Path

import click

from generator import answers as answers_mod
from generator import criteria as criteria_mod
from generator import export, rules
from generator.errors import ITSSError

EXIT_BAD_INPUT = 1


def _fail_on_bad_input(command):
    """Turn the library's ITSSError into a message on stderr and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ITSSError as exc:
            click.echo(f"itss-workbook: {exc}", err=True)
        except OSError as exc:
            where = exc.filename or "a file"
            click.echo(f"itss-workbook: {where}: cannot be written or read ({exc.strerror})",
                       err=True)
        sys.exit(EXIT_BAD_INPUT)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--criteria", "criteria_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="ITSS_CRITERIA", help="criteria.yaml to use instead of the shipped one "
              "(or set ITSS_CRITERIA).")
@click.option("-v", "--verbose", is_flag=True, help="Log what is done.")
@click.version_option(package_name="itss-workbook")
@click.pass_context
def main(ctx: click.Context, criteria_path: Path | None, verbose: bool) -> None:
    """Assess customer-service staff against the ITSS Customer Service indicators.

    \b
    Example:
        itss-workbook criteria --format markdown
        itss-workbook evaluate answers.yaml
    """
    handler = logging.StreamHandler()
    handler.setFormatter(_MessageFormatter())
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    ctx.obj = {"criteria_path": criteria_path}


class _MessageFormatter(logging.Formatter):
    """Log records as the CLI's other messages: 'itss-workbook: warning: ...'."""

    def format(self, record: logging.LogRecord) -> str:
        return f"itss-workbook: {record.levelname.lower()}: {record.getMessage()}"


def load_criteria(ctx: click.Context) -> criteria_mod.Criteria:
    """The criteria named by --criteria, or the shipped ones."""
    return criteria_mod.load(ctx.find_root().obj["criteria_path"])


@main.command("criteria")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "markdown"]),
              default="json", show_default=True)
@click.pass_context
@_fail_on_bad_input
def criteria_command(ctx: click.Context, fmt: str) -> None:
    """Print the parsed criteria; also checks an edited criteria.yaml.

    \b
    Example:
        itss-workbook criteria --format csv > criteria.csv
        itss-workbook --criteria my-criteria.yaml criteria > /dev/null
    """
    criteria = load_criteria(ctx)
    if fmt == "json":
        click.echo(json.dumps(export.criteria_to_dict(criteria), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(export.criteria_to_csv(criteria), nl=False)
    else:
        click.echo(export.criteria_to_markdown(criteria))


@main.command("evaluate")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per PATH.")
@click.pass_context
@_fail_on_bad_input
def evaluate_command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Compute the levels of answers files (.json, .yaml) or filled-in workbooks.

    A file that cannot be read is named on stderr (with --json, an object with "source" and
    "error"); the others are still evaluated, and the exit code is 1.

    \b
    Example:
        itss-workbook evaluate answers.yaml
        itss-workbook evaluate --json returned/*.xlsx > levels.json
    """
    criteria = load_criteria(ctx)
    sources = read_answers_sources(criteria, list(paths))
    out, failed = [], 0
    for path, source in zip(paths, sources, strict=True):
        if isinstance(source, ITSSError):
            click.echo(f"itss-workbook: {source}", err=True)
            out.append({"source": str(path), "error": str(source)})
            failed += 1
            continue
        assessment = rules.evaluate(criteria, source.answers)
        if as_json:
            out.append({"source": source.source, "employee": source.employee,
                        **export.assessment_to_dict(criteria, assessment)})
        else:
            who = " ".join(filter(None, [source.employee.get("id"),
                                         source.employee.get("name")]))
            click.echo(export.format_assessment(criteria, assessment,
                                                f"{source.source}: {who}", source.fields))
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(EXIT_BAD_INPUT)


#: `import` exit codes beyond 0: some files rejected (report written), nothing imported.
EXIT_SOME_REJECTED, EXIT_NOTHING_IMPORTED = 3, 1


def _in_existing_folder(_ctx: click.Context, _param: click.Parameter,
                        path: Path | None) -> Path | None:
    """Refuse an output file in a folder that does not exist before any work is done."""
    if path is not None and not path.resolve().parent.is_dir():
        raise click.BadParameter(f"the folder {path.parent} does not exist")
    return path


def _xlsx_in_existing_folder(ctx: click.Context, param: click.Parameter,
                             path: Path | None) -> Path | None:
    """As _in_existing_folder, and the name must end in .xlsx (the report is a workbook)."""
    if path is not None and path.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{path} must end in .xlsx: the report is an Excel workbook")
    return _in_existing_folder(ctx, param, path)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--report", "report_path", required=True, callback=_xlsx_in_existing_folder,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The .xlsx report to write.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              callback=_in_existing_folder, help="Also write the per-file results as JSON.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the report's tables as CSV files into this folder.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check employees against this roster (.csv or .xlsx).")
@click.option("--encoding", help="The roster CSV's encoding [default: UTF-8 or cp932, "
              "whichever reads the whole file].")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: the number of CPUs].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.pass_context
@_fail_on_bad_input
def import_command(ctx: click.Context, paths: tuple[Path, ...], report_path: Path,
                   json_path: Path | None, csv_dir: Path | None, roster: Path | None,
                   encoding: str | None, workers: int | None, quiet: bool) -> None:
    """Import returned workbooks (files, folders, .zip archives) into one report.

    Exit 0 when every file is ok, warning or superseded; 3 when the report was written but
    some files were rejected; 1 when nothing could be imported.

    \b
    Example:
        itss-workbook import returned/ late.zip --report report.xlsx --json results.json
        itss-workbook import returned/ --roster roster.csv --report report.xlsx --csv tables/
    """
    from generator import importer, report
    from generator import roster as roster_mod

    criteria = load_criteria(ctx)
    people = None
    if roster is not None:
        people = {e.id: {"employee_id": e.id, "name": e.name, "department": e.department,
                         "manager": e.manager, "email": e.email}
                  for e in roster_mod.read_roster(roster, criteria, encoding=encoding)}
    with _progress_bar(quiet) as advance:
        result = importer.import_paths(criteria, paths, roster=people, jobs=workers,
                                       progress=advance,
                                       exclude=[p for p in (report_path, json_path) if p])
    if not result.files:
        raise ITSSError(f"no files found in {', '.join(map(str, paths))}")

    tables = result.tables()
    report.write_xlsx(result, report_path, tables)
    if json_path:
        report.write_json(result, json_path)
    if csv_dir:
        report.write_csv(result, csv_dir, tables)
    if not quiet:
        click.echo(f"{report.progress_line(result)} -> {report_path}", err=True)
    counts = result.counts()
    if not result.counted:
        sys.exit(EXIT_NOTHING_IMPORTED)
    if counts["rejected"]:
        sys.exit(EXIT_SOME_REJECTED)


@contextlib.contextmanager
def _progress_bar(quiet: bool):
    """A tqdm bar on stderr advanced once per file read; nothing when quiet."""
    if quiet:
        yield None
        return
    from tqdm import tqdm

    # disable=None: no bar when stderr is not a terminal (logs, CI).
    with tqdm(unit="file", file=sys.stderr, leave=False, dynamic_ncols=True,
              disable=None) as bar:

        def advance(_result, total: int) -> None:
            bar.total = total
            bar.update()

        yield advance


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def read_answers_sources(criteria: criteria_mod.Criteria,
                         paths: list[Path]) -> list[answers_mod.AnswersFile | ITSSError]:
    """Answers files, and filled-in workbooks read in worker processes (as the import reads
    them, so that a hostile file cannot take the command down); errors in place."""
    from generator import reader

    books = [p for p in paths if p.suffix.lower() in WORKBOOK_SUFFIXES]
    read = dict(zip(books, reader.read_answers_files(criteria, books), strict=True))
    out: list[answers_mod.AnswersFile | ITSSError] = []
    for path in paths:
        if path in read:
            out.append(read[path])
            continue
        try:
            out.append(answers_mod.load_file(path, criteria))
        except ITSSError as exc:
            out.append(exc)
    return out


@main.command("hr-workbook")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("itss-hr.xlsm"), show_default=True, help="The .xlsm file to write.")
@click.option("--interpreter", metavar="PATH",
              help="The Python that xlwings starts (Interpreter_Win). Default on Windows: the "
              "Python running this command; elsewhere none, so the add-in's setting applies.")
@click.pass_context
@_fail_on_bad_input
def hr_workbook_command(ctx: click.Context, out: Path, interpreter: str | None) -> None:
    """Write HR's macro-enabled workbook for the ITSS Excel functions (xlwings, Windows).

    Run it on the PC where HR uses Excel: the workbook records where the functions are
    installed. Open it with the xlwings add-in and click Import Functions.

    \b
    Example:
        itss-workbook hr-workbook --out itss-hr.xlsm
    """
    from generator import hr_workbook

    criteria = load_criteria(ctx)
    path = hr_workbook.write_hr_workbook(
        out, criteria, interpreter=interpreter or hr_workbook.default_interpreter())
    click.echo(f"{path}: open it in Excel with the xlwings add-in and click Import Functions")


@main.command("generate")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="FILE.xlsx for one workbook; with --roster, the folder to write into.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="One workbook per employee of this roster (.csv or .xlsx).")
@click.option("--encoding", help="The roster CSV's encoding [default: UTF-8 or cp932, "
              "whichever reads the whole file].")
@click.option("--fields", "fields_text", metavar="LIST",
              help='Specialty fields of a single workbook, e.g. "hardware;software" '
              "[default: all; the common levels always].")
@click.option("--password", default="", help="Protect sheets and structure with this "
              "password [default: protected without a password].")
@click.option("--prefill", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True,
              help="Carry earlier answers by item ID: an answers file, a returned workbook "
              "or the import's JSON report.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
@_fail_on_bad_input
def generate_command(ctx: click.Context, out: Path, roster: Path | None, encoding: str | None,
                     fields_text: str | None, password: str, prefill: tuple[Path, ...],
                     quiet: bool) -> None:
    """Generate assessment workbooks: one blank workbook, or one per employee of a roster.

    \b
    Example:
        itss-workbook generate --out itss.xlsx
        itss-workbook generate --roster roster.csv --out out/
        itss-workbook generate --roster roster.csv --out out/ --prefill last-cycle.json
    """
    from generator import generate
    from generator import prefill as prefill_mod
    from generator import roster as roster_mod

    criteria = load_criteria(ctx)
    earlier = prefill_mod.load_prefills(criteria, prefill) if prefill else None
    if roster is None:
        if out.suffix.lower() != ".xlsx":
            raise click.UsageError("--out must name a .xlsx file (or give --roster and a "
                                   "folder)")
        fields, problem = roster_mod.parse_fields(criteria, fields_text or "")
        if problem:
            raise click.UsageError(f"--fields: {problem}")
        result = generate.generate_blank(criteria, out, fields=fields, password=password,
                                         prefill=earlier)
    else:
        if fields_text:
            raise click.UsageError("--fields is for one workbook; a roster has a fields column")
        if out.suffix.lower() == ".xlsx":
            raise click.UsageError("with --roster, --out is a folder, not a .xlsx file")
        employees = roster_mod.read_roster(roster, criteria, encoding=encoding)
        with _progress_bar(quiet) as advance:
            result = generate.generate_roster(
                criteria, employees, out, password=password, prefill=earlier,
                progress=(lambda _n, total: advance(None, total)) if advance else None)
    for line in (earlier.notes if earlier else []) + result.warnings:
        click.echo(f"itss-workbook: warning: {line}", err=True)
    carried = f", {result.carried} earlier answer(s) carried" if earlier else ""
    where = out if roster is None else f"{out}{'' if str(out).endswith('/') else '/'}"
    click.echo(f"wrote {len(result.paths)} workbook(s) to {where}{carried}")


@main.command("demo")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-out"), show_default=True, help="Folder to write into.")
@click.pass_context
@_fail_on_bad_input
def demo_command(ctx: click.Context, out: Path) -> None:
    """Run the whole cycle on shipped sample data: generate, fill in, import, summarise.

    Writes the sample roster's blank workbooks (generated/), the same filled in as the
    people would (returned/) and the import's report (report.xlsx).

    \b
    Example:
        itss-workbook demo --out demo-out
    """
    from generator import demo

    criteria = load_criteria(ctx)
    result = demo.run_demo(criteria, out)
    click.echo(f"generated {len(result.generated)} workbooks in {out / 'generated'}")
    click.echo(f"filled them in as the people would: {out / 'returned'}")
    click.echo(f"imported: {result.summary_line}; report: {result.report}")
    click.echo("")
    click.echo(demo.format_rows(criteria, result.rows))
