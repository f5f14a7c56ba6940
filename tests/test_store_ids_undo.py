"""Ids are never reused; undo restores exactly what was there, and only one's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends import open_wheel
from store.errors import Conflict, NothingToUndo
from store.service import GOAL, INDICATOR, LESSON, REVIEW, RISK, Wheel


def _tables(root: Path) -> dict[str, dict[str, Any]]:
    """Every document of every data file, by file and table (meta left out)."""
    found = {}
    for path in sorted(root.glob("*.json")):
        if path.name.startswith("history-"):
            continue
        data = orjson.loads(path.read_bytes())
        for table, docs in data.items():
            if table != "meta" and docs:
                found[f"{path.name}:{table}"] = docs
    return found


def test_goal_ids_are_never_reused(seeded: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    second = wheel.add(GOAL, {"title": "Second"}).id
    wheel.delete(GOAL, second)
    third = wheel.add(GOAL, {"title": "Third"}).id
    assert third == second + 1
    wheel.delete(GOAL, third)
    # a new process starts from the stored counter, not from the highest id left
    assert open_wheel(seeded.root, user="bob").add(GOAL, {"title": "Fourth"}).id == third + 1


def test_measurement_ids_are_never_reused(seeded: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    first = wheel.log(seeded.indicator, 1, "2026-01-01").id
    last = wheel.log(seeded.indicator, 2, "2026-01-02").id
    wheel.delete_measurement(last)
    again = wheel.log(seeded.indicator, 3, "2026-01-03").id
    assert len({first, last, again}) == 3
    wheel.delete_measurement(again)
    later = open_wheel(seeded.root, user="bob").log(seeded.indicator, 4, "2026-01-04").id
    assert later not in {first, last, again}
    # a measurement moved to another year keeps its id, and the year it
    # left does not hand that id out again
    moved = open_wheel(seeded.root).update_measurement(first, {"date": "2025-12-31"})
    assert moved.id == first
    assert open_wheel(seeded.root).log(seeded.indicator, 5, "2026-01-05").id not in {
        first, last, again, later,
    }  # fmt: skip


def test_undo_of_a_goal_edit_restores_the_document_exactly(seeded: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    before = _tables(seeded.root)
    wheel.update(GOAL, seeded.goal, {"title": "Renamed", "owner": "kim", "tags": "a b"})
    assert _tables(seeded.root) != before
    assert "goal 1 'Renamed' changed" in wheel.undo()
    assert _tables(seeded.root) == before


def _full_goal(wheel: Wheel, goal: int, indicator: int) -> None:
    child = wheel.add(GOAL, {"title": "Team part", "parent_id": goal}).id
    sub = wheel.add(
        INDICATOR,
        {"goal_id": child, "name": "Calls", "baseline": 0, "target": 10,
         "start": "2025-01-01", "due": "2026-12-31"},
    ).id  # fmt: skip
    for day, value in [("2025-06-01", 3), ("2026-02-01", 5)]:
        wheel.log(indicator, value, day)
        wheel.log(sub, value, day)
    wheel.add(RISK, {"goal_id": child, "title": "Staff leave", "probability": 3, "consequence": 4})
    wheel.add(LESSON, {"goal_id": goal, "date": "2026-03-01", "happened": "queues grew"})
    wheel.add(REVIEW, {"indicator_id": sub, "judgement": "on_track", "confidence": 7})


def test_undo_of_a_cascade_delete_restores_everything(seeded: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    _full_goal(wheel, seeded.goal, seeded.indicator)
    before = _tables(seeded.root)
    removed = wheel.delete(GOAL, seeded.goal, cascade=True)
    assert removed == {
        "goals": 2, "indicators": 2, "risks": 1, "lessons": 1, "reviews": 1, "measurements": 4,
    }  # fmt: skip
    assert wheel.goals() == [] and wheel.series(seeded.indicator) == []

    message = open_wheel(seeded.root, user="alice").undo()
    assert message.startswith("undid: goal 1 'Shorter queues' deleted")
    assert _tables(seeded.root) == before
    assert len(open_wheel(seeded.root).series(seeded.indicator)) == 2


def test_undo_of_a_move_across_years_puts_it_back(seeded: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    moved = wheel.log(seeded.indicator, 9, "2026-04-01").id
    before = _tables(seeded.root)
    wheel.update_measurement(moved, {"date": "2025-11-30", "note": "wrong year"})
    assert "measurements-2025.json:measurements" in _tables(seeded.root)
    wheel.undo()
    after = _tables(seeded.root)
    assert after == before
    assert "measurements-2025.json:measurements" not in after


def test_undo_only_undoes_the_current_users_changes(seeded: Any) -> None:
    alice = open_wheel(seeded.root, user="alice")
    bob = open_wheel(seeded.root, user="bob")
    mine = alice.add(GOAL, {"title": "Alice's"}).id
    bobs = bob.add(GOAL, {"title": "Bob's"}).id
    assert alice.undo().startswith(f"undid: goal {mine} 'Alice's' added")
    titles = [g.title for g in open_wheel(seeded.root).goals()]
    assert titles == ["Shorter queues", "Bob's"]
    assert bobs in [g.id for g in alice.goals()]
    bob.undo()
    assert [g.title for g in open_wheel(seeded.root).goals()] == ["Shorter queues"]
    with pytest.raises(NothingToUndo):
        open_wheel(seeded.root, user="carol").undo()


def test_undo_of_a_change_someone_else_has_since_changed_is_refused(seeded: Any) -> None:
    alice = open_wheel(seeded.root, user="alice")
    bob = open_wheel(seeded.root, user="bob")
    alice.update(GOAL, seeded.goal, {"title": "Alice's title"})
    bob.update(GOAL, seeded.goal, {"title": "Bob's title"})
    before = _tables(seeded.root)
    with pytest.raises(Conflict, match="changed since by bob"):
        alice.undo()
    assert _tables(seeded.root) == before
    assert open_wheel(seeded.root).goal(seeded.goal).title == "Bob's title"


def test_undo_reads_an_audit_trail_kept_by_year(seeded: Any) -> None:
    # stores written before the audit trail was split by month
    wheel = open_wheel(seeded.root, user="alice")
    goal = wheel.add(GOAL, {"title": "Old trail"}).id
    (monthly,) = seeded.root.glob("history-*-*.json")
    monthly.rename(seeded.root / f"{monthly.name[:12]}.json")
    reopened = open_wheel(seeded.root, user="alice")
    reopened.add(GOAL, {"title": "New trail"})
    assert len(list(seeded.root.glob("history-*-*.json"))) == 1
    reopened.undo()
    assert reopened.undo().startswith(f"undid: goal {goal} 'Old trail' added")
    assert [g.title for g in open_wheel(seeded.root).goals()] == ["Shorter queues"]


@pytest.mark.parametrize("name", ["wheel.json", "measurements-2026.json"])
def test_a_lost_id_counter_does_not_hand_out_a_used_id(seeded: Any, name: str) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    used = {wheel.log(seeded.indicator, n, "2026-01-01").id for n in range(3)}
    path = seeded.root / name
    data = orjson.loads(path.read_bytes())
    data["meta"]["1"]["next_id"] = {}  # a hand edit dropped the counters
    path.write_bytes(orjson.dumps(data))
    reopened = open_wheel(seeded.root, user="alice")
    assert reopened.log(seeded.indicator, 9, "2026-01-02").id not in used
    assert reopened.add(GOAL, {"title": "Another"}).id == seeded.goal + 1
