"""Frozen dataclasses whose methods are compiled with their module, not at every start.

``@dataclass(frozen=True)`` writes ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` as source text and compiles each with ``exec`` whenever its
module is imported: ~1 ms a class (more on a busy machine), and the viewer imports ten of them
(the model, the frame transform, the confidence scale, the sidecar) before its first frame. :func:`frozen` keeps them dataclasses
(``dataclasses.fields`` and ``replace`` work, the same equality, hash, repr and
``FrozenInstanceError``) with the class's own ``__init__`` (in the ``.pyc``) and shared,
ready-made methods for the rest. Give each class a docstring: dataclass makes a missing one from
``inspect.signature`` (~0.1 ms a class).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import Field, FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Any:
        return lambda fn: fn


__all__ = ["Record", "frozen"]

T = TypeVar("T")


class Record:
    """The base of :func:`frozen` classes: says to type checkers that they are dataclasses
    (``dataclasses.replace`` and ``fields`` take them); no slots of its own."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(*, slots: bool = False) -> Callable[[type[T]], type[T]]:
    """As ``@dataclass(frozen=True, slots=slots)`` for a :class:`Record` that writes its own
    ``__init__`` (setting each field with ``object.__setattr__``, as dataclass's own does)."""

    def wrap(cls: type[T]) -> type[T]:
        if "__init__" not in cls.__dict__ or not issubclass(cls, Record):
            raise TypeError(f"{cls.__name__} must be a Record and define __init__")
        cls = dataclass(init=False, repr=False, eq=False, slots=slots)(cls)
        _add_methods(cls, tuple(f.name for f in fields(cls)), slots)  # type: ignore[arg-type]
        return cls

    return wrap


def _add_methods(cls: type, names: tuple[str, ...], slots: bool) -> None:
    values = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    field_names = frozenset(names)

    def __eq__(self: Any, other: Any) -> Any:  # noqa: N807 - dataclass's __eq__
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self: Any) -> int:  # noqa: N807 - dataclass's __hash__ (frozen, eq)
        return hash(values(self))

    def __repr__(self: Any) -> str:  # noqa: N807 - dataclass's __repr__
        inner = ", ".join(f"{n}={v!r}" for n, v in zip(names, values(self), strict=True))
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self: Any, name: str, value: Any) -> None:  # noqa: N807 - frozen
        if type(self) is cls or name in field_names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)  # (a subclass's own attribute)

    def __delattr__(self: Any, name: str) -> None:  # noqa: N807 - frozen
        if type(self) is cls or name in field_names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    methods: dict[str, Any] = {
        "__eq__": __eq__,
        "__hash__": __hash__,
        "__repr__": __repr__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
    }
    if slots:  # (pickle and copy set slots through __setattr__ otherwise)

        def __getstate__(self: Any) -> list[Any]:  # noqa: N807
            return list(values(self))

        def __setstate__(self: Any, state: list[Any]) -> None:  # noqa: N807
            for name, value in zip(names, state, strict=True):
                object.__setattr__(self, name, value)

        methods["__getstate__"] = __getstate__
        methods["__setstate__"] = __setstate__
    for name, fn in methods.items():
        fn.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, fn)
