"""A document of blocks, lines and words with known texts and confidences, built in memory."""

from __future__ import annotations

from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox

WORDS = [
    # (block, line, text, confidence)
    (0, 0, "Invoice", 0.98),
    (0, 0, "number", 0.91),
    (0, 1, "Total", 0.42),
    (0, 1, "due", None),
    (1, 0, "Thank", 0.87),
    (1, 0, "you", 0.12),
    (1, 1, "total", 0.66),
]


def make_document(
    words: list[tuple[int, int, str, float | None]] = WORDS, width: float = 640, height: float = 480
) -> Document:
    """One page of ``words`` (block, line, text, confidence): each word a 60 x 30 box, 8 to a row."""
    blocks: dict[int, dict[int, list[Word]]] = {}
    for i, (b, li, text, conf) in enumerate(words):
        x = 20 + 70 * (i % 8)
        y = 20 + 40 * (b * 2 + li)
        word = Word(text=text, polygon=polygon_from_bbox(x, y, x + 60, y + 30), confidence=conf)
        blocks.setdefault(b, {}).setdefault(li, []).append(word)
    out = []
    for b in sorted(blocks):
        lines = []
        for li in sorted(blocks[b]):
            ws = blocks[b][li]
            left = min(w.bbox[0] for w in ws)
            top = min(w.bbox[1] for w in ws)
            right = max(w.bbox[2] for w in ws)
            bottom = max(w.bbox[3] for w in ws)
            lines.append(
                Line(
                    text=" ".join(w.text for w in ws),
                    polygon=polygon_from_bbox(left, top, right, bottom),
                    words=tuple(ws),
                )
            )
        lb = min(line.bbox[0] for line in lines)
        tb = min(line.bbox[1] for line in lines)
        rb = max(line.bbox[2] for line in lines)
        bb = max(line.bbox[3] for line in lines)
        out.append(Block(polygon=polygon_from_bbox(lb, tb, rb, bb), lines=tuple(lines)))
    return Document(pages=(Page(width=width, height=height, blocks=tuple(out)),), source_format="test")
