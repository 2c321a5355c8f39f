"""``tcoapp --screenshot`` renders the view asked for: a programme given beside a scenario is a column of
the scenario window's Compare view, not a picture of the programme window (user trial)."""

from __future__ import annotations

from tcoapp.paths import samples_dir

SAMPLE = samples_dir() / "company-programme.tco"


def test_screenshot_of_the_compare_view_with_a_programme_is_the_scenario_window(tmp_path, answers, monkeypatch):
    """``--view compare a.tco programme.tco`` rendered the programme window, not the compare view."""
    from tcoapp.gui import main as entry

    grabbed = []
    real = entry.screenshot

    def spy(window, *args, **kwargs):
        grabbed.append(window)
        return real(window, *args, **kwargs)

    monkeypatch.setattr(entry, "screenshot", spy)
    out = tmp_path / "compare.png"
    scenario = samples_dir() / "deployment-api.tco"
    assert entry.main(["--screenshot", str(out), "--view", "compare", str(scenario), str(SAMPLE)]) == 0
    assert out.stat().st_size > 10000
    assert len(grabbed) == 1, "the scenario window was rendered"
    window = grabbed[0]
    assert window.views.currentWidget() is window.compare_tab
    names = [window.compare.table.horizontalHeaderItem(c).toolTip()
             for c in range(window.compare.table.columnCount())]
    assert any("programme" in name.lower() for name in names), "the programme is a column of the comparison"


def test_screenshot_of_a_programme_alone_is_still_the_programme_window(tmp_path, answers, monkeypatch):
    from tcoapp.gui import main as entry

    called = []
    monkeypatch.setattr(entry, "screenshot", lambda *a, **k: called.append(a) or 0)
    out = tmp_path / "programme.png"
    assert entry.main(["--screenshot", str(out), str(SAMPLE)]) == 0
    assert called == [] and out.stat().st_size > 10000
