"""The comparison rules: where each indicator and goal stands against its plan.

Pure functions, no I/O. The TUI, the CLI and reports all show these numbers,
so there is one place that decides them. The rules are those of DESIGN.md
("The comparison rules"); where the design is silent, this module decides:

- **Series** are (date, value) pairs as `Wheel.series` gives them, oldest
  first; they are re-sorted by date here (stably, so of several values on
  one day the one listed last counts as that day's `last`). Values dated
  after the comparison day are ignored everywhere.
- **Float noise**: sums and means use exact summation, a progress within
  1e-9 of 1 counts as exactly 1, and every tolerance boundary is inclusive
  with 1e-9 of slack, so a value typed exactly on a boundary lands on the
  kinder side and never flips on rounding.
- **ahead_days**: the first *whole* day on which the plan line has reached
  the actual, clamped to [start, due], minus the comparison day. Exactly on
  plan is 0; part of a day ahead counts as a day ahead. One refinement: where
  the plan is flat at exactly the actual's level (a milestone equal to the
  one before), a day inside that stretch is 0 and a day after it counts from
  its end, so a user who stands on a flat plan is not shown as behind.
- **forecast / eta**: the least-squares line through (day, actual as it stood
  at the end of that day) for each measurement day from start up to the
  comparison day. `eta` is the first whole day on which that line has reached
  the target; it is None when the line is flat or moves the wrong way for the
  direction (down for increase/at_least, up for decrease/at_most), or when
  that day would lie beyond the calendar. It may lie in the past: the day the
  trend crossed the target.
- **stale**: the latest measurement on or before the comparison day (before
  start too: a value from the previous period still tells the cadence clock
  when one was last taken). An indicator that has begun and was never
  measured is stale once more than one cadence has passed since its start;
  before its start nothing is stale.
- **Goal roll-up**: the parts are the goal's result indicators plus its child
  goals (weighted by the child goal's weight). Result indicators are its
  `outcome` and `impact` indicators; without any, its `activity` and `output`
  indicators, and the goal is flagged as an activity trap (so is a goal
  measured by input indicators alone: it counts spending, not results). `input`
  indicators (hours, money) are never results: they feed the efficiency, not
  the progress or the status. A part without a progress (not started, no
  data, a child goal without parts) counts as 0 in the weighted mean, because
  no evidence of progress is not progress; its status still counts for the
  goal's status. A goal without any part has progress None and status
  `no_data`: there is nothing to judge it by, which deserves attention.
  Cycles in parent links are broken where they are found; a goal whose parent
  is unknown is a root.
- **Efficiency**: each input indicator's share of budget spent is
  (actual - baseline) / (target - baseline) whatever its direction (for a
  threshold whose baseline equals its target, actual / target), 0 without
  data, never below 0 but not capped at 1 so overspending shows. `spent` is
  the weighted mean of these shares, `results` the goal's rolled-up progress
  (0 when it has none), and the goal overspends when spent - results exceeds
  the weighted mean tolerance of its input indicators.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate, compress, islice, pairwise, repeat
from operator import mul, ne, sub
from typing import Any, Final, Literal

from store.documents import Goal, Indicator
from store.record import replace
from store.series import DaySeries

Status = Literal[
    "not_started", "no_data", "on_track", "at_risk", "off_track", "achieved", "missed", "closed"
]  # fmt: skip
# `closed` is a goal's alone: its period is over and it has an outcome instead
SEVERITY: Final[tuple[Status, ...]] = (
    "missed", "off_track", "at_risk", "no_data", "on_track", "achieved", "not_started", "closed",
)  # fmt: skip
STATUS_GLYPH: Final[dict[Status, str]] = {
    "missed": "✗",
    "off_track": "▼",
    "at_risk": "!",
    "no_data": "?",
    "on_track": "●",
    "achieved": "✓",
    "not_started": "·",
    "closed": "■",
}
STATUS_WORD: Final[dict[Status, str]] = {
    "missed": "missed",
    "off_track": "off track",
    "at_risk": "at risk",
    "no_data": "no data",
    "on_track": "on track",
    "achieved": "achieved",
    "not_started": "not started",
    "closed": "closed",
}
CADENCE_DAYS: Final[dict[str, int]] = {
    "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366,
}  # fmt: skip
RESULT_CHAIN: Final = ("outcome", "impact")
ACTIVITY_CHAIN: Final = ("activity", "output")
EPS: Final = 1e-9
_RANK: Final[dict[Status, int]] = {status: rank for rank, status in enumerate(SEVERITY)}
_LAST_ORDINAL: Final = date.max.toordinal()


@dataclass(frozen=True, slots=True)
class Comparison:
    """One indicator's actual against its plan on day `at`."""

    indicator_id: int
    at: date
    actual: float | None
    expected: float
    progress: float | None  # unclamped
    status: Status
    ahead_days: int | None  # + ahead of plan, - behind
    forecast: float | None  # least-squares value at due
    eta: date | None
    stale: bool
    last_date: date | None


@dataclass(frozen=True, slots=True)
class Efficiency:
    """What an input indicator has spent against the results it pays for."""

    spent: float  # share of the input budget used, 0..
    results: float  # progress of the results it pays for, 0..1
    overspending: bool  # spending ahead of results by more than the tolerance


@dataclass(frozen=True, slots=True)
class GoalRollUp:
    """A goal's progress and status, rolled up from its indicators and sub-goals."""

    goal_id: int
    progress: float | None  # weighted, clamped to [0, 1]
    status: Status
    activity_trap: bool
    efficiency: Efficiency | None


@dataclass(frozen=True, slots=True)
class WheelComparison:
    """Every indicator and goal of a wheel compared on day `at`."""

    at: date
    indicators: dict[int, Comparison]
    goals: dict[int, GoalRollUp]


def most_severe(statuses: Sequence[Status]) -> Status:
    """The status that needs attention first (SEVERITY order)."""
    return min(statuses, key=_RANK.__getitem__)


def clamp01(value: float) -> float:
    return 0.0 if value < 0 else 1.0 if value > 1 else value


def is_threshold(indicator: Indicator) -> bool:
    return indicator.direction in ("at_least", "at_most")


# ------------------------------------------------------------ plan line


PlanPoints = tuple[tuple[date, float], ...]


def plan_points(indicator: Indicator) -> PlanPoints:
    """The corner points of the plan line, oldest first: a threshold is flat at
    its target; otherwise baseline at start, the milestones, target at due."""
    if is_threshold(indicator):
        return ((indicator.start, indicator.target), (indicator.due, indicator.target))
    return (
        (indicator.start, indicator.baseline),
        *indicator.milestones,
        (indicator.due, indicator.target),
    )


def earlier_plans(indicator: Indicator) -> list[PlanPoints]:
    """The plan line as it stood before each of the indicator's revisions,
    oldest first: its fields now, with each revision's old values put back,
    newest revision first. A revision whose old values cannot be read (a
    hand-edited store) ends the walk back: what lies before it is unknown."""
    plans: list[PlanPoints] = []
    fields: dict[str, Any] = {}
    for revision in reversed(indicator.revisions):
        try:
            for name, (old, _new) in revision.changes.items():
                fields[name] = _plan_field(name, old)
            plans.append(plan_points(replace(indicator, **fields)))
        except (TypeError, ValueError):
            break
    return plans[::-1]


def _plan_field(name: str, value: Any) -> Any:
    """A revised field's old value, as stored, in the indicator's own type."""
    if name == "due":
        return value if isinstance(value, date) else date.fromisoformat(value)
    if name == "milestones":
        return tuple(
            (day if isinstance(day, date) else date.fromisoformat(day), float(amount))
            for day, amount in value or ()
        )
    return float(value)


def plan_value(points: Sequence[tuple[date, float]], day: date) -> float:
    """The plan line through `points` at `day`: linear between corner points,
    flat before the first and after the last. Charts draw the line with this."""
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in pairwise(points):
        if day <= d1:
            return v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
    return points[-1][1]


def expected_at(indicator: Indicator, day: date) -> float:
    """The plan line: baseline before start, through the milestones, target after due."""
    return plan_value(plan_points(indicator), day)


def _reach_days(
    points: Sequence[tuple[int, float]], actual: float, rising: bool
) -> tuple[int, int]:
    """First and last whole day (ordinals) on which the plan line stands at `actual`.

    They differ only where the plan is flat at exactly that value; elsewhere
    both are the first whole day on which the line has reached it, within
    [start, due].
    """
    sign = 1.0 if rising else -1.0
    wanted = sign * actual
    first = points[-1][0]
    if wanted <= sign * points[0][1]:
        first = points[0][0]
    else:
        for (d0, v0), (d1, v1) in pairwise(points):
            low, high = sign * v0, sign * v1
            if wanted <= high:
                offset = (wanted - low) / (high - low) * (d1 - d0)
                first = min(d1, d0 + math.ceil(offset - EPS))
                break
    last = first
    for (d0, v0), (d1, v1) in pairwise(points):
        if d0 == last and v0 == v1 and abs(sign * v0 - wanted) <= EPS * max(1.0, abs(wanted)):
            last = d1
    return first, last


def _ahead(indicator: Indicator, actual: float, at: date) -> int:
    rising = indicator.target >= indicator.baseline
    ordinals = [(day.toordinal(), value) for day, value in plan_points(indicator)]
    first, last = _reach_days(ordinals, actual, rising)
    day = at.toordinal()
    # on a flat stretch of plan at the actual's level the user is on plan, not behind
    return first - day if day < first else last - day if day > last else 0


# ----------------------------------------------------------- indicator


def _aggregate(values: Sequence[float], aggregation: str) -> float:
    if aggregation == "last":
        return values[-1]
    if aggregation == "sum":
        return math.fsum(values)
    if aggregation == "mean":
        return math.fsum(values) / len(values)
    if aggregation == "max":
        return max(values)
    return min(values)


def running_actuals(
    points: Sequence[tuple[date, float]], aggregation: str
) -> tuple[list[int], list[float]]:
    """(day ordinal, actual as it stood at the end of that day) for each measurement day.

    `points` are the measurements that count, oldest first. The Compare pane
    draws its actual line from this too, so chart and forecast agree.
    """
    if isinstance(points, DaySeries):
        return _running(points.days, points.values, aggregation)
    return _running([day.toordinal() for day, _ in points], [v for _, v in points], aggregation)


def _running(
    days: Sequence[int], values: Sequence[float], aggregation: str
) -> tuple[list[int], list[float]]:
    """running_actuals over day ordinals and values, in C-level passes where
    they can be: the wheel compares thousands of these at each start."""
    if not days:
        return [], []
    running: Sequence[float]
    if aggregation == "last":
        running = values
    elif aggregation == "sum":
        running = list(accumulate(values))
    elif aggregation == "max":
        running = list(accumulate(values, max))
    elif aggregation == "min":
        running = list(accumulate(values, min))
    else:
        # an incremental mean stays exact for a constant series, so that reads as flat
        running, current = [], 0.0
        for count, value in enumerate(values, 1):
            current += (value - current) / count
            running.append(current)
    if len(set(days)) == len(days):  # one measurement a day: each is a day's last
        return list(days), list(running)
    # the last measurement of each day: where the next one is of another day
    ends = list(compress(range(len(days) - 1), map(ne, days, islice(days, 1, None))))
    ends.append(len(days) - 1)
    return list(map(days.__getitem__, ends)), list(map(running.__getitem__, ends))


def _trend(
    times: Sequence[int], actuals: Sequence[float], indicator: Indicator, origin: int
) -> tuple[float | None, date | None]:
    n = len(times)
    if n < 2:
        return None, None
    mean_t = sum(times) / n
    mean_y = sum(actuals) / n
    spread = list(map(sub, times, repeat(mean_t, n)))
    if max(actuals) == min(actuals):
        slope = 0.0
    else:
        centred = list(map(sub, actuals, repeat(mean_y, n)))
        slope = sum(map(mul, spread, centred)) / sum(map(mul, spread, spread))
    intercept = mean_y - slope * mean_t
    forecast = intercept + slope * (indicator.due.toordinal() - origin)
    rising = indicator.direction in ("increase", "at_least")
    if slope == 0 or (slope > 0) != rising:
        return forecast, None
    offset = (indicator.target - intercept) / slope
    if not math.isfinite(offset) or not 1 <= origin + offset <= _LAST_ORDINAL - 1:
        return forecast, None
    return forecast, date.fromordinal(origin + math.ceil(offset - EPS))


def _progress(indicator: Indicator, actual: float) -> float:
    baseline, target = indicator.baseline, indicator.target
    if is_threshold(indicator) or target == baseline:
        return 1.0 if _holds(indicator, actual) else 0.0
    progress = (actual - baseline) / (target - baseline)
    return 1.0 if abs(progress - 1.0) <= EPS else progress


def _holds(indicator: Indicator, actual: float) -> bool:
    slack = EPS * max(1.0, abs(indicator.target))
    if indicator.direction in ("increase", "at_least"):
        return actual >= indicator.target - slack
    return actual <= indicator.target + slack


def _status(
    indicator: Indicator, at: date, actual: float | None, progress: float | None, expected: float
) -> Status:
    if at < indicator.start:
        return "not_started"
    if actual is None or progress is None:
        return "no_data"
    tol = indicator.tolerance
    if is_threshold(indicator) or indicator.target == indicator.baseline:
        holds = _holds(indicator, actual)
        if at > indicator.due:
            return "achieved" if holds else "missed"
        if holds:
            return "on_track"
        miss = abs(actual - indicator.target)
        return "at_risk" if miss <= tol * abs(indicator.target) + EPS else "off_track"
    if progress >= 1:
        return "achieved"
    if at > indicator.due:
        return "missed"
    share = (expected - indicator.baseline) / (indicator.target - indicator.baseline)
    if progress >= share - tol - EPS:
        return "on_track"
    if progress >= share - 2 * tol - EPS:
        return "at_risk"
    return "off_track"


def _is_stale(indicator: Indicator, at: date, last: date | None) -> bool:
    if at < indicator.start:
        return False
    since = last if last is not None else indicator.start
    return (at - since).days > CADENCE_DAYS[indicator.cadence]


def due_for_value(indicator: Indicator, comparison: Comparison, goal: Goal | None) -> bool:
    """Whether Measure asks for a value now: none within its cadence and
    its period still running (past its due date, or once its goal is
    closed, no value is asked for)."""
    closed = goal is not None and goal.state == "closed"
    return comparison.stale and comparison.at <= indicator.due and not closed


def _counted_slice(indicator: Indicator, days: Sequence[int], at: date) -> tuple[int, int]:
    """(since, until): the positions in the sorted day ordinals `days` of
    the values the comparison on day `at` counts, those dated start..at;
    `until` alone also ends the values that tell the cadence clock."""
    until = bisect_right(days, at.toordinal())
    return bisect_left(days, indicator.start.toordinal(), 0, until), until


def counted(
    indicator: Indicator, series: Sequence[tuple[date, float]], at: date
) -> list[tuple[date, float]]:
    """The (date, value) pairs of `series` (oldest first) that the
    comparison on day `at` counts: those dated from the indicator's start
    up to `at`. Every chart of an indicator's values draws these, so its
    shape is the one the status is judged on."""
    columns = series if isinstance(series, DaySeries) else DaySeries.of_pairs(series)
    since, until = _counted_slice(indicator, columns.days, at)
    return columns[since:until]


def compare(indicator: Indicator, series: Sequence[tuple[date, float]], at: date) -> Comparison:
    """Where one indicator stands on day `at`, from its (date, value) series."""
    columns = series if isinstance(series, DaySeries) else DaySeries.of_pairs(series)
    days, all_values = columns.days, columns.values
    since, until = _counted_slice(indicator, days, at)
    last_date = date.fromordinal(days[until - 1]) if until else None
    expected = expected_at(indicator, at)

    actual: float | None = None
    progress: float | None = None
    ahead: int | None = None
    forecast: float | None = None
    eta: date | None = None
    if since < until:
        values = all_values[since:until]
        actual = _aggregate(values, indicator.aggregation)
        progress = _progress(indicator, actual)
        origin = indicator.start.toordinal()
        ordinals, actuals = _running(days[since:until], values, indicator.aggregation)
        times = list(map(sub, ordinals, repeat(origin, len(ordinals))))
        forecast, eta = _trend(times, actuals, indicator, origin)
        if not is_threshold(indicator):
            ahead = _ahead(indicator, actual, at)
    return Comparison(
        indicator_id=indicator.id,
        at=at,
        actual=actual,
        expected=expected,
        progress=progress,
        status=_status(indicator, at, actual, progress, expected),
        ahead_days=ahead,
        forecast=forecast,
        eta=eta,
        stale=_is_stale(indicator, at, last_date),
        last_date=last_date,
    )


# ---------------------------------------------------------------- goals


def _spent(indicator: Indicator, comparison: Comparison) -> float:
    if comparison.actual is None:
        return 0.0
    baseline = indicator.baseline if indicator.target != indicator.baseline else 0.0
    if indicator.target == baseline:
        return 0.0
    return max(0.0, (comparison.actual - baseline) / (indicator.target - baseline))


def _weighted(pairs: Sequence[tuple[float, float]]) -> float:
    total = math.fsum(weight for weight, _ in pairs)
    return math.fsum(weight * value for weight, value in pairs) / total


def _roll_up(
    goal: Goal,
    own: Sequence[Indicator],
    comparisons: Mapping[int, Comparison],
    children: Sequence[tuple[Goal, GoalRollUp]],
) -> GoalRollUp:
    results = [i for i in own if i.chain in RESULT_CHAIN]
    trap = bool(own) and not results
    if trap:
        results = [i for i in own if i.chain in ACTIVITY_CHAIN]
    parts: list[tuple[float, float | None, Status]] = [
        (i.weight, comparisons[i.id].progress, comparisons[i.id].status) for i in results
    ]
    parts += [(child.weight, rollup.progress, rollup.status) for child, rollup in children]
    if parts:
        progress: float | None = clamp01(
            _weighted([(w, 0.0 if p is None else clamp01(p)) for w, p, _ in parts])
        )
        # a closed sub-goal's results still count, but its status no longer
        # needs attention: it has an outcome
        status = most_severe([s for _, _, s in parts if s != "closed"] or ["no_data"])
    else:
        progress, status = None, "no_data"
    if goal.state == "closed":
        status = "closed"
    inputs = [i for i in own if i.chain == "input"]
    efficiency: Efficiency | None = None
    if inputs:
        spent = _weighted([(i.weight, _spent(i, comparisons[i.id])) for i in inputs])
        tolerance = _weighted([(i.weight, i.tolerance) for i in inputs])
        achieved = progress if progress is not None else 0.0
        efficiency = Efficiency(spent, achieved, spent - achieved > tolerance + EPS)
    return GoalRollUp(goal.id, progress, status, trap, efficiency)


def compare_wheel(
    goals: Sequence[Goal],
    indicators: Sequence[Indicator],
    series: Mapping[int, Sequence[tuple[date, float]]],
    at: date,
    kept: Mapping[int, Comparison] | None = None,
) -> WheelComparison:
    """Every indicator compared on day `at`, and every goal rolled up from its
    parts. `kept`: comparisons of some indicators already made on day `at`
    from the very same indicator and series (kept from an earlier run)."""
    kept = kept or {}
    comparisons = {
        i.id: kept[i.id] if i.id in kept else compare(i, series.get(i.id, ()), at)
        for i in indicators
    }
    by_goal: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_goal.setdefault(indicator.goal_id, []).append(indicator)
    known = {goal.id: goal for goal in goals}
    kids: dict[int, list[Goal]] = {}
    for goal in goals:
        if goal.parent_id is not None and goal.parent_id in known:
            kids.setdefault(goal.parent_id, []).append(goal)

    rollups: dict[int, GoalRollUp] = {}
    entered: set[int] = set()
    for root in goals:
        if root.id in entered:
            continue
        # depth-first without recursion: deep cascades must not hit the recursion limit
        stack: list[tuple[Goal, bool]] = [(root, False)]
        while stack:
            goal, expanded = stack.pop()
            if expanded:
                done = [(c, rollups[c.id]) for c in kids.get(goal.id, ()) if c.id in rollups]
                rollups[goal.id] = _roll_up(goal, by_goal.get(goal.id, ()), comparisons, done)
                continue
            if goal.id in entered:
                continue
            entered.add(goal.id)
            stack.append((goal, True))
            stack.extend((c, False) for c in kids.get(goal.id, ()) if c.id not in entered)
    return WheelComparison(at, comparisons, {g.id: rollups[g.id] for g in goals})
