"""Every question the GUI asks the user goes through :func:`ask`, so tests can answer it.

Production code calls ``ask(parent, Question(...))`` and gets the answer: a
button name, a file path or None. Tests install an answerer with
:func:`set_answerer` (see ``tests/gui/conftest.py``) and never see a modal
dialog; the answerer also receives custom dialogs (``kind="dialog"``) so it can
fill them in and accept them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

SCENARIO_FILTER = "tcoapp scenarios (*.tco);;All files (*)"


@dataclass
class Question:
    """One question for the user.

    kind
        ``"error"`` and ``"info"`` (answer ``"ok"``); ``"save_changes"`` (``"save"``,
        ``"discard"`` or ``"cancel"``); ``"changed_on_disk"`` (``"reload"``, ``"overwrite"``,
        ``"save_as"`` or ``"cancel"``); ``"yes_no"`` (``"yes"`` or ``"no"``); ``"choice"`` (one of
        the answers of ``options["choices"]``, a list of ``(answer, button label)``; ``options["default"]``
        is the default button, ``options["escape"]`` the answer of Escape or closing the box);
        ``"open_file"`` and ``"save_file"`` (a path or None); ``"folder"`` (an existing
        folder's path or None); ``"dialog"`` (a
        custom QDialog in ``options["dialog"]``; answer ``"accepted"`` or ``"rejected"``).
    """

    kind: str
    title: str
    text: str = ""
    detail: str = ""
    options: dict[str, Any] = field(default_factory=dict)


Answerer = Callable[[Question], Any]
_answerer: Answerer | None = None


def set_answerer(answerer: Answerer | None) -> Answerer | None:
    """Route every question to ``answerer`` (None restores the real dialogs); returns the old one."""
    global _answerer
    previous, _answerer = _answerer, answerer
    return previous


def ask(parent: QWidget | None, question: Question) -> Any:
    """Ask the user (or the installed answerer) and return the answer."""
    if _answerer is not None:
        return _answerer(question)
    return _ask_with_dialogs(parent, question)


def _ask_with_dialogs(parent: QWidget | None, q: Question) -> Any:
    if q.kind in ("error", "info"):
        box = QMessageBox(QMessageBox.Icon.Critical if q.kind == "error" else QMessageBox.Icon.Information,
                          q.title, q.text, QMessageBox.StandardButton.Ok, parent)
        if q.detail:
            box.setInformativeText(q.detail)
        box.exec()
        return "ok"
    if q.kind == "save_changes":
        box = QMessageBox(QMessageBox.Icon.Warning, q.title, q.text, QMessageBox.StandardButton.NoButton, parent)
        if q.detail:
            box.setInformativeText(q.detail)
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")
    if q.kind == "changed_on_disk":
        box = QMessageBox(QMessageBox.Icon.Warning, q.title, q.text, QMessageBox.StandardButton.NoButton, parent)
        if q.detail:
            box.setInformativeText(q.detail)
        buttons = {box.addButton("Reload", QMessageBox.ButtonRole.DestructiveRole): "reload",
                   box.addButton("Overwrite", QMessageBox.ButtonRole.AcceptRole): "overwrite",
                   box.addButton("Save As…", QMessageBox.ButtonRole.ActionRole): "save_as"}
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        return buttons.get(box.clickedButton(), "cancel")
    if q.kind == "yes_no":
        answer = QMessageBox.question(parent, q.title, q.text + (f"\n\n{q.detail}" if q.detail else ""))
        return "yes" if answer == QMessageBox.StandardButton.Yes else "no"
    if q.kind == "choice":
        box = QMessageBox(QMessageBox.Icon.Question, q.title, q.text, QMessageBox.StandardButton.NoButton, parent)
        if q.detail:
            box.setInformativeText(q.detail)
        buttons = {}
        for answer, label in q.options["choices"]:
            role = (QMessageBox.ButtonRole.RejectRole if answer == q.options.get("escape")
                    else QMessageBox.ButtonRole.AcceptRole)
            button = box.addButton(label, role)
            buttons[button] = answer
            if answer == q.options.get("default"):
                box.setDefaultButton(button)
            if answer == q.options.get("escape"):
                box.setEscapeButton(button)
        box.exec()
        return buttons.get(box.clickedButton(), q.options.get("escape"))
    if q.kind == "open_file":
        path, _ = QFileDialog.getOpenFileName(parent, q.title, q.options.get("directory", ""),
                                              q.options.get("filter", SCENARIO_FILTER))
        return path or None
    if q.kind == "save_file":
        path, _ = QFileDialog.getSaveFileName(parent, q.title, q.options.get("directory", ""),
                                              q.options.get("filter", SCENARIO_FILTER))
        return path or None
    if q.kind == "folder":
        path = QFileDialog.getExistingDirectory(parent, q.title, q.options.get("directory", ""))
        return path or None
    if q.kind == "dialog":
        dialog: QDialog = q.options["dialog"]
        return "accepted" if dialog.exec() == QDialog.DialogCode.Accepted else "rejected"
    raise ValueError(f"unknown question kind {q.kind!r}")


def show_error(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    """Tell the user something went wrong."""
    ask(parent, Question("error", title, text, detail))
