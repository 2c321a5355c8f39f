"""Help shows the project's own pages from the installed package (tcoapp.docs), so a wheel or a frozen
bundle has them too, not only a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tcoapp.gui.dialogs import help as help_pages

ROOT = Path(__file__).resolve().parents[2]


def test_the_help_pages_come_from_the_package_and_are_the_docs():
    packaged = Path(str(resources.files("tcoapp.docs")))
    for name in ("methodology.md", "programmes.md"):
        path = help_pages.doc_path(name)
        assert path is not None and path.parent.resolve() == packaged.resolve()
        assert path.read_text(encoding="utf-8") == (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert help_pages.methodology_markdown() != help_pages.FALLBACK_METHODOLOGY
    assert help_pages.programmes_markdown() != help_pages.FALLBACK_PROGRAMMES


def test_a_help_page_finds_its_pictures_beside_it(qtbot):
    dialog = help_pages.ProgrammesDialog()
    qtbot.addWidget(dialog)
    assert dialog.browser.searchPaths() == [str(help_pages.doc_path("programmes.md").parent)]
