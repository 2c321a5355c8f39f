"""Where bundled data lives.

The design card keeps ``resources/`` and ``samples/`` at the top of the repository;
pyproject maps them into the package as ``tcoapp.resources`` and ``tcoapp.samples``.
Looking them up through :mod:`importlib.resources` is therefore the same call from
an editable install, a wheel and a frozen bundle: this module is the only place
that knows it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_file(name: str) -> Path:
    """Path of a bundled resource file, e.g. ``resource_file("chips.json")``."""
    return Path(str(resources.files("tcoapp.resources").joinpath(name)))


def samples_dir() -> Path:
    """Folder holding the bundled sample scenarios."""
    return Path(str(resources.files("tcoapp.samples")))


def sample_files() -> list[Path]:
    """The bundled ``.tco`` scenario samples, sorted by file name (programmes: :func:`programme_sample_files`)."""
    return [p for p in sorted(samples_dir().glob("*.tco")) if not _is_programme(p)]


def programme_sample_files() -> list[Path]:
    """The bundled ``.tco`` programme samples (``"format": "tcoapp-programme"``), sorted by file name."""
    return [p for p in sorted(samples_dir().glob("*.tco")) if _is_programme(p)]


def _is_programme(path: Path) -> bool:
    return '"tcoapp-programme"' in path.read_text(encoding="utf-8", errors="replace")[:200]
