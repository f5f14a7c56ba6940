"""Shared pieces of the TUI tests (a module of its own so test files can
import it; conftest.py only provides fixtures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from textual.app import App
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.backends import open_wheel
from store.service import GOAL, INDICATOR, RISK

TODAY = date(2026, 11, 30)
MARKUP_TITLE = "[bold red]x[/]"
ESCAPE_TITLE = "Sales \x1b[31mteam"


@dataclass(frozen=True)
class Small:
    """Ids in the small wheel."""

    root: Path
    goal: int
    child: int
    indicator: int
    risk: int


def build_small(root: Path) -> Small:
    wheel = open_wheel(root, user="alice")
    goal = wheel.add(
        GOAL,
        {"title": "Grow revenue", "start": "2026-01-01", "due": "2026-12-31", "owner": "ann"},
    )
    child = wheel.add(
        GOAL,
        {"title": ESCAPE_TITLE, "parent_id": goal.id, "start": "2026-01-01", "due": "2026-12-31"},
    )
    indicator = wheel.add(
        INDICATOR,
        {
            "goal_id": goal.id,
            "name": "Revenue",
            "unit": "MNOK",
            "baseline": "10",
            "target": "20",
            "start": "2026-01-01",
            "due": "2026-12-31",
        },
    )
    for day, value in [("2026-02-01", 11), ("2026-05-01", 13), ("2026-09-01", 16)]:
        wheel.log(indicator.id, value, day, "counted")
    risk = wheel.add(
        RISK, {"goal_id": goal.id, "title": "Market dip", "probability": "4", "consequence": "5"}
    )
    return Small(root, goal.id, child.id, indicator.id, risk.id)


async def settle(pilot: Pilot[None], times: int = 3) -> None:
    """Let messages posted from code (not keys) and short timers (a stage's
    first load, a detail's debounce) be processed."""
    app = pilot.app
    for _ in range(250):  # the first stage loads a moment after the first frame
        if getattr(app, "is_ready", True):
            break
        await pilot.pause(0.02)
    await pilot.pause(0.06)
    for _ in range(times):
        await pilot.pause()


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys one by one, each handled before the next is sent.

    Pilot.press decides a key is handled when the process looks idle, which
    a loaded machine can fool; a key that moves the focus (Tab, a binding
    that opens a form) must be done before the next one is typed."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


def screen_text(app: App[None]) -> str:
    """What the terminal shows now, as plain text lines."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


S = TypeVar("S", bound=Screen[Any])


async def open_stage(pilot: Pilot[None], key: str, kind: type[S], state: str) -> S:
    """Press a stage's key and wait until its `state` line shows it read the store."""
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    # the stage reads the store once the app's first frame is up; on a busy
    # machine that can take a few more turns of the loop
    for _ in range(100):
        if str(screen.query_one(state, Static).content):
            break
        await pilot.pause(0.02)
    return screen


def table_keys(grid: DataTable[Any]) -> list[str]:
    """The row keys of a table, top to bottom."""
    return [
        str(grid.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value)
        for index in range(grid.row_count)
    ]
