; Inno Setup script for Followthrough on Windows (Inno Setup 6).
;
; Build the bundle first, on Windows, from the repository root:
;     py -m pip install -e ".[package]"
;     py packaging\pyinstaller\build.py
; then compile this script (the version comes from the command line):
;     iscc /DAppVersion=0.1.0 packaging\windows\followthrough.iss
; The installer lands in dist\installer\. It installs per user by default (no admin rights
; needed, like the Linux ~/.local install) and offers a machine-wide install when run
; elevated.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Followthrough"
#define AppExe "followthrough.exe"

[Setup]
; Never change AppId between releases: it is how upgrades find the installed copy.
AppId={{6F0D8C1E-4B7A-4E52-9A44-3C2B8F7E1D90}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Followthrough
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist\installer
OutputBaseFilename=followthrough-{#AppVersion}-windows-x64-setup
SetupIconFile=followthrough.ico
UninstallDisplayIcon={app}\{#AppExe}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The app keeps running in the tray: ask it to close before files are replaced.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller onedir bundle.
Source: "..\..\dist\Followthrough\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; The app's own data (leads, backups) lives in the user's AppData folder and is never
; removed by an uninstall: it is the user's, and a reinstall finds it again.
Type: filesandordirs; Name: "{app}\__pycache__"
