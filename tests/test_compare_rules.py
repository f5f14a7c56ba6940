"""The comparison rules of DESIGN.md, case by case, with numbers worked out by hand.

Unless a case says otherwise the indicator runs from day 0 (2026-01-01) to
day 100 (2026-04-11), from baseline 0 to target 100 with a tolerance of 0.1,
so on the plain plan line the value expected on day k is k.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from store.compare import (
    SEVERITY,
    STATUS_GLYPH,
    STATUS_WORD,
    Comparison,
    GoalRollUp,
    compare,
    compare_wheel,
    expected_at,
)
from store.documents import Goal, Indicator

START = date(2026, 1, 1)


def day(k: int) -> date:
    return START + timedelta(days=k)


def indicator(**fields: Any) -> Indicator:
    base: dict[str, Any] = {
        "id": 1,
        "goal_id": 1,
        "name": "x",
        "baseline": 0.0,
        "target": 100.0,
        "start": START,
        "due": day(100),
        "tolerance": 0.1,
    }
    base.update(fields)
    return Indicator(**base)


DEC = {"direction": "decrease", "baseline": 100.0, "target": 0.0}
AT_LEAST = {"direction": "at_least"}
AT_MOST = {"direction": "at_most", "target": 20.0, "tolerance": 0.25}
FRONT_LOADED = {"milestones": ((day(20), 50.0),)}
PLATEAU = {"milestones": ((day(20), 50.0), (day(40), 50.0))}
AGG_SERIES = [(10, 10.0), (20, 40.0), (30, 25.0)]

# (case id, indicator fields, series as (day, value), comparison day, expected fields)
CASES: list[tuple[str, dict[str, Any], list[tuple[int, float]], int, dict[str, Any]]] = [
    # ---- the calendar: before start, start day, mid-way, due day, after due
    ("before start", {}, [(-5, 10.0)], -1,
     {"actual": None, "expected": 0.0, "progress": None, "status": "not_started",
      "ahead_days": None, "stale": False, "last_date": day(-5)}),
    ("start day with value", {}, [(0, 0.0)], 0,
     {"actual": 0.0, "expected": 0.0, "progress": 0.0, "status": "on_track", "ahead_days": 0,
      "forecast": None, "eta": None}),
    ("start day without value", {}, [], 0,
     {"actual": None, "status": "no_data", "progress": None, "ahead_days": None,
      "stale": False, "last_date": None}),
    ("mid-way on plan", {}, [(10, 10.0), (50, 50.0)], 50,
     {"actual": 50.0, "expected": 50.0, "progress": 0.5, "status": "on_track", "ahead_days": 0,
      "forecast": 100.0, "eta": day(100), "stale": False}),
    ("on the tolerance boundary", {}, [(50, 40.0)], 50,
     {"progress": 0.4, "status": "on_track", "ahead_days": -10}),
    ("just below the tolerance", {}, [(50, 39.9)], 50,
     {"status": "at_risk", "ahead_days": -10}),
    ("on the twice-tolerance boundary", {}, [(50, 30.0)], 50,
     {"progress": 0.3, "status": "at_risk", "ahead_days": -20}),
    ("just below twice the tolerance", {}, [(50, 29.9)], 50,
     {"status": "off_track", "ahead_days": -20}),
    ("ahead of plan", {}, [(50, 60.0)], 50, {"status": "on_track", "ahead_days": 10}),
    ("half a day ahead is a day", {}, [(50, 50.5)], 50, {"ahead_days": 1}),
    ("achieved early", {}, [(50, 100.0)], 50,
     {"progress": 1.0, "status": "achieved", "ahead_days": 50}),
    ("just short of the target", {}, [(50, 99.5)], 50,
     {"progress": 0.995, "status": "on_track", "ahead_days": 50}),
    ("beyond target", {}, [(50, 120.0)], 50,
     {"progress": 1.2, "status": "achieved", "ahead_days": 50}),
    ("due day short of target", {}, [(100, 95.0)], 100,
     {"expected": 100.0, "progress": 0.95, "status": "on_track", "ahead_days": -5}),
    ("day after due short of target", {}, [(100, 95.0)], 101,
     {"expected": 100.0, "status": "missed", "ahead_days": -6}),
    ("achieved, seen after due", {}, [(90, 100.0)], 120,
     {"status": "achieved", "ahead_days": -20}),
    ("below baseline", {}, [(50, -10.0)], 50,
     {"progress": -0.1, "status": "off_track", "ahead_days": -50}),
    ("tolerance 0", {"tolerance": 0.0}, [(50, 49.9)], 50, {"status": "off_track"}),
    ("tolerance 0 on plan", {"tolerance": 0.0}, [(50, 50.0)], 50, {"status": "on_track"}),
    # ---- aggregations over days 10, 20, 30 with values 10, 40, 25, seen on day 50
    ("last", {"aggregation": "last"}, AGG_SERIES, 50,
     {"actual": 25.0, "progress": 0.25, "status": "off_track", "ahead_days": -25,
      "forecast": 85.0, "eta": day(120), "last_date": day(30)}),
    ("sum", {"aggregation": "sum"}, AGG_SERIES, 50,
     {"actual": 75.0, "progress": 0.75, "status": "on_track", "ahead_days": 25,
      "forecast": 305.0, "eta": day(37)}),
    ("mean", {"aggregation": "mean"}, AGG_SERIES, 50,
     {"actual": 25.0, "status": "off_track", "ahead_days": -25, "forecast": 80.0,
      "eta": day(127)}),
    ("max", {"aggregation": "max"}, AGG_SERIES, 50,
     {"actual": 40.0, "status": "on_track", "ahead_days": -10, "forecast": 150.0,
      "eta": day(67)}),
    ("min is flat: no eta", {"aggregation": "min"}, AGG_SERIES, 50,
     {"actual": 10.0, "status": "off_track", "ahead_days": -40, "forecast": 10.0, "eta": None}),
    ("only values from start to the day count", {"aggregation": "sum"},
     [(-3, 90.0), (20, 30.0), (60, 99.0)], 50,
     {"actual": 30.0, "status": "at_risk", "ahead_days": -20, "forecast": None, "eta": None,
      "last_date": day(20), "stale": False}),
    ("last of two values on one day", {}, [(20, 30.0), (20, 35.0)], 20,
     {"actual": 35.0, "forecast": None}),
    ("sum of two values on one day", {"aggregation": "sum"}, [(20, 30.0), (20, 35.0)], 30,
     {"actual": 65.0, "forecast": None}),
    ("exact sum of fractions reaches the target", {"aggregation": "sum", "target": 0.3},
     [(10, 0.1), (20, 0.2)], 30, {"progress": 1.0, "status": "achieved"}),
    # 0.7 three times averages to 0.6999999999999998 in floating point
    ("mean of the target is the target", {"aggregation": "mean", "target": 0.7},
     [(10, 0.7), (20, 0.7), (30, 0.7)], 101,
     {"progress": 1.0, "status": "achieved", "eta": None}),
    ("at least: mean of the threshold holds", {"aggregation": "mean", "target": 0.7,
     "direction": "at_least"}, [(10, 0.7), (20, 0.7), (30, 0.7)], 101, {"status": "achieved"}),
    # 0.6 + 0.7 is 1.2999999999999998 in floating point
    ("parts summing to the target", {"aggregation": "sum", "target": 1.3},
     [(10, 0.6), (20, 0.7)], 101, {"progress": 1.0, "status": "achieved"}),
    # ---- flat and receding series
    ("flat series has no eta", {}, [(10, 20.0), (20, 20.0), (30, 20.0)], 30,
     {"progress": 0.2, "status": "on_track", "ahead_days": -10, "forecast": 20.0, "eta": None}),
    ("increase moving away", {}, [(10, 30.0), (20, 20.0)], 20,
     {"forecast": -60.0, "eta": None, "status": "on_track", "ahead_days": 0}),
    # ---- decreasing goals: the plan on day k is 100 - k
    ("decrease on plan", DEC, [(50, 50.0)], 50,
     {"expected": 50.0, "progress": 0.5, "status": "on_track", "ahead_days": 0}),
    ("decrease on the boundary", DEC, [(50, 60.0)], 50,
     {"progress": 0.4, "status": "on_track", "ahead_days": -10}),
    ("decrease ahead", DEC, [(50, 40.0)], 50, {"progress": 0.6, "ahead_days": 10}),
    ("decrease off track", DEC, [(50, 71.0)], 50,
     {"progress": 0.29, "status": "off_track", "ahead_days": -21}),
    ("decrease achieved on due", DEC, [(100, 0.0)], 100, {"status": "achieved", "ahead_days": 0}),
    ("decrease moving away", DEC, [(10, 95.0), (20, 98.0), (30, 101.0)], 30,
     {"actual": 101.0, "status": "off_track", "ahead_days": -30, "forecast": 122.0,
      "eta": None}),
    ("decrease falling has an eta", DEC, [(10, 90.0), (20, 80.0)], 20,
     {"forecast": 0.0, "eta": day(100), "ahead_days": 0}),
    # ---- negative and fractional values
    ("negative to positive", {"baseline": -5.5, "target": 2.5}, [(50, -2.3)], 50,
     {"expected": -1.5, "status": "on_track", "ahead_days": -10}),
    # the plan reaches -4.3 on day 15, computed as 15.000000000000002
    ("negative, on a whole plan day", {"baseline": -5.5, "target": 2.5}, [(50, -4.3)], 50,
     {"progress": 0.15, "status": "off_track", "ahead_days": -35}),
    ("decrease into negatives", {"direction": "decrease", "baseline": 0.0, "target": -10.0},
     [(50, -7.0)], 50, {"expected": -5.0, "progress": 0.7, "status": "on_track",
                        "ahead_days": 20}),
    # ---- milestones: 50 by day 20, then 50 more by day 100
    ("milestone front-loads the plan", FRONT_LOADED, [(10, 25.0)], 10,
     {"expected": 25.0, "status": "on_track", "ahead_days": 0}),
    ("after the milestone", FRONT_LOADED, [(60, 60.0)], 60,
     {"expected": 75.0, "progress": 0.6, "status": "at_risk", "ahead_days": -24}),
    ("without the milestone the same value is ahead", {}, [(60, 60.0)], 60,
     {"expected": 60.0, "status": "on_track", "ahead_days": 0}),
    ("on a flat stretch of plan", PLATEAU, [(30, 50.0)], 30,
     {"expected": 50.0, "status": "on_track", "ahead_days": 0}),
    ("after a flat stretch", PLATEAU, [(50, 50.0)], 50,
     {"expected": 50.0 + 50.0 * 10 / 60, "ahead_days": -10}),
    # ---- thresholds: no ahead days; achieved/missed only after due
    ("at least holds", AT_LEAST, [(50, 100.0)], 50,
     {"expected": 100.0, "progress": 1.0, "status": "on_track", "ahead_days": None}),
    ("at least misses by the tolerance", AT_LEAST, [(50, 90.0)], 50,
     {"progress": 0.0, "status": "at_risk", "ahead_days": None}),
    ("at least misses by more", AT_LEAST, [(50, 89.9)], 50, {"status": "off_track"}),
    ("at least on due day", AT_LEAST, [(50, 99.0)], 100, {"status": "at_risk"}),
    ("at least after due, held", AT_LEAST, [(50, 100.0)], 101, {"status": "achieved"}),
    ("at least after due, not held", AT_LEAST, [(50, 99.0)], 101, {"status": "missed"}),
    ("at least rising trend", AT_LEAST, [(10, 80.0), (20, 90.0)], 20,
     {"forecast": 170.0, "eta": day(30)}),
    ("at least negative target", {"direction": "at_least", "target": -10.0}, [(50, -11.0)],
     50, {"status": "at_risk", "expected": -10.0}),
    ("at most holds", AT_MOST, [(50, 20.0)], 50, {"progress": 1.0, "status": "on_track"}),
    ("at most misses by the tolerance", AT_MOST, [(50, 25.0)], 50, {"status": "at_risk"}),
    ("at most misses by more", AT_MOST, [(50, 25.5)], 50, {"status": "off_track"}),
    ("at most after due, held", AT_MOST, [(50, 20.0)], 101, {"status": "achieved"}),
    ("at most after due, not held", AT_MOST, [(50, 21.0)], 101, {"status": "missed"}),
    ("at most falling trend", AT_MOST, [(10, 40.0), (20, 30.0)], 20,
     {"forecast": -50.0, "eta": day(30)}),
    ("at most rising trend has no eta", AT_MOST, [(10, 10.0), (20, 15.0)], 20, {"eta": None}),
    ("at most zero, one incident", {"direction": "at_most", "target": 0.0}, [(50, 1.0)], 50,
     {"status": "off_track"}),
]  # fmt: skip

LONG = {"due": day(1000)}
CADENCES = [("daily", 1), ("weekly", 7), ("monthly", 31), ("quarterly", 92), ("yearly", 366)]
for cadence, limit in CADENCES:
    CASES.append((f"{cadence} fresh", {**LONG, "cadence": cadence}, [(500 - limit, 1.0)], 500,
                  {"stale": False, "last_date": day(500 - limit)}))  # fmt: skip
    CASES.append((f"{cadence} stale", {**LONG, "cadence": cadence}, [(499 - limit, 1.0)], 500,
                  {"stale": True}))  # fmt: skip
CASES += [
    ("never measured, one cadence in", {"cadence": "monthly"}, [], 31, {"stale": False}),
    ("never measured, past one cadence", {"cadence": "monthly"}, [], 32,
     {"stale": True, "status": "no_data"}),
    ("only measured before start", {"cadence": "monthly"}, [(-30, 5.0)], 10,
     {"stale": True, "status": "no_data", "actual": None, "last_date": day(-30)}),
    ("a later value does not freshen an earlier day", {"cadence": "weekly"},
     [(10, 5.0), (30, 9.0)], 20, {"stale": True, "actual": 5.0, "last_date": day(10)}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "points", "at", "want"),
    [pytest.param(f, p, a, w, id=name) for name, f, p, a, w in CASES],
)
def test_rule(
    fields: dict[str, Any], points: list[tuple[int, float]], at: int, want: dict[str, Any]
) -> None:
    result = compare(indicator(**fields), [(day(k), v) for k, v in points], day(at))
    assert result.at == day(at)
    got = {name: getattr(result, name) for name in want}
    for name, value in want.items():
        if isinstance(value, float):
            got[name] = pytest.approx(got[name], abs=1e-9) if got[name] is not None else None
    assert got == want


def test_there_are_enough_hand_computed_cases() -> None:
    assert len(CASES) >= 40


def test_series_order_does_not_matter() -> None:
    points = [(day(30), 25.0), (day(10), 10.0), (day(20), 40.0)]
    result = compare(indicator(), points, day(50))
    assert result.actual == 25.0
    assert result.forecast == pytest.approx(85.0)


def test_expected_at_follows_milestones_and_holds_at_the_ends() -> None:
    front = indicator(**FRONT_LOADED)
    assert [expected_at(front, day(k)) for k in (-10, 0, 10, 20, 60, 100, 200)] == [
        0.0, 0.0, 25.0, 50.0, 75.0, 100.0, 100.0,
    ]  # fmt: skip
    assert expected_at(indicator(**AT_MOST), day(-10)) == 20.0


def test_status_vocabulary() -> None:
    assert SEVERITY == (
        "missed", "off_track", "at_risk", "no_data", "on_track", "achieved", "not_started",
        "closed",
    )  # fmt: skip
    assert set(STATUS_GLYPH) == set(STATUS_WORD) == set(SEVERITY)
    assert len(set(STATUS_GLYPH.values())) == len(SEVERITY)
    assert all(len(glyph) == 1 for glyph in STATUS_GLYPH.values())
    assert STATUS_WORD["off_track"] == "off track"


# ----------------------------------------------------------------- roll-up


def goal(goal_id: int, parent: int | None = None, weight: float = 1.0) -> Goal:
    return Goal(id=goal_id, title=f"goal {goal_id}", parent_id=parent, weight=weight)


def wheel(
    goals: list[Goal], parts: list[tuple[Indicator, float | None]], at: int = 50
) -> dict[int, GoalRollUp]:
    series = {i.id: [(day(50), v)] for i, v in parts if v is not None}
    result = compare_wheel(goals, [i for i, _ in parts], series, day(at))
    assert set(result.indicators) == {i.id for i, _ in parts}
    assert all(isinstance(c, Comparison) for c in result.indicators.values())
    return dict(result.goals)


def test_roll_up_weights_outcomes_and_clamps() -> None:
    goals = wheel(
        [goal(1)],
        [
            (indicator(id=1, chain="outcome"), 50.0),  # 0.5, on track
            (indicator(id=2, chain="impact", weight=3.0), 120.0),  # 1.2 -> 1, achieved
            (indicator(id=3, chain="activity"), 0.0),  # not a result when outcomes exist
            (indicator(id=4, chain="input", target=200.0), 60.0),  # spending, not a result
        ],
    )
    rollup = goals[1]
    assert rollup.progress == pytest.approx((0.5 + 3 * 1.0) / 4)
    assert rollup.status == "on_track"
    assert rollup.activity_trap is False


def test_activity_trap_uses_activities_and_flags_it() -> None:
    goals = wheel(
        [goal(1)],
        [(indicator(id=1, chain="activity"), 20.0), (indicator(id=2, chain="output"), 60.0)],
    )
    assert goals[1].progress == pytest.approx(0.4)
    assert goals[1].activity_trap is True
    assert goals[1].status == "off_track"  # 0.2 against 0.5 expected


def test_parts_without_data_count_as_zero_and_raise_no_data() -> None:
    goals = wheel([goal(1)], [(indicator(id=1), 80.0), (indicator(id=2), None)])
    assert goals[1].progress == pytest.approx(0.4)
    assert goals[1].status == "no_data"


def test_child_goals_count_with_their_weight() -> None:
    goals = wheel(
        [goal(1), goal(2, parent=1, weight=2.0)],
        [(indicator(id=1, goal_id=1), 60.0), (indicator(id=2, goal_id=2), 30.0)],
    )
    assert goals[2].progress == pytest.approx(0.3)
    assert goals[2].status == "at_risk"
    assert goals[1].progress == pytest.approx((0.6 + 2 * 0.3) / 3)
    assert goals[1].status == "at_risk"  # the child's status rises to the parent


def test_negative_progress_counts_as_zero_and_worst_status_wins() -> None:
    goals = wheel([goal(1)], [(indicator(id=1), -40.0), (indicator(id=2), 100.0)], at=101)
    assert goals[1].progress == pytest.approx(0.5)
    assert goals[1].status == "missed"


def test_goal_without_parts() -> None:
    goals = wheel([goal(1), goal(2, parent=1)], [])
    assert goals[2].progress is None
    assert goals[2].status == "no_data"
    assert goals[1].progress == 0.0  # its only part, the empty child, shows nothing done
    assert goals[1].efficiency is None


def test_parent_cycle_does_not_hang() -> None:
    goals = wheel([goal(1, parent=2), goal(2, parent=1)], [(indicator(id=1, goal_id=2), 50.0)])
    assert set(goals) == {1, 2}
    assert goals[2].progress == pytest.approx(0.5)
    assert goals[1].progress == pytest.approx(0.5)  # goal 2 counted once, as its child


def test_efficiency_flags_spending_ahead_of_results() -> None:
    hours = indicator(id=2, chain="input", target=200.0)
    goals = wheel([goal(1)], [(indicator(id=1), 40.0), (hours, 120.0)])
    eff = goals[1].efficiency
    assert eff is not None
    assert (eff.spent, eff.results) == (pytest.approx(0.6), pytest.approx(0.4))
    assert eff.overspending is True


def test_efficiency_on_the_tolerance_is_not_overspending() -> None:
    hours = indicator(id=2, chain="input", target=200.0)
    goals = wheel([goal(1)], [(indicator(id=1), 40.0), (hours, 100.0)])
    eff = goals[1].efficiency
    assert eff is not None and eff.spent == pytest.approx(0.5)
    assert eff.overspending is False


def test_efficiency_of_a_budget_threshold_and_missing_spend() -> None:
    budget = indicator(id=2, chain="input", direction="at_most", baseline=0.0, target=1000.0)
    unlogged = indicator(id=3, chain="input", target=10.0, weight=3.0)
    goals = wheel([goal(1)], [(indicator(id=1), 10.0), (budget, 1200.0), (unlogged, None)])
    eff = goals[1].efficiency
    assert eff is not None
    assert eff.spent == pytest.approx(1.2 / 4)  # 120 % of one budget, nothing of the other
    assert eff.results == pytest.approx(0.1)
    assert eff.overspending is True  # 0.3 - 0.1 > 0.1
    assert goals[1].status == "off_track"  # the budget is not a result: only 0.1 vs 0.5 counts


def test_goal_measured_by_spending_alone_is_a_trap_without_progress() -> None:
    hours = indicator(id=1, chain="input", target=10.0)
    goals = wheel([goal(1)], [(hours, 4.0)])
    assert goals[1].progress is None
    assert goals[1].status == "no_data"
    assert goals[1].activity_trap is True
    assert goals[1].efficiency is not None
    assert goals[1].efficiency.spent == pytest.approx(0.4)
    assert goals[1].efficiency.overspending is True  # 40 % spent, no result to show


def test_a_closed_goal_is_closed_and_no_longer_drags_its_parent() -> None:
    closed = Goal(
        id=2, title="done", parent_id=1, state="closed", outcome="missed", closing_comment=""
    )
    goals = wheel(
        [goal(1), closed, goal(3, parent=1)],
        [
            (indicator(id=1, goal_id=2, chain="outcome"), 5.0),  # off track when it closed
            (indicator(id=2, goal_id=3, chain="outcome"), 50.0),  # on track
        ],
    )
    assert goals[2].status == "closed"
    assert goals[2].progress == pytest.approx(0.05)  # its results still count
    assert goals[1].status == "on_track"
    assert goals[1].progress == pytest.approx((0.05 + 0.5) / 2)
    lonely = wheel([goal(1), Goal(id=2, title="x", parent_id=1, state="closed")], [])
    assert lonely[2].status == "closed" and lonely[1].status == "no_data"
