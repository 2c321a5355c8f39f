"""Bundle metadata, all from one version: the one in ``pyproject.toml``.

The spec, the build scripts and the installer recipes take the version from
here, so the About box, ``tcoapp-cli --version`` (both read the installed
distribution's metadata, which pip writes from pyproject) and every installer
agree. Run as a script it prints what a shell or PowerShell script needs:

    python installers/metadata.py version          # 0.1.0
    python installers/metadata.py version-numeric  # 0.1.0.0 (Windows' four numbers)
    python installers/metadata.py desktop EXEC     # the .desktop entry, Exec= pointing at EXEC
    python installers/metadata.py check            # exit 1 if pyproject and the installed tcoapp differ

Standard library only: the spec imports it inside PyInstaller.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "tcoapp"
DISPLAY_NAME = "tcoapp"
PUBLISHER = "tcoapp"
SUMMARY = "Lifetime cost of an AI programme: training against years of inference"
#: Reverse-DNS id: the macOS bundle id and the exported .tco type's prefix.
BUNDLE_ID = "org.tcoapp.tcoapp"
SCENARIO_UTI = "org.tcoapp.scenario"
#: The MIME type of a .tco file (unregistered, hence ``x-``); a .tco file is JSON underneath.
SCENARIO_MIME = "application/x-tcoapp-scenario"
SCENARIO_EXTENSION = "tco"
SCENARIO_DESCRIPTION = "tcoapp scenario"


def pyproject_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``[project] version`` from pyproject.toml (a plain read: tomllib is 3.11+)."""
    text = pyproject.read_text(encoding="utf-8")
    project = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    match = re.search(r'^version\s*=\s*"([^"]+)"', project.group(1) if project else "", re.M)
    if match is None:
        raise SystemExit(f"metadata: no [project] version in {pyproject}")
    return match.group(1)


def installed_version() -> str | None:
    """The version of the tcoapp installed in this interpreter (what the frozen app reports)."""
    from importlib import metadata

    try:
        return metadata.version(APP_NAME)
    except metadata.PackageNotFoundError:
        return None


VERSION = pyproject_version()


def version_tuple(version: str = VERSION) -> tuple[int, int, int, int]:
    """Four numbers for Windows' fixed file info: ``0.1.0`` -> (0, 1, 0, 0); a suffix is dropped."""
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:4]]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def windows_version_info(exe_name: str, description: str):
    """The VERSIONINFO resource of a Windows executable (PyInstaller's structure)."""
    from PyInstaller.utils.win32.versioninfo import (FixedFileInfo, StringFileInfo, StringStruct, StringTable,
                                                     VarFileInfo, VarStruct, VSVersionInfo)

    numbers = version_tuple()
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            StringFileInfo([StringTable("040904B0", [
                StringStruct("CompanyName", PUBLISHER),
                StringStruct("FileDescription", description),
                StringStruct("FileVersion", VERSION),
                StringStruct("InternalName", exe_name),
                StringStruct("OriginalFilename", f"{exe_name}.exe"),
                StringStruct("ProductName", DISPLAY_NAME),
                StringStruct("ProductVersion", VERSION),
            ])]),
            VarFileInfo([VarStruct("Translation", [0x0409, 1200])]),
        ],
    )


def info_plist() -> dict:
    """Info.plist entries of the macOS app: version, the .tco document type and its exported UTI."""
    return {
        "CFBundleName": DISPLAY_NAME,
        "CFBundleDisplayName": DISPLAY_NAME,
        "CFBundleShortVersionString": VERSION,
        "CFBundleVersion": VERSION,
        "CFBundleGetInfoString": f"{DISPLAY_NAME} {VERSION}",
        "NSHumanReadableCopyright": f"{PUBLISHER}",
        "LSMinimumSystemVersion": "11.0",
        "NSHighResolutionCapable": True,
        # COLLECT inherits console=True from tcoapp-cli, which would make the app a background-only agent.
        "LSBackgroundOnly": False,
        "NSRequiresAquaSystemAppearance": False,
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": SCENARIO_DESCRIPTION,
            "CFBundleTypeRole": "Editor",
            "LSHandlerRank": "Owner",
            "LSItemContentTypes": [SCENARIO_UTI],
            "CFBundleTypeIconFile": "tcoapp.icns",
        }],
        "UTExportedTypeDeclarations": [{
            "UTTypeIdentifier": SCENARIO_UTI,
            "UTTypeDescription": SCENARIO_DESCRIPTION,
            "UTTypeConformsTo": ["public.json", "public.data"],
            "UTTypeIconFile": "tcoapp.icns",
            "UTTypeTagSpecification": {
                "public.filename-extension": [SCENARIO_EXTENSION],
                "public.mime-type": [SCENARIO_MIME],
            },
        }],
    }


def desktop_entry(exec_path: str = APP_NAME) -> str:
    """The freedesktop .desktop entry (``Version`` is the spec's version; the app's is ``X-AppVersion``)."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        f"Name={DISPLAY_NAME}",
        "GenericName=AI lifetime cost calculator",
        f"Comment={SUMMARY}",
        f"Exec={_desktop_quote(exec_path)} %F",
        f"TryExec={exec_path}",
        f"Icon={APP_NAME}",
        "Terminal=false",
        "Categories=Office;Finance;",
        "Keywords=TCO;AI;inference;training;GPU;cost;NPV;",
        f"MimeType={SCENARIO_MIME};",
        f"StartupWMClass={APP_NAME}",
        f"X-AppVersion={VERSION}",
        "",
    ])


def _desktop_quote(path: str) -> str:
    """An Exec= argument: quoted when it holds a space or a reserved character."""
    if re.search(r'[\s"\'\\><~|&;$*?#()`]', path):
        escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
        return f'"{escaped}"'
    return path


def mime_xml() -> str:
    """shared-mime-info package: *.tco is a tcoapp scenario, a kind of JSON.

    Its icon is the theme icon named after the type (``application-x-tcoapp-scenario``),
    which the Linux installer puts in hicolor's ``mimetypes``.
    """
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{SCENARIO_MIME}">
    <comment>{SCENARIO_DESCRIPTION}</comment>
    <sub-class-of type="application/json"/>
    <glob pattern="*.{SCENARIO_EXTENSION}" weight="60"/>
  </mime-type>
</mime-info>
"""


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "version"
    if command == "version":
        print(VERSION)
    elif command == "version-numeric":
        print(".".join(str(number) for number in version_tuple()))
    elif command == "desktop":
        sys.stdout.write(desktop_entry(argv[1] if len(argv) > 1 else APP_NAME))
    elif command == "mime":
        sys.stdout.write(mime_xml())
    elif command == "check":
        installed = installed_version()
        if installed != VERSION:
            print(f"metadata: pyproject says {VERSION}, the installed tcoapp is {installed}", file=sys.stderr)
            return 1
        print(VERSION)
    else:
        print(f"usage: {Path(__file__).name} version|version-numeric|desktop [EXEC]|mime|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
