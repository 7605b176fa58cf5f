"""The model's frozen classes (core.records.frozen: their own __init__, no generated code at import)
behave as ``@dataclass(frozen=True)`` did: fields, defaults, equality, hash, repr, immutability,
``dataclasses.replace``, pickle and copy."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.model import Block, Cell, Document, Line, Page, Table, Word, make_line, make_word
from ocrviewer.core.palette import ConfidenceScale
from ocrviewer.core.records import Record, frozen
from ocrviewer.core.sidecar import Sidecar

POLY = ((0.0, 0.0), (4.0, 0.0), (4.0, 2.0))
WORD = Word("a", POLY, 0.9, "High", "en", {"k": 1})
LINE = Line("a", POLY, (WORD,), 0.8, "en", {"k": 2})
CELL = Cell(POLY, 1, 2, 1, 2, "t")
TABLE = Table(POLY, 2, 3, (CELL,))
BLOCK = Block(POLY, (LINE,), 0.7, "en", "text", {"k": 3})
PAGE = Page(100.0, 200.0, (BLOCK,), (TABLE,), "pixel", 1.5, 2, {"k": 4})
TRANSFORM = FrameTransform(10.0, 20.0, 6, 2.0, 3.0, 1.0, -1.0)
SAMPLES: list[Any] = [
    WORD,
    LINE,
    BLOCK,
    CELL,
    TABLE,
    PAGE,
    Document((PAGE,), "azure-read-v3", {"k": 5}, ("one warning",)),
    TRANSFORM,
    ConfidenceScale(0.5, 0.99, "stretched"),
    Sidecar("local", "1", {"o": 1}, "abc", "img.jpg", TRANSFORM, "display", "now", "id", {"k": 6}),
]
#: a value of the same type, different from the one in each sample
OTHER = {str: "zz", int: 7, float: 5.25, tuple: (), dict: {"other": True}}


def _values(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _other(value: Any) -> Any:
    if isinstance(value, FrameTransform):
        return dataclasses.replace(value, scale_x=9.0)
    return OTHER[type(value)]


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_constructor_takes_the_fields_in_order_with_their_defaults(obj: Any) -> None:
    cls = type(obj)
    params = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if f.default_factory is not dataclasses.MISSING:
            assert p.default is None  # a new empty dict each time, as default_factory=dict
        else:
            expected = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
            assert p.default == expected, f.name
    assert cls(*_values(obj).values()) == obj
    assert cls(**_values(obj)) == obj


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_equality_hash_and_repr_as_a_frozen_dataclass(obj: Any) -> None:
    cls = type(obj)
    values = _values(obj)
    reference = dataclasses.make_dataclass(cls.__name__, list(values), frozen=True)
    assert repr(obj) == repr(reference(**values))
    same = cls(**copy.deepcopy(values))
    assert same == obj and not same != obj  # noqa: SIM202 - both operators
    for name, value in values.items():
        if value is None:
            continue
        changed = dataclasses.replace(obj, **{name: _other(value)})
        assert changed != obj, name
        assert getattr(changed, name) == _other(value)
    assert obj != reference(**values)  # another class: never equal, as dataclasses
    assert obj.__eq__(object()) is NotImplemented
    try:
        expected_hash = hash(tuple(values.values()))
    except TypeError:  # a dict field: unhashable, as the dataclass was
        with pytest.raises(TypeError):
            hash(obj)
    else:
        assert hash(obj) == expected_hash == hash(same)


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_frozen(obj: Any) -> None:
    name = dataclasses.fields(obj)[0].name
    before = getattr(obj, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, name, before)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(obj, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.not_a_field = 1
    assert getattr(obj, name) is before


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_pickle_and_copy(obj: Any) -> None:
    for again in (pickle.loads(pickle.dumps(obj)), copy.copy(obj), copy.deepcopy(obj)):
        assert type(again) is type(obj)
        assert again == obj


def test_defaults_give_each_object_its_own_extras_and_the_fast_constructors_agree() -> None:
    a, b = Word("a", POLY), Word("a", POLY)
    assert a.extras == {} and a.extras is not b.extras
    assert Page(1.0, 2.0).extras is not Page(1.0, 2.0).extras
    assert make_word("a", POLY, 0.5) == Word("a", POLY, 0.5)
    assert make_line("l", POLY, (a,), 0.5) == Line("l", POLY, (a,), 0.5)
    assert not hasattr(a, "__dict__")  # Word and Line stay slotted


def test_frame_transform_still_checks_its_values() -> None:
    with pytest.raises(Exception, match="scale_x"):
        FrameTransform(10.0, 20.0, 1, 0.0)
    with pytest.raises(Exception, match="orientation"):
        FrameTransform(10.0, 20.0, 9)


def test_frozen_needs_a_record_with_its_own_init() -> None:
    with pytest.raises(TypeError):

        @frozen()
        class NoInit(Record):
            a: int

    with pytest.raises(TypeError):

        @frozen()
        class NotARecord:
            a: int

            def __init__(self, a: int) -> None:
                object.__setattr__(self, "a", a)
