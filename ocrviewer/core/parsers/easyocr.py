"""EasyOCR's ``reader.readtext(...)`` result saved as JSON: ``[[box, text, confidence], ...]``.

``box`` is four ``[x, y]`` corners in the image's pixels (numpy values turned into numbers before
``json.dump``); ``confidence`` is 0..1. ``paragraph=True`` gives ``[box, text]`` (no confidence).
``output_format="dict"`` (or ``"json"``, one JSON string per detection, saved one a line) gives
``{"boxes": box, "text": text, "confident": confidence}`` per detection.
EasyOCR finds text boxes, not words: each detection is a line of one word, in a Block of its own
(as Textract lines without layout). The page size is not in the result: placement takes the image's.
"""

from __future__ import annotations

from typing import Any

from ocrviewer.core.model import Block, Document, Line, Page, Word
from ocrviewer.core.parsers._common import ELEMENT_ERRORS, Context, confidence, pair_polygon, text
from ocrviewer.errors import BadResponse

EASYOCR = "easyocr"


def is_easyocr(data: list[Any]) -> bool:
    """The first item is ``[[corner points], text, confidence]`` or ``[[corner points], text]``."""
    first = data[0]
    return (
        type(first) is list
        and len(first) in (2, 3)
        and type(first[0]) is list
        and bool(first[0])
        and type(first[0][0]) is list
        and type(first[1]) is str
        and (len(first) == 2 or type(first[2]) in (int, float))
    )


def is_easyocr_dict(d: dict[str, Any]) -> bool:
    """One detection of ``readtext(..., output_format="dict")``."""
    return type(d.get("boxes")) is list and type(d.get("text")) is str and "confident" in d


def parse_easyocr(data: Any) -> Document:
    """EasyOCR detections -> one page of pixel coordinates (its size left to the image)."""
    ctx = Context()
    blocks: list[Block] = []
    if type(data) is dict:
        data = [data]
    for i, item in enumerate(data, 1):
        where = f"detection {i}"
        try:
            if type(item) is dict:
                item = [item.get("boxes"), item.get("text"), item.get("confident")]
            if type(item) is not list or len(item) not in (2, 3):
                raise BadResponse("not [box, text, confidence]")
            poly = pair_polygon(item[0])
            conf = confidence(item[2], ctx, where) if len(item) == 3 else None
            value = text(item[1])
            word = Word(value, poly, conf)
            blocks.append(Block(poly, (Line(value, poly, (word,), conf),), conf))
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    return Document((Page(None, None, tuple(blocks)),), EASYOCR, {}, tuple(ctx.warnings))
