"""The overview's live uncertainty band: seeded, off the GUI thread, only the latest edit's band applied."""

from __future__ import annotations

import numpy as np
import pytest

from tcoapp.gui.documents.band import BAND_SAMPLES, BAND_SEED, compute_band
from tcoapp.paths import sample_files
from tcoapp.scenario import sensitivity as ss

from .conftest import settle


@pytest.fixture
def uncertain_file(tmp_path):
    source = next(p for p in sample_files() if p.name == "chat-assistant-owned-h100.tco")
    target = tmp_path / "uncertain.tco"
    target.write_bytes(source.read_bytes())
    return target


def wait_band(qtbot, window) -> None:
    band = window.overview.band
    qtbot.waitUntil(lambda: band.applied_generation == band.generation and not band.busy, timeout=30000)
    window.overview.draw_pending()


def test_band_matches_a_direct_monte_carlo_and_is_drawn(qtbot, make_window, uncertain_file):
    window = make_window(uncertain_file)
    wait_band(qtbot, window)
    overview = window.overview
    shown = overview.band_data
    assert shown is not None and overview.band_label.isVisible()
    # the same seeded batch, run here on this thread through the public solver
    direct = ss.monte_carlo(window.active.scenario, samples=BAND_SAMPLES, seed=BAND_SEED,
                            metrics=("total_cost",), events=[])
    for key in ("p10", "p50", "p90"):
        assert shown["total"][key] == direct["metrics"]["total_cost"][key]
        assert shown[key] == direct["bands"][key]
    # the fan ends where the lifetime-cost percentiles are (cumulative total of the last month)
    assert shown["p50"][-1] == pytest.approx(shown["total"]["p50"], rel=1e-5)
    assert shown["total"]["p10"] < shown["total"]["p50"] < shown["total"]["p90"]
    chart = overview.charts["cumulative"].chart
    fill, mid = chart._band_artists
    assert list(mid.get_ydata()) == pytest.approx(shown["p50"])
    assert np.max(fill.get_xy()[:, 1]) == pytest.approx(max(shown["p90"]))
    assert "P50" in overview.band_label.text() and "10,000-sample" in overview.band_label.text()


def test_an_edit_moves_the_band(qtbot, make_window, uncertain_file):
    window = make_window(uncertain_file)
    wait_band(qtbot, window)
    before = window.overview.band_data["total"]["p50"]
    fixed = window.active.value("training.fixed_cost")
    window.active.set_value("training.fixed_cost", fixed + 2_000_000)  # the same in every sample
    settle(window)
    wait_band(qtbot, window)
    after = window.overview.band_data
    assert after["total"]["p50"] == pytest.approx(before + 2_000_000, abs=1.0)  # same draws, +2M each
    assert after == compute_band(window.active.scenario)
    assert window.overview.charts["cumulative"].data["band"] is after


def test_two_quick_edits_apply_only_the_last_band(qtbot, make_window, uncertain_file):
    window = make_window(uncertain_file)
    wait_band(qtbot, window)
    applied = []
    window.overview.band.ready.connect(applied.append)
    growth = window.active.value("inference.annual_growth")
    fixed = window.active.value("training.fixed_cost")
    window.active.set_value("training.fixed_cost", fixed + 5_000_000)
    settle(window)  # the first edit's band starts...
    first = window.active.scenario
    window.active.set_value("training.fixed_cost", fixed + 1_000_000)
    settle(window)  # ...and the second one's replaces it before it could be applied
    wait_band(qtbot, window)
    qtbot.wait(200)  # let any late result of the first run arrive (it must be dropped)
    assert len(applied) == 1
    assert applied[0] == compute_band(window.active.scenario)
    assert applied[0] != compute_band(first)
    assert window.overview.band_data is applied[0]
    assert growth == window.active.value("inference.annual_growth")


def test_a_scenario_without_uncertainty_shows_no_band(qtbot, window):
    assert not window.active.scenario.uncertainty
    overview = window.overview
    wait_band(qtbot, window)
    settle(window)
    assert overview.band_data is None and not overview.band_label.isVisible()
    assert "band" not in overview.charts["cumulative"].data
    assert overview.charts["cumulative"].chart._band_artists == []
