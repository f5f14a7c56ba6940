"""The read model: the wheel as every surface shows it on one day.

`Wheel.view(at)` builds a WheelView once per data version and day; the
Goals, Measure and Compare panes, `styr status` (table and JSON), the demo,
and later export and the report all read from it instead of re-deriving.
The rules stay in store.compare; this module only orders and shapes.

**The goal tree order** (one order everywhere): depth-first from the roots;
siblings, and the roots, open goals before closed ones, then the soonest due
first (a goal without a due date after those with one), then by id. A goal
whose parent is unknown or itself is a root. Goals caught in a parent cycle
have no root; they follow, each starting a branch at depth 0, in the same
order. **Indicators** of a goal are listed by id (the order they were added).

**One record per indicator and per goal**: a dict of JSON values (dates as
ISO strings). It is the `status --json` row, the comparison frozen inside a
review, the export row and the report's figures, so it is built here once.
A goal's `top_risk` is its open risk with the highest residual score
(residual probability x residual consequence, each falling back to the
inherent value where no residual is set; of equal scores the lower id),
as `{id, title, probability, consequence, score}` in residual terms, or None.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from store.compare import Comparison, GoalRollUp, Status, WheelComparison, compare_wheel
from store.documents import Goal, Indicator, Risk

Record = dict[str, Any]


def goal_order(goal: Goal) -> tuple[bool, date, int]:
    """The sort key of siblings in the goal tree: open first, soonest due, id."""
    return (goal.state == "closed", goal.due or date.max, goal.id)


def goal_tree(goals: Sequence[Goal]) -> list[tuple[Goal, int]]:
    """Every goal once, in tree order, with its depth (roots are 0)."""
    ordered_goals = sorted(goals, key=goal_order)
    known = {g.id for g in goals}
    kids: dict[int | None, list[Goal]] = {}
    for g in ordered_goals:
        parent = g.parent_id if g.parent_id in known and g.parent_id != g.id else None
        kids.setdefault(parent, []).append(g)
    ordered: list[tuple[Goal, int]] = []
    seen: set[int] = set()
    for start in kids.get(None, []) + ordered_goals:
        # depth-first without recursion: deep cascades must not hit the recursion limit
        stack = [(start, 0)]
        while stack:
            goal, depth = stack.pop()
            if goal.id in seen:
                continue
            seen.add(goal.id)
            ordered.append((goal, depth))
            stack.extend((c, depth + 1) for c in reversed(kids.get(goal.id, [])))
    return ordered


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def top_risk(risks: Sequence[Risk]) -> Record | None:
    """The open risk with the highest residual score, as its record; None without one."""
    open_risks = [r for r in risks if r.state == "open"]
    if not open_risks:
        return None
    risk = min(open_risks, key=lambda r: (-r.residual_score, r.id))
    p, c = risk.residual
    return {"id": risk.id, "title": risk.title, "probability": p, "consequence": c, "score": p * c}


def indicator_record(indicator: Indicator, goal: Goal | None, c: Comparison) -> Record:
    return {
        "indicator_id": indicator.id,
        "indicator": indicator.name,
        "goal_id": indicator.goal_id,
        "goal": goal.title if goal else None,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "aggregation": indicator.aggregation,
        "chain": indicator.chain,
        "cadence": indicator.cadence,
        "weight": indicator.weight,
        "tolerance": indicator.tolerance,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "start": _iso(indicator.start),
        "due": _iso(indicator.due),
        "at": _iso(c.at),
        "actual": c.actual,
        "expected": c.expected,
        "progress": c.progress,
        "status": c.status,
        "ahead_days": c.ahead_days,
        "forecast": c.forecast,
        "eta": _iso(c.eta),
        "stale": c.stale,
        "last_date": _iso(c.last_date),
    }


def goal_record(
    goal: Goal, depth: int, rollup: GoalRollUp, at: date, risk: Record | None
) -> Record:
    eff = rollup.efficiency
    return {
        "goal_id": goal.id,
        "goal": goal.title,
        "parent_id": goal.parent_id,
        "depth": depth,
        "owner": goal.owner,
        "state": goal.state,
        "outcome": goal.outcome,
        "agreed_by": goal.agreed_by,
        "agreed_on": _iso(goal.agreed_on),
        "start": _iso(goal.start),
        "due": _iso(goal.due),
        "weight": goal.weight,
        "at": _iso(at),
        "progress": rollup.progress,
        "status": rollup.status,
        "activity_trap": rollup.activity_trap,
        "efficiency": None
        if eff is None
        else {"spent": eff.spent, "results": eff.results, "overspending": eff.overspending},
        "top_risk": risk,
    }


@dataclass(frozen=True, slots=True)
class GoalNode:
    """One goal in tree order: its depth, roll-up and indicators (by id)."""

    goal: Goal
    depth: int
    rollup: GoalRollUp
    indicators: tuple[Indicator, ...]


class WheelView:
    """The whole wheel on day `at`, as of one data `version`. Treat the
    records as read-only: they are shared by every reader of this view."""

    def __init__(
        self,
        version: Hashable,
        at: date,
        goals: Sequence[Goal],
        indicators: Sequence[Indicator],
        risks: Sequence[Risk],
        series: Mapping[int, Sequence[tuple[date, float]]] | WheelComparison,
    ) -> None:
        """`series`: every indicator's measurements, or their comparison on
        day `at` already made (kept by the backend from an earlier run)."""
        self.version = version
        self.at = at
        self.comparison: WheelComparison = (
            series
            if isinstance(series, WheelComparison)
            else compare_wheel(goals, indicators, series, at)
        )
        by_goal: dict[int, list[Indicator]] = {}
        for indicator in sorted(indicators, key=lambda i: i.id):
            by_goal.setdefault(indicator.goal_id, []).append(indicator)
        self.nodes: tuple[GoalNode, ...] = tuple(
            GoalNode(goal, depth, self.comparison.goals[goal.id], tuple(by_goal.get(goal.id, ())))
            for goal, depth in goal_tree(goals)
        )
        self._node = {node.goal.id: node for node in self.nodes}
        self._position = {node.goal.id: n for n, node in enumerate(self.nodes)}
        self._indicator = {i.id: i for i in indicators}
        self._risks: dict[int, list[Risk]] = {}
        for risk in risks:
            self._risks.setdefault(risk.goal_id, []).append(risk)
        self._records: dict[tuple[str, int], Record] = {}

    # ------------------------------------------------------------ lookup
    def node(self, goal_id: int) -> GoalNode:
        return self._node[goal_id]

    def has_goal(self, goal_id: int) -> bool:
        return goal_id in self._node

    def has_indicator(self, indicator_id: int) -> bool:
        return indicator_id in self._indicator

    def indicator(self, indicator_id: int) -> Indicator:
        return self._indicator[indicator_id]

    def subtree(self, goal_id: int) -> tuple[GoalNode, ...]:
        """The goal and every goal below it, in tree order: a contiguous run
        of the tree starting at the goal, up to the next goal not deeper."""
        start = self._position[goal_id]
        depth = self.nodes[start].depth
        end = start + 1
        while end < len(self.nodes) and self.nodes[end].depth > depth:
            end += 1
        return self.nodes[start:end]

    def kept(
        self, keep: Callable[[Goal], bool] | None, nodes: Sequence[GoalNode] | None = None
    ) -> tuple[GoalNode, ...]:
        """The nodes (default: the whole tree) whose goal `keep` keeps, in
        tree order, each at its depth among those kept: a goal whose parent
        is left out hangs under its nearest kept ancestor (or becomes a
        root), so the rows still draw as a tree. Without `keep`, all."""
        rows = self.nodes if nodes is None else nodes
        if keep is None:
            return tuple(rows)
        kept: list[GoalNode] = []
        # the ancestors of the node at hand: (depth in the tree, whether kept)
        path: list[tuple[int, bool]] = []
        for node in rows:
            while path and path[-1][0] >= node.depth:
                path.pop()
            taken = keep(node.goal)
            if taken:
                depth = sum(1 for _, was in path if was)
                kept.append(node if depth == node.depth else replace(node, depth=depth))
            path.append((node.depth, taken))
        return tuple(kept)

    # ----------------------------------------------------------- records
    def indicator_record(self, indicator_id: int) -> Record:
        key = ("indicator", indicator_id)
        record = self._records.get(key)
        if record is None:
            indicator = self._indicator[indicator_id]
            node = self._node.get(indicator.goal_id)
            comparison = self.comparison.indicators[indicator_id]
            record = indicator_record(indicator, node.goal if node else None, comparison)
            self._records[key] = record
        return record

    def goal_record(self, goal_id: int) -> Record:
        key = ("goal", goal_id)
        record = self._records.get(key)
        if record is None:
            node = self._node[goal_id]
            risk = top_risk(self._risks.get(goal_id, ()))
            record = goal_record(node.goal, node.depth, node.rollup, self.at, risk)
            self._records[key] = record
        return record

    def indicator_records(
        self, nodes: Sequence[GoalNode] | None = None, status: Status | None = None
    ) -> list[Record]:
        """The records of the indicators of `nodes` (default: all), in order."""
        return [
            self.indicator_record(i.id)
            for node in (self.nodes if nodes is None else nodes)
            for i in node.indicators
            if status is None or self.comparison.indicators[i.id].status == status
        ]

    def goal_records(
        self, nodes: Sequence[GoalNode] | None = None, status: Status | None = None
    ) -> list[Record]:
        """The records of `nodes` (default: every goal), in tree order."""
        return [
            self.goal_record(node.goal.id)
            for node in (self.nodes if nodes is None else nodes)
            if status is None or node.rollup.status == status
        ]
