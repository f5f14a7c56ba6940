"""One goal order on every surface: equal due dates tie on id, closed goals
last, a goal without a due date after those with one (store/views.py).
Goals, `styr status` (table), `status --json` and `status --goals --json`
must list the same tree in the same order."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tuihelp import TODAY, settle

from store.backends import open_wheel
from store.service import GOAL, INDICATOR, Wheel
from tui.app import StyrApp
from tui.cli import main
from widgets.goal_tree import GoalTree, walk

Make = Callable[[Wheel], StyrApp]
DUE = "2026-12-31"


def build(root: Path) -> list[int]:
    """A tree whose siblings share due dates; returns the ids in the one order."""
    wheel = open_wheel(root, user="alice")

    def goal(title: str, **fields: object) -> int:
        made = wheel.add(GOAL, {"title": title, **fields})
        wheel.add(
            INDICATOR,
            {"goal_id": made.id, "name": f"ind {title}", "baseline": 0, "target": 10,
             "start": "2026-01-01", "due": DUE},
        )  # fmt: skip
        return made.id

    team_b = goal("Team B", due=DUE)
    team_a = goal("Team A", due=DUE)
    closed = goal("Old launch", due="2026-01-31", state="closed", outcome="achieved")
    b_two = goal("B two", parent_id=team_b, due=DUE)
    b_one = goal("B one", parent_id=team_b, due=DUE)
    someday = goal("Someday")
    a_soon = goal("A soon", parent_id=team_a, due="2026-08-01")
    return [team_b, b_two, b_one, team_a, a_soon, someday, closed]


def cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    assert main(["status", "--store", str(root), "--at", TODAY.isoformat(), *args]) == 0
    return capsys.readouterr().out


async def test_every_surface_lists_goals_in_one_order(
    tmp_path: Path, make: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "order"
    order = build(root)

    table = cli(capsys, root)
    table_ids = [int(m) for m in re.findall(r"^\s*#(\d+) (?!ind )", table, re.M)]
    indicator_rows = json.loads(cli(capsys, root, "--json"))
    goal_rows = json.loads(cli(capsys, root, "--goals", "--json"))

    app = make(open_wheel(root, user="alice"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(GoalTree)
        goals_pane = [node.data for node in walk(tree.root)]

    assert goals_pane == order
    assert table_ids == order
    assert [row["goal_id"] for row in indicator_rows] == order
    assert [row["goal_id"] for row in goal_rows] == order
