"""``ocrviewer compare``: results against a reference, word by word, with CER/WER, JSON and an HTML report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ocrviewer.core.compare import DETECTION_IOU, MAX_PIECES
from ocrviewer.core.evaluate import SCHEMA, Row, compare_files, comparison_json, write_report
from ocrviewer.core.frames import FRAMES
from ocrviewer.core.metrics import NORMALIZATION, NORMALIZATIONS
from ocrviewer.core.output import check_output, dumps_json, write_atomic
from ocrviewer.core.references import CompareInput, ResultSet, result_files
from ocrviewer.errors import BadInput
from ocrviewer.resources import PICTURE_SUFFIXES

DESCRIPTION = f"""Compare one or more RESULTs with a REFERENCE, word by word on the page.

REFERENCE is a ground truth or another engine's result: normalized JSON (ocrviewer export),
hOCR, ALTO, PAGE-XML, any response format ocrviewer reads, or a plain text file (.txt, UTF-8, one
line per text line, pages separated by a form feed; no geometry, so detection figures are n/a), or
with DOC a folder of one .txt per page (scan_0001.txt or .gt.txt for scan_0001.tif, else by the number
in the names, else natural order: page2.txt before page10.txt; another count is refused).
IMAGE (optional) places every file on the displayed image, EXIF and shrunk copies handled;
without it the reference's page stands in for the image. DOC (a PDF or a folder of page images)
instead: each response page lands on the document page it names and pages are compared by number
(a page a result lacks is scored as empty). With DOC, a RESULT may be a batch's OUTDIR (or its
manifest): its responses, one per page, are one result (a column per engine).

Words are aligned by polygon overlap (IoU) first, then by text similarity within the line; the
reading order of either side does not matter. Where a side has lines but no words (PAGE ground truth,
OCR-D at line level) lines are paired by their boxes; where there are no boxes, or the two sides' boxes
barely overlap though their words agree (two scans of a page), lines are paired by text. Figures per
result (and per page, block and line in --json): CER over grapheme clusters, WER over words, an
order-independent bag-of-words error rate, word counts (matched/substituted/missed/extra/split/merged)
and detection precision/recall at IoU >= {DETECTION_IOU}. Denominator: the reference's length.

Split and merged words classify differences; they change no figure. A reference word the result read
as 2 to {MAX_PIECES} consecutive words of one line that, run together, read as it (within one edit in
five characters, exactly under five: "news paper" for "newspaper", "nonu yy" for "nonumy") is "split", and so are its
pieces; a result word that so reads as consecutive reference words is "merged", and so are they.
Where both sides have word boxes, the pieces must lie within the whole word's box. CER and WER are
computed from the alignment as before: a split word still counts as a substitution and an insertion
in WER (as jiwer counts it), a merged one as a substitution and a deletion; the counts name them once.

Definitions, and where other tools differ:
- CER sums each reference line's edits over the lines' lengths; line breaks are no characters (jiwer's
  CER over a list of lines; dinglehopper aligns a page as one text and counts every line break).
- Words are whitespace-separated, punctuation included: "Dies." against "Dies" is an error (jiwer's
  default; dinglehopper splits at Unicode word boundaries and drops punctuation).
- Ligatures (fi, MUFI's private-use letters) and the long s are compared as written: the fi ligature
  against "fi" is 2 errors (dinglehopper's default unjoins ligatures first). --normalize historic
  applies dinglehopper's default equivalences before anything is compared (ligatures unjoined, MUFI
  umlauts and e above a vowel as the umlaut, em dash as en dash, ’ as '), so figures on historic
  prints compare with its; --normalize modern also reads the long s as s and the r rotunda as r.
  The text of both sides changes, so the reference's length may too (an unjoined ligature is two
  characters); the report and the JSON say which normalization was used.
- A reference without text has no CER: n/a (dinglehopper: infinite; jiwer: the insertions). CER is not
  capped: more insertions than reference characters give over 100 %.
- PAGE-XML is read at line and word level (dinglehopper --textequiv-level line); a region whose lines
  hold no text gives one line per line of its text; ALTO's HYP stays at the line end, as printed.

Normalization (default, exact): {NORMALIZATION}."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "compare",
        help="score results against a reference (CER, WER, word statuses), JSON and an HTML report",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [-h] [IMAGE|DOC] REFERENCE RESULT [RESULT ...] [--json OUT.json] [--report OUT.html] "
        "[--frame {auto,display,raw}] [--normalize {exact,historic,modern}]",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="[IMAGE|DOC] REFERENCE RESULT...: optional image (or PDF/folder), then the reference, then "
        "one or more results",
    )
    p.add_argument("--json", metavar="OUT.json", help=f"write every figure as JSON ({SCHEMA})")
    p.add_argument(
        "--report", metavar="OUT.html", help="write one self-contained HTML report (images embedded)"
    )
    p.add_argument(
        "--frame",
        choices=FRAMES,
        default="auto",
        help="frame of the files' coordinates: auto (default) decides from the evidence",
    )
    p.add_argument(
        "--normalize",
        choices=tuple(NORMALIZATIONS),
        default="exact",
        help="text normalization before comparing: exact (default; NFC, whitespace collapsed), historic "
        "(also dinglehopper's equivalences: ligatures unjoined, MUFI letters, dashes), modern (historic, "
        "and the long s as s, the r rotunda as r)",
    )
    p.set_defaults(func=cmd_compare)


def split_files(files: list[str]) -> tuple[str | None, str, list[str]]:
    """(image or document, reference, results) from the positional arguments.

    A PDF first is the document; a PDF after it is a reference or a result (a searchable PDF's text
    layer opens as a response).
    """
    from ocrviewer.core.document_pages import is_document_path
    from ocrviewer.core.text_reference import is_text_folder

    first = files[0]
    image = first if Path(first).suffix.lower() in PICTURE_SUFFIXES or is_document_path(first) else None
    if (
        image is not None
        and is_text_folder(first)
        and not any(p.suffix.lower() in PICTURE_SUFFIXES for p in Path(first).iterdir())
    ):
        image = None  # a folder of page texts without the pages: the reference, not the document
    rest = files[1:] if image else files
    if len(rest) < 2:
        raise BadInput("give a REFERENCE and at least one RESULT (optionally after the IMAGE)")
    from ocrviewer.providers.outdir import is_manifest, is_outdir

    for i, f in enumerate(rest):
        if i and (is_outdir(f) or is_manifest(f)):
            if image is None or not is_document_path(image):
                raise BadInput(f"{f}: a batch's results need the document it read (DOC) first; give it")
            continue
        if not i and is_text_folder(f):
            continue  # the reference: a folder of one .txt per page
        if Path(f).suffix.lower() in PICTURE_SUFFIXES or Path(f).is_dir():
            raise BadInput(f"{f}: an image or a folder, not a reference or a result; it comes first")
    return image, rest[0], rest[1:]


def batch_results(image: str | None, results: list[str]) -> tuple[list[str | ResultSet], dict[str, int]]:
    """Each batch OUTDIR (or manifest) among ``results`` as one result: its responses for the
    document, each on the page it was made from (a column per engine, rows per page)."""
    from ocrviewer.core.sidecar import engine_name
    from ocrviewer.providers.outdir import is_manifest, is_outdir, outdir_responses

    out: list[str | ResultSet] = []
    pages: dict[str, int] = {}
    for r in results:
        if image is None or not (is_outdir(r) or is_manifest(r)):
            out.append(r)
            continue
        manifest, responses = outdir_responses(r, Path(image).name)
        name = engine_name(_provider(manifest), manifest.parent)
        out.append(ResultSet(name, tuple(responses), str(manifest.parent)))
        pages.update({f: p for f, p in responses.items() if p is not None})
    return out, pages


def _provider(manifest: Path) -> str | None:
    from ocrviewer.providers.batch import read_manifest

    return "+".join(dict.fromkeys(r.provider for r in read_manifest(manifest))) or None


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v * 100:.2f}%"


def table(ref: CompareInput, rows: list[Row]) -> str:
    geometry = "with polygons" if ref.geometry else "text only"
    used = rows[0][1].normalization if rows else "exact"
    lines = [
        f"reference: {ref.name} ({ref.format}, {geometry}), {len(ref.document.pages)} page(s), "
        f"{ref.word_count} words",
        f"normalization: {used}: {NORMALIZATIONS[used]}",
    ]
    head = (
        "result",
        "CER",
        "WER",
        "WER(bag)",
        "equal",
        "subst",
        "missed",
        "extra",
        "split",
        "merged",
        "det.P",
        "det.R",
    )
    body = []
    for src, c, _ in rows:
        n = c.counts()
        d = c.detection
        body.append(
            (
                src.name,
                _pct(c.cer.rate),
                _pct(c.wer.rate),
                _pct(c.bag.rate),
                str(n["equal"]),
                str(n["substituted"]),
                str(n["missed"]),
                str(n["extra"]),
                str(n["split"]),
                str(n["merged"]),
                _pct(d.precision if d else None),
                _pct(d.recall if d else None),
            )
        )
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    for r in [head, *body]:
        lines.append(
            "  ".join(
                x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    image, reference, named = split_files(args.files)
    results, pages = batch_results(image, named)
    inputs = [f for f in (image, reference, *named, *result_files(results)) if f]
    outputs = [o for o in (args.json, args.report) if o]
    for out in outputs:
        check_output(out, inputs)
    if args.json and args.report and os.path.abspath(args.json) == os.path.abspath(args.report):
        raise BadInput("--json and --report name the same file; give two names")
    backdrop, ref, rows = compare_files(
        image, reference, results, args.frame, pages, normalization=args.normalize
    )
    for src in [ref, *(s for s, _, _ in rows)]:
        for w in src.warnings:
            print(f"ocrviewer: warning: {src.name}: {w}", file=sys.stderr)
    for _, _, notes in rows:
        for note in notes:
            print(f"ocrviewer: note: {note}", file=sys.stderr)
    if args.json:
        data = comparison_json(backdrop, ref, rows)
        write_atomic(args.json, dumps_json(data, indent=1) + b"\n", inputs=[*inputs, backdrop.path])
        print(f"wrote {args.json}")
    if args.report:
        write_report(args.report, backdrop, ref, rows)
        print(f"wrote {args.report}")
    if not args.json:
        print(table(ref, rows))
    return 0
