"""The frozen bundle (``installers/build_linux.sh``) works as an end user runs it.

Skipped unless the bundle exists: ``dist/tcoapp`` in the checkout, or the folder
named by ``TCOAPP_BUNDLE``. CI builds it and runs this file after the unit tests.
Missing Qt plugins, matplotlib backends and data files only show in a frozen
bundle, so each check runs the real executables in subprocesses.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = Path(os.environ.get("TCOAPP_BUNDLE", ROOT / "dist" / "tcoapp"))
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
CLI = BUNDLE / f"tcoapp-cli{EXE_SUFFIX}"
GUI = BUNDLE / f"tcoapp{EXE_SUFFIX}"
SAMPLE = ROOT / "samples" / "chat-assistant-owned-h100.tco"

pytestmark = pytest.mark.skipif(not (CLI.is_file() and GUI.is_file()),
                                reason=f"no frozen bundle at {BUNDLE} (bash installers/build_linux.sh builds it)")


def pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)


def run(exe: Path, *args: str, tmp_path: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run a frozen executable offscreen, with a private data folder, from an unrelated folder."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TCOAPP_DATA_DIR=str(tmp_path / "data"))
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):  # the bundle must not lean on this Python
        env.pop(name, None)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=tmp_path)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_frozen_cli_reports_the_pyproject_version(tmp_path):
    result = run(CLI, "--version", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tcoapp {pyproject_version()}"


def test_frozen_gui_reports_the_same_version(tmp_path):
    result = run(GUI, "--version", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tcoapp {pyproject_version()}"


def test_frozen_cli_reports_a_sample_with_the_bundled_catalog(tmp_path):
    result = run(CLI, "report", str(SAMPLE), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Lifetime cost" in result.stdout
    chips = run(CLI, "chips", "--json", tmp_path=tmp_path)  # chips.json read through importlib.resources
    assert chips.returncode == 0, chips.stderr
    assert '"tcoapp-chips"' in chips.stdout


def test_frozen_cli_exports_a_workbook_and_png_charts(tmp_path):
    import openpyxl

    workbook, charts = tmp_path / "plan.xlsx", tmp_path / "charts"
    result = run(CLI, "export", str(SAMPLE), "-o", str(workbook), "--png", str(charts), "--svg", str(charts),
                 tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(workbook)
    assert len(book.sheetnames) >= 2, book.sheetnames
    pngs = sorted(charts.glob("*.png"))
    assert len(pngs) >= 4, result.stdout
    for png in pngs:
        assert png_size(png) == (800, 500), png
    assert len(list(charts.glob("*.svg"))) == len(pngs)


def test_frozen_cli_bad_input_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.tco"
    bad.write_text("{}", encoding="utf-8")
    result = run(CLI, "validate", str(bad), tmp_path=tmp_path)
    assert result.returncode == 2
    assert "bad.tco" in result.stderr and "Traceback" not in result.stderr


def test_frozen_gui_smoke_test_offscreen(tmp_path):
    result = run(GUI, "--smoke-test", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tcoapp smoke test: ok" in result.stdout


def test_frozen_gui_screenshot_of_a_sample(tmp_path):
    out = tmp_path / "shot.png"
    result = run(GUI, "--screenshot", str(out), str(SAMPLE), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert png_size(out) == (1280, 800)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux desktop integration")
def test_linux_bundle_carries_desktop_entry_icons_and_mime_type():
    share = BUNDLE / "share"
    if not share.is_dir():
        pytest.skip("bundle built by PyInstaller alone, without build_linux.sh's desktop files")
    desktop = (share / "applications" / "tcoapp.desktop").read_text(encoding="utf-8")
    assert f"X-AppVersion={pyproject_version()}" in desktop.splitlines()
    assert "MimeType=application/x-tcoapp-scenario;" in desktop.splitlines()
    mime = (share / "mime" / "packages" / "tcoapp.xml").read_text(encoding="utf-8")
    assert 'type="application/x-tcoapp-scenario"' in mime and 'pattern="*.tco"' in mime
    for size in (16, 32, 48, 128, 256):
        assert png_size(share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tcoapp.png") == (size, size)
    assert os.access(BUNDLE / "install.sh", os.X_OK)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux desktop integration")
def test_linux_install_script_registers_the_app_for_a_user(tmp_path):
    """install.sh into a scratch HOME: menu entry pointing at the copy, commands on PATH, then uninstall."""
    if not (BUNDLE / "install.sh").is_file():
        pytest.skip("bundle built by PyInstaller alone, without build_linux.sh's installer scripts")
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(["sh", str(BUNDLE / "install.sh")], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    installed = home / ".local" / "opt" / "tcoapp"
    desktop = (home / ".local" / "share" / "applications" / "tcoapp.desktop").read_text(encoding="utf-8")
    assert f"Exec={installed}/tcoapp %F" in desktop.splitlines()
    assert (home / ".local" / "share" / "mime" / "packages" / "tcoapp.xml").is_file()
    assert (home / ".local" / "share" / "icons" / "hicolor" / "48x48" / "apps" / "tcoapp.png").is_file()
    cli = home / ".local" / "bin" / "tcoapp-cli"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, env=env, timeout=120)
    assert version.stdout.strip() == f"tcoapp {pyproject_version()}"
    result = subprocess.run(["sh", str(installed / "uninstall.sh")], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert not installed.exists() and not cli.exists()
    assert not (home / ".local" / "share" / "applications" / "tcoapp.desktop").exists()


def test_frozen_bundle_carries_the_help_pages():
    """Help > Methodology and Programmes read the pages shipped as tcoapp.docs, not a short fallback."""
    found = {p.name: p for p in BUNDLE.rglob("*.md") if p.parent.name == "docs" and p.parent.parent.name == "tcoapp"}
    for page, heading in (("methodology.md", "# "), ("programmes.md", "# ")):
        assert page in found, f"{page} is not in the bundle"
        assert found[page].read_text(encoding="utf-8").startswith(heading)
