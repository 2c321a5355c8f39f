#!/bin/sh
# Install tcoapp from this unpacked folder: the app in your menu, .tco files opening in it,
# and the commands tcoapp and tcoapp-cli on your PATH.
#
#   ./install.sh            for you:      ~/.local/opt/tcoapp, ~/.local/bin, ~/.local/share
#   sudo ./install.sh --system   for everyone: /opt/tcoapp, /usr/local/bin, /usr/local/share
#
# Undo with uninstall.sh (copied next to the installed app). Nothing here needs Python.
set -eu

SRC=$(cd "$(dirname "$0")" && pwd -P)
if [ "${1:-}" = "--system" ]; then
    DEST=/opt/tcoapp
    BIN=/usr/local/bin
    DATA=/usr/local/share
elif [ -z "${1:-}" ]; then
    DEST=$HOME/.local/opt/tcoapp
    BIN=$HOME/.local/bin
    DATA=${XDG_DATA_HOME:-$HOME/.local/share}
else
    echo "usage: $0 [--system]" >&2
    exit 2
fi
case "$DEST" in
    *'"'*|*'`'*|*'$'*|*'\'*) echo "install.sh: cannot install into $DEST (quote, backquote, dollar or backslash in the path)" >&2; exit 1 ;;
esac

# The app itself (skipped when this folder already is the installed copy).
DEST_REAL=
if [ -d "$DEST" ]; then DEST_REAL=$(cd "$DEST" && pwd -P); fi
if [ "$SRC" != "$DEST_REAL" ]; then
    rm -rf "$DEST"
    mkdir -p "$DEST"
    cp -R "$SRC"/. "$DEST"/
fi

mkdir -p "$BIN" "$DATA/applications" "$DATA/mime/packages" "$DATA/icons"
ln -sf "$DEST/tcoapp" "$BIN/tcoapp"
ln -sf "$DEST/tcoapp-cli" "$BIN/tcoapp-cli"

# The menu entry, pointing at the installed executable (quoted if the path has a space).
case "$DEST" in
    *[[:space:]]*) EXEC="\"$DEST/tcoapp\"" ;;
    *) EXEC="$DEST/tcoapp" ;;
esac
awk -v exec="$EXEC" -v tryexec="$DEST/tcoapp" '
    /^Exec=/ { sub(/^Exec=[^ ]*/, "Exec=" exec) }
    /^TryExec=/ { $0 = "TryExec=" tryexec }
    { print }' "$SRC/share/applications/tcoapp.desktop" >"$DATA/applications/tcoapp.desktop"
chmod 644 "$DATA/applications/tcoapp.desktop"

# Icons (the app's, and the one .tco files show) and the MIME type of .tco files.
cp -R "$SRC/share/icons/hicolor" "$DATA/icons/"
cp "$SRC/share/mime/packages/tcoapp.xml" "$DATA/mime/packages/tcoapp.xml"

# Refresh the desktop's caches where the tools exist; each is optional.
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$DATA/mime" || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database "$DATA/applications" || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    touch "$DATA/icons/hicolor"
    gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" 2>/dev/null || true
fi
if [ "${1:-}" != "--system" ] && command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default tcoapp.desktop application/x-tcoapp-scenario 2>/dev/null || true
fi

echo "tcoapp installed in $DEST"
echo "  menu entry: $DATA/applications/tcoapp.desktop (.tco files open in tcoapp)"
echo "  commands:   $BIN/tcoapp, $BIN/tcoapp-cli"
case ":$PATH:" in
    *":$BIN:"*) ;;
    *) echo "  (add $BIN to your PATH to type tcoapp-cli in a terminal)" ;;
esac
