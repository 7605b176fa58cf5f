"""A small Qt-free undo/redo stack of values (frame placements, and later any workspace edit).

The owner records every new value with :meth:`push`; :meth:`undo` and :meth:`redo` return the
value to go back or forward to. Pushing after an undo drops the undone branch, as editors do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class History(Generic[T]):
    """Values in the order they were set, and where we are among them."""

    def __init__(self, limit: int = 200, same: Callable[[T, T], bool] | None = None) -> None:
        self.limit = limit
        self._same = same or (lambda a, b: a == b)
        self._items: list[T] = []
        self._index = -1

    def reset(self, value: T | None = None) -> None:
        """Forget everything; start from ``value`` (None: empty)."""
        self._items = [] if value is None else [value]
        self._index = len(self._items) - 1

    def push(self, value: T) -> None:
        """Record ``value`` as the newest state (ignored when equal to the current one)."""
        if self._index >= 0 and self._same(self._items[self._index], value):
            return
        del self._items[self._index + 1 :]
        self._items.append(value)
        if len(self._items) > self.limit:
            del self._items[0]
        self._index = len(self._items) - 1

    @property
    def current(self) -> T | None:
        return self._items[self._index] if self._index >= 0 else None

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._items) - 1

    def undo(self) -> T | None:
        """The previous value (None when there is none); the stack remembers we went back."""
        if not self.can_undo:
            return None
        self._index -= 1
        return self._items[self._index]

    def redo(self) -> T | None:
        if not self.can_redo:
            return None
        self._index += 1
        return self._items[self._index]

    def __len__(self) -> int:
        return len(self._items)
