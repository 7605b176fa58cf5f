#!/usr/bin/env python3
"""Build the bundled demo samples in resources/samples/ (committed; run again only to change them).

- receipt.jpg: a phone photo of a printed till receipt, stored sideways (1600x1200 pixels) with
  EXIF Orientation 6, so it displays upright (1200x1600) only when EXIF is applied;
- receipt.local.json (+ .ocrviewer.json sidecar): what the local engine reads on it, made by
  running ``recognize_file(..., "local")`` exactly as ``ocrviewer recognize`` does;
- receipt.yandex-raw-frame.json: the same words in Yandex Vision OCR v1 shape but in the RAW
  (sideways) frame, which is what a service that ignores EXIF returns: the "fix the coordinate
  mismatch" demo;
- testdata.jpg + testdata.formrecognizer-v2.1.json: a dense printed page with its Azure Form
  Recognizer v2.1 layout response, copied from the corpus (MIT, see SOURCES.md).

The picture is deterministic (seeded noise, fixed layout). Text uses DejaVu fonts
(fonts-dejavu-core) when installed, else Pillow's bundled font; the committed image means users
never need either. Usage: python scripts/make_samples.py [--no-engine] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocrviewer.core.geometry import FrameTransform  # noqa: E402
from ocrviewer.core.model import Document, Polygon  # noqa: E402
from ocrviewer.core.sidecar import read_sidecar, write_sidecar  # noqa: E402

SAMPLES = ROOT / "resources" / "samples"
CORPUS = Path("/work/shared/corpus")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
ORIENTATION = 6  # stored sideways: the camera was held in portrait
DISPLAY_SIZE = (1200, 1600)
SEED = 20261122
CREATED = "2026-11-22T00:00:00Z"  # fixed, so re-running changes nothing that did not change

RECEIPT_LINES: tuple[tuple[str, str], ...] = (
    ("title", "GREEN LEAF MARKET"),
    ("small", "12 Harbour Street, Bristol"),
    ("small", "Tel 0117 496 0321"),
    ("mono", ""),
    ("mono", "Date 2026-03-14   Time 10:42"),
    ("mono", "Receipt No. 004718"),
    ("rule", ""),
    ("mono", "Sourdough bread          3.20"),
    ("mono", "Free range eggs x6       2.85"),
    ("mono", "Whole milk 2L            1.45"),
    ("mono", "Tomatoes 500g            1.90"),
    ("mono", "Cheddar cheese           4.10"),
    ("mono", "Apples Braeburn          2.35"),
    ("mono", "Coffee beans 250g        5.60"),
    ("rule", ""),
    ("bold", "TOTAL                   21.45"),
    ("mono", "Card payment            21.45"),
    ("mono", "Items 7"),
    ("rule", ""),
    ("small", "Thank you for shopping with us!"),
    ("small", "Please keep this receipt"),
)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / f"{name}.ttf"
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _noise(size: tuple[int, int], rng: random.Random, blur: float) -> Image.Image:
    """Seeded grey noise (Pillow's effect_noise is not seedable)."""
    w, h = size
    return Image.frombytes("L", (w, h), rng.randbytes(w * h)).filter(ImageFilter.GaussianBlur(blur))


def draw_receipt(rng: random.Random) -> Image.Image:
    """The receipt paper with its text, upright, RGBA (transparent outside the paper)."""
    styles = {
        "title": (_font("DejaVuSans-Bold", 52), 76),
        "small": (_font("DejaVuSans", 32), 50),
        "mono": (_font("DejaVuSansMono", 33), 50),
        "bold": (_font("DejaVuSansMono-Bold", 35), 54),
        "rule": (_font("DejaVuSansMono", 33), 44),
    }
    width = 780
    height = 90 + sum(styles[s][1] for s, _ in RECEIPT_LINES) + 70
    paper = Image.new("RGBA", (width, height), (246, 243, 234, 255))
    draw = ImageDraw.Draw(paper)
    y = 70.0
    for style, text in RECEIPT_LINES:
        font, advance = styles[style]
        if style == "rule":
            draw.line((48, y + advance / 2, width - 48, y + advance / 2), fill=(70, 70, 75), width=2)
        elif text:
            box = draw.textbbox((0, 0), text, font=font)
            centred = style in ("title", "small")
            x = (width - (box[2] - box[0])) / 2 if centred else 60
            draw.text((x, y), text, font=font, fill=(28, 28, 34, 255))
        y += advance
    # Thermal print fades a little and the paper has fibres.
    grain = _noise((width, height), rng, 1.2).point(lambda v: 128 + (v - 128) // 6)
    paper_rgb = Image.blend(paper.convert("RGB"), Image.merge("RGB", (grain, grain, grain)), 0.08)
    paper = paper_rgb.convert("RGBA")
    # A torn, zig-zag bottom edge.
    mask = Image.new("L", (width, height), 255)
    mdraw = ImageDraw.Draw(mask)
    teeth = [(x, height - (0 if (x // 15) % 2 else 12)) for x in range(0, width + 15, 15)]
    mdraw.polygon([(0, height), *teeth, (width, height)], fill=0)
    paper.putalpha(mask)
    return paper


def draw_photo() -> Image.Image:
    """The displayed (upright) photo: the receipt lying slightly turned on a grey table."""
    rng = random.Random(SEED)
    w, h = DISPLAY_SIZE
    table = Image.new("RGB", (w, h), (118, 112, 104))
    # Uneven light: brighter in the middle, darker towards the corners.
    light = (
        Image.radial_gradient("L")
        .resize((w * 3 // 2, h * 3 // 2))
        .crop((w // 6, h // 8, w // 6 + w, h // 8 + h))
    )
    table = Image.composite(table, Image.new("RGB", (w, h), (156, 150, 140)), light)
    texture = _noise((w // 4, h // 4), rng, 0.8).resize((w, h), Image.Resampling.BICUBIC)
    table = Image.blend(table, Image.merge("RGB", (texture, texture, texture)), 0.06)

    receipt = draw_receipt(rng).rotate(-2.2, resample=Image.Resampling.BICUBIC, expand=True)
    left, top = (w - receipt.width) // 2 + 10, (h - receipt.height) // 2 + 20
    shadow = Image.new("L", (w, h), 0)
    shadow.paste(receipt.getchannel("A"), (left + 14, top + 18))
    shadow = shadow.filter(ImageFilter.GaussianBlur(14)).point(lambda v: v * 45 // 100)
    table = Image.composite(Image.new("RGB", (w, h), (40, 38, 36)), table, shadow)
    table.paste(receipt, (left, top), receipt)
    # A phone camera's softness and sensor noise.
    photo = table.filter(ImageFilter.GaussianBlur(0.6))
    sensor = _noise((w, h), rng, 0.5)
    return Image.blend(photo, Image.merge("RGB", (sensor, sensor, sensor)), 0.04)


def save_sideways(displayed: Image.Image, path: Path) -> None:
    """Store the raw (sensor) pixels plus EXIF Orientation 6, as a phone held upright does."""
    raw = displayed.transpose(Image.Transpose.ROTATE_90)  # inverse of orientation 6 (rotate 90 CW)
    exif = Image.Exif()
    exif[0x0112] = ORIENTATION
    exif[0x010F] = "ocrviewer sample"  # Make
    raw.save(path, "JPEG", quality=86, exif=exif.tobytes(), optimize=True)


def run_local_engine(image: Path, response: Path) -> Document:
    """Read the sample with the local engine through the same path as ``ocrviewer recognize``."""
    from ocrviewer.providers.base import CancelToken
    from ocrviewer.providers.run import recognize_file

    outcome = recognize_file(
        image,
        "local",
        {},
        settings={},
        cancel=CancelToken(),
        progress=lambda f, m: print(f"  {m}"),
        out_path=response,
        use_cache=False,
    )
    sidecar = read_sidecar(response)
    assert sidecar is not None
    # Relative image path and a fixed time: the committed sidecar must not name this machine.
    write_sidecar(response, replace(sidecar, image_path=image.name, created=CREATED))
    return outcome.document


def _yandex_box(points: Sequence[tuple[float, float]]) -> dict[str, object]:
    """Yandex vertices: the text's own TL, BL, BR, TR; integers written as strings."""
    tl, tr, br, bl = points[:4]
    return {"vertices": [{"x": str(round(x)), "y": str(round(y))} for x, y in (tl, bl, br, tr)]}


def yandex_raw_frame(displayed_doc: Document, raw_size: tuple[int, int]) -> dict[str, object]:
    """The displayed-frame document as a Yandex OCR v1 response in the raw (sideways) frame."""
    to_raw = FrameTransform(source_width=raw_size[0], source_height=raw_size[1], orientation=ORIENTATION)

    def raw_quad(poly: Polygon) -> list[tuple[float, float]]:
        return [to_raw.invert(x, y) for x, y in poly[:4]]

    blocks = []
    for block in displayed_doc.blocks():
        lines = []
        for line in block.lines:
            words = [
                {"boundingBox": _yandex_box(raw_quad(w.polygon)), "text": w.text, "entityIndex": "-1"}
                for w in line.words
            ]
            lines.append(
                {"boundingBox": _yandex_box(raw_quad(line.polygon)), "text": line.text, "words": words}
            )
        blocks.append(
            {
                "boundingBox": _yandex_box(raw_quad(block.polygon)),
                "lines": lines,
                "languages": [{"languageCode": "en"}],
            }
        )
    return {
        "result": {
            "textAnnotation": {
                "width": str(raw_size[0]),
                "height": str(raw_size[1]),
                "blocks": blocks,
                "entities": [],
                "tables": [],
                "fullText": displayed_doc.text + "\n",
            },
            "page": "0",
        }
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-engine", action="store_true", help="only redraw the image; keep the responses")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the shared corpus (for testdata.jpg)")
    args = parser.parse_args(argv)
    SAMPLES.mkdir(parents=True, exist_ok=True)

    image = SAMPLES / "receipt.jpg"
    save_sideways(draw_photo(), image)
    print(f"wrote {image} ({image.stat().st_size // 1024} KB)")

    if not args.no_engine:
        response = SAMPLES / "receipt.local.json"
        doc = run_local_engine(image, response)
        print(f"wrote {response}: {doc.counts()['word']} words")
        raw_w, raw_h = DISPLAY_SIZE[1], DISPLAY_SIZE[0]
        yandex = SAMPLES / "receipt.yandex-raw-frame.json"
        yandex.write_text(
            json.dumps(yandex_raw_frame(doc, (raw_w, raw_h)), ensure_ascii=False, indent=1) + "\n"
        )
        print(f"wrote {yandex}")

    for src, dst in (
        ("azure/testdata.jpg", "testdata.jpg"),
        ("azure/formrecognizer-v2.1-layout-testdata.json", "testdata.formrecognizer-v2.1.json"),
    ):
        source = args.corpus / src
        if source.is_file():
            shutil.copyfile(source, SAMPLES / dst)
            print(f"copied {source} -> {SAMPLES / dst}")
        elif not (SAMPLES / dst).is_file():
            print(f"warning: {source} not found; {dst} is missing", file=sys.stderr)
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    print(f"resources/samples: {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
