"""Chart tools: the cash / accrual display toggle, hover read-outs, copying a chart, PNG export of every chart."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from tcoapp.gui.widgets.formatting import compact_money
from tcoapp.paths import sample_files
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.files import load_scenario

OWNED = "chat-assistant-owned-h100.tco"  # starts 2026-01, 5 years, cash basis, an owned fleet


@pytest.fixture
def owned_window(make_window, tmp_path):
    """The owned-fleet sample without its uncertainty section (the live band would redraw the
    cumulative chart on its own schedule; tests/gui/test_band.py covers it)."""
    path = tmp_path / OWNED
    document = json.loads(next(p for p in sample_files() if p.name == OWNED).read_text(encoding="utf-8"))
    document.pop("uncertainty", None)
    path.write_text(json.dumps(document), encoding="utf-8")
    window = make_window(path)
    window.overview.draw_pending()
    return window


def engine_series(source, basis: str):
    """The engine's own series (and yearly sums) of a scenario or file with ``finance.basis`` set to
    ``basis``: run here, independently of the GUI's evaluation."""
    scenario = load_scenario(source) if not hasattr(source, "finance") else source
    scenario = scenario.model_copy(update={"finance": scenario.finance.model_copy(update={"basis": basis})})
    result = evaluate(scenario)
    return ({k: np.asarray(v[0]) for k, v in result.series.items()},
            {k: np.asarray(v[0]) for k, v in result.yearly.items()})


def middle(panel) -> float:
    return panel.chart.ax.get_ylim()[1] * 0.5


def plotted(window) -> dict[str, np.ndarray]:
    charts = window.overview.charts
    lines = {line.get_label(): np.asarray(line.get_ydata()) for line in charts["cumulative"].figure.axes[0].lines}
    stairs = charts["monthly"].chart._stairs
    yearly = charts["yearly"].chart._bars
    return {"training_cum": lines["Training, cumulative"], "inference_cum": lines["Inference, cumulative"],
            "monthly_top": np.asarray(stairs[-1].get_data().values),
            "yearly_training": np.array([r.get_height() for r in yearly[0]]),
            "yearly_inference": np.array([r.get_height() for r in yearly[1]])}


def check_plotted(window, series, yearly) -> None:
    shown = plotted(window)
    np.testing.assert_allclose(shown["training_cum"], np.cumsum(series["training"]), rtol=1e-9)
    np.testing.assert_allclose(shown["inference_cum"], np.cumsum(series["inference"]), rtol=1e-9)
    # the top of the monthly stack is the month's whole cost
    np.testing.assert_allclose(shown["monthly_top"], series["training"] + series["inference"], rtol=1e-9)
    np.testing.assert_allclose(shown["yearly_training"], yearly["training"], rtol=1e-9)
    np.testing.assert_allclose(shown["yearly_inference"], yearly["inference"], rtol=1e-9)


def click_basis(window, qtbot, basis: str) -> None:
    with qtbot.waitSignal(window.overview.charts_drawn, timeout=5000):
        QTest.mouseClick(window.overview.basis_buttons[basis], Qt.MouseButton.LeftButton)


def test_the_accrual_toggle_plots_the_accrual_series_and_leaves_the_document_alone(owned_window, qtbot):
    window = owned_window
    document = window.active
    path = document.path
    on_disk = path.read_bytes()
    undo_steps = document.undo_stack.count()
    cash, cash_yearly = engine_series(path, "cash")
    accrual, accrual_yearly = engine_series(path, "accrual")
    # the two bases differ for an owned fleet (capex when paid against depreciation), or this proves nothing
    assert not np.allclose(np.cumsum(cash["inference"]), np.cumsum(accrual["inference"]))
    check_plotted(window, cash, cash_yearly)
    total_before = window.overview.kpis.cards["total_cost"].value.property("value")
    title = window.overview.charts["monthly"].chart.ax.get_title()
    assert title.endswith("Cash basis (as the scenario)")

    click_basis(window, qtbot, "accrual")
    check_plotted(window, accrual, accrual_yearly)
    for name in ("monthly", "cumulative", "yearly"):
        assert window.overview.charts[name].chart.ax.get_title().endswith("Accrual view (display only)"), name
    assert "display only" in window.overview.basis_label.text()
    # display only: the scenario, its file, its undo history and its KPI cards are as they were
    assert document.scenario.finance.basis == "cash"
    assert not document.dirty and not window.isWindowModified()
    assert document.undo_stack.count() == undo_steps
    assert path.read_bytes() == on_disk
    assert window.overview.kpis.cards["total_cost"].value.property("value") == total_before
    assert window.evaluator.latest.scenario.finance.basis == "cash"

    click_basis(window, qtbot, "cash")
    check_plotted(window, cash, cash_yearly)
    assert window.overview.charts["yearly"].chart.ax.get_title().endswith("Cash basis (as the scenario)")
    assert not document.dirty and document.undo_stack.count() == undo_steps and path.read_bytes() == on_disk


def test_the_other_basis_is_evaluated_once_per_scenario_revision(owned_window, qtbot):
    window = owned_window
    overview = window.overview
    click_basis(window, qtbot, "accrual")
    assert overview.other_evaluations == 1
    click_basis(window, qtbot, "cash")
    click_basis(window, qtbot, "accrual")
    assert overview.other_evaluations == 1, "the same scenario: the kept evaluation"
    box = window.findChild(QWidget, "inference.requests_per_day")
    with qtbot.waitSignal(overview.charts_drawn, timeout=5000):
        box.setValue(box.value() * 1.5)
    assert overview.other_evaluations == 2
    assert overview.shown_basis() == "accrual", "the view stays on the basis chosen while editing"
    # the edited scenario's accrual series, worked out by the engine on its own
    accrual, accrual_yearly = engine_series(window.active.scenario, "accrual")
    check_plotted(window, accrual, accrual_yearly)


def mouse_at(panel, x: float, y: float):
    """Move the mouse to data point (x, y) of the panel's chart: a real Qt mouse move on the canvas."""
    ax = panel.chart.ax
    px, py = ax.transData.transform((x, y))
    ratio = panel.canvas.devicePixelRatioF()
    position = QPointF(px / ratio, (panel.figure.bbox.height - py) / ratio)
    event = QMouseEvent(QEvent.Type.MouseMove, position, panel.canvas.mapToGlobal(position),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel.canvas, event)


def test_hover_shows_the_month_and_its_values_without_a_render(owned_window, qtbot):
    window = owned_window
    panel = window.overview.charts["monthly"]
    series, _yearly = engine_series(window.active.path, "cash")
    renders = []
    panel.canvas.mpl_connect("draw_event", lambda event: renders.append(event))
    before = np.asarray(panel.canvas.buffer_rgba()).copy()
    mouse_at(panel, 14, middle(panel))
    # month index 14 of a scenario starting in January 2026: March 2027
    lines = panel.hover_text.splitlines()
    assert lines[0] == "Mar 2027"
    total = series["training"][14] + series["inference"][14]
    assert f"Total: {compact_money(total, 'USD')}" in lines
    assert f"Inference energy: {compact_money(series['inference_energy'][14], 'USD')}" in lines
    hovered = np.asarray(panel.canvas.buffer_rgba()).copy()
    assert not np.array_equal(hovered, before), "the read-out is drawn"
    assert renders == [], "blitted over the kept frame, not rendered"

    mouse_at(panel, 40, middle(panel))
    assert panel.hover_text.splitlines()[0] == "May 2029"  # 40 = 3 years and 4 months after Jan 2026
    QApplication.sendEvent(panel.canvas, QEvent(QEvent.Type.Leave))
    assert panel.hover_text == ""
    assert np.array_equal(np.asarray(panel.canvas.buffer_rgba()), before), "leaving restores the chart"
    assert renders == []


def test_hover_on_the_cumulative_and_fleet_charts(owned_window):
    window = owned_window
    series, _yearly = engine_series(window.active.path, "cash")
    cumulative = window.overview.charts["cumulative"]
    mouse_at(cumulative, 23, middle(cumulative))
    lines = cumulative.hover_text.splitlines()
    assert lines[0] == "Dec 2027"
    assert f"Training, cumulative: {compact_money(series['training'][:24].sum(), 'USD')}" in lines
    assert f"Inference, cumulative: {compact_money(series['inference'][:24].sum(), 'USD')}" in lines
    fleet = window.overview.charts["fleet"]
    mouse_at(fleet, 59, middle(fleet))
    lines = fleet.hover_text.splitlines()
    assert lines[0] == "Dec 2030"
    assert lines[1] == f"Chips in service: {round(series['chips'][59]):,}"


def test_copy_puts_the_chart_on_the_clipboard_without_the_read_out(owned_window, qtbot):
    window = owned_window
    panel = window.overview.charts["cumulative"]
    clean = np.asarray(panel.canvas.buffer_rgba()).copy()
    QGuiApplication.clipboard().clear()
    mouse_at(panel, 30, middle(panel))
    assert panel.hover_text
    window.activateWindow()
    panel.canvas.setFocus()
    qtbot.waitUntil(panel.canvas.hasFocus, timeout=2000)
    QTest.keyClick(panel.canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    image = QGuiApplication.clipboard().image()
    assert not image.isNull(), "Ctrl+Shift+C copied the chart"
    ratio = panel.canvas.devicePixelRatioF()
    assert (image.width(), image.height()) == (round(panel.canvas.width() * ratio),
                                               round(panel.canvas.height() * ratio))
    pixels = image.convertToFormat(QImage.Format.Format_RGBA8888)
    copied = np.frombuffer(pixels.constBits(), np.uint8).reshape(pixels.height(), pixels.bytesPerLine())
    copied = copied[:, : 4 * pixels.width()].reshape(pixels.height(), pixels.width(), 4)
    assert np.array_equal(copied[..., :3], clean[..., :3]), "the chart as drawn, without the hover read-out"
    # the context menu's entry is the same action
    QGuiApplication.clipboard().clear()
    panel.copy_action.trigger()
    assert QGuiApplication.clipboard().image().size() == image.size()


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path.name
    image = QImage(str(path))
    assert not image.isNull(), path.name
    return image.width(), image.height()


def test_all_charts_as_png_writes_every_chart(owned_window, answers, qtbot, tmp_path):
    window = owned_window
    folder = tmp_path / "charts"
    answers.script["folder"] = str(folder)
    stem = OWNED.removesuffix(".tco")
    written = window.export_all_charts()
    expected = {f"{stem}-{name}.png" for name in ("monthly-cost", "cumulative", "yearly", "fleet",
                                                    "serving-tradeoff", "serving-thinking-budget", "right-size")}
    assert {p.name for p in written} == expected
    assert {p.name for p in folder.iterdir()} == expected, "no temporary files are left"
    for path in written:
        assert png_size(path) == (1200, 750), path.name
        assert path.stat().st_size > 20_000, path.name  # a drawn chart, not an empty canvas
    assert answers.of_kind("folder")

    # a tornado computed for the current inputs joins them; after an edit it is stale and left out
    tornado = window.sensitivity.tornado
    tornado.run()
    qtbot.waitUntil(lambda: tornado.result is not None, timeout=20000)
    names = {p.name for p in window.export_all_charts(str(folder))}
    assert names == expected | {f"{stem}-tornado.png"}
    box = window.findChild(QWidget, "inference.requests_per_day")
    box.setValue(box.value() * 1.1)
    window.evaluator.evaluate_now()
    assert f"{stem}-tornado.png" not in {p.name for p in window.export_all_charts(str(folder))}
    window.active.undo_stack.undo()


def test_the_menu_entry_and_the_existing_exports(owned_window, answers, tmp_path):
    window = owned_window
    action = window.findChild(type(window.act_export_png), "action.export_all_charts")
    assert action is not None and action.isEnabled()
    export_menu = window.findChild(type(window.template_menu), "menu.export")
    assert action in export_menu.actions()
    # File > Export > PNG (charts) still writes the four report charts
    answers.script["save_file"] = str(tmp_path / "out" / "plan.png")
    (tmp_path / "out").mkdir()
    written = window.export_png()
    assert {p.name for p in written} == {f"plan-{n}.png" for n in ("monthly-cost", "cumulative", "yearly", "fleet")}
    # and a chart's own Save as PNG
    panel = window.overview.charts["yearly"]
    panel.save_png(str(tmp_path / "yearly.png"))
    assert png_size(tmp_path / "yearly.png") == (round(panel.canvas.width() * 1.5), round(panel.canvas.height() * 1.5))


def test_an_unwritable_folder_is_reported_not_raised(owned_window, answers, tmp_path):
    window = owned_window
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert window.export_all_charts(str(blocker / "charts")) == []
    errors = answers.of_kind("error")
    assert errors and "a-file" in errors[-1].text
