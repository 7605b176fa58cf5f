#!/usr/bin/env bash
# Smoke test of a built bundle, headless:  bash packaging/smoke_test.sh [dist/ocrviewer]
# Checks that it starts, reports the version, runs `info` and `render` on a bundled sample, exports it to every
# format and compares the hOCR/ALTO/PAGE exports with the JSON (--report), opens the exported searchable PDF as
# a document, writes a window picture with `view --screenshot`, and reads a sample with the offline engine
# (`recognize --provider local`) when the bundle has it. Prints the start-up times and the bundle size.
# Exit status 0 = all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
BUNDLE="${1:-dist/ocrviewer}"
EXE="$BUNDLE/ocrviewer"
[[ -x "$EXE" ]] || { echo "smoke: no executable at $EXE; build it with: bash packaging/build.sh" >&2; exit 2; }

OUT="$(mktemp -d "${TMPDIR:-/tmp}/ocrviewer-smoke.XXXXXX")"
# Headless, and never touch the user's settings, cache or keyring.
export QT_QPA_PLATFORM=offscreen HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/home/config" \
  XDG_CACHE_HOME="$OUT/home/cache" XDG_DATA_HOME="$OUT/home/data" OCRVIEWER_CACHE_DIR="$OUT/home/cache/ocrviewer"
mkdir -p "$HOME"
failures=0
pass() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
# run NAME CMD...: runs CMD, keeps its output in $OUT/NAME.log, and records the wall time in seconds.
run() {
  local name="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  t1=$(date +%s.%N)
  LAST_TIME=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  return $rc
}
# all_zero_cer FILE: FILE (ocrviewer.comparison/1 JSON) has CER figures and every one is 0.
all_zero_cer() {
  grep -Eo '"cer": ?[-0-9.eE+]+' "$1" | sed -E 's/.*: ?//' | awk '{ n++; if ($1 + 0 != 0) bad++ } END { exit !(n >= 3 && !bad) }'
}
is_png() { [[ -s "$1" ]] && [[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]]; }

# A bundled sample: the first image in the bundle's resources/samples, and a response next to it.
SAMPLES="$BUNDLE/_internal/resources/samples"
[[ -d "$SAMPLES" ]] || SAMPLES="$BUNDLE/resources/samples"
IMAGE="$(find "$SAMPLES" -maxdepth 2 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) 2>/dev/null | sort | head -1)"
RESPONSE=""
if [[ -n "$IMAGE" ]]; then
  stem="$(basename "${IMAGE%.*}")"
  # The same choice as `ocrviewer view` with no image: a JSON named after the image, the local engine's first.
  responses="$(find "$(dirname "$IMAGE")" -maxdepth 1 -type f -name "${stem}*.json" \
    ! -name '*.ocrviewer.json' ! -name '*-result.json' | sort)"
  RESPONSE="$(grep -E 'local|rapid' <<<"$responses" | head -1)"
  [[ -n "$RESPONSE" ]] || RESPONSE="$(head -1 <<<"$responses")"
fi

expected="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' ocrviewer/__init__.py 2>/dev/null)"
if run version "$EXE" --version && grep -q "ocrviewer ${expected}" "$OUT/version.log"; then
  pass "--version: $(cat "$OUT/version.log") (${LAST_TIME} s)"
else
  fail "--version: expected 'ocrviewer $expected', got: $(head -3 "$OUT/version.log")"
fi
t_version=$LAST_TIME

if [[ -z "$IMAGE" ]]; then
  fail "no sample image in $SAMPLES (resources/samples must hold one)"
else
  if run info "$EXE" info "$IMAGE" && [[ -s "$OUT/info.log" ]]; then
    pass "info $(basename "$IMAGE") (${LAST_TIME} s): $(head -1 "$OUT/info.log")"
  else
    fail "info: $(tail -3 "$OUT/info.log")"
  fi

  if [[ -z "$RESPONSE" ]]; then
    fail "no sample response (*.json) next to $(basename "$IMAGE")"
  elif run render "$EXE" render "$IMAGE" --response "$RESPONSE" -o "$OUT/render.png" && is_png "$OUT/render.png"; then
    pass "render with $(basename "$RESPONSE") -> $OUT/render.png (${LAST_TIME} s)"
  else
    fail "render: $(tail -3 "$OUT/render.log")"
  fi

  # The formats, written by the bundle and read back by it: a comparison of each against the normalized JSON
  # finds every word equal (lxml, PDFium, pikepdf, rapidfuzz and uniseg all at work in the bundle).
  if [[ -n "$RESPONSE" ]]; then
    exported=1
    for to in json hocr alto page pdf; do
      if ! run "export-$to" "$EXE" export "$IMAGE" --response "$RESPONSE" --to "$to" -o "$OUT/export.$to" \
          || [[ ! -s "$OUT/export.$to" ]]; then
        exported=0
        fail "export --to $to: $(tail -3 "$OUT/export-$to.log")"
      fi
    done
    ((exported)) && pass "export --to json, hocr, alto, page, pdf (${LAST_TIME} s for the PDF)"
    if ((exported)); then
      if run compare "$EXE" compare "$IMAGE" "$OUT/export.json" "$OUT/export.hocr" "$OUT/export.alto" \
          "$OUT/export.page" --json "$OUT/compare.json" --report "$OUT/compare.html" \
          && all_zero_cer "$OUT/compare.json" && grep -q 'data:image/' "$OUT/compare.html"; then
        pass "compare the hOCR, ALTO and PAGE exports with the JSON: CER 0, report $OUT/compare.html (${LAST_TIME} s)"
      else
        fail "compare --report: $(tail -3 "$OUT/compare.log")"
      fi
      # The searchable PDF as a document: its page rendered by PDFium, the JSON placed on it.
      if run pdf-info "$EXE" info "$OUT/export.pdf" && grep -q '1 page' "$OUT/pdf-info.log" \
          && run pdf-view "$EXE" view "$OUT/export.pdf" --response "$OUT/export.json" --screenshot "$OUT/pdf-view.png" \
          && is_png "$OUT/pdf-view.png"; then
        pass "view the exported PDF with its response -> $OUT/pdf-view.png (${LAST_TIME} s)"
      else
        fail "PDF document: $(tail -3 "$OUT/pdf-info.log" "$OUT/pdf-view.log" 2>/dev/null)"
      fi
    fi
  fi

  # No image: what the menu entry does, the viewer on the bundled sample.
  if run view "$EXE" view --screenshot "$OUT/view.png" && is_png "$OUT/view.png"; then
    t_view=$LAST_TIME
    # The bundle reads its own picture back: a real image of the whole window, not an empty file.
    run view-info "$EXE" info "$OUT/view.png"
    pass "view --screenshot (bundled sample) -> $OUT/view.png, $(grep -m1 'displayed size' "$OUT/view-info.log" | xargs) (${t_view} s)"
  else
    fail "view --screenshot: $(tail -3 "$OUT/view.log")"
  fi
  view_args=(view "$IMAGE")
  [[ -n "$RESPONSE" ]] && view_args+=(--response "$RESPONSE")

  # The real desktop path: the xcb platform plugin under a virtual X server (Debian package xvfb).
  if command -v xvfb-run >/dev/null 2>&1; then
    if run view-xcb env QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
        "$EXE" "${view_args[@]}" --screenshot "$OUT/view-xcb.png" && is_png "$OUT/view-xcb.png"; then
      pass "view --screenshot under Xvfb (xcb) -> $OUT/view-xcb.png (${LAST_TIME} s)"
    else
      fail "view under Xvfb (xcb): $(tail -3 "$OUT/view-xcb.log")"
    fi
  else
    echo "skip  view under Xvfb: xvfb-run is not installed"
  fi

  # A system library the xcb platform plugin needs and the desktop lacks (libxcb-cursor0 on a stock Ubuntu):
  # one line naming the package, checked in the bundle's own copy of the plugin. A copy of the bundle whose
  # files are links, but for the executable and a plugin that needs a library no system has.
  plugin="$(find "$BUNDLE" -path '*/platforms/libqxcb.so' | head -1)"
  if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "skip  a missing Qt library: xvfb-run is not installed"
  elif [[ -z "$plugin" ]] || ! grep -q 'libxcb-cursor\.so\.0' "$plugin"; then
    echo "skip  a missing Qt library: the bundle's xcb plugin needs no libxcb-cursor.so.0"
  else
    shadow="$OUT/shadow-bundle"
    cp -as "$(cd "$BUNDLE" && pwd)" "$shadow" && rm "$shadow/ocrviewer" && cp "$EXE" "$shadow/ocrviewer"
    shadow_plugin="$shadow/${plugin#"$BUNDLE"/}"
    rm "$shadow_plugin" && LC_ALL=C sed 's/libxcb-cursor\.so\.0/libxcb-nosuch\.so\.0/' "$plugin" >"$shadow_plugin"
    run missing-qt-lib env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1280x800x24" "$shadow/ocrviewer" view "$IMAGE"
    rc=$?
    errors="$(grep -c . "$OUT/missing-qt-lib.log")"
    if [[ $rc == 1 && $errors == 1 ]] && grep -q 'libxcb-nosuch.so.0.*apt-get install libxcb-nosuch0' "$OUT/missing-qt-lib.log"; then
      pass "a missing Qt library is one line: $(cut -c1-110 "$OUT/missing-qt-lib.log")..."
    else
      fail "a missing Qt library (exit $rc, $errors lines): $(tail -3 "$OUT/missing-qt-lib.log")"
    fi
    rm -rf "$shadow"
  fi

  if run providers "$EXE" providers && grep -E '^local\s' "$OUT/providers.log" | grep -qv 'not ready'; then
    if run recognize "$EXE" recognize "$IMAGE" --provider local -o "$OUT/local.json" && [[ -s "$OUT/local.json" ]]; then
      pass "recognize --provider local -> $OUT/local.json (${LAST_TIME} s)"
    else
      fail "recognize --provider local: $(tail -3 "$OUT/recognize.log")"
    fi
    # A batch on a terminal (script gives it one) draws rich's progress bar, whose lazily loaded modules must
    # be in the bundle.
    if command -v script >/dev/null 2>&1; then
      mkdir -p "$OUT/batch-in" && cp "$IMAGE" "$OUT/batch-in/"
      batch_cmd="$(printf '%q ' "$EXE" recognize "$OUT/batch-in" --provider local -o "$OUT/batch-out")"
      if run batch script -qec "$batch_cmd" /dev/null && grep -q 'recognizing' "$OUT/batch.log" \
          && [[ -s "$OUT/batch-out/manifest.jsonl" ]]; then
        pass "batch on a terminal, with its progress bar -> $OUT/batch-out (${LAST_TIME} s)"
      else
        fail "batch on a terminal: $(tail -c 300 "$OUT/batch.log")"
      fi
    else
      echo "skip  batch on a terminal: script (util-linux) is not installed"
    fi
  else
    echo "skip  recognize --provider local: the bundle reports the engine as unavailable: $(grep -E '^\s*local' "$OUT/providers.log" | head -1)"
  fi
fi

# Pillow's libtiff, loaded with ctypes to check a compressed TIFF strip by strip (core/tiffstrips.py): where
# the bundle lacks it the check is skipped in silence, and a damaged fax page shows wrong rows with no word.
DAMAGED_TIFF=tests/data/images/g4-damaged-strip.tif
if [[ ! -f "$DAMAGED_TIFF" ]]; then
  echo "skip  libtiff: $DAMAGED_TIFF is not here (run from a checkout)"
elif run libtiff "$EXE" info "$DAMAGED_TIFF" && grep -q 'strip 1 of 2 decoded with errors' "$OUT/libtiff.log"; then
  pass "libtiff found: a damaged TIFF strip is named ($(grep -o 'Fax4Decode[^;)]*' "$OUT/libtiff.log" | head -1))"
else
  fail "libtiff: the bundle did not check the TIFF's strips (Pillow's libtiff not found?): $(tail -3 "$OUT/libtiff.log")"
fi

echo "size  $(du -sh "$BUNDLE" | cut -f1)  ($BUNDLE)"
echo "time  --version ${t_version} s; view --screenshot ${t_view:-n/a} s"
echo "logs  $OUT"
if ((failures)); then
  echo "smoke: $failures check(s) failed"
  exit 1
fi
echo "smoke: all checks passed"
