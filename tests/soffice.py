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
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="itss-lo-profile-") as profile:
        (Path(profile) / "user").mkdir()
        (Path(profile) / "user" / "registrymodifications.xcu").write_text(_PROFILE)
        command = [
            require_soffice(),
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            FILTERS[target],
            "--outdir",
            str(out_dir),
            *map(str, paths),
        ]
        env = {**os.environ, "HOME": profile}
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    outputs = [out_dir / f"{p.stem}.{target}" for p in paths]
    lost = [p.name for p in outputs if not p.is_file()]
    if done.returncode != 0 or lost:
        raise RuntimeError(
            f"soffice exit {done.returncode}; not converted: {lost}\n{done.stdout}\n{done.stderr}"
        )
    return outputs
