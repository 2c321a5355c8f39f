"""``tcoapp``: start the desktop app, or render a screenshot of it.

    tcoapp [FILE.tco ...]
    tcoapp --screenshot OUT.png [FILE.tco ...] [--view overview|tables|compare|sensitivity|montecarlo|heatmap|serving
                                                 |why|budget|share|idle] [--filter TEXT]
    tcoapp --smoke-test [FILE.tco ...]

With no file the window opens the last file, else a bundled sample. The
screenshot renders the main window at 1280x800 offscreen, writes the PNG and
exits 0 (1 if it could not be written). The smoke test (what the installers run
on a frozen bundle) starts offscreen, opens the given files or else the default
sample, computes, draws every overview chart and renders the window, and exits 0
only if all of that worked and the bundled icon was found.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from tcoapp import __version__

#: Rendered sizes of the app icon in ``resources/icons`` (``installers/make_icons.py`` makes them).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

SCREENSHOT_VIEWS = ("overview", "tables", "compare", "sensitivity", "montecarlo", "heatmap", "serving", "why",
                    "budget", "share", "idle")  # the last three: views of a programme window


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tcoapp", description="Lifetime cost of an AI programme (desktop app).")
    parser.add_argument("files", nargs="*", metavar="FILE", help="scenario files (.tco) to open")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window at 1280x800 to a PNG and exit")
    parser.add_argument("--view", choices=SCREENSHOT_VIEWS, default="overview", help="view for --screenshot")
    parser.add_argument("--filter", default="", metavar="TEXT",
                        help="for --screenshot: type TEXT into the editor's field filter first")
    parser.add_argument("--size", default="1280x800", help="window size for --screenshot (WIDTHxHEIGHT)")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system",
                        help="colour theme (default: follow the system)")
    parser.add_argument("--smoke-test", action="store_true",
                        help="offscreen: open the files or the default sample, compute, draw the charts, "
                             "exit 0 if all worked")
    parser.add_argument("--version", action="version", version=f"tcoapp {__version__}")
    return parser.parse_args(argv)


def app_icon():
    """The app icon from the bundled PNGs (null if none was found)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from tcoapp.paths import resource_file

    icon = QIcon()
    for size in ICON_SIZES:
        path = resource_file(f"icons/tcoapp-{size}.png")
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


def make_application(argv: Sequence[str], theme: str = "system"):
    """The QApplication (created once), styled."""
    from PySide6.QtWidgets import QApplication

    from tcoapp.gui.app.theme import apply_theme

    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv))
        app.setApplicationName("tcoapp")
        app.setApplicationDisplayName("tcoapp")
        app.setOrganizationName("tcoapp")
        app.setApplicationVersion(__version__)
        app.setDesktopFileName("tcoapp")  # matches installers/linux/tcoapp.desktop (Wayland's window icon)
        app.setWindowIcon(app_icon())
        apply_theme(app, theme)
    return app


def build_window(files: Sequence[str | Path], reopen_last: bool = True, restore_layout: bool = True):
    """The main window on the given files; else the last file (if ``reopen_last``); else the default sample.

    ``restore_layout`` applies the remembered size, position and layout (not for screenshots)."""
    from tcoapp.gui.documents import autosave
    from tcoapp.gui.app.mainwindow import MainWindow, default_sample

    from tcoapp.gui.app import window_state

    window = MainWindow()
    if restore_layout:
        window_state.restore(window)
    if files:
        for path in files:
            open_path(window, path)
        return window
    last = autosave.last_file() if reopen_last else None
    if last is not None and window.open_file(last) is not None:
        return window
    sample = default_sample()
    if sample is not None:
        document = window.open_sample(sample)
        if document is not None:
            document.start_sample = True
    return window


def is_bundled_sample(path: str | Path) -> bool:
    """Whether ``path`` is one of the app's own samples (which must never be overwritten)."""
    from tcoapp.paths import samples_dir

    try:
        return Path(path).resolve().parent == samples_dir().resolve() and Path(path).suffix.lower() == ".tco"
    except OSError:
        return False


def open_path(window, path: str | Path):
    """Open a file from the command line or the desktop; a bundled sample opens as an untitled copy,
    so Save asks where to write instead of overwriting ``samples/...``."""
    from .views.programme import open_programme_path

    if open_programme_path(path, untitled=is_bundled_sample(path)):  # a programme opens its own window
        return None
    if is_bundled_sample(path):
        return window.open_sample(Path(path))
    return window.open_file(path)


def open_files_from_the_desktop(app, window):
    """Open the files the desktop hands over as events: on macOS a double-clicked ``.tco``
    (and "Open With") reaches a running app as a ``QFileOpenEvent``, not as an argument."""
    from PySide6.QtCore import QEvent, QObject

    class FileOpenFilter(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.FileOpen and event.file():
                open_path(window, event.file())
                window.raise_()
                window.activateWindow()
                return True
            return False

    file_open_filter = FileOpenFilter(app)
    app.installEventFilter(file_open_filter)
    return file_open_filter


def _settle(app, window, rounds: int = 5) -> None:
    """Let layouts, debounced evaluations and idle redraws run."""
    from PySide6.QtCore import QEventLoop

    for _ in range(rounds):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if window.evaluator.pending:
        window.evaluator.evaluate_now()
    window.worker.wait_idle()
    for _ in range(rounds):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def prepare_view(app, window, view: str) -> None:
    """Show a view and run what it needs (synchronously) for a screenshot."""
    if view in ("tables", "serving"):
        window.show_view(view)
    elif view == "compare":
        window.show_view("compare")
        _settle(app, window)
        window.compare.deployments.run()
    elif view in ("sensitivity", "montecarlo", "heatmap"):
        sensitivity = window.show_view("sensitivity")
        panel = {"sensitivity": sensitivity.tornado, "montecarlo": sensitivity.monte_carlo,
                 "heatmap": sensitivity.heatmap}[view]
        sensitivity.tabs.setCurrentWidget(panel)
        _settle(app, window)
        if view == "montecarlo":
            panel.samples.setValue(5000)
        panel.run()
    _settle(app, window)


def screenshot(window, app, out: str, view: str, size: str = "1280x800", filter_text: str = "") -> int:
    """Render the window and write ``out``; 0 on success."""
    width, _, height = size.partition("x")
    window.resize(int(width), int(height))
    window.show()
    _settle(app, window)
    if filter_text and window.editor is not None:
        window.editor.filter.setText(filter_text)
    prepare_view(app, window, view)
    for chart in window.findChildren(type(window.overview.charts["monthly"])):
        if chart.isVisible():
            chart.canvas.draw()
    _settle(app, window, 3)
    pixmap = window.grab()
    if view == "why" and window.active is not None:  # the window with the panel of the lifetime cost on top
        from PySide6.QtGui import QPainter

        window.open_why("total_cost")
        panel = window.why_panel
        _settle(app, window, 3)
        painter = QPainter(pixmap)
        painter.drawPixmap(pixmap.width() - panel.width() - 40, 150, panel.grab())
        painter.end()
    ok = pixmap.save(out, "PNG")
    if not ok:
        print(f"tcoapp: cannot write {out}", file=sys.stderr)
        return 1
    print(out)
    return 0


def smoke_test(app, window) -> int:
    """Compute, draw and render the open scenario; print one line and return 0 if all worked.

    Missing Qt plugins, matplotlib backends or bundled files show up only in a
    frozen bundle, so this touches each: the icon PNGs, the sample, the engine,
    every overview chart through matplotlib's QtAgg canvas, and a window grab.
    """
    window.resize(1280, 800)
    window.show()
    _settle(app, window)
    problems = []
    if app.windowIcon().isNull():
        problems.append("the app icon was not found")
    evaluation = window.evaluator.latest
    if evaluation is None or evaluation.report is None:
        problems.append(f"no result ({evaluation and evaluation.problem})")
    else:
        window.overview.draw_pending()
        for name, chart in window.overview.charts.items():
            chart.redraw(now=True)
            if not chart.figure.axes:  # a drawing error leaves only a message on the figure
                problems.append(f"chart {name} not drawn")
    _settle(app, window, 2)
    if window.grab().isNull():
        problems.append("the window did not render")
    if problems:
        print("tcoapp smoke test: failed: " + "; ".join(problems))
        return 1
    print(f"tcoapp smoke test: ok (tcoapp {__version__}, {len(window.overview.charts)} charts drawn)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    headless = bool(args.screenshot or args.smoke_test)
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("TCOAPP_NO_RECOVERY", "1")
    app = make_application([sys.argv[0]], args.theme)
    from tcoapp.gui.dialogs.questions import Question, set_answerer

    if headless:  # nobody is there to answer: report and carry on
        def answer_headless(question: Question):
            if question.kind in ("error", "info"):
                print(f"tcoapp: {question.title}: {question.text}", file=sys.stderr)
            return {"save_changes": "discard", "yes_no": "no", "dialog": "rejected"}.get(question.kind)

        set_answerer(answer_headless)
    window = build_window(args.files, reopen_last=not args.smoke_test, restore_layout=not headless)
    if args.smoke_test:
        code = smoke_test(app, window)
        window.shutdown_for_tests()
        return code
    if args.screenshot:
        from .views.programme import PROGRAMME_ONLY_VIEWS, programme_screenshot

        code = None
        # the programme window only for its own views, or when no scenario is open: `--view compare a.tco
        # programme.tco` is the scenario window's compare view (the programme one of its columns)
        if args.view in PROGRAMME_ONLY_VIEWS or not window.documents:
            code = programme_screenshot(app, args.screenshot, args.view, args.size)
        code = screenshot(window, app, args.screenshot, args.view, args.size, args.filter) if code is None else code
        window.shutdown_for_tests()
        return code
    from .views.programme import show_main_window

    if show_main_window(window):
        window.show()
    window.file_open_filter = open_files_from_the_desktop(app, window)
    if not os.environ.get("TCOAPP_NO_RECOVERY"):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, window.offer_recovery)
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, window.offer_getting_started)  # the first start only (remembered in the settings)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
