"""The comparison report: one self-contained HTML file for people who do not run ocrviewer.

Everything is inside the file: the page picture as a ``data:`` JPEG (once per page, shared by every
engine's view through one CSS class), the overlays as inline SVG polygons coloured by status
(hover one: both texts), word crops as ``data:`` PNGs, CSS inline. No script, no external style,
font or image: it opens offline in any browser and can be mailed as it is.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ocrviewer.core.compare import CONFIDENCE_BANDS, STATUSES, Comparison, PageComparison, WordPair
from ocrviewer.core.palette import STATUS_COLORS

if TYPE_CHECKING:
    from PIL import Image

    from ocrviewer.core.references import Backdrop, CompareInput

Row = tuple["CompareInput", Comparison, list[str]]

#: Longest side of the embedded page picture (the overlays stay exact: they use page coordinates).
PAGE_SIDE = 1600
WORST_WORDS = 15
WORST_LINES = 8
#: Confidence at or above which a wrong word counts as "confident but wrong".
CONFIDENT = 0.9

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d1d1f;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:16px 0 6px}
.meta{color:#555;margin:2px 0}table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d0d0d5;padding:4px 8px;text-align:right;vertical-align:middle}
th{background:#f3f3f5}th[colspan]{text-align:center}td.l,th.l{text-align:left}.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;
border-radius:2px;margin-right:5px;vertical-align:-1px}.row{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
figure{margin:0;flex:1 1 420px;max-width:100%}figcaption{font-weight:600;margin:4px 0}
.pg{position:relative;width:100%;background-size:100% 100%;background-color:#fafafa;border:1px solid #ccc}
.pg svg{position:absolute;inset:0;width:100%;height:100%}
polygon{stroke-width:1.5;vector-effect:non-scaling-stroke;fill-opacity:.22}
polygon.missed{stroke-dasharray:4 3;fill-opacity:.12}polygon.equal{fill-opacity:.12}
img.crop{max-height:48px;max-width:260px;image-rendering:auto;border:1px solid #ddd}
.note{color:#8a4b00}.n{color:#777}
"""


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v * 100:.2f}%"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _data_uri(img: Image.Image, fmt: str) -> str:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=82)
        mime = "image/jpeg"
    else:
        img.save(buf, "PNG")
        mime = "image/png"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


def _points(poly: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in poly)


def _tooltip(p: WordPair) -> str:
    ref, res = p.shown
    conf = ""
    if p.result is not None and p.result.confidence is not None:
        conf = f" (confidence {p.result.confidence:.2f})"
    return f"{p.status}: reference «{ref}» / result «{res}»{conf}"


def _overlay(page: PageComparison) -> str:
    """SVG polygons for one engine on one page: result words by status, missed reference words dashed."""
    out = []
    drawn: set[int] = set()  # a merged result word is the result of several pairs: drawn once
    for p in page.pairs:
        word = p.result if p.result is not None else p.ref
        if word is None or len(word.polygon) < 3 or p.result_index in drawn:
            continue
        if p.result is not None:
            drawn.add(p.result_index)
        out.append(
            f'<polygon class="{p.status}" points="{_points(word.polygon)}"><title>{_e(_tooltip(p))}</title></polygon>'
        )
    return "".join(out)


def _confident_wrong(c: Comparison) -> tuple[int, int]:
    """(wrong words with confidence >= CONFIDENT, result words with such confidence)."""
    wrong = total = 0
    for page in c.pages:
        seen: set[int] = set()
        for p in page.pairs:
            if p.result is None or p.result.confidence is None or p.result.confidence < CONFIDENT:
                continue
            if p.result_index in seen:  # a merged word: one result word, several pairs
                continue
            seen.add(p.result_index)
            total += 1
            wrong += p.status != "equal"
    return wrong, total


def _crop(picture: Image.Image | None, p: WordPair) -> str:
    if picture is None:
        return ""
    polys = [w.polygon for w in (p.ref, p.result) if w is not None and len(w.polygon) >= 3]
    if not polys:
        return ""
    xs = [x for poly in polys for x, _ in poly]
    ys = [y for poly in polys for _, y in poly]
    pad = max(4.0, 0.25 * (max(ys) - min(ys)))
    box = (
        max(0, int(min(xs) - pad)),
        max(0, int(min(ys) - pad)),
        min(picture.width, int(max(xs) + pad) + 1),
        min(picture.height, int(max(ys) + pad) + 1),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        return ""
    crop = picture.crop(box)
    if crop.height > 96:
        crop = crop.resize((max(1, crop.width * 96 // crop.height), 96))
    return f'<img class="crop" alt="word crop" src="{_data_uri(crop, "PNG")}">'


def _metrics_table(rows: Sequence[Row]) -> str:
    head = (
        "<tr><th class=l>result</th><th>CER</th><th>WER</th><th>WER (bag)</th><th>equal</th>"
        "<th>substituted</th><th>missed</th><th>extra</th><th>split</th><th>merged</th>"
        "<th>precision</th><th>recall</th>"
        f"<th>wrong at conf. ≥ {CONFIDENT:g}</th></tr>"
    )
    body = []
    for src, c, _ in rows:
        n = c.counts()
        d = c.detection
        wrong, total = _confident_wrong(c)
        body.append(
            f"<tr><td class=l>{_e(src.name)} <span class=n>({_e(src.format)})</span></td>"
            f"<td>{_pct(c.cer.rate)}</td><td>{_pct(c.wer.rate)}</td><td>{_pct(c.bag.rate)}</td>"
            f"<td>{n['equal']}</td><td>{n['substituted']}</td><td>{n['missed']}</td><td>{n['extra']}</td>"
            f"<td>{n['split']}</td><td>{n['merged']}</td>"
            f"<td>{_pct(d.precision if d else None)}</td><td>{_pct(d.recall if d else None)}</td>"
            f"<td>{f'{wrong} of {total}' if total else 'n/a'}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def _pages_table(ref: CompareInput, rows: Sequence[Row]) -> str:
    """A document's pages down, each result's CER and WER across, the whole document last."""
    if len(ref.document.pages) < 2:
        return ""
    names = "".join(f"<th colspan=2>{_e(src.name)}</th>" for src, _, _ in rows)
    head = f"<tr><th class=l rowspan=2>page</th>{names}</tr><tr>{'<th>CER</th><th>WER</th>' * len(rows)}</tr>"
    body = []
    for pi, ref_page in enumerate(ref.document.pages):
        cells = "".join(
            f"<td>{_pct(c.pages[pi].cer.rate)}</td><td>{_pct(c.pages[pi].wer.rate)}</td>" for _, c, _ in rows
        )
        body.append(f"<tr><td class=l>{ref_page.index + 1}</td>{cells}</tr>")
    total = "".join(
        f"<td><b>{_pct(c.cer.rate)}</b></td><td><b>{_pct(c.wer.rate)}</b></td>" for _, c, _ in rows
    )
    body.append(f"<tr><td class=l><b>all {len(ref.document.pages)} pages</b></td>{total}</tr>")
    return f"<h3>Page by page</h3><table class=pages>{head}{''.join(body)}</table>"


def _confidence_table(rows: Sequence[Row]) -> str:
    """Per result and band of its word confidence: how many words are wrong (substituted or extra)."""
    bands = [(lo, hi) for lo, hi in CONFIDENCE_BANDS] + [(None, None)]

    def label(lo: float | None, hi: float | None) -> str:
        return "no confidence" if lo is None else f"{lo:g}–{hi:g}"

    head = "<tr><th class=l>result</th>" + "".join(f"<th>{label(lo, hi)}</th>" for lo, hi in bands) + "</tr>"
    body = []
    for src, c, _ in rows:
        got = {(b["from"], b["to"]): b for b in c.confidence_bands()}
        cells = []
        for key in bands:
            b = got.get(key)
            cells.append(
                "<td class=n>—</td>"
                if b is None
                else f"<td>{b['wrong']} of {b['words']} wrong ({b['wrong_share'] * 100:.1f}%)</td>"
            )
        body.append(f"<tr><td class=l>{_e(src.name)}</td>{''.join(cells)}</tr>")
    return (
        "<h3>Confidence and correctness</h3><p class=n>Result words by the engine's confidence; wrong = "
        f"substituted, extra, split or merged.</p><table>{head}{''.join(body)}</table>"
    )


def _worst_words(picture: Image.Image | None, page: PageComparison) -> str:
    worst = page.worst(WORST_WORDS)
    if not worst:
        return "<p class=n>No wrong words on this page.</p>"
    rows = [
        "<tr><th class=l>status</th><th class=l>reference</th><th class=l>result</th><th>edits</th>"
        "<th>confidence</th><th class=l>on the page</th></tr>"
    ]
    for p in worst:
        conf = p.result.confidence if p.result is not None else None
        ref, res = p.shown
        rows.append(
            f"<tr><td class=l><span class=sw style='background:{STATUS_COLORS[p.status]}'></span>{p.status}</td>"
            f"<td class='l mono'>{_e(ref)}</td><td class='l mono'>{_e(res)}</td>"
            f"<td>{p.distance}</td><td>{'' if conf is None else f'{conf:.2f}'}</td>"
            f"<td class=l>{_crop(picture, p)}</td></tr>"
        )
    return f"<table>{''.join(rows)}</table>"


def _worst_lines(page: PageComparison) -> str:
    lines = sorted((ls for ls in page.lines if ls.cer.errors), key=lambda ls: (-(ls.cer.rate or 0), ls.line))[
        :WORST_LINES
    ]
    if not lines:
        return ""
    rows = ["<tr><th>line</th><th>CER</th><th class=l>reference</th><th class=l>result</th></tr>"]
    for ls in lines:
        rows.append(
            f"<tr><td>{ls.line + 1}</td><td>{_pct(ls.cer.rate)}</td><td class='l mono'>{_e(ls.reference)}</td>"
            f"<td class='l mono'>{_e(ls.result)}</td></tr>"
        )
    return f"<h3>Worst lines</h3><table>{''.join(rows)}</table>"


def render_report(
    backdrop: Backdrop,
    ref: CompareInput,
    rows: Sequence[Row],
    *,
    definitions: Mapping[str, str],
    title: str = "OCR comparison",
) -> str:
    """The whole report as one HTML string (UTF-8 when written)."""
    image = backdrop.name

    css = [_CSS]
    css += [f"polygon.{s}{{stroke:{c};fill:{c}}}" for s, c in STATUS_COLORS.items()]
    parts: list[str] = []
    legend = "".join(
        f"<span><span class=sw style='background:{STATUS_COLORS[s]}'></span>{s}</span>" for s in STATUSES
    )
    if ref.geometry:
        ref_kind = f"{_e(ref.format)}, words with polygons"
    else:  # a plain text: no boxes to place, so text figures only
        ref_kind = "plain text, no geometry: text only (CER/WER), detection n/a"
    parts.append(f"<h1>{_e(title)}</h1>")
    parts.append(
        f"<p class=meta>Reference: <b>{_e(ref.name)}</b> ({ref_kind}), "
        f"{len(ref.document.pages)} page(s), {ref.word_count} words"
        + (f" · image <b>{_e(image)}</b>" if image else " · no image given")
        + "</p>"
    )
    used = rows[0][1].normalization if rows else "exact"
    parts.append(
        f"<p class=meta>Normalization: <b>{_e(used)}</b>: {_e(definitions.get('normalization', ''))}</p>"
    )
    parts.append(
        "<h2>Figures</h2>" + _metrics_table(rows) + _pages_table(ref, rows) + _confidence_table(rows)
    )
    notes = [n for _, _, ns in rows for n in ns]
    if notes:
        parts.append("".join(f"<p class=note>{_e(n)}</p>" for n in notes))

    n_pages = max((len(c.pages) for _, c, _ in rows), default=0)
    embedded: set[int] = set()  # each distinct picture once, as a CSS class (an image: once in all)
    for pi in range(n_pages):
        ref_page = ref.document.pages[pi]
        key = ref_page.index if backdrop.source is not None else 0
        picture = backdrop.picture(key)
        if picture is not None and key not in embedded:
            small = picture.copy()
            small.thumbnail((PAGE_SIDE, PAGE_SIDE))
            css.append(f".bg{key}{{background-image:url({_data_uri(small, 'JPEG')})}}")
            embedded.add(key)
        w = ref_page.width or (picture.width if picture else None)
        h = ref_page.height or (picture.height if picture else None)
        if w is None or h is None:  # text reference without image: the first result's page
            page0 = rows[0][0].document.pages[pi]
            w, h = page0.width or 1000, page0.height or 1000
        cls = f"pg{pi}" + (f" bg{key}" if picture is not None else "")
        css.append(f".pg{pi}{{aspect-ratio:{w:.0f}/{h:.0f}}}")
        parts.append(f"<h2>Page {ref_page.index + 1}</h2><p class=legend>{legend}</p>")
        figs = []
        for src, c, _ in rows:
            page = c.pages[pi]
            n = page.counts()
            figs.append(
                f"<figure><figcaption>{_e(src.name)} · CER {_pct(page.cer.rate)} · WER {_pct(page.wer.rate)} · "
                f"{n['substituted']} substituted, {n['missed']} missed, {n['extra']} extra, "
                f"{n['split']} split, {n['merged']} merged</figcaption>"
                f"<div class='pg {cls}'><svg viewBox='0 0 {w:.1f} {h:.1f}' preserveAspectRatio='none'>"
                f"{_overlay(page)}</svg></div></figure>"
            )
        parts.append(f"<div class=row>{''.join(figs)}</div>")
        for src, c, _ in rows:
            page = c.pages[pi]
            parts.append(f"<h3>{_e(src.name)}: worst words</h3>{_worst_words(picture, page)}")
            parts.append(_worst_lines(page))

    parts.append("<h2>How the figures are computed</h2><table>")
    parts.append(
        "".join(f"<tr><th class=l>{_e(k)}</th><td class=l>{_e(v)}</td></tr>" for k, v in definitions.items())
    )
    parts.append("</table><p class=n>Made by ocrviewer compare. Hover a word on a page for both texts.</p>")
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{_e(title)}</title><style>{''.join(css)}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )
