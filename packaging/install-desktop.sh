#!/usr/bin/env bash
# Installs a built bundle for the current user so it starts from the desktop's menu (no root needed):
#   bash packaging/install-desktop.sh              copy dist/ocrviewer to ~/.local and register it
#   bash packaging/install-desktop.sh --uninstall  remove it again
# PREFIX=/some/dir changes ~/.local (e.g. PREFIX=/usr/local as root for every user).
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${PREFIX:-$HOME/.local}"
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

[[ -x dist/ocrviewer/ocrviewer ]] || { echo "install-desktop: no bundle; build it first: bash packaging/build.sh" >&2; exit 1; }
rm -rf "$APPDIR"
mkdir -p "$PREFIX/lib" "$PREFIX/bin"
cp -a dist/ocrviewer "$APPDIR"
ln -sfn "$APPDIR/ocrviewer" "$PREFIX/bin/ocrviewer"
# The menu entry runs the installed executable by its full path, so it works even if $PREFIX/bin is not on PATH.
mkdir -p "$(dirname "$DESKTOP")"
sed -e "s|^Exec=ocrviewer|Exec=$PREFIX/bin/ocrviewer|" -e "s|^TryExec=.*|TryExec=$PREFIX/bin/ocrviewer|" \
  "resources/linux/$APP_ID.desktop" >"$DESKTOP"
install -Dm644 "resources/linux/$APP_ID.metainfo.xml" "$METAINFO"
install -Dm644 resources/icons/ocrviewer.svg "$ICONS/scalable/apps/$APP_ID.svg"
for s in "${SIZES[@]}"; do install -Dm644 "resources/icons/ocrviewer-$s.png" "$ICONS/${s}x${s}/apps/$APP_ID.png"; done
refresh
echo "install-desktop: installed $("$APPDIR/ocrviewer" --version) into $PREFIX (menu: OCR Viewer; command: $PREFIX/bin/ocrviewer)"
