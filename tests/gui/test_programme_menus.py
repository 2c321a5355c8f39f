"""The programme window from the user trial: readable at 1280x800, its splitter remembered, Help and View
menus, and "why this number" on its KPI cards."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from tcoapp.paths import samples_dir
from tcoapp.scenario.programme import evaluate_programme, load_programme

SAMPLE = samples_dir() / "company-programme.tco"


def _open(qtbot, path: Path):
    from tcoapp.gui.views.programme import open_programme_window

    window = open_programme_window(path)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return _laid_out(qtbot, window)


def _laid_out(qtbot, window):
    """``window`` once shown and its splitter sizes set (after the first layout pass)."""
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window._splitter_applied)
    return window


@pytest.fixture
def idle_file(tmp_path) -> Path:
    """The sample with Assistant v2 launched in month 40, ten months after Assistant v1 retires (month 30): the
    shared H100 servers stand idle in between, so the programme has an idle owned capacity line."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["workloads"][1]["inference"]["launch_month"] = 40
    target = tmp_path / "idle.tco"
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.fixture
def pwindow(pwindow, qtbot):
    """The programme window of conftest.py, laid out: its splitter sizes set."""
    return _laid_out(qtbot, pwindow)


def test_the_editor_is_readable_at_1280x800(pwindow):
    """The editor pane was about 330 pixels wide: its range column was cut ("> 0 bill…") and so was the chip's
    name ("NVIDIA H100 SXM")."""
    window = pwindow
    assert window.width() == 1280, "the window does not grow past 1280 pixels to fit its panes"
    assert window.editor.width() >= 480
    scroll = window.editor.findChild(QScrollArea)
    content = scroll.widget()
    assert content.minimumSizeHint().width() <= scroll.viewport().width(), "the form is wider than its pane"
    assert content.width() <= scroll.viewport().width()
    for path in ("training.chip", "inference.chip"):
        combo = window.editor.rows[path].combo
        assert combo.currentText() == "NVIDIA H100 SXM"
        # the text, the drop-down arrow and the frame (about 30 pixels in Fusion)
        assert combo.width() >= combo.fontMetrics().horizontalAdvance("NVIDIA H100 SXM") + 30, path
    # the KPI values are whole: "USD 226,426,811" (revenue) fits its card
    for key, label in window.kpis.items():
        assert label.width() >= label.fontMetrics().horizontalAdvance(label.text()), key


def test_the_splitter_sizes_are_remembered(qtbot, answers, programme_file):
    window = _open(qtbot, programme_file)
    wanted = [200, 540, 1280 - 200 - 540 - 2 * window.splitter.handleWidth()]
    window.splitter.setSizes(wanted)
    assert window.splitter.sizes() == wanted
    window.close()
    again = _open(qtbot, programme_file)
    assert again.splitter.sizes() == wanted


def test_a_window_closed_before_its_splitter_was_set_keeps_the_remembered_sizes(qtbot, answers, programme_file):
    """The sizes are applied on the event loop after the first show: a window closed before that has its first
    layout pass's sizes, which must not replace the remembered ones (nor count as applied)."""
    from tcoapp.gui.views.programme import open_programme_window

    window = _open(qtbot, programme_file)
    wanted = [200, 540, 1280 - 200 - 540 - 2 * window.splitter.handleWidth()]
    window.splitter.setSizes(wanted)
    window.close()
    hasty = open_programme_window(programme_file)
    qtbot.addWidget(hasty)
    hasty.resize(1280, 800)
    hasty.show()
    assert not hasty._splitter_applied, "shown, but the remembered sizes are not applied yet"
    hasty.close()
    again = _open(qtbot, programme_file)
    assert again._splitter_applied and again.splitter.sizes() == wanted


def test_help_and_view_menus(pwindow, answers):
    shown = []
    answers.script["dialog"] = lambda q: (shown.append(q.options["dialog"]), "rejected")[1]
    actions = {a.objectName(): a for a in pwindow.findChildren(type(pwindow.undo_action))}
    actions["programme.action.programmes"].trigger()
    assert shown[-1].objectName() == "dialog.programmes"
    assert "Programmes: several workloads, one budget" in shown[-1].browser.toPlainText()
    actions["programme.action.methodology"].trigger()
    assert shown[-1].objectName() == "dialog.methodology"
    actions["programme.action.getting_started"].trigger()
    assert shown[-1].objectName() == "dialog.getting_started"
    actions["programme.action.about"].trigger()
    assert "Chip catalog as of" in answers.of_kind("info")[-1].text
    actions["programme.action.view_2"].trigger()
    assert pwindow.tabs.currentIndex() == 2  # Idle capacity


def _click(qtbot, window, key: str):
    card = window.findChild(type(window.kpis[key].parentWidget()), f"programme.card.{key}")
    assert card is not None, f"no clickable card for {key}"
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    return window.why_panel


def _rows(panel) -> dict[str, float]:
    table = panel.parts
    return {table.item(r, 0).text(): table.item(r, 1).data(Qt.ItemDataRole.UserRole) for r in range(table.rowCount())}


def _engine(path: Path):
    """Each workload's summary and the programme's series, from the engine (not through the report)."""
    programme = load_programme(path)
    result = evaluate_programme(programme)
    parts = {name: {k: float(v[0]) for k, v in result.workload(0, w).summary.items() if v[0] is not None}
             for w, name in enumerate(programme.names)}
    return programme, result, parts


def test_clicking_a_kpi_card_explains_the_lifetime_cost_as_workloads_plus_idle(qtbot, answers, idle_file):
    answers.script["save_changes"] = "discard"
    window = _open(qtbot, idle_file)
    panel = _click(qtbot, window, "total_cost")
    assert panel.isVisible() and panel.key == "total_cost"
    rows = _rows(panel)
    programme, result, parts = _engine(idle_file)
    idle = float(sum(result.series["inference_unallocated"][0]))
    assert idle > 100_000, "the months between the two assistants leave the shared servers idle"
    for name in programme.names:
        assert rows[name] == pytest.approx(parts[name]["total_cost"], rel=1e-12)
    assert rows["(idle owned capacity)"] == pytest.approx(idle, rel=1e-12)
    # docs/programmes.md: the programme's lifetime cost is the sum over workloads plus the idle line
    total = float(result.summary["total_cost"][0])
    assert rows["Programme"] == pytest.approx(total, rel=1e-12)
    assert sum(parts[n]["total_cost"] for n in programme.names) + idle == pytest.approx(total, rel=1e-9)
    assert "USD" in panel.heading.text() and "idle owned capacity" in panel.formula.text()


def test_the_npv_parts_add_up_and_the_idle_part_is_its_cash_discounted(qtbot, answers, idle_file):
    answers.script["save_changes"] = "discard"
    window = _open(qtbot, idle_file)
    rows = _rows(_click(qtbot, window, "npv_total"))
    programme, result, parts = _engine(idle_file)
    rate = programme.finance.discount_rate
    cash = result.series["cash_total"][0]
    own = [result.workload(0, w).series["cash_total"][0] for w in range(len(programme.names))]
    idle_npv = sum((cash[m] - sum(series[m] for series in own)) * (1 + rate) ** (-m / 12) for m in range(len(cash)))
    assert idle_npv > 0
    assert rows["(idle owned capacity)"] == pytest.approx(idle_npv, rel=1e-6)
    assert sum(v for k, v in rows.items() if k != "Programme") == pytest.approx(rows["Programme"], rel=1e-12)


def test_peak_chips_is_the_busiest_month_not_the_sum_of_peaks(pwindow, qtbot, programme_file):
    rows = _rows(_click(qtbot, pwindow, "peak_chips"))
    programme, result, parts = _engine(programme_file)
    chips = result.series["chips"][0]
    assert rows["Programme"] == max(chips)
    busiest = [k for k in rows if k.startswith("Chips in service in ")]
    assert len(busiest) == 1 and rows[busiest[0]] == max(chips)
    assert sum(parts[n]["peak_chips"] for n in programme.names) >= max(chips)


def test_the_panel_follows_an_edit(pwindow, qtbot):
    panel = _click(qtbot, pwindow, "training_cost")
    before = _rows(panel)["Programme"]
    spin = pwindow.editor.input_widget("training.tokens_trillion")
    with qtbot.waitSignal(pwindow.evaluated, timeout=5000):
        spin.setValue(spin.value() * 2)
    after = _rows(panel)
    assert after["Programme"] > before
    assert sum(v for k, v in after.items() if k != "Programme") == pytest.approx(after["Programme"], rel=1e-12)
    assert math.isclose(after["Programme"], pwindow.report["summary"]["training_cost"])


def test_the_side_by_side_cumulative_panels_label_every_other_year(programme_file):
    """At 1280x800 each cumulative panel is under 300 pixels wide: five January labels ran together
    ("Jan 2026Jan 2027"). The sample starts in January 2026 and runs five years (months 0 to 59)."""
    from matplotlib.figure import Figure

    from tcoapp.reports.programme_figures import CumulativeSplitChart
    from tcoapp.reports.programme_report import build_programme_report

    programme = load_programme(programme_file)
    report = build_programme_report(programme, evaluate_programme(programme))
    fig = Figure(figsize=(5.8, 2.4), dpi=100)
    chart = CumulativeSplitChart()
    axes = chart.build(fig, report)
    for ax in axes:
        ticks = [int(t) for t in ax.xaxis.get_major_locator().locs]
        assert ticks == [0, 24, 48]  # Jan 2026, Jan 2028, Jan 2030
        assert [ax.xaxis.get_major_formatter()(t, 0) for t in ticks] == ["Jan 2026", "Jan 2028", "Jan 2030"]


def test_a_problem_quoting_a_workload_named_like_markup_shows_the_name_literally(qtbot, answers, tmp_path):
    """A workload named ``<b>x`` whose weights fit on no replica: the problem quotes the name, and the "why"
    panel (rich text) and the problem line show ``<b>x`` as typed, not a bold "x"."""
    from PySide6.QtGui import QTextDocument

    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["workloads"][0]["name"] = "<b>x"
    data["workloads"][0].setdefault("model", {})["params_billion"] = 100000  # weights fit on no replica
    path = tmp_path / "markup.tco"
    path.write_text(json.dumps(data), encoding="utf-8")
    window = _open(qtbot, path)
    assert window.report is None and 'workload "<b>x"' in str(window.problem)
    panel = _click(qtbot, window, "total_cost")
    shown = QTextDocument()
    shown.setHtml(panel.formula.text())
    assert 'workload "<b>x"' in shown.toPlainText()
    assert window.problem_label.textFormat() == Qt.TextFormat.PlainText
    assert 'workload "<b>x"' in window.problem_label.text()
