"""Checking a result word by word, Qt-free: which words are suspect, what the checker said about
each, how far they got, and the ground truth that builds up as they go.

A word is *suspect* when its confidence is under the threshold, or when a comparison marked it
substituted or missed. The checker marks it *right*, *wrong*, or types its correct text
(*corrected*). :meth:`CheckSession.ground_truth` is the document with those corrections applied
(right words kept, corrected words replaced, words marked wrong without a text flagged in their
``extras``), in the normalized format (``Document.to_dict``), so it can be exported through
``core/output`` and reopened as any other result.

Marks are plain data (:meth:`CheckSession.marks_to_dict` / :meth:`CheckSession.from_dict`) so a
workspace can persist them beside the result they belong to.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from ocrviewer.core.columns import page_columns
from ocrviewer.core.model import Block, Document, Line, Page, Word
from ocrviewer.errors import BadInput

#: (page, block, line, word) of one word
WordKey = tuple[int, int, int, int]
VERDICTS = ("right", "wrong", "corrected")
#: comparison statuses that make a word suspect whatever its confidence
SUSPECT_STATUSES = frozenset({"substituted", "missed", "split", "merged"})
MARKS_SCHEMA = "ocrviewer.checkmarks/1"


@dataclass(frozen=True)
class Mark:
    """What the checker said about one word."""

    verdict: str
    #: the correct text (verdict "corrected"), else None
    text: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise BadInput(f"a check mark is one of {', '.join(VERDICTS)}, not {self.verdict!r}")
        if self.verdict == "corrected" and self.text is None:
            raise BadInput("a corrected word needs its correct text")


class _Keys(Sequence[WordKey]):
    """Word keys of a one-page result kept as arrays: a 10k-word page's suspects are made into
    tuples only when someone walks through them (stepping), not when the result lands."""

    def __init__(self, blocks: np.ndarray, lines: np.ndarray, words: np.ndarray) -> None:
        self._b, self._l, self._w = blocks, lines, words

    def __len__(self) -> int:
        return len(self._b)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return (0, int(self._b[i]), int(self._l[i]), int(self._w[i]))

    def __iter__(self) -> Iterator[WordKey]:
        return zip(repeat(0), self._b.tolist(), self._l.tolist(), self._w.tolist(), strict=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


def iter_words(doc: Document) -> Iterator[tuple[WordKey, Word]]:
    """Every word with its key, in reading order (pages, blocks, lines)."""
    for pi, page in enumerate(doc.pages):
        for bi, block in enumerate(page.blocks):
            for li, line in enumerate(block.lines):
                for wi, word in enumerate(line.words):
                    yield (pi, bi, li, wi), word


@dataclass
class CheckSession:
    """The suspects of one document and the checker's marks on them."""

    document: Document
    threshold: float = 0.9
    #: comparison status per word key (compare mode), e.g. "substituted", "missed", "match"
    statuses: Mapping[WordKey, str] = field(default_factory=dict)
    #: also count words the service gave no confidence as suspects
    include_unknown: bool = False
    marks: dict[WordKey, Mark] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._made: dict[WordKey, Word] | None = None
        self._positions: dict[WordKey, int] | None = None
        self._suspects: Sequence[WordKey] | None = None

    @property
    def _words(self) -> dict[WordKey, Word]:
        """Every word by its key, made when first needed (a session opens with every result)."""
        if self._made is None:
            self._made = dict(iter_words(self.document))
        return self._made

    @property
    def _pos(self) -> dict[WordKey, int]:
        if self._positions is None:
            self._positions = {k: i for i, k in enumerate(self._words)}
        return self._positions

    def _column_suspects(self) -> Sequence[WordKey] | None:
        """suspects() of a one-page result parsed as columns, from its confidences (no word made)."""
        pages = self.document.pages
        cols = page_columns(pages[0]) if len(pages) == 1 and not self.statuses else None
        if cols is None:
            return None
        conf = cols.word.conf
        known = ~np.isnan(conf)
        under = np.zeros(len(conf), dtype=bool)
        under[known] = conf[known] < self.threshold
        if self.include_unknown:
            under |= ~known
        blocks, lines, words = cols.owners()
        return _Keys(blocks[under], lines[under], words[under])

    # -- suspects -------------------------------------------------------------------------------
    def is_suspect(self, key: WordKey) -> bool:
        word = self._words.get(key)
        if word is None:
            return False
        if self.statuses.get(key) in SUSPECT_STATUSES:
            return True
        if word.confidence is None:
            return self.include_unknown
        return word.confidence < self.threshold

    def suspects(self) -> Sequence[WordKey]:
        """Suspect words in reading order (made once per threshold)."""
        if self._suspects is None:
            fast = self._column_suspects()
            self._suspects = fast if fast is not None else [k for k in self._words if self.is_suspect(k)]
        return self._suspects

    def set_threshold(self, value: float) -> None:
        """A new threshold: the suspects change; marks already given are kept."""
        if value != self.threshold:
            self.threshold = value
            self._suspects = None

    def word(self, key: WordKey) -> Word | None:
        return self._words.get(key)

    def step(
        self, current: WordKey | None, forward: bool = True, unchecked_only: bool = False
    ) -> WordKey | None:
        """The next (or previous) suspect after ``current`` in reading order, wrapping around;
        with ``unchecked_only`` it skips words already marked. None when there is none."""
        order = self.suspects()
        if unchecked_only:
            order = [k for k in order if k not in self.marks or k == current]
        if not order:
            return None
        if current is None or current not in self._pos:
            return order[0] if forward else order[-1]
        positions = [self._pos[k] for k in order]
        here = self._pos[current]
        if forward:
            i = bisect_right(positions, here)
            return order[i] if i < len(order) else order[0]
        i = bisect_left(positions, here)
        return order[i - 1] if i > 0 else order[-1]

    # -- marks ----------------------------------------------------------------------------------
    def mark(self, key: WordKey, verdict: str, text: str | None = None) -> Mark:
        """Record what the checker said about a word; typing the word's own text counts as right."""
        word = self._words.get(key)
        if word is None:
            raise BadInput(f"no word {key} in this result")
        if verdict == "corrected" and text is not None and text == word.text:
            verdict, text = "right", None
        m = Mark(verdict, text if verdict == "corrected" else None)
        self.marks[key] = m
        return m

    def progress(self) -> tuple[int, int]:
        """(checked suspects, all suspects)."""
        order = self.suspects()
        return (sum(1 for k in order if k in self.marks) if self.marks else 0), len(order)

    def progress_text(self) -> str:
        done, total = self.progress()
        return f"{done} of {total} checked" if total else "no suspect words"

    # -- ground truth ---------------------------------------------------------------------------
    def ground_truth(self) -> Document:
        """The document with the checker's corrections: corrected words take their new text
        (and lines their new text), each checked word records its verdict in ``extras``."""
        if not self.marks:
            return self._tagged(self.document)
        pages: list[Page] = []
        for pi, page in enumerate(self.document.pages):
            blocks: list[Block] = []
            for bi, block in enumerate(page.blocks):
                lines: list[Line] = []
                for li, line in enumerate(block.lines):
                    words = tuple(self._checked_word((pi, bi, li, wi), w) for wi, w in enumerate(line.words))
                    if words != line.words:
                        line = replace(line, words=words, text=" ".join(w.text for w in words))
                    lines.append(line)
                blocks.append(replace(block, lines=tuple(lines)))
            pages.append(replace(page, blocks=tuple(blocks)))
        return self._tagged(self.document.with_pages(pages))

    def _checked_word(self, key: WordKey, word: Word) -> Word:
        m = self.marks.get(key)
        if m is None:
            return word
        extras = dict(word.extras)
        extras["checked"] = m.verdict
        if m.verdict == "corrected":
            extras["recognized"] = word.text
            return replace(word, text=m.text or "", extras=extras)
        return replace(word, extras=extras)

    def _tagged(self, doc: Document) -> Document:
        done, total = self.progress()
        extras = dict(doc.extras)
        extras["ground_truth"] = {
            "checked": done,
            "suspects": total,
            "threshold": self.threshold,
            "corrected": sum(1 for m in self.marks.values() if m.verdict == "corrected"),
            "wrong": sum(1 for m in self.marks.values() if m.verdict == "wrong"),
        }
        return replace(doc, extras=extras)

    def export_ground_truth(self, path: str | os.PathLike[str], inputs: Iterable[str | None] = ()) -> Path:
        """Write :meth:`ground_truth` in the normalized format (strict JSON, atomic, never over an input)."""
        from ocrviewer.core.output import dumps_json, write_atomic

        return write_atomic(Path(path), dumps_json(self.ground_truth().to_dict()), inputs=list(inputs))

    # -- persistence ----------------------------------------------------------------------------
    def marks_to_dict(self) -> dict[str, Any]:
        return {
            "schema": MARKS_SCHEMA,
            "threshold": self.threshold,
            "marks": [
                {"word": list(k), "verdict": m.verdict, **({"text": m.text} if m.text is not None else {})}
                for k, m in sorted(self.marks.items())
            ],
        }

    @classmethod
    def from_dict(cls, document: Document, data: Mapping[str, Any]) -> CheckSession:
        """A session for ``document`` with marks saved by :meth:`marks_to_dict`; marks for words
        the document does not have are dropped."""
        if data.get("schema") != MARKS_SCHEMA:
            raise BadInput(f"not a check-marks record (schema {data.get('schema')!r})")
        session = cls(document, threshold=float(data.get("threshold", 0.9)))
        for item in data.get("marks", ()):
            try:
                key = tuple(int(v) for v in item["word"])
                if len(key) != 4 or key not in session._words:
                    continue
                session.marks[key] = Mark(str(item["verdict"]), item.get("text"))
            except (KeyError, TypeError, ValueError, BadInput):
                continue
        return session
