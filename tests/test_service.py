"""The service API as the CLI and the TUI use it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from store.backends import open_wheel
from store.errors import Conflict, NeedsCascade, NotFound, ValidationError
from store.service import GOAL, INDICATOR, LESSON, RISK, Wheel


@pytest.fixture
def wheel(tmp_path: Path) -> Wheel:
    return open_wheel(tmp_path / "store", user="alice")


def _indicator(wheel: Wheel, goal_id: int, name: str = "Wait time") -> int:
    return wheel.add(
        INDICATOR,
        {
            "goal_id": goal_id,
            "name": name,
            "baseline": "30",
            "target": "10",
            "direction": "decrease",
            "start": "2026-01-01",
            "due": "2026-12-31",
        },
    ).id


def test_added_documents_carry_who_and_when(wheel: Wheel) -> None:
    goal = wheel.add(GOAL, {"title": "  Shorter queues  "})
    assert goal.title == "Shorter queues"
    assert goal.stamp.updated_by == "alice"
    assert goal.stamp.created_at == goal.stamp.updated_at
    assert goal.stamp.created_at.endswith("+00:00")


def test_update_with_stale_expected_raises_conflict_and_keeps_theirs(tmp_path: Path) -> None:
    alice = open_wheel(tmp_path / "s", user="alice")
    goal = alice.add(GOAL, {"title": "Original"})
    bob = open_wheel(tmp_path / "s", user="bob")
    bob.update(GOAL, goal.id, {"title": "Bob's"}, expected=goal.stamp.updated_at)
    with pytest.raises(Conflict) as caught:
        alice.update(GOAL, goal.id, {"title": "Alice's"}, expected=goal.stamp.updated_at)
    assert caught.value.theirs is not None and caught.value.theirs["title"] == "Bob's"
    assert caught.value.mine["title"] == "Alice's"
    assert alice.goal(goal.id).title == "Bob's"
    assert "bob" in str(caught.value)


def test_find_by_id_exact_name_and_prefix(wheel: Wheel) -> None:
    a = wheel.add(GOAL, {"title": "Sykefravær"})
    b = wheel.add(GOAL, {"title": "Sykefravær ned"})
    assert wheel.find(GOAL, str(b.id)).id == b.id
    assert wheel.find(GOAL, "sykefravær").id == a.id
    assert wheel.find(GOAL, "SYKEFRAVÆR N").id == b.id
    with pytest.raises(NotFound):
        wheel.find(GOAL, "nothing")


def test_delete_names_what_goes_with_it(wheel: Wheel) -> None:
    goal = wheel.add(GOAL, {"title": "Top"})
    wheel.add(GOAL, {"title": "Child", "parent_id": goal.id})
    ind = _indicator(wheel, goal.id)
    wheel.log(ind, 25, "2026-02-01")
    wheel.add(
        RISK, {"goal_id": goal.id, "title": "Staff leave", "probability": 3, "consequence": 4}
    )
    wheel.add(LESSON, {"goal_id": goal.id, "happened": "It went fine"})
    with pytest.raises(NeedsCascade) as caught:
        wheel.delete(GOAL, goal.id)
    message = str(caught.value)
    for part in ("1 sub-goal", "1 indicator", "1 risk", "1 lesson", "1 measurement"):
        assert part in message
    assert len(wheel.goals()) == 2  # nothing removed without the flag
    removed = wheel.delete(GOAL, goal.id, cascade=True)
    assert removed["measurements"] == 1 and removed["goals"] == 2
    assert wheel.goals() == [] and wheel.series(ind) == []


def test_log_many_writes_all_or_nothing(wheel: Wheel) -> None:
    ind = _indicator(wheel, wheel.add(GOAL, {"title": "G"}).id)
    rows = [
        {"indicator_id": ind, "date": "2026-01-05", "value": "29"},
        {"indicator_id": ind, "date": "2026-01-12", "value": "oops"},
    ]
    with pytest.raises(ValidationError, match="row 2: value 'oops' is not a number"):
        wheel.log_many(rows)
    assert wheel.series(ind) == []
    wheel.log_many([*rows[:1], {"indicator_id": ind, "date": "2025-12-30", "value": 31}])
    assert wheel.series(ind) == [(date(2025, 12, 30), 31.0), (date(2026, 1, 5), 29.0)]


def test_measurement_moves_between_year_files_and_keeps_its_id(wheel: Wheel) -> None:
    ind = _indicator(wheel, wheel.add(GOAL, {"title": "G"}).id)
    m = wheel.log(ind, 20, "2025-12-01", note="late")
    wheel.update_measurement(m.id, {"date": "2026-01-03"})
    moved = wheel.measurement(m.id)
    assert (moved.date, moved.note, moved.id) == (date(2026, 1, 3), "late", m.id)
    files = {p.name for p in wheel.backend.store.root.iterdir()}
    assert {"measurements-2025.json", "measurements-2026.json"} <= files
    assert [x.id for x in wheel.measurements(ind)] == [m.id]


def test_history_says_who_changed_what(wheel: Wheel) -> None:
    goal = wheel.add(GOAL, {"title": "Before"})
    wheel.update(GOAL, goal.id, {"title": "After"})
    newest = wheel.history(limit=1)[0]
    assert newest["by"] == "alice" and newest["table"] == "goals" and newest["id"] == goal.id
    assert newest["before"]["title"] == "Before" and newest["after"]["title"] == "After"


def test_unchanged_update_writes_nothing(wheel: Wheel) -> None:
    goal = wheel.add(GOAL, {"title": "Same"})
    generation = wheel.backend.store.wheel.storage.read()["meta"]["1"]["generation"]  # type: ignore[index]
    wheel.update(GOAL, goal.id, {"title": "Same"})
    assert wheel.backend.store.wheel.storage.read()["meta"]["1"]["generation"] == generation  # type: ignore[index]
    assert len(wheel.history()) == 1


def test_conflict_shows_the_field_they_changed_against_what_i_opened(tmp_path: Path) -> None:
    alice = open_wheel(tmp_path / "s", user="alice")
    goal = alice.add(GOAL, {"title": "Original", "owner": "ann"})
    bob = open_wheel(tmp_path / "s", user="bob")
    bob.update(GOAL, goal.id, {"owner": "bob"}, expected=goal.stamp.updated_at)
    with pytest.raises(Conflict) as caught:
        alice.update(GOAL, goal.id, {"title": "Alice's"}, expected=goal.stamp.updated_at)
    conflict = caught.value
    assert conflict.base is not None and conflict.theirs is not None
    assert (conflict.base["owner"], conflict.theirs["owner"], conflict.mine["owner"]) == (
        "ann", "bob", "ann",
    )  # fmt: skip
    assert (conflict.base["title"], conflict.theirs["title"], conflict.mine["title"]) == (
        "Original", "Original", "Alice's",
    )  # fmt: skip
    assert str(conflict) == f"goal {goal.id} 'Original' was changed by bob while you were editing"


def test_undo_of_a_measurement_names_indicator_value_and_date(wheel: Wheel) -> None:
    goal = wheel.add(GOAL, {"title": "Shorter queues"})
    ind = _indicator(wheel, goal.id, "Median wait")
    m = wheel.log(ind, 5, "2026-11-29")
    message = wheel.undo()
    assert message.startswith("undid: the value 5 of 2026-11-29 for Median wait added at ")
    assert str(m.id) not in message
