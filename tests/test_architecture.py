"""The layering of the package: import-linter's contracts, and Qt only in ``tcoapp.gui``.

``lint-imports`` checks the contracts declared in ``pyproject.toml``
(gui -> cli -> reports -> scenario -> engine; the engine is numpy and the
standard library only; only the GUI imports Qt). It sees external packages
only by their top-level name, so the AST scan below adds what it cannot: no
module outside ``tcoapp/gui`` imports any Qt binding or a Qt matplotlib backend,
not even lazily inside a function or through ``importlib.import_module``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "tcoapp"
BIN = Path(sys.executable).parent

#: Top-level modules that mean "Qt".
QT_ROOTS = {"PySide6", "shiboken6", "PySide2", "shiboken2", "PyQt5", "PyQt6", "qtpy"}
#: Matplotlib backends that drag Qt in.
QT_BACKEND_PREFIX = "matplotlib.backends.backend_qt"


def _lint_imports() -> Path:
    for name in ("lint-imports", "lint-imports.exe"):
        if (BIN / name).exists():
            return BIN / name
    pytest.fail(f"lint-imports is not installed next to {sys.executable} (pip install -e '.[test]')")


def test_import_linter_contracts_are_kept():
    result = subprocess.run(
        [str(_lint_imports()), "--no-cache", "--no-logo"], cwd=REPO, capture_output=True, text=True,
        encoding="utf-8", errors="replace", timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"lint-imports failed (exit {result.returncode}):\n{output}"
    assert "broken" in output and " 0 broken" in output, output


def _is_qt(module: str) -> bool:
    return module.split(".")[0] in QT_ROOTS or module.startswith(QT_BACKEND_PREFIX)


def qt_imports(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, module) of every Qt import in a module's source, wherever it sits.

    Catches ``import X``, ``from X import y``, ``from matplotlib.backends import backend_qtagg``,
    ``importlib.import_module("X")``, ``__import__("X")`` and ``matplotlib.use("QtAgg")``.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if _is_qt(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_qt(node.module):
                found.append((node.lineno, node.module))
            else:
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                          if _is_qt(f"{node.module}.{alias.name}")]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            target = node.args[0].value
            if name in ("import_module", "__import__") and _is_qt(target):
                found.append((node.lineno, target))
            elif name in ("use", "switch_backend") and target.lower().startswith("qt"):
                found.append((node.lineno, f"matplotlib backend {target}"))
    return found


def _modules_outside_gui() -> list[Path]:
    files = sorted(p for p in PACKAGE.rglob("*.py") if (PACKAGE / "gui") not in p.parents)
    assert len(files) >= 10, files  # the scan really found the package
    return files


def test_no_module_outside_gui_imports_qt():
    offenders = []
    for path in _modules_outside_gui():
        for line, module in qt_imports(path.read_text(encoding="utf-8"), str(path)):
            offenders.append(f"{path.relative_to(REPO)}:{line}: {module}")
    assert not offenders, "Qt imported outside tcoapp/gui:\n" + "\n".join(offenders)


@pytest.mark.parametrize("source", [
    "import PySide6",
    "import PySide6.QtWidgets as w",
    "from PySide6.QtCore import Qt",
    "def f():\n    from PySide6 import QtGui\n",
    "import shiboken6",
    "from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg",
    "from matplotlib.backends import backend_qtagg",
    "import importlib\nimportlib.import_module('PySide6.QtWidgets')",
    "__import__('PySide6')",
    "import matplotlib\nmatplotlib.use('QtAgg')",
])
def test_the_scan_finds_qt_imports(source):
    assert qt_imports(source)


@pytest.mark.parametrize("source", [
    "import numpy", "from matplotlib.figure import Figure", "import matplotlib\nmatplotlib.use('Agg')",
    "from . import PySide6", "text = 'PySide6'",
])
def test_the_scan_lets_other_imports_through(source):
    assert not qt_imports(source)


def test_gui_is_the_only_package_excluded():
    # The exclusion is by folder: a module named gui elsewhere is still scanned.
    scanned = {p.relative_to(PACKAGE).parts[0] for p in _modules_outside_gui()}
    assert "gui" not in scanned
    assert {"engine", "scenario", "reports", "cli"} <= scanned


def test_the_cli_runs_without_loading_qt_pandas_or_matplotlib():
    sample = sorted((REPO / "samples").glob("*.tco"))[0]
    code = (
        "import io, sys, contextlib\n"
        "from tcoapp.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['report', {str(sample)!r}, '--json']) == 0\n"
        "    assert main(['report', " + repr(str(sample)) + "]) == 0\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'shiboken6', 'pandas', 'matplotlib', 'openpyxl'})\n"
        "print(' '.join(heavy))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TCOAPP_DEBUG"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"the CLI loaded: {result.stdout.strip()}"


def test_every_package_is_listed_in_pyproject():
    """setuptools ships only the packages pyproject lists; an editable install hides a missing one."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.relative_to(REPO).parts[:-1]) for p in (REPO / "tcoapp").rglob("__init__.py")}
    assert found - listed == set(), f"packages missing from pyproject.toml: {sorted(found - listed)}"
