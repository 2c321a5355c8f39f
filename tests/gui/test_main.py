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
