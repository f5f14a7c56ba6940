"""Properties the comparison rules keep for any indicator, series and day."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from store import record
from store.compare import SEVERITY, compare, compare_wheel, counted
from store.documents import AGGREGATIONS, CADENCES, CHAIN_LEVELS, Goal, Indicator

SETTINGS = settings(max_examples=100, deadline=None)
# whole wheels are slower to draw; fewer of them keep the file at a few seconds
WHEEL_SETTINGS = settings(max_examples=40, deadline=None)
EPOCH = date(2024, 1, 1)
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# the order a user wants: better statuses rank higher (not_started and no_data never arise here)
GOODNESS = {"missed": 0, "off_track": 1, "at_risk": 2, "on_track": 3, "achieved": 4}


@st.composite
def indicators(
    draw: st.DrawFn, directions: tuple[str, ...] = ("increase", "decrease")
) -> Indicator:
    direction = draw(st.sampled_from(directions))
    start = EPOCH + timedelta(days=draw(st.integers(0, 2000)))
    span = draw(st.integers(1, 800))
    low = draw(values)
    high = draw(values.filter(lambda v: v != low))
    low, high = min(low, high), max(low, high)
    baseline, target = (low, high) if direction in ("increase", "at_least") else (high, low)
    milestones: list[tuple[date, float]] = []
    if direction in ("increase", "decrease") and span > 2:
        days = sorted(set(draw(st.lists(st.integers(1, span - 1), max_size=3))))
        shares = sorted(draw(st.lists(st.floats(0, 1), min_size=len(days), max_size=len(days))))
        milestones = [
            (start + timedelta(days=d), baseline + (target - baseline) * share)
            for d, share in zip(days, shares, strict=True)
        ]
    return Indicator(
        id=draw(st.integers(1, 10_000)),
        goal_id=1,
        name="p",
        baseline=baseline,
        target=target,
        start=start,
        due=start + timedelta(days=span),
        direction=direction,  # type: ignore[arg-type]
        aggregation=draw(st.sampled_from(AGGREGATIONS)),
        chain=draw(st.sampled_from(CHAIN_LEVELS)),
        weight=draw(st.floats(0.1, 10)),
        cadence=draw(st.sampled_from(CADENCES)),
        milestones=tuple(milestones),
        tolerance=draw(st.floats(0, 0.99)),
    )


def series_for(indicator: Indicator) -> Any:
    span = (indicator.due - indicator.start).days
    day = st.integers(-30, span + 60).map(lambda k: indicator.start + timedelta(days=k))
    return st.lists(st.tuples(day, values), max_size=25).map(sorted)


def day_near(indicator: Indicator) -> Any:
    span = (indicator.due - indicator.start).days
    return st.integers(-30, span + 90).map(lambda k: indicator.start + timedelta(days=k))


@SETTINGS
@given(st.data())
def test_progress_and_status_are_monotone_in_the_actual(data: st.DataObject) -> None:
    indicator = data.draw(indicators())
    at = data.draw(day_near(indicator).filter(lambda d: d >= indicator.start))
    a, b = sorted(data.draw(st.tuples(values, values)))
    low = compare(indicator, [(indicator.start, a)], at)
    high = compare(indicator, [(indicator.start, b)], at)
    assert low.progress is not None and high.progress is not None
    better, worse = (high, low) if indicator.direction == "increase" else (low, high)
    assert better.progress >= worse.progress  # type: ignore[operator]
    assert GOODNESS[better.status] >= GOODNESS[worse.status]


@SETTINGS
@given(st.data())
def test_never_achieved_below_full_progress(data: st.DataObject) -> None:
    indicator = data.draw(indicators())
    result = compare(indicator, data.draw(series_for(indicator)), data.draw(day_near(indicator)))
    if result.progress is not None and result.progress < 1:
        assert result.status != "achieved"
    if result.status == "achieved":
        assert result.progress is not None and result.progress >= 1
    assert result.status in SEVERITY


@SETTINGS
@given(st.data(), st.floats(0.99, 1, exclude_max=True) | st.floats(0, 1, exclude_max=True))
def test_never_achieved_short_of_the_target(data: st.DataObject, share: float) -> None:
    indicator = data.draw(indicators())
    at = data.draw(day_near(indicator).filter(lambda d: d >= indicator.start))
    actual = indicator.baseline + share * (indicator.target - indicator.baseline)
    result = compare(indicator, [(indicator.start, actual)], at)
    assert result.progress is not None
    if result.progress < 1:
        assert result.status != "achieved"


@SETTINGS
@given(st.data())
def test_the_counted_values_alone_make_the_same_judgement(data: st.DataObject) -> None:
    """What a chart draws (store.compare.counted) is all the status rests on."""
    directions = ("increase", "decrease", "at_least", "at_most")
    indicator = data.draw(indicators(directions))
    points = data.draw(series_for(indicator))
    at = data.draw(day_near(indicator))
    shown = counted(indicator, points, at)
    assert all(indicator.start <= day <= at for day, _ in shown)
    whole, alone = compare(indicator, points, at), compare(indicator, shown, at)
    # only the cadence clock also reads the latest value before the start
    assert alone == dataclasses.replace(whole, stale=alone.stale, last_date=alone.last_date)
    assert len(shown) == sum(indicator.start <= day <= at for day, _ in points)


def _shift(indicator: Indicator, days: int) -> Indicator:
    move = timedelta(days=days)
    return record.replace(
        indicator,
        start=indicator.start + move,
        due=indicator.due + move,
        milestones=tuple((d + move, v) for d, v in indicator.milestones),
    )


@SETTINGS
@given(st.data(), st.integers(-1500, 1500))
def test_shifting_every_date_changes_only_the_dates(data: st.DataObject, days: int) -> None:
    directions = ("increase", "decrease", "at_least", "at_most")
    indicator = data.draw(indicators(directions))
    points = data.draw(series_for(indicator))
    at = data.draw(day_near(indicator))
    move = timedelta(days=days)
    before = compare(indicator, points, at)
    after = compare(_shift(indicator, days), [(d + move, v) for d, v in points], at + move)
    assert after == dataclasses.replace(
        before,
        at=before.at + move,
        eta=None if before.eta is None else before.eta + move,
        last_date=None if before.last_date is None else before.last_date + move,
    )


@st.composite
def wheels(draw: st.DrawFn) -> tuple[list[Goal], list[Indicator], dict[int, Any], date]:
    count = draw(st.integers(1, 8))
    goals = [
        Goal(
            id=n,
            title=f"g{n}",
            parent_id=draw(st.none() | st.integers(1, count)),  # may even point at itself
            weight=draw(st.floats(0.1, 5)),
        )
        for n in range(1, count + 1)
    ]
    all_directions = ("increase", "decrease", "at_least", "at_most")
    found = draw(st.lists(indicators(all_directions), max_size=10, unique_by=lambda i: i.id))
    placed = [record.replace(i, goal_id=draw(st.integers(1, count))) for i in found]
    series = {i.id: draw(series_for(i)) for i in placed}
    return goals, placed, series, EPOCH + timedelta(days=draw(st.integers(-30, 3000)))


@WHEEL_SETTINGS
@given(wheels())
def test_roll_up_stays_within_0_and_1(wheel: Any) -> None:
    goals, found, series, at = wheel
    result = compare_wheel(goals, found, series, at)
    assert set(result.goals) == {g.id for g in goals}
    for rollup in result.goals.values():
        assert rollup.progress is None or 0.0 <= rollup.progress <= 1.0
        assert rollup.status in SEVERITY
        if rollup.efficiency is not None:
            assert rollup.efficiency.spent >= 0
            assert 0.0 <= rollup.efficiency.results <= 1.0


@WHEEL_SETTINGS
@given(wheels(), st.integers(-1000, 1000))
def test_shifting_a_wheel_keeps_its_roll_ups(wheel: Any, days: int) -> None:
    goals, found, series, at = wheel
    move = timedelta(days=days)
    moved = {k: [(d + move, v) for d, v in s] for k, s in series.items()}
    before = compare_wheel(goals, found, series, at)
    after = compare_wheel(goals, [_shift(i, days) for i in found], moved, at + move)
    assert after.goals == before.goals
