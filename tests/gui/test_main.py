"""The ``tcoapp`` command: screenshots and the smoke test, run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from tcoapp.gui.main import parse_args


def run_tcoapp(*args, tmp_path, timeout=120):
    env = dict(os.environ, TCOAPP_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "tcoapp.gui.main", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.mark.parametrize("view", ["overview", "sensitivity"])
def test_screenshot_writes_a_1280x800_png(tmp_path, sample_path, view):
    out = tmp_path / f"{view}.png"
    result = run_tcoapp("--screenshot", str(out), str(sample_path), "--view", view, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_screenshot_of_a_bad_file_reports_it_and_still_exits_0(tmp_path):
    bad = tmp_path / "bad.tco"
    bad.write_text("{}")
    out = tmp_path / "shot.png"
    result = run_tcoapp("--screenshot", str(out), str(bad), tmp_path=tmp_path)
    assert result.returncode == 0
    assert "must be \"tcoapp-scenario\"" in result.stderr
    assert out.is_file()


def test_smoke_test(tmp_path):
    result = run_tcoapp("--smoke-test", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tcoapp smoke test: ok" in result.stdout


def test_arguments():
    args = parse_args(["a.tco", "b.tco", "--screenshot", "x.png", "--view", "compare"])
    assert args.files == ["a.tco", "b.tco"] and args.view == "compare" and args.screenshot == "x.png"


def test_app_icon_comes_from_the_bundled_pngs(qapp):
    from tcoapp.gui.main import ICON_SIZES, app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert {size.width() for size in icon.availableSizes()} == set(ICON_SIZES)


def test_a_file_open_event_opens_the_file(qapp, window, tmp_path, sample_path):
    """macOS hands a double-clicked .tco to the running app as a QFileOpenEvent."""
    from PySide6.QtGui import QFileOpenEvent

    from tcoapp.gui.main import open_files_from_the_desktop

    other = tmp_path / "other.tco"
    other.write_bytes(sample_path.read_bytes())
    file_open_filter = open_files_from_the_desktop(qapp, window)
    try:
        qapp.sendEvent(qapp, QFileOpenEvent(str(other)))
        assert any(d.path is not None and d.path.name == "other.tco" for d in window.documents)
    finally:
        qapp.removeEventFilter(file_open_filter)


def test_smoke_test_fails_when_nothing_computes(tmp_path):
    bad = tmp_path / "bad.tco"
    bad.write_text("{}")
    result = run_tcoapp("--smoke-test", str(bad), tmp_path=tmp_path)
    assert result.returncode == 1
    assert "tcoapp smoke test: failed: no result" in result.stdout


def test_screenshot_with_an_editor_filter(tmp_path, sample_path):
    out = tmp_path / "filter.png"
    result = run_tcoapp("--screenshot", str(out), str(sample_path), "--filter", "growth", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000
