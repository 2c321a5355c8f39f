"""Window size, position and layout: remembered between runs, always on screen."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect

from tcoapp.gui.app import window_state


def _open(qtbot, files, available=None):
    from tcoapp.gui.main import build_window

    window = build_window([str(f) for f in files], restore_layout=False)
    window_state.restore(window, available)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(10)  # the fit after the first show, frame included
    return window


def _close(window):
    for document in window.documents:
        document.undo_stack.setClean()
    window.shutdown_for_tests()
    window.close()


def test_size_position_splitter_and_view_are_remembered(answers, qtbot, scenario_file):
    area = QRect(0, 0, 1920, 1080)
    first = _open(qtbot, [scenario_file], area)
    first.resize(1400, 760)
    first.move(150, 90)
    first.splitter.setSizes([500, 888])
    first.show_view("tables")
    qtbot.wait(20)
    first.splitter.setSizes([500, 888])
    qtbot.wait(20)
    assert first.splitter.sizes()[0] > 480
    sizes, geometry = first.splitter.sizes(), first.geometry()
    _close(first)
    second = _open(qtbot, [scenario_file], area)
    try:
        assert second.size() == geometry.size()
        assert second.pos() == first.pos()
        assert abs(second.splitter.sizes()[0] - sizes[0]) <= 2, (second.splitter.sizes(), sizes)
        assert second.views.currentWidget() is second.tables
    finally:
        _close(second)


def test_first_start_on_a_1366x768_laptop_shows_the_status_bar(answers, qtbot, scenario_file):
    laptop = QRect(0, 0, 1366, 728)  # 768 less a 40-pixel task bar
    window = _open(qtbot, [scenario_file], laptop)
    try:
        assert window.frameGeometry().height() <= laptop.height()
        bottom = window.statusBar().mapTo(window, QPoint(0, window.statusBar().height())).y()
        assert window.statusBar().isVisible() and bottom <= window.height()
        assert laptop.contains(window.frameGeometry()), window.frameGeometry()
    finally:
        _close(window)


def test_a_position_on_a_screen_no_longer_there_is_brought_back(answers, qtbot, scenario_file):
    area = QRect(0, 0, 1920, 1080)
    first = _open(qtbot, [scenario_file], area)
    first.move(5000, 3000)  # a second monitor since unplugged
    _close(first)
    second = _open(qtbot, [scenario_file], area)
    try:
        assert area.contains(second.frameGeometry()), second.frameGeometry()
    finally:
        _close(second)


def test_fit_rect_shrinks_and_moves_inside():
    from PySide6.QtCore import QSize

    fitted = window_state.fit_rect(QRect(-400, -50, 2000, 1200), QRect(0, 0, 1366, 728), QSize(800, 600))
    assert (fitted.x(), fitted.y(), fitted.width(), fitted.height()) == (0, 0, 1358, 720)
