; Inno Setup 6.3+ script: the Windows installer of tcoapp, with the .tco file association.
;
; Built by installers\windows\build_windows.ps1 after PyInstaller has made dist\tcoapp\;
; by hand:
;   ISCC /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 /DBundleDir=..\..\dist\tcoapp ^
;        /DOutputDir=..\..\dist installers\windows\tcoapp.iss
; The version comes from pyproject.toml through installers\metadata.py: never write it here.
;
; Per-user install by default (no administrator rights: %LOCALAPPDATA%\Programs\tcoapp and
; HKCU\Software\Classes); the first page offers an install for all users. Untested on Windows
; by the project's CI, which runs on Linux: see docs\installers.md.

#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (build_windows.ps1 takes it from pyproject.toml)
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric AppVersion
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\tcoapp"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

#define AppName "tcoapp"
#define AppExe "tcoapp.exe"
#define ProgId "tcoapp.scenario"

[Setup]
; AppId identifies the app for upgrades and uninstall: never change it.
AppId={{6C1B7E7A-3F0D-4C8E-9B7B-5E2A6F1D9C41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=tcoapp
AppComments=Lifetime cost of an AI programme: training against years of inference
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductVersion={#AppVersionNumeric}
VersionInfoProductTextVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\tcoapp.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Tell Explorer that file associations changed, so .tco files show the icon at once.
ChangesAssociations=yes
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller onedir bundle: tcoapp.exe, tcoapp-cli.exe and _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundle's libraries wholesale, so no stale module outlives its version.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "AI lifetime cost calculator"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .tco -> tcoapp.scenario (HKA: HKCU\Software\Classes per user, HKLM for all users).
Root: HKA; Subkey: "Software\Classes\.tco"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.tco"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-tcoapp-scenario"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.tco\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "tcoapp scenario"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; "Open with" lists tcoapp for .tco files, and the app has a friendly name there.
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".tco"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
