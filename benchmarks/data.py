"""Deterministic benchmark inputs: photo-like JPEGs and dense OCR responses.

Everything is generated from fixed seeds, so two runs (or two machines) measure the same bytes.
Files are written once into the output folder and reused while their recipe is unchanged
(a ``manifest.json`` records the recipe).
"""

from __future__ import annotations

import json
import math
import os
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

#: Bump when the generators change so old files are regenerated.
RECIPE_VERSION = 3
ORIENTATION_TAG = 0x0112

_VOCABULARY = (
    "the of and to in is was for on that with as by at from his her this which or be are an had not "
    "but have were one all their they there been has when who will more no if out so said what up its "
    "about into than them can only other new some could time these two may then do first any my now "
    "such like our over man me even most made after also did many before must through back years where "
    "much your way well down should because each just those people how too little state good very make "
    "world still own see men work long get here between both life being under never day same another "
    "know while last might us great old year off come since against go came right used take three "
    "Seattle invoice total amount 2024 No. 17.50 Street page Mr. Ltd. report—draft München naïve"
).split()


@dataclass(frozen=True)
class Sizes:
    """Sizes of everything generated; ``full`` is what the targets are about, ``quick`` is for CI."""

    page: tuple[int, int]  # the "12 MP" page (width, height), orientation 1
    photo: tuple[int, int]  # the "20 MP" photo as DISPLAYED (portrait); stored rotated, EXIF 6
    words: dict[str, int]  # tier name -> word count
    view: tuple[int, int]  # viewport for paint cases

    @property
    def photo_raw(self) -> tuple[int, int]:
        return self.photo[1], self.photo[0]


FULL = Sizes(
    page=(4000, 3000),
    photo=(3648, 5472),
    words={"1k": 1_000, "10k": 10_000, "100k": 100_000},
    view=(1600, 1000),
)
QUICK = Sizes(page=(400, 300), photo=(240, 360), words={"1k": 20, "10k": 100, "100k": 300}, view=(320, 200))

FORMATS = ("azure-v3", "yandex")


@dataclass(frozen=True)
class WordBox:
    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float


def layout_words(count: int, width: int, height: int, seed: int = 7) -> list[list[list[WordBox]]]:
    """Words on a grid of text lines covering the page: blocks -> lines -> words.

    Cells are about 4:1 (a short word); each grid row is cut into segments of up to 12 words
    (one OCR line each), and runs of 8 consecutive rows in the same column form a block.
    """
    rng = random.Random(seed * 1_000_003 + count)
    margin = 0.03
    inner_w, inner_h = width * (1 - 2 * margin), height * (1 - 2 * margin)
    cell_h = math.sqrt(inner_w * inner_h / (4.0 * count))
    cols = max(1, math.ceil(inner_w / (4 * cell_h)))
    rows = max(1, math.ceil(count / cols))
    cell_w, cell_h = inner_w / cols, inner_h / rows
    x0, y0 = width * margin, height * margin
    per_line = 12
    segments = max(1, math.ceil(cols / per_line))
    rows_per_block = 8
    # blocks[(row group, segment)] -> lines
    blocks: dict[tuple[int, int], list[list[WordBox]]] = {}
    n = 0
    for r in range(rows):
        for s in range(segments):
            line: list[WordBox] = []
            for c in range(s * per_line, min(cols, (s + 1) * per_line)):
                if n >= count:
                    break
                text = rng.choice(_VOCABULARY)
                fill = 0.45 + 0.5 * rng.random()  # the word uses part of its cell
                left = x0 + c * cell_w + cell_w * 0.05
                top = y0 + r * cell_h + cell_h * 0.15
                line.append(
                    WordBox(
                        text=text,
                        left=round(left),
                        top=round(top),
                        right=round(left + cell_w * 0.9 * fill),
                        bottom=round(top + cell_h * 0.7),
                        confidence=round(0.35 + 0.65 * rng.random() ** 0.3, 3),
                    )
                )
                n += 1
            if line:
                blocks.setdefault((r // rows_per_block, s), []).append(line)
    return [blocks[k] for k in sorted(blocks)]


def _bbox(words: list[WordBox]) -> tuple[float, float, float, float]:
    return (
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.right for w in words),
        max(w.bottom for w in words),
    )


def azure_read_v3(layout: list[list[list[WordBox]]], width: int, height: int) -> dict[str, Any]:
    """An Azure Computer Vision Read v3.2 analyzeResults body (4 points clockwise from top-left)."""

    def box(left: float, top: float, right: float, bottom: float) -> list[float]:
        return [left, top, right, top, right, bottom, left, bottom]

    lines = []
    for block in layout:
        for line in block:
            lines.append(
                {
                    "boundingBox": box(*_bbox(line)),
                    "text": " ".join(w.text for w in line),
                    "appearance": {"style": {"name": "other", "confidence": 0.878}},
                    "words": [
                        {
                            "boundingBox": box(w.left, w.top, w.right, w.bottom),
                            "text": w.text,
                            "confidence": w.confidence,
                        }
                        for w in line
                    ],
                }
            )
    return {
        "status": "succeeded",
        "createdDateTime": "2024-03-01T10:00:00Z",
        "lastUpdatedDateTime": "2024-03-01T10:00:02Z",
        "analyzeResult": {
            "version": "3.2.0",
            "modelVersion": "2022-04-30",
            "readResults": [
                {"page": 1, "angle": 0, "width": width, "height": height, "unit": "pixel", "lines": lines}
            ],
        },
    }


def yandex_ocr_v1(layout: list[list[list[WordBox]]], width: int, height: int) -> dict[str, Any]:
    """One Yandex Vision OCR v1 recognizeText page: camelCase, int64 as strings, TL-BL-BR-TR."""

    def box(left: float, top: float, right: float, bottom: float) -> dict[str, Any]:
        pts = ((left, top), (left, bottom), (right, bottom), (right, top))
        return {"vertices": [{"x": str(int(x)), "y": str(int(y))} for x, y in pts]}

    full: list[str] = []
    offset = 0

    def segment(text: str) -> list[dict[str, str]]:
        return [{"startIndex": str(offset), "length": str(len(text))}]

    blocks = []
    for block in layout:
        block_start = offset
        out_lines = []
        for line in block:
            line_text = " ".join(w.text for w in line)
            line_start = offset
            words = []
            for w in line:
                words.append(
                    {
                        "boundingBox": box(w.left, w.top, w.right, w.bottom),
                        "text": w.text,
                        "entityIndex": "-1",
                        "textSegments": segment(w.text),
                    }
                )
                offset += len(w.text) + 1
            offset = line_start + len(line_text) + 1
            full.append(line_text)
            out_lines.append(
                {
                    "boundingBox": box(*_bbox(line)),
                    "text": line_text,
                    "words": words,
                    "textSegments": [{"startIndex": str(line_start), "length": str(len(line_text))}],
                    "orientation": "ANGLE_0",
                }
            )
        all_words = [w for line in block for w in line]
        blocks.append(
            {
                "boundingBox": box(*_bbox(all_words)),
                "lines": out_lines,
                "languages": [{"languageCode": "en"}],
                "textSegments": [{"startIndex": str(block_start), "length": str(offset - block_start)}],
                "layoutType": "LAYOUT_TYPE_TEXT",
            }
        )
    return {
        "result": {
            "textAnnotation": {
                "width": str(width),
                "height": str(height),
                "blocks": blocks,
                "entities": [],
                "tables": [],
                "fullText": "\n".join(full) + "\n",
                "rotate": "ANGLE_0",
            },
            "page": "0",
        }
    }


def photo_like(width: int, height: int, layout: list[list[list[WordBox]]], seed: int) -> Image.Image:
    """A page photographed in uneven light: gradients, a vignette, sensor noise and dark word marks.

    The noise makes JPEG decode cost like a real photo's (flat synthetic images decode far faster).
    """
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    light = 200.0 + 35.0 * x - 25.0 * y - 60.0 * ((x - 0.55) ** 2 + (y - 0.45) ** 2)
    base = np.empty((height, width, 3), dtype=np.float32)
    for ch, tint in enumerate((1.0, 0.96, 0.88)):  # warm paper
        base[..., ch] = light * tint
    # Low-frequency blotches (shadows, paper texture), upsampled from a coarse grid.
    coarse = rng.normal(0.0, 9.0, size=(max(2, height // 64), max(2, width // 64))).astype(np.float32)
    blot = np.asarray(
        Image.fromarray(coarse, mode="F").resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32
    )
    base += blot[..., None]
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    letters = random.Random(seed)
    for block in layout:
        for line in block:
            for w in line:
                h = w.bottom - w.top
                n = max(1, len(w.text))
                step = (w.right - w.left) / n
                for i in range(n):
                    lx = w.left + i * step
                    top = w.top + (h * 0.25 if letters.random() < 0.6 else 0)  # x-height vs ascender
                    ink = letters.randint(20, 70)
                    draw.rectangle(
                        (lx + step * 0.12, top, lx + step * 0.8, w.bottom), fill=(ink, ink, ink + 8)
                    )
    noisy = np.asarray(img, dtype=np.int16) + rng.normal(0.0, 7.0, size=(height, width, 1)).astype(np.int16)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


@dataclass(frozen=True)
class Inputs:
    """Paths of every generated input."""

    folder: Path
    sizes: Sizes
    page_jpeg: Path  # 12 MP, orientation 1
    photo_jpeg: Path  # 20 MP, stored landscape with EXIF orientation 6
    responses: dict[str, Path]  # "<format>-<target>-<tier>" (target: page|photo) -> path

    def response(self, fmt: str, tier: str, target: str = "page") -> Path:
        return self.responses[f"{fmt}-{target}-{tier}"]


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)


def _save_jpeg(img: Image.Image, path: Path, **options: Any) -> None:
    """Write then rename, so a run reading the file never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    img.save(tmp, "JPEG", quality=90, **options)
    tmp.replace(path)


def _photo_tiers(sizes: Sizes) -> dict[str, int]:
    """The photo gets 10k words (the memory target) and 100k (reported)."""
    return {k: sizes.words[k] for k in ("10k", "100k")}


def generate(folder: Path, sizes: Sizes, log: Any = print) -> Inputs:
    """Write (or reuse) every input into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    # through JSON, so it compares equal to the manifest read back (tuples become lists)
    recipe = json.loads(json.dumps({"version": RECIPE_VERSION, "sizes": asdict(sizes)}))
    manifest = folder / "manifest.json"
    page_jpeg = folder / "page_12mp.jpg"
    photo_jpeg = folder / "photo_20mp_exif6.jpg"
    responses: dict[str, Path] = {}
    for target in ("page", "photo"):
        tiers = sizes.words if target == "page" else _photo_tiers(sizes)
        for tier in tiers:
            for fmt in FORMATS:
                responses[f"{fmt}-{target}-{tier}"] = folder / f"{fmt}_{target}_{tier}.json"
    inputs = Inputs(folder, sizes, page_jpeg, photo_jpeg, responses)
    try:
        current = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = None
    paths = [page_jpeg, photo_jpeg, *responses.values()]
    if current == recipe and all(p.is_file() for p in paths):
        return inputs
    log(f"generating benchmark inputs in {folder} ...")
    manifest.unlink(missing_ok=True)
    for target, (w, h) in (("page", sizes.page), ("photo", sizes.photo)):
        tiers = sizes.words if target == "page" else _photo_tiers(sizes)
        for tier, count in tiers.items():
            layout = layout_words(count, w, h)
            _write_json(responses[f"azure-v3-{target}-{tier}"], azure_read_v3(layout, w, h))
            _write_json(responses[f"yandex-{target}-{tier}"], yandex_ocr_v1(layout, w, h))
    pw, ph = sizes.page
    _save_jpeg(photo_like(pw, ph, layout_words(sizes.words["10k"], pw, ph), seed=12), page_jpeg)
    dw, dh = sizes.photo
    shown = photo_like(dw, dh, layout_words(sizes.words["10k"], dw, dh), seed=20)
    # Orientation 6 means "rotate the stored pixels 90 degrees clockwise to display", so store the
    # displayed picture turned 90 degrees counter-clockwise (PIL's ROTATE_90).
    raw = shown.transpose(Image.Transpose.ROTATE_90)
    del shown
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    _save_jpeg(raw, photo_jpeg, exif=exif.tobytes())
    _write_json(manifest, recipe)
    return inputs
