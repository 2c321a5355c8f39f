#!/bin/sh
# Remove what install.sh put in place: ./uninstall.sh (for you) or sudo ./uninstall.sh --system.
# Your scenario files, settings and autosaves are left alone.
set -eu

if [ "${1:-}" = "--system" ]; then
    DEST=/opt/tcoapp
    BIN=/usr/local/bin
    DATA=/usr/local/share
elif [ -z "${1:-}" ]; then
    DATA=${XDG_DATA_HOME:-$HOME/.local/share}
    DEST=$HOME/.local/opt/tcoapp
    BIN=$HOME/.local/bin
else
    echo "usage: $0 [--system]" >&2
    exit 2
fi

for link in "$BIN/tcoapp" "$BIN/tcoapp-cli"; do
    if [ -L "$link" ]; then rm -f "$link"; fi
done
rm -f "$DATA/applications/tcoapp.desktop" "$DATA/mime/packages/tcoapp.xml"
for icon in "$DATA"/icons/hicolor/*/apps/tcoapp.png "$DATA"/icons/hicolor/*/apps/tcoapp.svg \
            "$DATA"/icons/hicolor/*/mimetypes/application-x-tcoapp-scenario.*; do
    rm -f "$icon"
done
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$DATA/mime" || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database "$DATA/applications" || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" 2>/dev/null || true
fi
if [ -x "$DEST/tcoapp-cli" ]; then rm -rf "$DEST"; fi
echo "tcoapp removed"
