#!/usr/bin/env bash
# Builds the one-folder desktop bundle into dist/ocrviewer/ (run from anywhere):
#   bash packaging/build.sh            build with the current Python (needs ocrviewer's deps installed)
#   bash packaging/build.sh --smoke    build, then run packaging/smoke_test.sh on the result
#   bash packaging/build.sh --archive  build, then pack dist/ocrviewer-VERSION-linux-ARCH.tar.gz to hand around
# Installs PyInstaller (the "package" extra) if it is missing. Work files go to build/pyinstaller/.
set -euo pipefail
cd "$(dirname "$0")/.."
# the project environment made by scripts/install when there is one
if [[ -z "${PYTHON:-}" && -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; fi
PYTHON="${PYTHON:-python3}"
for arg in "$@"; do
  [[ "$arg" == --smoke || "$arg" == --archive ]] || { echo "build.sh: unknown option $arg (use --smoke, --archive)" >&2; exit 2; }
done

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
  echo "build.sh: installing PyInstaller (the 'package' extra)"
  "$PYTHON" -m pip install -q --disable-pip-version-check "pyinstaller>=6.6"
fi
if ! "$PYTHON" -c "import ocrviewer, PySide6" 2>/dev/null; then
  echo "build.sh: ocrviewer is not importable; run 'bash scripts/install' first" >&2
  exit 1
fi
if ! "$PYTHON" -c "import rapidocr_onnxruntime" 2>/dev/null; then
  echo "build.sh: warning: rapidocr_onnxruntime is missing, the bundle will have no offline engine" \
       "(install it with: $PYTHON -m pip install -e '.[local]')" >&2
fi

version="$("$PYTHON" -c "import ocrviewer; print(ocrviewer.__version__)")"
echo "build.sh: building ocrviewer $version with $("$PYTHON" -m PyInstaller --version 2>/dev/null | tail -1)"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath build/pyinstaller --distpath dist packaging/ocrviewer.spec
echo "build.sh: built dist/ocrviewer in $(($(date +%s) - start)) s"
echo "build.sh: size $(du -sh dist/ocrviewer | cut -f1) ($(find dist/ocrviewer -type f | wc -l) files)"

for arg in "$@"; do
  case "$arg" in
    --smoke) bash packaging/smoke_test.sh dist/ocrviewer ;;
    --archive)
      archive="dist/ocrviewer-$version-$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m).tar.gz"
      tar -C dist -czf "$archive" ocrviewer
      echo "build.sh: wrote $archive ($(du -sh "$archive" | cut -f1)); unpack anywhere and run ocrviewer/ocrviewer"
      ;;
  esac
done
