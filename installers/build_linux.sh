#!/usr/bin/env bash
# Build the Linux bundle from a clean virtual environment:
#
#   dist/tcoapp/                                  onedir bundle: tcoapp, tcoapp-cli, _internal/, install.sh,
#                                                 share/ (.desktop entry, icons, MIME type for .tco)
#   dist/tcoapp-VERSION-linux-ARCH.tar.gz         that folder, for end users
#   dist/tcoapp-VERSION-ARCH.AppImage             only when appimagetool is on PATH
#
# usage: bash installers/build_linux.sh [--reuse-venv] [--no-check] [--no-tarball]
#
#   --reuse-venv   keep build/bundle-venv if it exists (faster rebuilds; a release build starts clean)
#   --no-check     skip the frozen checks (tcoapp-cli --version and export, tcoapp --smoke-test)
#   --no-tarball   stop after dist/tcoapp/
#
# PYTHON (default python3) makes the venv; TCOAPP_BUILD_VENV moves it. See docs/installers.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

REUSE_VENV=0 CHECK=1 TARBALL=1
for arg in "$@"; do
    case "$arg" in
        --reuse-venv) REUSE_VENV=1 ;;
        --no-check) CHECK=0 ;;
        --no-tarball) TARBALL=0 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "build_linux.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

PYTHON=${PYTHON:-python3}
VENV=${TCOAPP_BUILD_VENV:-$ROOT/build/bundle-venv}
DIST=$ROOT/dist
BUNDLE=$DIST/tcoapp
ARCH=$(uname -m)
started=$(date +%s)
step() { printf '== %s (%ds)\n' "$1" "$(( $(date +%s) - started ))"; }
mkdir -p "$ROOT/build"
PIP_LOG=$ROOT/build/bundle-pip.log
pip_quietly() {  # pip's warnings go to a log, shown only when pip fails
    if ! "$VENV/bin/python" -m pip "$@" >>"$PIP_LOG" 2>&1; then
        tail -n 40 "$PIP_LOG" >&2
        echo "build_linux.sh: pip $* failed (whole log: $PIP_LOG)" >&2
        exit 1
    fi
}
command -v objdump >/dev/null 2>&1 || { echo "build_linux.sh: PyInstaller needs objdump (Debian: apt-get install binutils)" >&2; exit 1; }

# 1. A clean venv with tcoapp (a real install, not editable) and PyInstaller: one Qt binding only.
if [[ $REUSE_VENV == 1 && -x $VENV/bin/pyinstaller ]]; then
    step "reusing $VENV"
    : >"$PIP_LOG"
    rm -rf "$ROOT/build/lib" "$ROOT"/build/bdist.*
    pip_quietly install -q --no-deps --force-reinstall "$ROOT"
else
    step "creating a clean venv in $VENV"
    rm -rf "$VENV"
    : >"$PIP_LOG"
    "$PYTHON" -m venv "$VENV"
    pip_quietly install -q --upgrade pip
    # setuptools builds in ./build/lib and would carry files deleted from the source into the wheel
    rm -rf "$ROOT/build/lib" "$ROOT"/build/bdist.*
    pip_quietly install -q "$ROOT" "pyinstaller>=6.10,<7"
fi
"$VENV/bin/python" - <<'EOF'
import importlib.util, sys
others = [name for name in ("PyQt5", "PyQt6", "PySide2") if importlib.util.find_spec(name)]
if others:
    sys.exit(f"build_linux.sh: the build venv has another Qt binding ({', '.join(others)}); start clean")
EOF
VERSION=$("$VENV/bin/python" installers/metadata.py check)  # pyproject's version, and the installed one agrees
step "tcoapp $VERSION, $("$VENV/bin/pyinstaller" --version | sed 's/^/PyInstaller /')"

# 2. The onedir bundle (installers/tcoapp.spec).
rm -rf "$BUNDLE"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" installers/tcoapp.spec
step "bundle built"

# 3. Desktop integration inside the bundle: .desktop entry, icons, MIME type, installer scripts.
SHARE=$BUNDLE/share
mkdir -p "$SHARE/applications" "$SHARE/mime/packages" "$SHARE/icons/hicolor/scalable/apps" \
         "$SHARE/icons/hicolor/scalable/mimetypes"
"$VENV/bin/python" installers/metadata.py desktop tcoapp >"$SHARE/applications/tcoapp.desktop"
"$VENV/bin/python" installers/metadata.py mime >"$SHARE/mime/packages/tcoapp.xml"
for png in resources/icons/tcoapp-*.png; do
    size=${png##*-}; size=${size%.png}
    mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps" "$SHARE/icons/hicolor/${size}x${size}/mimetypes"
    cp "$png" "$SHARE/icons/hicolor/${size}x${size}/apps/tcoapp.png"
    cp "$png" "$SHARE/icons/hicolor/${size}x${size}/mimetypes/application-x-tcoapp-scenario.png"
done
cp resources/icons/tcoapp.svg "$SHARE/icons/hicolor/scalable/apps/tcoapp.svg"
cp resources/icons/tcoapp.svg "$SHARE/icons/hicolor/scalable/mimetypes/application-x-tcoapp-scenario.svg"
install -m 755 installers/linux/install.sh installers/linux/uninstall.sh "$BUNDLE/"
sed "s/@VERSION@/$VERSION/g" installers/linux/README.txt >"$BUNDLE/README.txt"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$SHARE/applications/tcoapp.desktop"
fi

# Qt's xcb platform plugin needs some X libraries; PyInstaller bundles those this machine has.
# A bundle built without them runs only where the user has them (docs/installers.md lists the packages).
missing=$(LD_LIBRARY_PATH="$BUNDLE/_internal" ldd "$BUNDLE/_internal/PySide6/Qt/plugins/platforms/libqxcb.so" 2>/dev/null \
          | awk '/not found/ {print $1}' | tr '\n' ' ')
if [[ -n $missing ]]; then
    echo "build_linux.sh: warning: not bundled (absent on this machine): $missing" >&2
fi

# 4. Frozen checks: the CLI exports a workbook and charts, the GUI runs its smoke test offscreen.
if [[ $CHECK == 1 ]]; then
    checks=$(mktemp -d)
    trap 'rm -rf "$checks"' EXIT
    reported=$("$BUNDLE/tcoapp-cli" --version)
    if [[ $reported != "tcoapp $VERSION" ]]; then
        echo "build_linux.sh: frozen tcoapp-cli --version says '$reported', expected 'tcoapp $VERSION'" >&2
        exit 1
    fi
    echo "$reported"
    "$BUNDLE/tcoapp-cli" export samples/chat-assistant-owned-h100.tco -o "$checks/check.xlsx" --png "$checks/png"
    if [[ ! -s $checks/check.xlsx ]] || ! ls "$checks"/png/*.png >/dev/null 2>&1; then
        echo "build_linux.sh: the frozen tcoapp-cli export wrote no workbook or no charts" >&2
        exit 1
    fi
    QT_QPA_PLATFORM=offscreen TCOAPP_DATA_DIR="$checks/data" "$BUNDLE/tcoapp" --smoke-test
    step "frozen checks passed"
fi

# 5. The tarball, and an AppImage when the tool is at hand.
if [[ $TARBALL == 1 ]]; then
    TARBALL_PATH=$DIST/tcoapp-$VERSION-linux-$ARCH.tar.gz
    rm -f "$TARBALL_PATH"
    tar -C "$DIST" -czf "$TARBALL_PATH" tcoapp
    step "wrote $TARBALL_PATH"
    if command -v appimagetool >/dev/null 2>&1; then
        APPDIR=$ROOT/build/tcoapp.AppDir
        rm -rf "$APPDIR"
        mkdir -p "$APPDIR/usr/lib"
        cp -a "$BUNDLE" "$APPDIR/usr/lib/tcoapp"
        cp -a "$SHARE" "$APPDIR/usr/share"
        cp "$SHARE/applications/tcoapp.desktop" "$APPDIR/tcoapp.desktop"
        cp resources/icons/tcoapp-256.png "$APPDIR/tcoapp.png"
        ln -s tcoapp.png "$APPDIR/.DirIcon"
        cat >"$APPDIR/AppRun" <<'EOF'
#!/bin/sh
# The AppImage runs the desktop app; "tcoapp.AppImage cli ARGS" runs tcoapp-cli.
HERE=$(dirname "$(readlink -f "$0")")
if [ "${1:-}" = "cli" ]; then shift; exec "$HERE/usr/lib/tcoapp/tcoapp-cli" "$@"; fi
exec "$HERE/usr/lib/tcoapp/tcoapp" "$@"
EOF
        chmod 755 "$APPDIR/AppRun"
        ARCH=$ARCH appimagetool --no-appstream "$APPDIR" "$DIST/tcoapp-$VERSION-$ARCH.AppImage"
        step "wrote $DIST/tcoapp-$VERSION-$ARCH.AppImage"
    else
        echo "(no appimagetool on PATH: AppImage skipped)"
    fi
fi

elapsed=$(( $(date +%s) - started ))
echo "built tcoapp $VERSION in ${elapsed}s: $BUNDLE is $(du -sh "$BUNDLE" | cut -f1)" \
     "${TARBALL_PATH:+; $(basename "$TARBALL_PATH") is $(du -h "$TARBALL_PATH" | cut -f1)}"
