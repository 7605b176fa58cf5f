"""A document's text and element rows in reading order, as flat lists and one int array, Qt-free.

What the inspector lists and searches (its full text with each word's character range, the word
list's texts, confidences and element paths) is made here, in the worker that parsed a result
(:func:`prepare_inspector`), and only shown by ``gui.inspector_models``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from ocrviewer.core.columns import block_count, line_texts, page_columns
from ocrviewer.core.confidence import sort_confidence
from ocrviewer.core.layers import ElementRef
from ocrviewer.core.model import Document
from ocrviewer.core.scripts import scripts_in


def format_confidence(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def iter_refs(doc: Document, level: str = "word") -> Iterator[tuple[ElementRef, Any]]:
    """(ref, element) pairs of one level in reading order."""
    for p, page in enumerate(doc.pages):
        for b, block in enumerate(page.blocks):
            if level == "block":
                yield ElementRef("block", p, b), block
                continue
            for li, line in enumerate(block.lines):
                if level == "line":
                    yield ElementRef("line", p, b, li), line
                    continue
                for w, word in enumerate(line.words):
                    yield ElementRef("word", p, b, li, w), word


#: (page, block, line, word) of one element; -1 for the indices below its level
ElementPath = tuple[int, int, int, int]


class Paths(Sequence[ElementPath]):
    """(page, block, line, word) of each row, held as one (n, 4) int array.

    A tuple is made only for a row that is read. A tuple per row (10,000 per result, made in the
    worker before the result lands) was most of the objects a landing allocated, and allocations
    are what start Python's full garbage collections (~35 ms here, holding the GIL: the window
    stalled).
    """

    __slots__ = ("array", "_index")

    def __init__(self, array: np.ndarray | None = None) -> None:
        self.array = np.zeros((0, 4), dtype=np.int64) if array is None else array.reshape(-1, 4)
        #: (the largest index of each column + 2, the rows' keys sorted, their rows): see find
        self._index: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, columns: Iterable[Sequence[int] | np.ndarray]) -> Paths:
        """Paths from its four columns (pages, blocks, lines, words)."""
        return cls(np.column_stack([np.asarray(c, dtype=np.int64) for c in columns]))

    @classmethod
    def joined(cls, parts: Sequence[Paths]) -> Paths:
        return cls(np.concatenate([p.array for p in parts])) if parts else cls()

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, i: int) -> ElementPath: ...
    @overload
    def __getitem__(self, i: slice) -> Paths: ...
    def __getitem__(self, i: int | slice) -> ElementPath | Paths:
        if isinstance(i, slice):
            return Paths(self.array[i])
        return tuple(self.array[i].tolist())

    def __iter__(self) -> Iterator[ElementPath]:
        return map(tuple, self.array.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Paths):
            return np.array_equal(self.array, other.array)
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Paths({len(self)} rows)"

    def column(self, j: int) -> list[int]:
        return self.array[:, j].tolist()  # type: ignore[no-any-return]

    def find(self, path: Sequence[int]) -> int:
        """The row of ``path``, or -1 (an index of sorted keys is made on the first call)."""
        if not len(self.array):
            return -1
        if self._index is None:
            span = self.array.max(axis=0) + 2
            keys = _keys(self.array, span)
            order = np.argsort(keys, kind="stable")
            self._index = (span, keys[order], order)
        span, keys, order = self._index
        want = np.asarray([path], dtype=np.int64)
        if (want < -1).any() or (want + 1 >= span).any():
            return -1
        key = _keys(want, span)[0]
        at = int(np.searchsorted(keys, key))
        return int(order[at]) if at < len(keys) and keys[at] == key else -1


def _keys(rows: np.ndarray, span: np.ndarray) -> np.ndarray:
    """One int per path (indices >= -1, each below its ``span`` - 1), ordered as the paths are."""
    keys = np.zeros(len(rows), dtype=np.int64)
    for j in range(4):
        keys = keys * span[j] + (rows[:, j] + 1)
    return keys


def collect_rows(doc: Document | None, level: str) -> tuple[list[str], list[float | None], Paths]:
    """Texts, confidences and paths of one level in reading order: two flat lists and :class:`Paths`.

    Plain values, not an :class:`ElementRef` per row: making 10,000 frozen dataclasses (and
    hashing them into a dict) was most of the ~70 ms the word list took when a result landed.
    """
    texts: list[str] = []
    confs: list[float | None] = []
    if doc is None:
        return texts, confs, Paths()
    cols: list[list[int]] = [[], [], [], []]  # pages, blocks, lines, words
    pages, blocks, lines, words_ = cols

    def add(p: int, b: int, li: int, w: Iterable[int], n: int) -> None:
        pages.extend([p] * n)
        blocks.extend([b] * n)
        lines.extend([li] * n)
        words_.extend(w)

    arrays: list[Paths] = []

    def flush() -> None:
        if pages:
            arrays.append(Paths.of(cols))
            for c in cols:
                c.clear()

    for p, page in enumerate(doc.pages):
        columns = page_columns(page) if level == "word" else None
        if columns is not None:  # a column page: the words' texts, confidences and places as arrays
            flush()
            texts.extend(columns.texts("word"))
            confs.extend([None if c != c else c for c in columns.word.conf.tolist()])
            b_, l_, w_ = columns.owners()
            arrays.append(Paths.of([np.full(len(w_), p), b_, l_, w_]))
            continue
        if level == "word":
            for b, li, _text, words, conf in line_texts(page):
                texts.extend(words)
                confs.extend(conf)
                add(p, b, li, range(len(words)), len(words))
            continue
        for b, block in enumerate(page.blocks):
            if level == "block":
                texts.append(block.text)
                confs.append(sort_confidence(block))
                add(p, b, -1, (-1,), 1)
                continue
            for li, line in enumerate(block.lines):
                if level == "line":
                    texts.append(line.text)
                    confs.append(sort_confidence(line))
                    add(p, b, li, (-1,), 1)
                    continue
                line_words = line.words
                texts.extend([w.text for w in line_words])
                confs.extend([w.confidence for w in line_words])
                add(p, b, li, range(len(line_words)), len(line_words))
    flush()
    return texts, confs, Paths.joined(arrays)


@dataclass(frozen=True)
class InspectorData:
    """The inspector's full text and word rows of ``document``, made in the worker that parsed it.

    Building them for a 10k-word result is ~40 ms of pure Python: made off the GUI thread, they
    travel with the result to the state (as the overlay's layers do) and the inspector takes them
    when the result lands, for that document only.
    """

    document: Document
    text: tuple[str, list[int], list[int], Paths]
    rows: tuple[list[str], list[float | None], Paths]
    #: the scripts of its text other than Latin, a sample of each (:func:`ocrviewer.core.scripts.scripts_in`)
    scripts: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def text_of(doc: Document, prepared: InspectorData | None) -> tuple[str, list[int], list[int], Paths]:
        """``doc``'s text and paths: the ones ``prepared`` holds if made for ``doc``, else made now."""
        return prepared.text if prepared is not None and prepared.document is doc else build_text_paths(doc)


def build_text_paths(doc: Document) -> tuple[str, list[int], list[int], Paths]:
    """Full text (words joined by spaces, lines by newlines, blocks and pages by blank lines)
    and sorted character ranges -> element path (a word, or a line that has no words: word -1).

    Joins per line and keeps the paths as :class:`Paths` (no ElementRef or tuple per word):
    about 4x faster than appending every piece, and made of a few objects, not one per word.
    """
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pages: list[int] = []
    blocks: list[int] = []
    lines: list[int] = []
    words: list[int] = []
    pos = 0
    for p, page in enumerate(doc.pages):
        if p:
            parts.append("\n\n")
            pos += 2
        last = 0  # the block of the line before; every block after the first opens with a blank line
        for b, li, text, texts, _conf in line_texts(page):
            if b > last:
                parts.append("\n\n" * (b - last))
                pos += 2 * (b - last)
                last = b
            if li:
                parts.append("\n")
                pos += 1
            if not texts:
                starts.append(pos)
                pos += len(text)
                ends.append(pos)
                pages.append(p)
                blocks.append(b)
                lines.append(li)
                words.append(-1)
                parts.append(text)
                continue
            for t in texts:
                starts.append(pos)
                pos += len(t)
                ends.append(pos)
                pos += 1
            pos -= 1
            n = len(texts)
            pages.extend([p] * n)
            blocks.extend([b] * n)
            lines.extend([li] * n)
            words.extend(range(n))
            parts.append(" ".join(texts))
        count = block_count(page)
        if count - 1 > last:  # blocks without lines at the end
            parts.append("\n\n" * (count - 1 - last))
            pos += 2 * (count - 1 - last)
    return "".join(parts), starts, ends, Paths.of([pages, blocks, lines, words])


def prepare_inspector(doc: Document | None) -> InspectorData | None:
    """The inspector's text and word rows for ``doc``, made now (in a worker, before it lands)."""
    if doc is None:
        return None
    text = build_text_paths(doc)
    return InspectorData(doc, text, collect_rows(doc, "word"), scripts_in(text[0]))


def ref_path(ref: ElementRef) -> ElementPath:
    return (ref.page, ref.block, ref.line, ref.word)
