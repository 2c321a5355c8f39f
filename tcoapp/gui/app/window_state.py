"""The main window's size, position and layout, remembered between runs and kept on screen.

Stored with QSettings in ``window.ini`` in the app's data folder (``$TCOAPP_DATA_DIR``
in tests): the window's position and size (and whether it was maximised), the editor/views splitter and the current view. A
remembered position on a screen that is no longer there, or a size larger than
the screen (1280x800 on a 1366x768 laptop hid the status bar under the task bar),
is moved and shrunk onto the screen the window is on, else the primary screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from tcoapp.gui.documents.autosave import data_dir

DEFAULT_SIZE = QSize(1280, 800)
#: Room left around a window that fills a small screen (title bar, task bar).
MARGIN = 8


def settings() -> QSettings:
    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)


def _screen_area(window) -> QRect:
    centre = window.frameGeometry().center()
    screen = QGuiApplication.screenAt(centre) or window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_rect(frame: QRect, available: QRect, minimum: QSize) -> QRect:
    """``frame`` shrunk to ``available`` (never below ``minimum``) and moved fully inside it.

    >>> r = fit_rect(QRect(3000, 100, 1280, 800), QRect(0, 0, 1366, 768), QSize(834, 600))
    >>> (r.x(), r.y(), r.width(), r.height())
    (86, 8, 1280, 760)
    """
    width = max(minimum.width(), min(frame.width(), available.width() - MARGIN))
    height = max(minimum.height(), min(frame.height(), available.height() - MARGIN))
    x = min(max(frame.x(), available.left()), available.left() + available.width() - width)
    y = min(max(frame.y(), available.top()), available.top() + available.height() - height)
    return QRect(max(x, available.left()), max(y, available.top()), width, height)


def keep_on_screen(window, available: QRect | None = None) -> None:
    """Move and shrink the window so all of it, status bar included, is on a screen."""
    area = available if available is not None else _screen_area(window)
    frame = window.frameGeometry()
    extra = QSize(frame.width() - window.width(), frame.height() - window.height())  # title bar, borders
    fitted = fit_rect(frame, area, window.minimumSizeHint() + extra)
    if fitted != frame:
        window.resize(fitted.size() - extra)
        window.move(fitted.topLeft())


def restore(window, available: QRect | None = None) -> bool:
    """Apply the remembered geometry and layout (True if there was one), keep the window on screen,
    and remember them again when the window closes."""
    store = settings()
    rect = store.value("window/rect")
    restored = False
    if isinstance(rect, (list, tuple)) and len(rect) == 4:
        try:
            x, y, width, height = (int(v) for v in rect)
        except (TypeError, ValueError):
            pass
        else:
            window.resize(width, height)
            window.move(x, y)
            restored = True
    if not restored:
        window.resize(DEFAULT_SIZE)
        area = available if available is not None else _screen_area(window)
        window.move(area.center() - QPoint(DEFAULT_SIZE.width() // 2, DEFAULT_SIZE.height() // 2))
    sizes = _int_list(store.value("window/splitter"))
    if len(sizes) == 2:
        window.splitter.setSizes(sizes)
    view = store.value("window/view")
    if isinstance(view, str) and view in window.view_actions and view != "overview":
        window.view_actions[view].trigger()
    keep_on_screen(window, available)
    if str(store.value("window/maximized", "false")).lower() == "true":
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    if not hasattr(window, "_window_state_saver"):
        window._window_state_saver = _SaveOnClose(window, available, sizes if len(sizes) == 2 else None)
    return restored


def save(window) -> None:
    from tcoapp.gui.app.mainwindow import VIEWS

    store = settings()
    maximized = window.isMaximized()
    geometry = window.normalGeometry() if maximized else window.geometry()
    frame = window.frameGeometry()
    store.setValue("window/rect", [frame.x(), frame.y(), geometry.width(), geometry.height()])
    store.setValue("window/maximized", maximized)
    store.setValue("window/splitter", window.splitter.sizes())
    store.setValue("window/view", VIEWS[window.views.currentIndex()])
    store.sync()


def _int_list(value) -> list[int]:
    try:
        return [int(v) for v in value] if isinstance(value, (list, tuple)) else []
    except (TypeError, ValueError):
        return []


class _SaveOnClose(QObject):
    """Saves the layout when the window closes; on first show fits it again, title bar and borders
    included (a window not yet shown has no frame to measure)."""

    def __init__(self, window, available: QRect | None, splitter: list[int] | None):
        super().__init__(window)
        self.available = available
        self.splitter = splitter
        self.shown = False
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Close:
            save(watched)
        elif event.type() == QEvent.Type.Show and not self.shown:
            self.shown = True
            QTimer.singleShot(0, lambda: self._first_show(watched))
        return False

    def _first_show(self, window) -> None:
        keep_on_screen(window, self.available)
        if self.splitter:  # the first layout pass shares the width out again
            window.splitter.setSizes(self.splitter)
