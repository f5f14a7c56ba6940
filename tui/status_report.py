"""`styr status`: the comparison of every indicator and goal, as a table or JSON.

Both read the wheel's view (store/views.py) of the day, so the table, the
JSON, the TUI and the reports agree; the table itself is store/table.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from store.compare import SEVERITY, Status
from store.dates import ACCEPTED_FORMS, parse_date, today
from store.errors import ValidationError
from store.plain import plain
from store.service import GOAL, Wheel
from store.steering import goal_filter
from store.table import Style, render_table
from store.views import GoalNode, Record, WheelView

# ---------------------------------------------------------------- selection


@dataclass(frozen=True, slots=True)
class Selection:
    """The goals shown (a run of the view's tree) and the view they come from."""

    view: WheelView
    nodes: tuple[GoalNode, ...]


def select(wheel: Wheel, at: date, goal_ref: str | None = None) -> Selection:
    view = wheel.view(at)
    if goal_ref is None:
        return Selection(view, view.nodes)
    return Selection(view, view.subtree(wheel.find(GOAL, goal_ref).id))


def parse_status(text: str) -> Status:
    wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
    for status in SEVERITY:
        if status == wanted:
            return status
    raise ValidationError(
        f"--status {text!r} is not a status; use one of {', '.join(SEVERITY)}", "status"
    )


def parse_at(text: str | None) -> date:
    if text is None:
        return today()
    try:
        return parse_date(text, "--at")
    except ValidationError as exc:
        message = str(exc)
        if ACCEPTED_FORMS not in message:
            message = f"{message}; use {ACCEPTED_FORMS}"
        raise ValidationError(message, "at") from None


# --------------------------------------------------------------------- JSON


def indicator_records(sel: Selection, status: Status | None = None) -> list[Record]:
    return sel.view.indicator_records(sel.nodes, status)


def goal_records(sel: Selection, status: Status | None = None) -> list[Record]:
    return sel.view.goal_records(sel.nodes, status)


def dump_json(records: Iterable[Mapping[str, Any]]) -> str:
    """A JSON array with one object per line: easy to read, grep and diff."""
    lines = [json.dumps(record) for record in records]
    return "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"


# -------------------------------------------------------------------- table


def run(
    wheel: Wheel,
    *,
    at: str | None = None,
    as_json: bool = False,
    goals_only: bool = False,
    goal: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    state: str | None = None,
    period: str | None = None,
    stream: TextIO | None = None,
) -> int:
    """The `styr status` command; bad input raises (the CLI turns it into exit 2)."""
    out = stream or sys.stdout
    day = parse_at(at)
    wanted = parse_status(status) if status is not None else None
    keep = goal_filter(owner=owner, state=state, period=period, user=wheel.user)
    sel = select(wheel, day, goal)
    sel = Selection(sel.view, sel.view.kept(keep, sel.nodes))
    if not sel.nodes and sel.view.nodes and not as_json:
        # "no goals yet" would tell the user to add what is there
        given = (("--goal", goal), ("--owner", owner), ("--state", state), ("--period", period))
        filters = " ".join(f"{name} {plain(value)}" for name, value in given if value is not None)
        out.write(f"no goal matches {filters}\n")
        return 0
    if as_json:
        records = goal_records(sel, wanted) if goals_only else indicator_records(sel, wanted)
        out.write(dump_json(records) + "\n")
    else:
        style = Style.for_stream(out)
        out.write(
            render_table(sel.view, sel.nodes, style, status=wanted, goals_only=goals_only) + "\n"
        )
    return 0
