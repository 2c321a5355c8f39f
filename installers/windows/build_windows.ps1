<#
.SYNOPSIS
  Build the Windows installer of tcoapp: a clean venv, the PyInstaller bundle, the frozen
  checks, then Inno Setup.

.DESCRIPTION
  Run from any folder in PowerShell 5.1 or 7 on Windows 10/11 x64, with Python 3.10-3.13
  (python.org build) and Inno Setup 6.3 or later installed:

      powershell -ExecutionPolicy Bypass -File installers\windows\build_windows.ps1

  Output: dist\tcoapp\ (tcoapp.exe, tcoapp-cli.exe, _internal\) and
  dist\tcoapp-VERSION-windows-x64-setup.exe. Written for Windows, untested there by the
  project's CI (which runs on Linux): see docs\installers.md.

.PARAMETER Python
  The Python that makes the venv (default: the "py -3" launcher if present, else python).

.PARAMETER ReuseVenv
  Keep build\bundle-venv-windows when it exists (faster rebuilds; a release build starts clean).

.PARAMETER Iscc
  Path of ISCC.exe (default: found on PATH or in Inno Setup 6's usual folders).
#>
param(
    [string]$Python = "",
    [switch]$ReuseVenv,
    [switch]$NoCheck,
    [string]$Iscc = ""
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root
$Venv = Join-Path $Root "build\bundle-venv-windows"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$Dist = Join-Path $Root "dist"
$Bundle = Join-Path $Dist "tcoapp"
$Started = Get-Date

function Step($Text) { "== {0} ({1:N0}s)" -f $Text, ((Get-Date) - $Started).TotalSeconds }
function Invoke-Checked {
    param([string]$Exe, [Parameter(ValueFromRemainingArguments = $true)]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $Arguments failed with exit code $LASTEXITCODE" }
}

# 1. A clean venv with tcoapp (not editable) and PyInstaller: one Qt binding only.
# (setuptools builds in .\build\lib and would carry files deleted from the source into the wheel.)
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $Root "build\lib")
if ($ReuseVenv -and (Test-Path $VenvPython)) {
    Step "reusing $Venv"
    Invoke-Checked $VenvPython -m pip install -q --force-reinstall --no-deps $Root
} else {
    Step "creating a clean venv in $Venv"
    if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
    if ($Python) { Invoke-Checked $Python -m venv $Venv }
    elseif (Get-Command py -ErrorAction SilentlyContinue) { Invoke-Checked py -3 -m venv $Venv }
    else { Invoke-Checked python -m venv $Venv }
    Invoke-Checked $VenvPython -m pip install -q --upgrade pip
    Invoke-Checked $VenvPython -m pip install -q $Root "pyinstaller>=6.10,<7"
}
$Version = (& $VenvPython installers\metadata.py check).Trim()
if ($LASTEXITCODE -ne 0) { throw "pyproject.toml and the installed tcoapp disagree on the version" }
$VersionNumeric = (& $VenvPython installers\metadata.py version-numeric).Trim()
Step "tcoapp $Version"

# 2. The onedir bundle; the spec adds the icon and the version resource to both executables.
if (Test-Path $Bundle) { Remove-Item -Recurse -Force $Bundle }
Invoke-Checked (Join-Path $Venv "Scripts\pyinstaller.exe") --noconfirm --clean --log-level WARN `
    --distpath $Dist --workpath (Join-Path $Root "build\pyinstaller") installers\tcoapp.spec
Step "bundle built"

# 3. Frozen checks: the CLI exports a workbook and charts; the GUI's smoke test runs offscreen.
if (-not $NoCheck) {
    $Checks = Join-Path ([System.IO.Path]::GetTempPath()) ("tcoapp-checks-" + [guid]::NewGuid())
    New-Item -ItemType Directory $Checks | Out-Null
    $Reported = (& (Join-Path $Bundle "tcoapp-cli.exe") --version).Trim()
    if ($Reported -ne "tcoapp $Version") { throw "frozen tcoapp-cli --version says '$Reported'" }
    Invoke-Checked (Join-Path $Bundle "tcoapp-cli.exe") export samples\chat-assistant-owned-h100.tco `
        -o (Join-Path $Checks "check.xlsx") --png (Join-Path $Checks "png")
    if (-not (Test-Path (Join-Path $Checks "check.xlsx"))) { throw "the frozen export wrote no workbook" }
    $env:QT_QPA_PLATFORM = "offscreen"
    $env:TCOAPP_DATA_DIR = Join-Path $Checks "data"
    # tcoapp.exe is windowed: wait for it explicitly and read its exit code
    $Smoke = Start-Process -FilePath (Join-Path $Bundle "tcoapp.exe") -ArgumentList "--smoke-test" -Wait -PassThru
    Remove-Item Env:QT_QPA_PLATFORM, Env:TCOAPP_DATA_DIR
    if ($Smoke.ExitCode -ne 0) { throw "frozen tcoapp --smoke-test exited $($Smoke.ExitCode)" }
    Remove-Item -Recurse -Force $Checks
    Step "frozen checks passed"
}

# 4. The installer.
if (-not $Iscc) {
    $Found = Get-Command ISCC.exe -ErrorAction SilentlyContinue
    if ($Found) { $Iscc = $Found.Source }
    else {
        $Iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                  "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe") | Where-Object { Test-Path $_ } |
                 Select-Object -First 1
    }
}
if (-not $Iscc) { throw "Inno Setup 6 (ISCC.exe) not found: install it, or pass -Iscc PATH" }
Invoke-Checked $Iscc /Q "/DAppVersion=$Version" "/DAppVersionNumeric=$VersionNumeric" "/DBundleDir=$Bundle" `
    "/DOutputDir=$Dist" installers\windows\tcoapp.iss
$Setup = Join-Path $Dist "tcoapp-$Version-windows-x64-setup.exe"
$BundleMB = [math]::Round(((Get-ChildItem -Recurse -File $Bundle | Measure-Object Length -Sum).Sum) / 1MB)
$SetupMB = [math]::Round((Get-Item $Setup).Length / 1MB)
Step "wrote $Setup ($SetupMB MB; the bundle is $BundleMB MB)"
