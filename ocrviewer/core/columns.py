"""A page held as columns: numpy arrays of points, confidences and offsets, plus one text blob.

A parsed 10k-word page as model objects is ~30k tracked Python objects; making them in the GUI
process costs full garbage collections that hold the GIL for 40-50 ms (the window freezes).
Parsed in a child process (:mod:`ocrviewer.core.parse_child`), a page travels as a few arrays
and becomes a :class:`ColumnPage`: a :class:`~ocrviewer.core.model.Page` whose ``blocks`` are
made from the columns the first time someone reads them (export, compare, check mode...). The
overlay, the counts, the inspector's rows and the placement read the columns directly.

Elements keep every field: what has no column (a word's language or label, extras, a block's
layout type) is kept per element in ``rest``, so the blocks made back are equal to the parsed ones.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from ocrviewer.core.model import Block, Line, Page, Polygon, Table, Word, make_line, make_word, polygon_bbox

#: what each level keeps besides text, polygon and confidence, with the model's default
_REST: dict[str, tuple[tuple[str, Any], ...]] = {
    "word": (("confidence_label", None), ("language", None), ("extras", {})),
    "line": (("language", None), ("extras", {})),
    "block": (("language", None), ("layout_type", None), ("extras", {})),
}
LEVELS = ("block", "line", "word")


@dataclass(frozen=True, eq=False)
class LevelColumns:
    """One level of a page: element i has points ``pts[starts[i]:starts[i+1]]``."""

    pts: np.ndarray  # (P, 2) float64
    starts: np.ndarray  # (n + 1,) int64
    conf: np.ndarray  # (n,) float64, NaN where the service gave none
    #: offsets into the page's text blob (n + 1,), None for blocks (their text is their lines')
    text: np.ndarray | None
    #: index of each element's first child (n + 1,): a block's lines, a line's words; None for words
    children: np.ndarray | None
    #: element index -> the fields without a column that differ from the model's default, pickled
    #: (a dict of bytes is not tracked by the garbage collector; a dict of dicts is, one per line)
    rest: Mapping[int, bytes] = field(default_factory=dict)
    #: where ints and floats are mixed in the level: True for each coordinate given as an int, (P, 2)
    ints: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.starts) - 1

    @property
    def kids(self) -> np.ndarray:
        """``children``, for the levels that have them (blocks and lines)."""
        assert self.children is not None
        return self.children

    def polygon(self, i: int) -> Polygon:
        a, b = self.starts[i], self.starts[i + 1]
        pts = self.pts[a:b].tolist()
        if self.ints is None:
            return tuple(map(tuple, pts))
        masks = self.ints[a:b].tolist()
        return tuple(
            (int(x) if mx else x, int(y) if my else y) for (x, y), (mx, my) in zip(pts, masks, strict=True)
        )

    def confidence(self, i: int) -> float | None:
        c = float(self.conf[i])
        return None if c != c else c

    def rest_of(self, i: int) -> dict[str, Any]:
        """Element i's fields that have no column (language, label, layout type, extras)."""
        kept = self.rest.get(i)
        return {} if kept is None else pickle.loads(kept)  # noqa: S301 - made by columns_of


@dataclass(frozen=True, eq=False)
class PageColumns:
    """The blocks, lines and words of one page as columns (tables stay objects: they are few)."""

    block: LevelColumns
    line: LevelColumns
    word: LevelColumns
    blob: str

    def level(self, name: str) -> LevelColumns:
        return {"block": self.block, "line": self.line, "word": self.word}[name]

    def text(self, level: str, i: int) -> str:
        offsets = self.level(level).text
        assert offsets is not None
        return self.blob[offsets[i] : offsets[i + 1]]

    def texts(self, level: str) -> list[str]:
        offsets = self.level(level).text
        assert offsets is not None
        blob, bounds = self.blob, offsets.tolist()
        return [blob[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]

    # -- keys of every element: which block and line it is in ------------------------------------
    def owners(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per word: (block, line within the block, word within the line) as int64 arrays."""
        n_lines, n_words = len(self.line), len(self.word)
        line_of_word = np.repeat(np.arange(n_lines), np.diff(self.line.kids))
        block_of_line = np.repeat(np.arange(len(self.block)), np.diff(self.block.kids))
        first_line = self.block.kids[:-1]
        line_in_block = np.arange(n_lines) - first_line[block_of_line]
        first_word = self.line.kids[:-1]
        word_in_line = np.arange(n_words) - first_word[line_of_word]
        return block_of_line[line_of_word], line_in_block[line_of_word], word_in_line

    def line_owners(self) -> tuple[np.ndarray, np.ndarray]:
        """Per line: (block, line within the block)."""
        block_of_line = np.repeat(np.arange(len(self.block)), np.diff(self.block.kids))
        return block_of_line, np.arange(len(self.line)) - self.block.kids[:-1][block_of_line]

    # -- model objects, made on demand --------------------------------------------------------
    def word_at(self, i: int) -> Word:
        w = self.word
        return Word(self.text("word", i), w.polygon(i), w.confidence(i), **w.rest_of(i))

    def line_at(self, i: int) -> Line:
        cols = self.line
        lo, hi = cols.children[i], cols.children[i + 1]  # type: ignore[index]
        words = tuple(self.word_at(j) for j in range(lo, hi))
        return Line(self.text("line", i), cols.polygon(i), words, cols.confidence(i), **cols.rest_of(i))

    def block_at(self, i: int) -> Block:
        cols = self.block
        lo, hi = cols.children[i], cols.children[i + 1]  # type: ignore[index]
        lines = tuple(self.line_at(j) for j in range(lo, hi))
        return Block(cols.polygon(i), lines, cols.confidence(i), **cols.rest_of(i))

    def blocks(self) -> tuple[Block, ...]:
        return tuple(self.block_at(i) for i in range(len(self.block)))

    def children_count(self, path: tuple[int, ...]) -> int:
        """How many blocks (path ``()``), lines (``(block,)``) or words (``(block, line)``) there are."""
        if not path:
            return len(self.block)
        kids = (self.block if len(path) == 1 else self.line).children
        assert kids is not None
        i = path[0] if len(path) == 1 else self.line_index(*path[:2])
        return int(kids[i + 1] - kids[i])

    def line_index(self, block: int, line: int) -> int:
        """The page-wide index of line ``line`` of block ``block``."""
        return int(self.block.kids[block]) + line

    def at(self, path: tuple[int, ...]) -> BlockView | Line | Word:
        """The element at (block,), (block, line) or (block, line, word), made now (a block as a
        :class:`BlockView`: a block of 10k words is not made to show one row)."""
        if len(path) == 1:
            return BlockView(self, path[0])
        line = self.line_index(*path[:2])
        if len(path) == 2:
            return self.line_at(line)
        return self.word_at(int(self.line.kids[line]) + path[2])

    def element(self, level: str, i: int) -> Block | Line | Word:
        if level == "block":
            return self.block_at(i)
        return self.line_at(i) if level == "line" else self.word_at(i)

    def mapped(self, fn: Callable[[np.ndarray], np.ndarray]) -> PageColumns:
        """The same page with every level's points passed through ``fn`` ((P, 2) -> (P, 2))."""
        levels = {
            name: LevelColumns(fn(c.pts), c.starts, c.conf, c.text, c.children, c.rest)
            for name, c in (("block", self.block), ("line", self.line), ("word", self.word))
        }
        return PageColumns(blob=self.blob, **levels)


class BlockView:
    """One block of a column page as a reader sees it (its fields, ``text``, ``lines`` made one
    by one when read); :meth:`made` is the :class:`Block` itself."""

    def __init__(self, columns: PageColumns, index: int) -> None:
        self.columns, self.index = columns, index
        cols = columns.block
        self.polygon = cols.polygon(index)
        self.confidence = cols.confidence(index)
        rest = cols.rest_of(index)
        self.language = rest.get("language")
        self.layout_type = rest.get("layout_type")
        self.extras = rest.get("extras", {})
        kids = cols.children
        assert kids is not None
        self._lines = range(int(kids[index]), int(kids[index + 1]))
        self.lines = _Made(columns.line_at, self._lines)
        self._confs: list[float | None] | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.columns.text("line", i) for i in self._lines)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return polygon_bbox(self.polygon)

    def word_confidences(self) -> list[float | None]:
        """Its words' confidences in order (None where none), made once: a row asks on every paint."""
        if self._confs is None:
            kids = self.columns.line.kids
            conf = self.columns.word.conf[kids[self._lines.start] : kids[self._lines.stop]].tolist()
            self._confs = [None if c != c else c for c in conf]
        return self._confs

    def made(self) -> Block:
        return self.columns.block_at(self.index)


class _Made(Sequence[Any]):
    """``make(i)`` for each i of ``indices``, made when read."""

    def __init__(self, make: Callable[[int], Any], indices: range) -> None:
        self._make, self._indices = make, indices

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._make(j) for j in self._indices[i]]
        return self._make(self._indices[i])


class _MadeOnRead:
    """``ColumnPage.blocks``: made from the columns on the first read, then kept on the instance
    (a non-data descriptor: the instance's own value wins once it is there)."""

    def __get__(self, page: Any, owner: type | None = None) -> Any:
        if page is None:
            return ()
        columns = page.__dict__.get("columns")
        blocks = () if columns is None else _made_blocks(columns)
        object.__setattr__(page, "blocks", blocks)
        return blocks


class ColumnPage(Page):
    """A :class:`Page` made from :class:`PageColumns`; its blocks are made when first read."""

    columns: PageColumns | None

    @classmethod
    def of(
        cls,
        columns: PageColumns,
        *,
        width: float | None,
        height: float | None,
        tables: tuple[Table, ...] = (),
        unit: str = "pixel",
        angle: float | None = None,
        index: int = 0,
        extras: Mapping[str, Any] | None = None,
    ) -> ColumnPage:
        page = cls.__new__(cls)
        values = {
            "width": width,
            "height": height,
            "tables": tables,
            "unit": unit,
            "angle": angle,
            "index": index,
            "extras": dict(extras or {}),
        }
        for name, value in values.items():
            object.__setattr__(page, name, value)
        object.__setattr__(page, "columns", columns)
        return page

    blocks = _MadeOnRead()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Page):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(Page))

    __hash__ = Page.__hash__

    def __getattr__(self, name: str) -> Any:
        # ``columns`` on a copy made by dataclasses.replace (which set the blocks instead)
        if name == "columns":
            return None
        raise AttributeError(name)

    def resized(
        self,
        width: float,
        height: float,
        columns: PageColumns | None = None,
        tables: tuple[Table, ...] | None = None,
    ) -> ColumnPage:
        """This page with a new size in pixels (and its points moved: ``columns``, ``tables``), unmade."""
        return ColumnPage.of(
            columns if columns is not None else self.columns,  # type: ignore[arg-type]
            width=width,
            height=height,
            tables=self.tables if tables is None else tables,
            unit="pixel",
            angle=self.angle,
            index=self.index,
            extras=self.extras,
        )


def _polygons(cols: LevelColumns) -> list[Polygon]:
    """Every polygon of a level as the model holds it (tuples of (x, y) tuples), made in C where
    every one has 4 points."""
    if cols.ints is not None:
        return [cols.polygon(i) for i in range(len(cols))]
    flat = iter(cols.pts.ravel().tolist())
    points = list(zip(flat, flat, strict=False))
    if bool(np.all(np.diff(cols.starts) == 4)):
        corners = iter(points)
        return list(zip(corners, corners, corners, corners, strict=False))
    starts = cols.starts.tolist()
    return [tuple(points[a:b]) for a, b in zip(starts, starts[1:], strict=False)]


def _confidences(cols: LevelColumns) -> list[float | None]:
    return [None if c != c else c for c in cols.conf.tolist()]


def _made_blocks(columns: PageColumns) -> tuple[Block, ...]:
    b, ln, w = columns.block, columns.line, columns.word
    texts, polygons, confs = columns.texts("word"), _polygons(w), _confidences(w)
    words = list(map(make_word, texts, polygons, confs))
    for i in w.rest:
        words[i] = make_word(texts[i], polygons[i], confs[i], **w.rest_of(i))
    kids = ln.kids.tolist()
    texts, polygons, confs = columns.texts("line"), _polygons(ln), _confidences(ln)
    lines = [
        make_line(texts[i], polygons[i], tuple(words[kids[i] : kids[i + 1]]), confs[i], **ln.rest_of(i))
        for i in range(len(ln))
    ]
    block_children = b.kids.tolist()
    return tuple(
        Block(
            b.polygon(i),
            tuple(lines[block_children[i] : block_children[i + 1]]),
            b.confidence(i),
            **b.rest_of(i),
        )
        for i in range(len(b))
    )


def resized_page(page: Page, width: float, height: float) -> Page:
    """``page`` with its size set in pixels, nothing moved (a column page stays unmade)."""
    if isinstance(page, ColumnPage) and page_columns(page) is not None:
        return page.resized(width, height)
    return replace(page, width=width, height=height, unit="pixel")


def page_columns(page: Page) -> PageColumns | None:
    """The columns ``page`` was made from, or None for a page of model objects."""
    columns = vars(page).get("columns")
    return columns if isinstance(columns, PageColumns) else None


def _rest(element: Any, level: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, default in _REST[level]:
        value = getattr(element, name)
        if value != default:
            out[name] = dict(value) if name == "extras" else value
    return out


def _level(
    elements: Sequence[Any], level: str, children: np.ndarray | None, text_from: int | None
) -> tuple[LevelColumns, list[str]]:
    """One level as columns, and its texts (offsets counted from ``text_from``; None: no text)."""
    counts = np.fromiter((len(e.polygon) for e in elements), dtype=np.int64, count=len(elements))
    starts = np.zeros(len(elements) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    # all-int coordinates (Azure's boxes) stay ints, so the elements made back are the same
    pts = np.array([xy for e in elements for xy in e.polygon]).reshape(-1, 2)
    ints = None
    if pts.dtype.kind not in "if":
        pts = pts.astype(np.float64)
    if pts.dtype.kind == "f":  # ints among floats: say which coordinates were ints
        given = np.array([type(v) is int for e in elements for xy in e.polygon for v in xy], dtype=bool)
        ints = given.reshape(-1, 2) if given.any() else None
    conf = np.array([np.nan if e.confidence is None else e.confidence for e in elements], dtype=np.float64)
    rest = {i: pickle.dumps(r) for i, e in enumerate(elements) if (r := _rest(e, level))}
    pieces: list[str] = []
    offsets = None
    if text_from is not None:
        pieces = [e.text for e in elements]
        offsets = np.full(len(elements) + 1, text_from, dtype=np.int64)
        offsets[1:] += np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)))
    return LevelColumns(pts, starts, conf, offsets, children, rest, ints), pieces


def points_of(flat: list[Any], kinds: set[type]) -> tuple[np.ndarray, np.ndarray | None]:
    """``(pts, ints)`` of a level from its coordinates in order (x0, y0, x1, y1, ...; each an int or a
    float, ``kinds`` their types), as :func:`columns_of` keeps them: all ints stay ints (int64), ints
    among floats are marked so the polygons made back are the same."""
    if float not in kinds:
        return np.array(flat, dtype=np.int64).reshape(-1, 2), None
    pts = np.array(flat, dtype=np.float64).reshape(-1, 2)
    if int not in kinds:
        return pts, None
    given = np.fromiter((type(v) is int for v in flat), dtype=bool, count=len(flat))
    return pts, given.reshape(-1, 2)


def offsets(counts: Sequence[int], start: int = 0) -> np.ndarray:
    """``start`` then the running sums of ``counts``: where each element's part of a flat run begins."""
    out = np.full(len(counts) + 1, start, dtype=np.int64)
    out[1:] += np.cumsum(np.fromiter(counts, dtype=np.int64, count=len(counts)))
    return out


def _offsets(counts: list[int]) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def columns_of(page: Page) -> PageColumns:
    """``page``'s blocks, lines and words as columns (in the child, after parsing). The text blob
    holds the words' texts, then the lines'."""
    blocks = page.blocks
    lines = [line for b in blocks for line in b.lines]
    words = [w for line in lines for w in line.words]
    word_cols, word_texts = _level(words, "word", None, 0)
    line_cols, line_texts = _level(
        lines,
        "line",
        _offsets([len(ln.words) for ln in lines]),
        int(word_cols.text[-1]),  # type: ignore[index]
    )
    block_cols, _ = _level(blocks, "block", _offsets([len(b.lines) for b in blocks]), None)
    return PageColumns(block_cols, line_cols, word_cols, "".join(word_texts) + "".join(line_texts))


def column_page(page: Page) -> ColumnPage:
    """``page`` as a :class:`ColumnPage` (equal to it)."""
    return ColumnPage.of(
        columns_of(page),
        width=page.width,
        height=page.height,
        tables=page.tables,
        unit=page.unit,
        angle=page.angle,
        index=page.index,
        extras=page.extras,
    )


# -- reading a page without making its elements --------------------------------------------------
def line_texts(page: Page) -> Iterator[tuple[int, int, str, list[str], list[float | None]]]:
    """(block, line in block, line text, its words' texts, their confidences) per line in order."""
    cols = page_columns(page)
    if cols is None:
        for b, block in enumerate(page.blocks):
            for li, line in enumerate(block.lines):
                yield b, li, line.text, [w.text for w in line.words], [w.confidence for w in line.words]
        return
    blocks, in_block = (a.tolist() for a in cols.line_owners())
    lines = cols.texts("line")
    words = cols.texts("word")
    conf = [None if c != c else c for c in cols.word.conf.tolist()]
    kids = cols.line.children.tolist()  # type: ignore[union-attr]
    for i in range(len(lines)):
        lo, hi = kids[i], kids[i + 1]
        yield blocks[i], in_block[i], lines[i], words[lo:hi], conf[lo:hi]


def text_polygons(page: Page, limit: int) -> np.ndarray:
    """Each line's polygon then its words', those with exactly 4 corners, at most ``limit`` of them
    (a few more when the last line has many), as an (N, 4, 2) array."""
    cols = page_columns(page)
    if cols is None:
        out: list[Polygon] = []
        for ln in page.lines():
            if len(ln.polygon) == 4:
                out.append(ln.polygon)
            out.extend(w.polygon for w in ln.words if len(w.polygon) == 4)
            if len(out) >= limit:
                break
        return np.array(out, dtype=np.float64).reshape(-1, 4, 2)
    lines, words = cols.line, cols.word
    quad_lines = np.diff(lines.starts) == 4
    quad_words = np.diff(words.starts) == 4
    # per line: its own quad (if it is one) and its words' quads, in reading order, as point rows
    kids = lines.children
    assert kids is not None
    per_line = quad_lines.astype(np.int64) + np.add.reduceat(
        np.append(quad_words, False).astype(np.int64), kids
    )[:-1] * (np.diff(kids) > 0)
    upto = int(np.searchsorted(np.cumsum(per_line), limit) + 1)  # lines needed to reach the limit
    rows: list[np.ndarray] = []
    for i in range(min(upto, len(lines))):
        if quad_lines[i]:
            rows.append(lines.pts[lines.starts[i] : lines.starts[i] + 4][None])
        lo, hi = kids[i], kids[i + 1]
        idx = np.flatnonzero(quad_words[lo:hi]) + lo
        if len(idx):
            rows.append(words.pts[words.starts[idx][:, None] + np.arange(4)])
    if not rows:
        return np.zeros((0, 4, 2))
    return np.concatenate(rows).astype(np.float64)


def corner_array(page: Page, limit: int) -> np.ndarray:
    """The first ``limit`` points of :func:`corner_points` (and a few more) as an (M, 2) array."""
    cols = page_columns(page)
    if cols is None:
        pts: list[Sequence[float]] = []
        for xy in corner_points(page):
            pts.append(xy)
            if len(pts) >= limit:
                break
        return np.array(pts, dtype=np.float64).reshape(-1, 2)
    lines, words = cols.line, cols.word
    kids = lines.children
    assert kids is not None
    parts: list[np.ndarray] = []
    n = 0
    for i in range(len(lines)):
        own = lines.pts[lines.starts[i] : lines.starts[i + 1]]
        theirs = words.pts[words.starts[kids[i]] : words.starts[kids[i + 1]]]
        parts += [own, theirs]
        n += len(own) + len(theirs)
        if n >= limit:
            break
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros((0, 2))


def corner_points(page: Page) -> Iterator[Sequence[float]]:
    """Every line's corners then its words', line by line (made a line at a time for a column page)."""
    cols = page_columns(page)
    if cols is None:
        for ln in page.lines():
            yield from ln.polygon
            for w in ln.words:
                yield from w.polygon
        return
    lines, words = cols.line, cols.word
    l_starts, w_starts, kids = lines.starts.tolist(), words.starts.tolist(), lines.children.tolist()  # type: ignore[union-attr]
    for i in range(len(lines)):
        yield from lines.pts[l_starts[i] : l_starts[i + 1]].tolist()
        yield from words.pts[w_starts[kids[i]] : w_starts[kids[i + 1]]].tolist()


def word_confidences(pages: Sequence[Page]) -> np.ndarray:
    """Every word's confidence in reading order (NaN where none), without making the words."""
    parts = []
    for page in pages:
        cols = page_columns(page)
        if cols is not None:
            parts.append(cols.word.conf)
        else:
            parts.append(
                np.array(
                    [np.nan if w.confidence is None else w.confidence for w in page.words()], dtype=np.float64
                )
            )
    return np.concatenate(parts) if parts else np.zeros(0)


def page_counts(page: Page) -> tuple[int, int, int] | None:
    """(blocks, lines, words) of a column page without making them; None for a page of objects."""
    cols = page_columns(page)
    return None if cols is None else (len(cols.block), len(cols.line), len(cols.word))


def block_count(page: Page) -> int:
    """How many blocks ``page`` has, without making them."""
    counts = page_counts(page)
    return len(page.blocks) if counts is None else counts[0]


class LazyElements(Sequence[Any]):
    """The elements of one level of a column page, each made when asked for (hover, selection)."""

    def __init__(self, columns: PageColumns, level: str) -> None:
        self.columns = columns
        self.level = level
        self._n = len(columns.level(level))

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return self.columns.element(self.level, i)


__all__ = [
    "ColumnPage",
    "LazyElements",
    "LevelColumns",
    "PageColumns",
    "column_page",
    "columns_of",
    "line_texts",
    "page_columns",
    "page_counts",
    "word_confidences",
]
