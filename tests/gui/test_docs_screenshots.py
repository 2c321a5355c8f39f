"""Every picture in the README and docs/ is made by the app's own ``tcoapp --screenshot`` (scripts/docs_screenshots.py).

The test runs the whole list as a user would (a subprocess per shot, offscreen) into a temporary folder, so CI
proves each documented command still renders, and checks that no PNG shown in the docs is missing from the list.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("docs_screenshots", ROOT / "scripts" / "docs_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pictures_shown_in_docs() -> set[str]:
    shown = set()
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", page.read_text(encoding="utf-8")):
            shown.add((page.parent / target).resolve().relative_to(ROOT).as_posix())
    return shown


def test_every_picture_in_the_docs_is_on_the_list_and_in_the_repository():
    listed = {image for image, _ in _script().SHOTS}
    shown = _pictures_shown_in_docs()
    assert shown, "the docs show no screenshots: the pattern no longer matches"
    assert shown <= listed, f"shown in the docs but not made by scripts/docs_screenshots.py: {sorted(shown - listed)}"
    for image in listed:
        assert (ROOT / image).is_file(), image


def test_every_listed_screenshot_renders(qapp, tmp_path):
    module = _script()
    env = {"TCOAPP_DATA_DIR": str(tmp_path / "data")}
    import os

    env = dict(os.environ, **env)
    done = module.make(tmp_path / "out", env=env)
    assert len(done) == len(module.SHOTS)
    for image, out, stderr in done:
        picture = QImage(str(out))
        assert (picture.width(), picture.height()) == (1280, 800), image
        # not a blank window: many distinct colours over a grid of the whole window (text, charts, widgets)
        colours = {picture.pixel(x, y) for x in range(0, picture.width(), 8) for y in range(0, picture.height(), 8)}
        assert len(colours) > 40, f"{image} looks blank ({len(colours)} colours)"
        assert "Traceback" not in stderr, f"{image}: {stderr}"
