"""The plain-text `styr status` table: fits the terminal, reads without colour.

Plain Python on purpose (no Textual, no Rich): the CLI must start fast. The
table fits the terminal's width (80 columns when stdout is not a terminal)
and never relies on colour: every status has a glyph and a word. Colour is
added only on a terminal, unless NO_COLOR is set or TERM is dumb.
"""

from __future__ import annotations

import os
import shutil
import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from store.compare import (
    SEVERITY,
    STATUS_WORD,
    Comparison,
    GoalRollUp,
    Status,
    clamp01,
    due_for_value,
)
from store.documents import Goal, Indicator
from store.format import STATUS_COLOUR, days, number, percent, status_label
from store.plain import plain
from store.views import GoalNode, WheelView

_ANSI = {"bold": "1", "red": "31", "yellow": "33", "magenta": "35", "green": "32", "dim": "2"}
_COLOUR: Mapping[Status, str] = {
    status: "\x1b[" + ";".join(_ANSI[word] for word in colour.split()) + "m"
    for status, colour in STATUS_COLOUR.items()
}
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"

# columns right of the name and value: bar, percent, status, plan, stale mark
BAR_W, PCT_W, STATUS_W, PLAN_W, STALE_W = 8, 6, 13, 6, 2
FIXED_W = 1 + 1 + BAR_W + PCT_W + 1 + STATUS_W + 1 + PLAN_W + STALE_W
VALUE_HEADING = "actual / target"
MAX_VALUE_W = 18
MIN_NAME_W = 12
MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Style:
    width: int = 80
    colour: bool = False
    unicode: bool = True

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        tty = stream.isatty()
        try:
            # an in-memory stream has no encoding and holds any text
            "█░✓●▼✗·⚠…≥≤".encode(getattr(stream, "encoding", None) or "utf-8")
            unicode = True
        except (UnicodeEncodeError, LookupError):
            unicode = False
        colour = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        width = shutil.get_terminal_size((80, 24)).columns if tty else 80
        return cls(width=max(width, 40), colour=colour, unicode=unicode)


# ---------------------------------------------------------------- selection

# -------------------------------------------------------------------- table


def cells(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters take two."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def fit(text: str, width: int, *, right: bool = False, ellipsis: str = "…") -> str:
    """`text` cut (with an ellipsis) or padded to exactly `width` columns."""
    if width <= 0:
        return ""
    if cells(text) > width:
        kept, used = [], cells(ellipsis)
        for char in text:
            size = cells(char)
            if used + size > width:
                break
            kept.append(char)
            used += size
        text = "".join(kept) + ellipsis
    pad = " " * (width - cells(text))
    return pad + text if right else text + pad


def bar(progress: float | None, style: Style) -> str:
    if progress is None:
        return " " * BAR_W
    eighths = round(clamp01(progress) * BAR_W * 8)
    if not style.unicode:
        full = round(eighths / 8)
        return "#" * full + "-" * (BAR_W - full)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    return ("█" * full + partial + "░" * BAR_W)[:BAR_W]


def paint(text: str, status: Status, style: Style) -> str:
    return f"{_COLOUR[status]}{text}{_RESET}" if style.colour else text


def value_text(indicator: Indicator, c: Comparison, style: Style) -> str:
    actual = number(c.actual, compact=True)
    sign = {"at_least": "≥", "at_most": "≤"}.get(indicator.direction, "")
    if sign and not style.unicode:
        sign = ">=" if sign == "≥" else "<="
    unit = f" {plain(indicator.unit)}" if indicator.unit else ""
    return f"{actual} / {sign}{number(indicator.target, compact=True)}{unit}"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table; `value` is None on a goal's line, `note` for a goal's flag."""

    indent: int
    name: str
    value: str | None = None
    progress: float | None = None
    status: Status | None = None
    plan: str = ""
    stale: bool = False


def _layout(rows: Sequence[Row], style: Style) -> tuple[int, int]:
    """(name end column, value width): the value column as wide as its widest entry allows."""
    widest = max((cells(r.value) for r in rows if r.value is not None), default=0)
    value_w = min(max(widest, cells(VALUE_HEADING)), MAX_VALUE_W)
    name_end = max(MIN_NAME_W + 2 * MAX_DEPTH, style.width - FIXED_W - value_w)
    return name_end, value_w


def _line(row: Row, name_end: int, value_w: int, style: Style) -> str:
    ellipsis = "…" if style.unicode else "~"
    lead = " " * row.indent
    if row.status is None:
        note = fit(row.name, max(MIN_NAME_W, style.width - row.indent), ellipsis=ellipsis)
        return (lead + note).rstrip()
    name_w = max(MIN_NAME_W, name_end - row.indent)
    if row.value is None:
        head = fit(row.name, name_w + 1 + value_w, ellipsis=ellipsis)
        if style.colour:
            head = f"{_BOLD}{head}{_RESET}"
    else:
        head = fit(row.name, name_w, ellipsis=ellipsis) + " "
        head += fit(row.value, value_w, right=True, ellipsis=ellipsis)
    gauge = bar(row.progress, style) + fit(percent(row.progress), PCT_W, right=True)
    word = fit(status_label(row.status, unicode=style.unicode), STATUS_W)
    tail = fit(row.plan, PLAN_W, right=True) + fit("*" if row.stale else "", STALE_W, right=True)
    painted = f"{paint(gauge, row.status, style)} {paint(word, row.status, style)}"
    return f"{lead}{head} {painted} {tail}".rstrip()


def _goal_rows(
    goal: Goal, depth: int, rollup: GoalRollUp, risk: int | None, style: Style
) -> list[Row]:
    indent = 2 * min(depth, MAX_DEPTH)
    mark = "⚠" if style.unicode else "!"
    # the goal's highest open risk beside its status, where an indicator's plan stands
    flag = "" if risk is None else f"{mark}{risk}"
    title = f"#{goal.id} {plain(goal.title)}"
    rows = [Row(indent, title, None, rollup.progress, rollup.status, flag)]
    if goal.state == "closed" and goal.outcome:
        comment = f": {plain(goal.closing_comment)}" if goal.closing_comment else ""
        rows.append(Row(indent + 2, f"closed, outcome {goal.outcome}{comment}"))
    if rollup.activity_trap:
        text = f"{mark} activity trap: no outcome or impact indicator measures the result"
        rows.append(Row(indent + 2, text))
    eff = rollup.efficiency
    if eff is not None:
        text = f"budget {eff.spent * 100:.0f}% spent for {eff.results * 100:.0f}% of the results"
        rows.append(
            Row(indent + 2, f"{mark} {text}: spending runs ahead" if eff.overspending else text)
        )
    return rows


def _indicator_row(
    indicator: Indicator, c: Comparison, goal: Goal, indent: int, style: Style
) -> Row:
    name = f"#{indicator.id} {plain(indicator.name)}"
    value = value_text(indicator, c, style)
    # stale only while a value is asked for: not past due, nor once closed
    stale = due_for_value(indicator, c, goal)
    return Row(indent, name, value, c.progress, c.status, days(c.ahead_days), stale)


def _header(
    style: Style, at: date, counts: Sequence[tuple[int, str]], name_end: int, value_w: int
) -> list[str]:
    dot = " · " if style.unicode else " - "
    parts = [f"{n} {word}{'s' * (n != 1)}" for n, word in counts]
    title = dot.join([f"styr status on {at.isoformat()}", *parts])
    if len(counts) == 1:
        columns = fit("goal", name_end + 1 + value_w) + " " + fit("progress", BAR_W + PCT_W)
        return [title, "", columns + " status"]
    columns = (
        fit("goal / indicator", name_end)
        + " " + fit(VALUE_HEADING, value_w, right=True)
        + " " + fit("progress", BAR_W + PCT_W)
        + " " + fit("status", STATUS_W)
        + " " + fit("plan", PLAN_W, right=True)
    )  # fmt: skip
    return [title, "", columns.rstrip()]


def _footer(
    statuses: Sequence[Status], stale: int, risky: bool, style: Style, goals_only: bool
) -> list[str]:
    counts = [f"{statuses.count(s)} {STATUS_WORD[s]}" for s in SEVERITY if statuses.count(s)]
    lines = ["", *textwrap.wrap(", ".join(counts), style.width)]
    if stale:
        lines.append(f"* stale: {stale} without a value within its cadence")
    if not goals_only:
        lines.append("plan: days ahead (+) or behind (-) the plan line")
    if risky:
        mark = "⚠" if style.unicode else "!"
        lines.append(f"{mark}N: a goal's highest open risk, its residual score (styr risks)")
    return lines


def render_table(
    view: WheelView,
    nodes: Sequence[GoalNode],
    style: Style,
    *,
    status: Status | None = None,
    goals_only: bool = False,
) -> str:
    """The goals `nodes` (a run of the view's tree) and their indicators as a
    table a person reads; the first node's depth is the table's left edge."""
    result = view.comparison
    top = nodes[0].depth if nodes else 0
    rows: list[Row] = []
    shown: list[Status] = []
    groups = 0
    for node in nodes:
        goal, depth, rollup = node.goal, node.depth - top, node.rollup
        top_risk = view.goal_record(goal.id)["top_risk"]
        risk = None if top_risk is None else int(top_risk["score"])
        if goals_only:
            if status is None or rollup.status == status:
                rows += _goal_rows(goal, depth, rollup, risk, style)
                shown.append(rollup.status)
                groups += 1
            continue
        inner = 2 * min(depth, MAX_DEPTH) + 2
        own = [
            _indicator_row(i, result.indicators[i.id], goal, inner, style)
            for i in node.indicators
            if status is None or result.indicators[i.id].status == status
        ]
        if status is not None and not own:
            continue
        groups += 1
        rows += _goal_rows(goal, depth, rollup, risk, style) + own
        shown += [r.status for r in own if r.status is not None]
    if not rows:
        if not nodes:
            return "no goals yet: add one with  styr add goal TITLE"
        what = "goal" if goals_only else "indicator"
        wanted = f" is {STATUS_WORD[status]}" if status else " to show"
        return f"no {what}{wanted} on {result.at.isoformat()}"
    name_end, value_w = _layout(rows, style)
    counts = [(groups, "goal")] + ([] if goals_only else [(len(shown), "indicator")])
    stale = sum(r.stale for r in rows)
    risky = any(r.plan and r.value is None for r in rows)
    return "\n".join(
        _header(style, result.at, counts, name_end, value_w)
        + [_line(row, name_end, value_w, style) for row in rows]
        + _footer(shown, stale, risky, style, goals_only)
    )


# ---------------------------------------------------------------------- CLI
