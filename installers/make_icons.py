"""Render the app icon from its SVG: PNG sizes, a Windows .ico and a macOS .icns.

    python installers/make_icons.py            # writes resources/icons/*

The SVG (``resources/icons/tcoapp.svg``) is the source; the rest is generated and
committed, so a build needs no image tools. Rendering uses Qt's own SVG renderer
(PySide6 QtSvg, already a runtime dependency); the .ico and .icns containers are
written here by hand with PNG-compressed entries, so no Pillow, ImageMagick or
iconutil is needed.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICON_DIR / "tcoapp.svg"
#: PNG sizes committed (the hicolor theme sizes up to 512; Qt picks from these for the window icon).
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Sizes in the .ico: what Explorer and the taskbar ask for, 256 being the largest the format holds.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: .icns element types with PNG payloads and their pixel size (the set Apple's iconutil writes).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered at ``size`` x ``size`` pixels, antialiased, as PNG bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - painting needs one
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon holding the given PNGs (PNG entries are read by Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon family with PNG elements, and the table of contents iconutil writes first."""
    elements = [(kind, pngs[size]) for kind, size in ICNS_TYPES]
    toc = b"TOC " + struct.pack(">I", 8 + 8 * len(elements))
    toc += b"".join(kind + struct.pack(">I", 8 + len(data)) for kind, data in elements)
    body = toc + b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build(svg: Path = SVG) -> dict[Path, bytes]:
    """Every generated file and its bytes."""
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: render_png(svg, size) for size in sizes}
    files = {ICON_DIR / f"tcoapp-{size}.png": pngs[size] for size in PNG_SIZES}
    files[ICON_DIR / "tcoapp.ico"] = ico_bytes({size: pngs[size] for size in ICO_SIZES})
    files[ICON_DIR / "tcoapp.icns"] = icns_bytes(pngs)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    for path, data in build().items():
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ICON_DIR.parent.parent)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
