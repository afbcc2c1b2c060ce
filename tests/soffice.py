"""Headless LibreOffice for the tests: convert many files in one soffice call.

A throw-away profile sets OOXMLRecalcMode and ODFRecalcMode to 0 ("always"), so that
LibreOffice recalculates every formula on load instead of keeping cached values, and no
user profile is touched. The import tests reuse `convert` to make LibreOffice-saved
variants of generated workbooks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

INSTALL_HINT = "apt-get install -y libreoffice-calc-nogui poppler-utils"
#: CI sets this so that a missing LibreOffice fails the run instead of skipping tests.
REQUIRE_ENV = "ITSS_REQUIRE_SOFFICE"
FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "ods": "ods",
    "xls": "xls:MS Excel 97",
    "pdf": "pdf",
}
#: Seconds one soffice call may take; a batch of 100 files takes about 40.
TIMEOUT = 600
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def soffice() -> str | None:
    """The soffice executable, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """soffice's path; skips the test without it (fails it when CI requires it)."""
    path = soffice()
    if path is None:
        message = f"LibreOffice (soffice) is not installed: {INSTALL_HINT}"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {message}")
        pytest.skip(message)
    return path


def convert(paths: Iterable[Path], out_dir: Path, target: str = "xlsx") -> list[Path]:
    """Open each file in LibreOffice, recalculate it, save it to `out_dir` as `target`.

    Returns the converted files in the order of `paths`. Raises RuntimeError when soffice
    fails or a file is not converted.
    """
    paths = [Path(p).resolve() for p in paths]
    _run(paths, out_dir, FILTERS[target])
    return _outputs(out_dir, [f"{p.stem}.{target}" for p in paths])


def sheet_csv(
    paths: Iterable[Path], out_dir: Path, sheet: int, *, always_recalculate: bool = True
) -> list[Path]:
    """Recalculate each file and save one sheet (numbered from 1) as UTF-8 CSV.

    Much quicker than saving a whole workbook. Values are written raw, not as formatted:
    booleans as TRUE/FALSE, numbers without their number format. With `always_recalculate`
    false the profile keeps LibreOffice's default: what a user who just opens the file sees.
    """
    paths = [Path(p).resolve() for p in paths]
    # Tokens: separator, quote, UTF-8, from line 1, no column formats, language, no quoted
    # numbers, detect special numbers, values not as shown, no formulas, no trimming, sheet.
    options = f"44,34,76,1,,0,false,true,false,false,false,{sheet}"
    _run(paths, out_dir, f"csv:Text - txt - csv (StarCalc):{options}", always_recalculate)
    out_dir = Path(out_dir).resolve()
    found = []
    for path in paths:
        # LibreOffice names a one-sheet export <stem>-<sheet name>.csv.
        matches = sorted(out_dir.glob(f"{path.stem}-*.csv")) or [out_dir / f"{path.stem}.csv"]
        found.append(matches[0].name)
    return _outputs(out_dir, found)


def _run(
    paths: list[Path], out_dir: Path, filter_name: str, always_recalculate: bool = True
) -> None:
    """One soffice call over all `paths` with a throw-away (always-recalculating) profile."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="itss-lo-profile-") as profile:
        (Path(profile) / "user").mkdir()
        if always_recalculate:
            (Path(profile) / "user" / "registrymodifications.xcu").write_text(_PROFILE)
        command = [
            require_soffice(),
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            filter_name,
            "--outdir",
            str(out_dir),
            *map(str, paths),
        ]
        env = {**os.environ, "HOME": profile}
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"soffice exit {done.returncode}\n{done.stdout}\n{done.stderr}")


def _outputs(out_dir: Path, names: list[str]) -> list[Path]:
    outputs = [Path(out_dir).resolve() / name for name in names]
    lost = [p.name for p in outputs if not p.is_file()]
    if lost:
        raise RuntimeError(f"soffice did not write {', '.join(lost)} in {out_dir}")
    return outputs
