"""GUI tests: offscreen Qt, a private data folder, and scripted answers to every dialog."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import: no display here
os.environ.setdefault("MPLBACKEND", "Agg")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

import pytest  # noqa: E402

from tcoapp.paths import sample_files, samples_dir  # noqa: E402


class Answers:
    """Answers the GUI's questions (see :func:`tcoapp.gui.dialogs.questions.ask`) and records them.

    ``answers.script[kind]`` is a value or a callable taking the Question; an
    unscripted question fails the test, so no dialog is ever answered by chance.
    """

    def __init__(self) -> None:
        self.asked: list[Any] = []
        self.script: dict[str, Any] = {}

    def __call__(self, question) -> Any:
        self.asked.append(question)
        if question.kind not in self.script:
            if question.kind in ("error", "info"):
                return "ok"
            raise AssertionError(f"unexpected question: {question}")
        answer = self.script[question.kind]
        return answer(question) if callable(answer) else answer

    def of_kind(self, kind: str) -> list[Any]:
        return [q for q in self.asked if q.kind == kind]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "userdata"
    monkeypatch.setenv("TCOAPP_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def answers(qapp, data_dir):
    from tcoapp.gui.dialogs.questions import set_answerer
    from tcoapp.gui.app.theme import apply_theme

    apply_theme(qapp, "light")
    recorder = Answers()
    previous = set_answerer(recorder)
    yield recorder
    set_answerer(previous)


@pytest.fixture
def sample_path() -> Path:
    return next(p for p in sample_files() if p.name == "deployment-cloud.tco")


@pytest.fixture
def scenario_file(tmp_path, sample_path) -> Path:
    """A writable copy of a sample (5 years would be the chat assistant; this one is 4)."""
    target = tmp_path / "plan.tco"
    target.write_bytes(sample_path.read_bytes())
    return target


@pytest.fixture
def make_window(qtbot, answers) -> Callable:
    """Build main windows on files; each is closed at the end without prompts.

    (Not registered with ``qtbot.addWidget``: pytest-qt would close it before this
    fixture can mark its documents saved, and the close would ask to save.)
    """
    from tcoapp.gui import create_main_window

    windows = []

    def make(path=None):
        window = create_main_window(path)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    close_main_windows(windows)
    qtbot.wait(1)


def close_main_windows(windows) -> None:
    """Close main windows without prompts: their documents marked saved, their timers and threads stopped."""
    for window in windows:
        for document in list(window.documents):
            document.undo_stack.setClean()
        window.shutdown_for_tests()
        window.close()
        window.deleteLater()


@pytest.fixture
def window(make_window, scenario_file):
    return make_window(scenario_file)


class MainRunner:
    """Calls the app's ``main()`` in-process and keeps the main window each call built (:attr:`windows`).

    ``main(["--screenshot", ...])`` leaves its window shown (the process would exit); :meth:`close` closes
    them, as :func:`run_main` does at the end of the test, so that none is a window of later tests.
    """

    def __init__(self, monkeypatch) -> None:
        from tcoapp.gui import main as entry

        self.entry = entry
        self.windows: list[Any] = []
        real = entry.build_window

        def build_window(*args, **kwargs):
            window = real(*args, **kwargs)
            self.windows.append(window)
            return window

        monkeypatch.setattr(entry, "build_window", build_window)

    def __call__(self, argv: list[str]) -> int:
        return self.entry.main(argv)

    def close(self) -> None:
        close_main_windows(self.windows)
        self.windows.clear()


@pytest.fixture
def run_main(qtbot, answers, monkeypatch) -> MainRunner:
    """``run_main([...])`` is ``tcoapp.gui.main.main([...])``; the main windows it built are closed at the end."""
    runner = MainRunner(monkeypatch)
    yield runner
    runner.close()
    qtbot.wait(1)


def settle(window) -> None:
    """Run the debounced evaluation and the queued chart redraws now."""
    if window.evaluator.pending:
        window.evaluator.evaluate_now()
    window.overview.draw_pending()


SAMPLE_PROGRAMME = samples_dir() / "company-programme.tco"


@pytest.fixture
def programme_file(tmp_path) -> Path:
    """A writable copy of the sample programme."""
    target = tmp_path / "company.tco"
    shutil.copy(SAMPLE_PROGRAMME, target)
    return target


@pytest.fixture
def pwindow(qtbot, answers, programme_file):
    """A programme window on :func:`programme_file`, shown at 1280x800; closing it at the end discards edits."""
    from tcoapp.gui.views.programme import open_programme_window

    answers.script["save_changes"] = "discard"  # closing an edited window at the end of a test asks
    window = open_programme_window(programme_file)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


@pytest.fixture(autouse=True)
def _close_leftover_programme_windows(data_dir):
    """A programme window a test opened and left open would be an open programme (a Compare column) in later tests.

    On ``data_dir``, so that it is torn down first: closing a window writes ``window.ini`` (its splitter) and
    removes its autosave, which must happen in the test's data folder, never the user's.
    """
    yield
    from tcoapp.gui.views import programme as programme_view

    for leftover in programme_view.open_programme_windows():
        leftover.document.undo_stack.setClean()
        leftover.close()
        programme_view._open_windows.pop(leftover, None)
