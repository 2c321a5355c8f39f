"""``tcoapp --screenshot`` renders the view asked for: a programme given beside a scenario is a column of
the scenario window's Compare view, not a picture of the programme window (user trial)."""

from __future__ import annotations

from tcoapp.paths import samples_dir

SAMPLE = samples_dir() / "company-programme.tco"


def test_screenshot_of_the_compare_view_with_a_programme_is_the_scenario_window(tmp_path, run_main, monkeypatch):
    """``--view compare a.tco programme.tco`` rendered the programme window, not the compare view."""
    entry = run_main.entry

    grabbed = []
    real = entry.screenshot

    def spy(window, *args, **kwargs):
        grabbed.append(window)
        return real(window, *args, **kwargs)

    monkeypatch.setattr(entry, "screenshot", spy)
    out = tmp_path / "compare.png"
    scenario = samples_dir() / "deployment-api.tco"
    assert run_main(["--screenshot", str(out), "--view", "compare", str(scenario), str(SAMPLE)]) == 0
    assert out.stat().st_size > 10000
    assert len(grabbed) == 1, "the scenario window was rendered"
    window = grabbed[0]
    assert window.views.currentWidget() is window.compare_tab
    names = [window.compare.table.horizontalHeaderItem(c).toolTip()
             for c in range(window.compare.table.columnCount())]
    assert any("programme" in name.lower() for name in names), "the programme is a column of the comparison"


def test_screenshot_of_a_programme_alone_is_still_the_programme_window(tmp_path, run_main, monkeypatch):
    entry = run_main.entry

    called = []
    monkeypatch.setattr(entry, "screenshot", lambda *a, **k: called.append(a) or 0)
    out = tmp_path / "programme.png"
    assert run_main(["--screenshot", str(out), str(SAMPLE)]) == 0
    assert called == [] and out.stat().st_size > 10000


def test_the_window_a_screenshot_leaves_shown_is_closed_by_run_main(tmp_path, run_main):
    """``main(["--screenshot", ...])`` leaves its main window shown (the process would exit): a test that calls
    it in-process closes it through ``run_main``, so that it is not a window of later tests."""
    from PySide6.QtWidgets import QApplication

    def shown_main_windows():
        return [w for w in QApplication.topLevelWidgets() if w in run_main.windows and w.isVisible()]

    assert run_main(["--screenshot", str(tmp_path / "scenario.png"), str(samples_dir() / "deployment-api.tco")]) == 0
    (window,) = run_main.windows
    assert shown_main_windows() == [window]
    run_main.close()
    assert not window.isVisible() and run_main.windows == []
