#!/usr/bin/env bash
# Build the macOS app and disk image of tcoapp:
#
#   dist/tcoapp.app                               the app (tcoapp, and tcoapp-cli in Contents/MacOS)
#   dist/tcoapp-VERSION-macos-ARCH.dmg            the app and an Applications link, to drag across
#
# usage: bash installers/macos/build_macos.sh [--reuse-venv] [--no-check]
#
# Needs macOS 11+, Xcode's command line tools, and a python.org Python 3.10-3.13 (or Homebrew's)
# as PYTHON (default python3). create-dmg (brew install create-dmg) makes a nicer window; without
# it, hdiutil makes a plain one. TCOAPP_CODESIGN_IDENTITY="Developer ID Application: ..." makes
# PyInstaller sign with the hardened runtime (installers/macos/entitlements.plist); the default is
# an ad-hoc signature, which Gatekeeper asks about once (notarising: docs/installers.md). Written for
# macOS, untested there by the project's CI (which runs on Linux): see docs/installers.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

REUSE_VENV=0 CHECK=1
for arg in "$@"; do
    case "$arg" in
        --reuse-venv) REUSE_VENV=1 ;;
        --no-check) CHECK=0 ;;
        *) echo "build_macos.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done
[[ $(uname -s) == Darwin ]] || { echo "build_macos.sh: run this on macOS" >&2; exit 2; }

PYTHON=${PYTHON:-python3}
VENV=$ROOT/build/bundle-venv-macos
DIST=$ROOT/dist
APP=$DIST/tcoapp.app
ARCH=$(uname -m)
started=$(date +%s)
step() { printf '== %s (%ds)\n' "$1" "$(( $(date +%s) - started ))"; }

# 1. A clean venv with tcoapp (not editable) and PyInstaller: one Qt binding only.
rm -rf "$ROOT/build/lib" "$ROOT"/build/bdist.*
if [[ $REUSE_VENV == 1 && -x $VENV/bin/pyinstaller ]]; then
    "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$ROOT"
else
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q "$ROOT" "pyinstaller>=6.10,<7"
fi
VERSION=$("$VENV/bin/python" installers/metadata.py check)
step "tcoapp $VERSION"

# 2. dist/tcoapp/ and dist/tcoapp.app (the spec's BUNDLE: icon, version, .tco document type).
rm -rf "$DIST/tcoapp" "$APP"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" installers/tcoapp.spec
plist=$APP/Contents/Info.plist
shown=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$plist")
[[ $shown == "$VERSION" ]] || { echo "build_macos.sh: Info.plist says $shown, expected $VERSION" >&2; exit 1; }
plutil -lint "$plist"
# PyInstaller signed it (ad hoc, or with TCOAPP_CODESIGN_IDENTITY); a broken seal only shows on another Mac
codesign --verify --deep --strict "$APP" || echo "build_macos.sh: warning: codesign --verify failed" >&2
step "app built"

# 3. Frozen checks, run from inside the .app as Finder would.
if [[ $CHECK == 1 ]]; then
    checks=$(mktemp -d)
    trap 'rm -rf "$checks"' EXIT
    reported=$("$APP/Contents/MacOS/tcoapp-cli" --version)
    [[ $reported == "tcoapp $VERSION" ]] || { echo "build_macos.sh: tcoapp-cli --version says $reported" >&2; exit 1; }
    "$APP/Contents/MacOS/tcoapp-cli" export samples/chat-assistant-owned-h100.tco -o "$checks/check.xlsx" --png "$checks/png"
    [[ -s $checks/check.xlsx ]] || { echo "build_macos.sh: the frozen export wrote no workbook" >&2; exit 1; }
    QT_QPA_PLATFORM=offscreen TCOAPP_DATA_DIR="$checks/data" "$APP/Contents/MacOS/tcoapp" --smoke-test
    step "frozen checks passed"
fi

# 4. The disk image: the app next to a link to /Applications.
DMG=$DIST/tcoapp-$VERSION-macos-$ARCH.dmg
rm -f "$DMG"
staging=$(mktemp -d)
cp -R "$APP" "$staging/"
if command -v create-dmg >/dev/null 2>&1; then
    create-dmg --volname "tcoapp $VERSION" --volicon resources/icons/tcoapp.icns \
        --window-size 540 360 --icon-size 96 --icon tcoapp.app 140 170 --hide-extension tcoapp.app \
        --app-drop-link 400 170 "$DMG" "$staging"
else
    ln -s /Applications "$staging/Applications"
    hdiutil create -volname "tcoapp $VERSION" -srcfolder "$staging" -ov -fs HFS+ -format UDZO "$DMG"
fi
rm -rf "$staging"
if [[ -n ${TCOAPP_CODESIGN_IDENTITY:-} ]]; then
    codesign --sign "$TCOAPP_CODESIGN_IDENTITY" --timestamp "$DMG"
fi
step "wrote $DMG ($(du -h "$DMG" | cut -f1); the app is $(du -sh "$APP" | cut -f1))"
