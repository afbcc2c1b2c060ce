"""xlwings as it runs UDFs on Windows, made to run on Linux for the tests.

On Linux ``xw.func``, ``xw.arg`` and ``xw.ret`` pass a function through unchanged. The real
decorators live in ``xlwings.udfs``, which imports pywin32 at import time: stub modules for
pythoncom, pywintypes and win32com.client let it import. Value conversion
(``xlwings.conversion``) asks the engine named "excel" to clean the values; the Windows engine
lives in ``xlwings._xlwindows``, which needs Windows DLLs, so its cleaning code is read from
that file and run here unchanged. Everything is undone when the context ends.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import xlwings
from xlwings import conversion

#: What VBA hands over for an optional argument left out (DISP_E_PARAMNOTFOUND).
MISSING_ARGUMENT = -2147352572
#: The parts of xlwings/_xlwindows.py that clean values: taken as they are.
_WINDOWS_ENGINE_PARTS = ("cell_errors", "_clean_value_data_element", "Engine")


@contextmanager
def windows_xlwings() -> Iterator[types.ModuleType]:
    """xlwings' Windows UDF decorators and value cleaning, for the duration of the block.

    Yields the real ``xlwings.udfs`` module.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name, module in _pywin32_stubs().items():
            patch.setitem(sys.modules, name, module)
        spec = importlib.util.find_spec("xlwings.udfs")
        udfs = importlib.util.module_from_spec(spec)
        patch.setitem(sys.modules, "xlwings.udfs", udfs)
        spec.loader.exec_module(udfs)

        patch.setattr(xlwings, "func", udfs.xlfunc)
        patch.setattr(xlwings, "arg", udfs.xlarg)
        patch.setattr(xlwings, "ret", udfs.xlret)
        engine = xlwings.main.Engine(impl=windows_engine())
        patch.setitem(xlwings.engines.engines_by_name, "excel", engine)
        yield udfs


def _pywin32_stubs() -> dict[str, types.ModuleType]:
    """Just enough of pywin32 for ``import xlwings.udfs``: nothing here is called."""
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})
    pywintypes.TimeType = dt.datetime
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args, **kwargs: None
    win32com.client = client
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
    }


def windows_engine() -> Any:
    """xlwings' Windows engine object, with its value cleaning code read from its source."""
    return _windows_parts()["Engine"]()


def windows_cell_errors() -> dict[int, str]:
    """The error codes xlwings' Windows engine turns into text."""
    return _windows_parts()["cell_errors"]


def _windows_parts() -> dict[str, Any]:
    """The value-cleaning parts of xlwings/_xlwindows.py, run as they are written."""
    path = Path(xlwings.__file__).with_name("_xlwindows.py")
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parts = [node for node in tree.body if _defines(node) in _WINDOWS_ENGINE_PARTS]
    found = {_defines(node) for node in parts}
    assert found == set(_WINDOWS_ENGINE_PARTS), f"xlwings changed: {path} lacks parts"

    try:
        import numpy as np
        import pandas as pd
    except ImportError:
        np = pd = None
    namespace = {"time_types": (dt.date, dt.datetime), "np": np, "pd": pd}
    exec(compile(ast.Module(body=parts, type_ignores=[]), str(path), "exec"), namespace)
    return namespace


def _defines(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def call_as_excel(function: Callable[..., Any], *values: Any) -> Any:
    """Call a UDF as xlwings' ``call_udf`` does for a cell: convert in, call, convert out.

    `values` are shaped as Excel hands them over: a scalar for one cell, a tuple of row tuples
    for a range, None for empty cells, floats for numbers, negative codes for error values.
    Returns what goes back to Excel: a list of rows.
    """
    info = function.__xlfunc__
    args = []
    for position, value in enumerate(values):
        arg = info["args"][min(position, len(info["args"]) - 1)]
        if isinstance(value, int) and value == MISSING_ARGUMENT:
            args.append(arg.get("optional"))
        else:
            args.append(conversion.read(None, value, arg["options"]))
    return conversion.write(function(*args), None, info["ret"]["options"])
