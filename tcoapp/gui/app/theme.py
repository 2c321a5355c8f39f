"""Looks: the Fusion style with light and dark palettes, and a small style sheet.

``system`` keeps the palette Qt derives from the desktop (Qt 6 follows the
system's light or dark setting with Fusion on Windows, macOS and GNOME);
``light`` and ``dark`` force one. Colours in the style sheet come from the
palette, so both themes stay readable. Qt 6 handles high-DPI screens itself:
nothing here sets scale factors.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

STYLE_SHEET = """
QFrame[role="card"] {
    border: 1px solid palette(mid);
    border-radius: 6px;
    background: palette(base);
}
QLabel[role="banner"] {
    background: #fff3cd;
    color: #5c4400;
    border: 1px solid #e0c060;
    border-radius: 4px;
    padding: 4px 8px;
}
QAbstractSpinBox[invalid="true"], QLineEdit[invalid="true"], QComboBox[invalid="true"] {
    border: 1px solid #c62828;
    border-radius: 3px;
}
QToolBox::tab {
    font-weight: bold;
}
"""


def dark_palette() -> QPalette:
    """A dark palette for Fusion."""
    p = QPalette()
    window, base, text = QColor("#2b2d30"), QColor("#1e1f22"), QColor("#e6e6e6")
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: QColor("#26282b"),
        QPalette.ColorRole.ToolTipBase: QColor("#3c3f41"), QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: QColor("#35373a"),
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Highlight: QColor("#3d6fb4"), QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor("#7ab4ff"), QPalette.ColorRole.PlaceholderText: QColor("#9a9da1"),
        QPalette.ColorRole.Mid: QColor("#4a4d51"), QPalette.ColorRole.Dark: QColor("#19191b"),
        QPalette.ColorRole.Light: QColor("#505357"), QPalette.ColorRole.Midlight: QColor("#3f4245"),
        QPalette.ColorRole.Shadow: QColor("#000000"),
    }
    for role, color in roles.items():
        p.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7c7f83"))
    return p


def apply_theme(app: QApplication, theme: str = "system") -> None:
    """Use Fusion with the system's palette, or force ``light`` or ``dark``."""
    app.setStyle("Fusion")
    if theme == "dark":
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setPalette(app.style().standardPalette())
    app.setStyleSheet(STYLE_SHEET)
