"""The plan lines a revision replaced, as the Compare chart draws them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from store.backends import open_wheel
from store.compare import earlier_plans, plan_points
from store.service import GOAL, INDICATOR


def test_each_revision_gives_back_the_plan_it_replaced_oldest_first(tmp_path: Path) -> None:
    wheel = open_wheel(tmp_path / "store", user="alice")
    goal = wheel.add(GOAL, {"title": "Grow", "start": "2026-01-01", "due": "2026-12-31"})
    ind = wheel.add(
        INDICATOR,
        {"goal_id": goal.id, "name": "Revenue", "baseline": 10, "target": 20,
         "start": "2026-01-01", "due": "2026-12-31"},
    )  # fmt: skip
    first = plan_points(ind)
    wheel.revise(ind.id, target=25, reason="new contract")
    second = plan_points(wheel.indicator(ind.id))
    wheel.revise(
        ind.id, due="2027-03-31", milestones="2026-06-30=15", baseline=12, reason="later start"
    )
    now = wheel.indicator(ind.id)
    assert earlier_plans(now) == [first, second]
    assert first == ((date(2026, 1, 1), 10.0), (date(2026, 12, 31), 20.0))
    assert plan_points(now) == (
        (date(2026, 1, 1), 12.0), (date(2026, 6, 30), 15.0), (date(2027, 3, 31), 25.0),
    )  # fmt: skip
    assert earlier_plans(ind) == []
