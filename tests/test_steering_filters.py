"""The store side of the TUI's wheel filters and period rules: the filter
value, the filtered tree, lessons and actions of the goals kept, goals
already closed in a period, and the due/outside-period/future rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from steerhelp import build

from store.compare import due_for_value
from store.errors import FutureDate, ValidationError
from store.record import replace
from store.service import GOAL, LESSON, Wheel
from store.steering import GoalFilter, lessons_for

AT = date(2026, 8, 31)


@pytest.fixture
def wheel(tmp_path: Path) -> Wheel:
    """Goal 1 (alice, Q3) > goal 2 (bob) > goal 3 (alice); goal 4 (bob, Q4)."""
    wheel = build(tmp_path / "store")
    bob = wheel.add(GOAL, {"title": "Team desk", "parent_id": 1, "owner": "bob",
                           "start": "2026-07-01", "due": "2026-09-30"})  # fmt: skip
    wheel.add(GOAL, {"title": "My desk", "parent_id": bob.id, "owner": "alice",
                     "start": "2026-07-01", "due": "2026-09-30"})  # fmt: skip
    wheel.add(GOAL, {"title": "Winter plan", "owner": "bob", "start": "2026-10-01",
                     "due": "2026-12-31"})  # fmt: skip
    wheel.add(LESSON, {"goal_id": 1, "happened": "x", "actions": [{"what": "a", "owner": "bob"}]})
    wheel.add(LESSON, {"goal_id": 4, "happened": "y", "actions": [{"what": "b", "owner": "bob"}]})
    wheel.add(LESSON, {"happened": "of no goal"})
    return wheel


def test_a_filter_is_checked_as_status_checks_it() -> None:
    with pytest.raises(ValidationError, match="2026-Q5"):
        GoalFilter.make(period="2026-Q5")
    with pytest.raises(ValidationError, match="state"):
        GoalFilter.make(state="finished")
    made = GoalFilter.make(owner="me", state="Active", period="2026-q3")
    assert (made.owner, made.state, made.period and made.period.label) == (
        "me",
        "active",
        "2026-Q3",
    )
    assert not GoalFilter.make(period=" ").active
    assert GoalFilter().keep("alice") is None


def test_the_tree_kept_hangs_each_goal_under_its_nearest_kept_ancestor(wheel: Wheel) -> None:
    view = wheel.view(AT)
    mine = view.kept(GoalFilter.make(owner="me").keep("alice"))
    # goal 3's parent (bob's goal 2) is left out: it hangs under goal 1
    assert [(n.goal.id, n.depth) for n in mine] == [(1, 0), (3, 1)]
    bobs = view.kept(GoalFilter.make(owner="bob").keep("alice"))
    assert [(n.goal.id, n.depth) for n in bobs] == [(2, 0), (4, 0)]
    quarter = view.kept(GoalFilter.make(period="2026-Q4").keep("alice"))
    assert [n.goal.id for n in quarter] == [4]
    # the records keep the depth in the whole tree (status --json)
    assert view.goal_record(3)["depth"] == 2
    assert view.kept(None) == view.nodes


def test_lessons_and_actions_of_the_goals_kept(wheel: Wheel) -> None:
    lessons = wheel.lessons()
    assert [x.goal_id for x in lessons_for(lessons, {1})] == [1]
    assert len(lessons_for(lessons, None)) == 3  # no filter: also the lesson of no goal
    assert [x.action.what for x in wheel.actions(goal_ids={4})] == ["b"]
    assert [x.action.what for x in wheel.actions(goal_ids=frozenset())] == []
    assert len(wheel.actions()) == 2


def test_a_dry_run_names_the_goals_already_closed_in_the_period(wheel: Wheel) -> None:
    wheel.move_goal(3, "proposed")
    wheel.move_goal(3, "agreed")
    wheel.move_goal(3, "active")
    wheel.move_goal(3, "closed", outcome="achieved", comment="done early")
    plan = wheel.close_period("2026-Q3", dry_run=True)
    assert [c.goal_id for c in plan.closed + plan.not_agreed] == [1, 2]
    assert [(c.goal_id, c.outcome, c.comment) for c in plan.already_closed] == [
        (3, "achieved", "done early")
    ]
    # and it may still be carried into the next quarter
    carried = wheel.close_period("2026-Q3", carry=[3], dry_run=True).carried
    assert [(k.from_id, k.start, k.due) for k in carried] == [(3, "2026-10-01", "2026-12-31")]


def test_a_value_after_today_raises_the_error_a_caller_can_confirm(wheel: Wheel) -> None:
    with pytest.raises(FutureDate):
        wheel.log(1, 5, "2999-01-01")
    assert wheel.log(1, 5, "2999-01-01", confirm_future=True).value == 5


def test_due_and_outside_the_period(wheel: Wheel) -> None:
    ind = wheel.indicator(1)  # 2026-07-01 .. 2026-09-30, monthly, last value 2026-08-20
    goal = wheel.goal(1)
    late = wheel.view(date(2026, 9, 30)).comparison.indicators[1]
    assert late.stale and due_for_value(ind, late, goal)
    after = wheel.view(date(2026, 11, 30)).comparison.indicators[1]
    assert after.stale and not due_for_value(ind, after, goal)  # its period is over
    assert not due_for_value(ind, late, replace(goal, state="closed"))
    assert ind.outside(date(2026, 6, 30)) == "before start"
    assert ind.outside(date(2026, 7, 1)) is None
    assert ind.outside(date(2026, 9, 30)) is None
    assert ind.outside(date(2026, 10, 1)) == "after due"
