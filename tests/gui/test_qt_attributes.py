"""No attribute of our widgets and dialogs shadows a Qt method or property.

``self.metric = QComboBox()`` on a QWidget hides ``QWidget.metric()``, which Qt
calls while painting: every paint printed "TypeError: 'QComboBox' object is not
callable" and a scripted close crashed the process. This checks every
``self.NAME = ...`` in every class of ``tcoapp.gui`` derived from a Qt class
against the names its Qt base classes define.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap

import pytest
from PySide6.QtCore import QObject

import tcoapp.gui


def _gui_modules():
    for info in pkgutil.walk_packages(tcoapp.gui.__path__, "tcoapp.gui."):
        yield importlib.import_module(info.name)


def _qt_classes():
    seen = set()
    for module in _gui_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, QObject) and cls not in seen:
                seen.add(cls)
                yield cls


def _qt_names(cls) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__:
        if base.__module__.startswith(("PySide6", "shiboken6")):
            names.update(dir(base))
    return names


def _assigned_attributes(cls) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name) and leaf.value.id == "self":
                    names.add(leaf.attr)
    return names


CLASSES = sorted(_qt_classes(), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_the_check_sees_the_gui_classes():
    names = {c.__name__ for c in CLASSES}
    assert {"MainWindow", "GoalSeekDialog", "ScenarioEditor", "NumberBox"} <= names


def test_the_check_would_catch_the_goal_seek_defect():
    from PySide6.QtWidgets import QDialog

    class Shadowing(QDialog):
        def __init__(self):
            super().__init__()
            self.metric = None

    assert "metric" in _assigned_attributes(Shadowing) & _qt_names(Shadowing)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__.rsplit('.', 1)[-1]}.{c.__qualname__}")
def test_no_attribute_shadows_a_qt_name(cls):
    clash = sorted(_assigned_attributes(cls) & _qt_names(cls))
    assert not clash, f"{cls.__qualname__} assigns self.{', self.'.join(clash)}, which its Qt base defines"
