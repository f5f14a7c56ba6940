"""A character-grid chart of an indicator's actual values against its plan line.

It reads without colour: the plan is drawn with `·`, the plan as it stood
before a revision with `╌` (where it differs from today's), actual values
with `●`, today's column with `│`, and a legend says so. Colour only adds
emphasis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.reactive import var
from textual.widget import Widget

from store.compare import plan_value
from store.format import number

PLAN_MARK = "·"
OLD_MARK = "╌"
ACTUAL_MARK = "●"
TODAY_MARK = "│"
LEGEND = f"{PLAN_MARK} plan  {ACTUAL_MARK} actual  {TODAY_MARK} today"
# with an earlier plan drawn; the short one where the long does not fit
LEGENDS_REVISED = (
    f"{PLAN_MARK} plan  {OLD_MARK} old plan  {ACTUAL_MARK} actual  {TODAY_MARK} today",
    f"{PLAN_MARK}plan {OLD_MARK}old {ACTUAL_MARK}actual {TODAY_MARK}today",
)
# rows taken by the legend, the x axis and the date labels
OVERHEAD_ROWS = 3
MIN_PLOT = 3


@dataclass(frozen=True, slots=True)
class ChartData:
    """What to draw: the plan's corner points and the actual values, oldest
    first, and the corner points of each plan a revision replaced."""

    plan: tuple[tuple[date, float], ...]
    actual: tuple[tuple[date, float], ...]
    today: date
    earlier: tuple[tuple[tuple[date, float], ...], ...] = ()


Run = tuple[str, str]
"""A piece of one line: its text and its role (plan, old, actual, today, axis)."""


def render_chart(data: ChartData, width: int, height: int) -> list[list[Run]]:
    """The chart as lines of (text, role) runs; the widget styles the roles."""
    plan, actual = data.plan, data.actual
    if not plan:
        return [[("no plan to draw", "axis")]]
    earlier = [points for points in data.earlier if points]
    old_points = [point for points in earlier for point in points]
    values = [v for _, v in plan] + [v for _, v in actual] + [v for _, v in old_points]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    labels = [number(high, compact=True), number(low, compact=True)]
    gutter = max(len(label) for label in labels) + 1
    plot_w = max(width - gutter - 1, 4)
    plot_h = max(height - OVERHEAD_ROWS, MIN_PLOT)
    days = [d for d, _ in plan] + [d for d, _ in actual] + [d for d, _ in old_points]
    days.append(data.today)
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def column(day: date) -> int:
        return round((day - first).days / span * (plot_w - 1))

    def row(value: float) -> int:
        return round((high - value) / (high - low) * (plot_h - 1))

    grid: list[list[Run]] = [[(" ", "axis")] * plot_w for _ in range(plot_h)]
    today_col = column(data.today)
    for r in range(plot_h):
        grid[r][today_col] = (TODAY_MARK, "today")
    for c in range(plot_w):
        day = first + timedelta(days=round(c * span / (plot_w - 1)))
        for points in earlier:
            grid[row(plan_value(points, day))][c] = (OLD_MARK, "old")
        # today's plan over the old where they meet: the old shows where it moved
        grid[row(plan_value(plan, day))][c] = (PLAN_MARK, "plan")
    latest: dict[int, float] = {}
    for day, value in actual:
        latest[column(day)] = value
    for c, value in latest.items():
        grid[row(value)][c] = (ACTUAL_MARK, "actual")

    legend = LEGEND
    if earlier:
        fits = [text for text in LEGENDS_REVISED if gutter + 1 + len(text) <= width]
        legend = fits[0] if fits else LEGENDS_REVISED[-1]
    lines: list[list[Run]] = [[(" " * (gutter + 1) + legend, "axis")]]
    for r, cells in enumerate(grid):
        label = labels[0] if r == 0 else labels[1] if r == plot_h - 1 else ""
        lines.append(
            _merged([(label.rjust(gutter - 1) + " " + ("┤" if label else "│"), "axis"), *cells])
        )
    axis = ["─"] * plot_w
    axis[today_col] = "┴"
    lines.append([(" " * gutter + "└" + "".join(axis), "axis")])
    start, end = first.isoformat(), last.isoformat()
    room = plot_w - len(start) - len(end)
    lines.append(
        [(" " * (gutter + 1) + (start + " " * room + end if room >= 1 else start), "axis")]
    )
    return lines


def _merged(runs: list[Run]) -> list[Run]:
    """Neighbouring runs of one role joined: far fewer pieces to style."""
    merged: list[Run] = []
    for text, role in runs:
        if merged and merged[-1][1] == role:
            merged[-1] = (merged[-1][0] + text, role)
        else:
            merged.append((text, role))
    return merged


def plain_chart(data: ChartData, width: int, height: int) -> str:
    """The chart without any styling, as a terminal without colour shows it."""
    return "\n".join(
        "".join(text for text, _ in line) for line in render_chart(data, width, height)
    )


class PlanChart(Widget):
    """The plan line of one indicator and its actual values over time.

    The owner sets `data` (a `ChartData`, or None for nothing selected);
    the chart never reads the store.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "plan-chart--plan",
        "plan-chart--old",
        "plan-chart--actual",
        "plan-chart--today",
        "plan-chart--axis",
    }

    DEFAULT_CSS = """
    PlanChart {
        height: 12;
        min-height: 7;
        & > .plan-chart--plan { color: $text-muted; }
        & > .plan-chart--old { color: $text-disabled; }
        & > .plan-chart--actual { color: $accent; text-style: bold; }
        & > .plan-chart--today { color: $warning; }
        & > .plan-chart--axis { color: $text-muted; }
    }
    """

    data: var[ChartData | None] = var(None)
    """What to draw; None shows a hint instead."""

    def watch_data(self) -> None:
        self.refresh()

    def render(self) -> Text:
        if self.data is None:
            return Text("Select an indicator to see its plan and actual values.", style="italic")
        roles = {
            role: self.get_component_rich_style(f"plan-chart--{role}", partial=True)
            for role in ("plan", "old", "actual", "today", "axis")
        }
        result = Text(no_wrap=True, overflow="crop")
        for index, line in enumerate(render_chart(self.data, self.size.width, self.size.height)):
            if index:
                result.append("\n")
            for text, role in line:
                result.append(text, style=roles[role])
        return result
