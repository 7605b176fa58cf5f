#!/usr/bin/env bash
# Adds ocrviewer to the current user's desktop menu (no root needed):
#   bash packaging/install-desktop.sh              copy the bundle dist/ocrviewer to ~/.local and register it, or,
#                                                  with no bundle, register the checkout's .venv made by scripts/install
#   bash packaging/install-desktop.sh --uninstall  remove it again
# PREFIX=/some/dir changes ~/.local (e.g. PREFIX=/usr/local as root for every user); VENV=DIR as for scripts/install.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${PREFIX:-$HOME/.local}"
VENV="${VENV:-.venv}"
APP_ID=io.github.ocrviewer.OcrViewer
APPDIR="$PREFIX/lib/ocrviewer"
DESKTOP="$PREFIX/share/applications/$APP_ID.desktop"
METAINFO="$PREFIX/share/metainfo/$APP_ID.metainfo.xml"
ICONS="$PREFIX/share/icons/hicolor"
SIZES=(16 32 48 64 128 256 512)

refresh() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/share/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t -f "$ICONS" 2>/dev/null || true
}

if [[ "${1:-}" == "--uninstall" ]]; then
  rm -rf "$APPDIR"
  rm -f "$PREFIX/bin/ocrviewer" "$DESKTOP" "$METAINFO" "$ICONS/scalable/apps/$APP_ID.svg"
  for s in "${SIZES[@]}"; do rm -f "$ICONS/${s}x${s}/apps/$APP_ID.png"; done
  refresh
  echo "install-desktop: removed ocrviewer from $PREFIX"
  exit 0
fi

# One argument of an Exec line: quoted as the Desktop Entry spec asks when it holds a reserved character (a
# space in a home folder's name), its % doubled, then escaped as a string value (TryExec: string-escaped only).
desktop_value() { printf '%s' "${1//\\/\\\\}"; }
desktop_arg() {
  local s=$1
  if [[ "$s" =~ [[:space:]\"\'\\\>\<\~\|\&\;\$\*\?\#\(\)\`] ]]; then
    s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//\`/\\\`}; s=${s//\$/\\\$}
    s="\"$s\""
  fi
  desktop_value "${s//%/%%}"
}

if [[ -x dist/ocrviewer/ocrviewer ]]; then
  rm -rf "$APPDIR"
  mkdir -p "$PREFIX/lib" "$PREFIX/bin"
  cp -a dist/ocrviewer "$APPDIR"
  ln -sfn "$APPDIR/ocrviewer" "$PREFIX/bin/ocrviewer"
  EXE="$PREFIX/bin/ocrviewer"
  what="the bundle"
elif [[ -x "$VENV/bin/ocrviewer" ]] && "$VENV/bin/ocrviewer" --version >/dev/null 2>&1; then
  # the checkout's environment (bash scripts/install): the menu runs it where it is; moving the checkout breaks it
  EXE="$(cd "$VENV/bin" && pwd)/ocrviewer"
  mkdir -p "$PREFIX/bin"
  ln -sfn "$EXE" "$PREFIX/bin/ocrviewer"
  what="$EXE (from this checkout; keep it in place)"
else
  echo "install-desktop: nothing to install: run 'bash scripts/install' first (or build a bundle: bash packaging/build.sh)" >&2
  exit 1
fi
# The menu entry runs the executable by its full path, so it works even if $PREFIX/bin is not on PATH.
mkdir -p "$(dirname "$DESKTOP")"
exec_arg="$(desktop_arg "$EXE")"
try_exec="$(desktop_value "$EXE")"
while IFS= read -r line; do
  case "$line" in
    Exec=ocrviewer*) line="Exec=${exec_arg}${line#Exec=ocrviewer}" ;;
    TryExec=*) line="TryExec=$try_exec" ;;
  esac
  printf '%s\n' "$line"
done <"resources/linux/$APP_ID.desktop" >"$DESKTOP"
install -Dm644 "resources/linux/$APP_ID.metainfo.xml" "$METAINFO"
install -Dm644 resources/icons/ocrviewer.svg "$ICONS/scalable/apps/$APP_ID.svg"
for s in "${SIZES[@]}"; do install -Dm644 "resources/icons/ocrviewer-$s.png" "$ICONS/${s}x${s}/apps/$APP_ID.png"; done
refresh
echo "install-desktop: installed $("$EXE" --version) into $PREFIX from $what (menu: OCR Viewer; command: $PREFIX/bin/ocrviewer)"
