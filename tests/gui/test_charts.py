"""The overview charts follow edits in place and still show exactly what a fresh chart shows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from tcoapp.paths import sample_files

OWNED = "chat-assistant-owned-h100.tco"


@pytest.fixture
def owned_window(make_window, tmp_path):
    """The 5-year owned-fleet sample: four charts with data in every series.

    Its uncertainty section is left out: the live band arrives from a background run and
    redraws the cumulative chart on its own schedule, while these tests count the redraws
    an edit itself causes (tests/gui/test_band.py covers the band).
    """
    import json

    path = tmp_path / OWNED
    document = json.loads(next(p for p in sample_files() if p.name == OWNED).read_text(encoding="utf-8"))
    document.pop("uncertainty", None)
    path.write_text(json.dumps(document), encoding="utf-8")
    window = make_window(path)
    window.overview.draw_pending()
    return window


def edit(window, qtbot, path: str, value: float) -> None:
    box = window.findChild(QWidget, path)
    with qtbot.waitSignal(window.overview.charts_drawn, timeout=5000):
        box.setValue(value)
    qtbot.wait(1)  # the paint of blitted and rendered buffers


def shown(panel) -> np.ndarray:
    return np.asarray(panel.canvas.buffer_rgba()).copy()


def rebuilt(panel) -> np.ndarray:
    """What the panel shows when its chart is built from scratch for the same data."""
    panel.chart = None
    panel.redraw(now=True)
    assert panel.last_redraw == "build"
    return shown(panel)


def test_edits_redraw_in_place_with_the_same_pixels_as_a_fresh_chart(owned_window, qtbot, tmp_path):
    window = owned_window
    charts = window.overview.charts
    base = window.active.scenario.inference.requests_per_day
    ways: dict[str, list[str]] = {name: [] for name in charts}
    # small steps keep the y axes; a 3x step rescales them; then back down
    for factor in (1.01, 1.02, 3.0, 3.05, 0.9):
        edit(window, qtbot, "inference.requests_per_day", base * factor)
        for name, panel in charts.items():
            ways[name].append(panel.last_redraw)
    window.grab().save(str(tmp_path / "overview-after-edits.png"))  # to look at when this fails
    for name, panel in charts.items():
        assert {"blit", "axes"} & set(ways[name]), (name, ways[name])
        assert "build" not in ways[name], (name, ways[name])
        after_edits = shown(panel)
        assert np.array_equal(after_edits, rebuilt(panel)), name
    axes = charts["cumulative"].figure.axes[0]
    inference = next(line for line in axes.lines if "Inference" in str(line.get_label()))
    assert inference.get_ydata()[-1] == pytest.approx(sum(window.evaluator.latest.report["series"]["inference"]))


def test_a_small_edit_only_blits(owned_window, qtbot):
    window = owned_window
    base = window.active.scenario.inference.requests_per_day
    edit(window, qtbot, "inference.requests_per_day", base * 1.01)  # settle the KPI cards' height
    edit(window, qtbot, "inference.requests_per_day", base * 1.011)
    assert {panel.last_redraw for panel in window.overview.charts.values()} == {"blit"}


def test_a_rescaling_edit_redraws_only_the_y_axes(owned_window, qtbot):
    window = owned_window
    base = window.active.scenario.inference.requests_per_day
    edit(window, qtbot, "inference.requests_per_day", base * 1.01)
    before = {name: panel.figure.axes[0].get_ylim() for name, panel in window.overview.charts.items()}
    positions = {name: panel.figure.axes[0].get_position().bounds for name, panel in window.overview.charts.items()}
    edit(window, qtbot, "inference.requests_per_day", base * 4)
    for name, panel in window.overview.charts.items():
        ax = panel.figure.axes[0]
        assert ax.get_ylim() != before[name], name
        assert ax.get_position().bounds == positions[name], name  # laid out for the widest y labels
        assert panel.last_redraw == "axes", name


def test_shape_changes_rebuild(owned_window, qtbot):
    window = owned_window
    with qtbot.waitSignal(window.overview.charts_drawn, timeout=5000):
        window.active.set_value("horizon_years", 6)
    window.overview.draw_pending()
    for name, panel in window.overview.charts.items():
        assert panel.last_redraw == "build", name
        assert len(panel.figure.axes[0].get_xticks()) > 0


def test_resize_lays_the_charts_out_again(owned_window, qtbot):
    window = owned_window
    panel = window.overview.charts["monthly"]
    position = panel.figure.axes[0].get_position().bounds
    window.resize(1500, 950)
    qtbot.waitUntil(lambda: panel.figure.axes[0].get_position().bounds != position, timeout=3000)
    qtbot.wait(50)
    edit(window, qtbot, "inference.requests_per_day", window.active.scenario.inference.requests_per_day * 1.01)
    after = shown(panel)
    assert after.shape[:2] == (panel.canvas.height(), panel.canvas.width())
    assert np.array_equal(after, rebuilt(panel))


def test_palette_change_rebuilds_with_new_colours(owned_window, qapp):
    from tcoapp.gui.app.theme import apply_theme

    window = owned_window
    panel = window.overview.charts["yearly"]
    light = panel.figure.get_facecolor()
    chart = panel.chart
    try:
        apply_theme(qapp, "dark")
        window.redraw_charts()
        assert panel.chart is not chart and panel.figure.get_facecolor() != light
    finally:
        apply_theme(qapp, "light")


def test_saved_png_has_the_data(owned_window, tmp_path):
    from PIL import Image

    panel = owned_window.overview.charts["cumulative"]
    panel.save_png(str(tmp_path / "cumulative.png"), dpi=100)
    with Image.open(tmp_path / "cumulative.png") as image:
        pixels = np.asarray(image.convert("RGB"))
    orange = (pixels[..., 0] > 200) & (pixels[..., 1] > 130) & (pixels[..., 1] < 180) & (pixels[..., 2] < 40)
    assert orange.sum() > 100  # the inference curve is in the file, though the canvas blits it
