"""store.record: the document kinds behave as the frozen slotted dataclasses
they replace (a log no longer imports dataclasses)."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass
from dataclasses import field as dataclass_field
from datetime import date

import pytest

from store import documents as d
from store.record import MISSING, field, fields, record, replace


@record
class Pair:
    left: int
    right: str = "r"
    seen: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DataPair:
    left: int
    right: str = "r"
    seen: list[int] = dataclass_field(default_factory=list)


@record(kw_only=True)
class Named:
    id: int
    date: date = date(2026, 1, 1)
    title: str


def test_a_record_is_made_shown_and_compared_as_its_dataclass() -> None:
    made, twin = Pair(1), DataPair(1)
    assert repr(made) == repr(twin).replace("DataPair", "Pair")
    assert made == Pair(1, "r", []) and made != Pair(2) and made != twin
    assert hash(Pair(1, "x", ())) == hash(Pair(1, "x", ()))
    assert Pair(1).seen is not Pair(1).seen  # a factory's value each time
    assert not hasattr(made, "__dict__") and Pair.__slots__ == ("left", "right", "seen")


def test_a_record_refuses_assignment_as_a_frozen_dataclass_does() -> None:
    made = Pair(1)
    for change in (lambda: setattr(made, "left", 2), lambda: delattr(made, "left")):
        with pytest.raises(AttributeError):
            change()
    with pytest.raises(FrozenInstanceError):
        DataPair(1).left = 2
    assert made.left == 1


def test_keyword_only_fields_may_come_in_any_order() -> None:
    made = Named(id=1, title="t")
    assert (made.id, made.date, made.title) == (1, date(2026, 1, 1), "t")
    with pytest.raises(TypeError):
        Named(1, title="t")
    with pytest.raises(TypeError):
        Named(id=1)


def test_a_field_without_a_default_after_one_with_is_refused() -> None:
    class Bad:
        __annotations__ = {"first": "int", "second": "int"}
        first = 1

    with pytest.raises(TypeError, match="second"):
        record(Bad)


def test_fields_and_replace_work_as_the_dataclasses_functions() -> None:
    made = Pair(1, "x", [3])
    assert [(f.name, f.default, f.default_factory) for f in fields(made)] == [
        ("left", MISSING, None),
        ("right", "r", None),
        ("seen", MISSING, list),
    ]
    assert fields(Pair) == fields(made)
    changed = replace(made, right="y")
    assert changed == Pair(1, "y", [3]) and made.right == "x"
    with pytest.raises(TypeError, match="nope"):
        replace(made, nope=1)


def test_a_record_copies_and_pickles() -> None:
    goal = d.Goal(id=3, title="Ship", tags=("a",), start=date(2026, 1, 1))
    assert copy.copy(goal) == goal and copy.deepcopy(goal) == goal
    assert pickle.loads(pickle.dumps(goal)) == goal


def test_the_kinds_keep_their_stored_fields_and_declarations() -> None:
    assert d.GOAL_FIELDS[:3] == ("title", "description", "parent_id")
    assert "id" not in d.GOAL_FIELDS and "stamp" not in d.GOAL_FIELDS
    assert d.MEASUREMENT_FIELDS == ("indicator_id", "date", "value", "note", "source")
    title = next(f for f in fields(d.Goal) if f.name == "title")
    assert title.default is MISSING and title.metadata["in"].args == ("title",)
    assert d.Goal(id=1, title="x").stamp == d.Stamp()
