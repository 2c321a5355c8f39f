"""tcoapp: the lifetime cost of an AI programme (training against years of inference)."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("tcoapp")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
