"""Shared pieces of the TUI tests (a module of its own so test files can
import it; conftest.py only provides fixtures)."""

from __future__ import annotations

import asyncio
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


LOAD_TIMEOUT = 30.0  # seconds: generous for a cold start on a loaded machine


async def settle(pilot: Pilot[None], times: int = 3) -> None:
    """Wait until the app's load (first, or after another process wrote) is
    shown, then let messages posted from code (not keys) be processed.
    Fails when the load does not finish within LOAD_TIMEOUT."""
    app = pilot.app
    loaded = getattr(app, "loaded", None)
    if loaded is not None:
        await asyncio.wait_for(loaded.wait(), LOAD_TIMEOUT)
        await asyncio.wait_for(app.workers.wait_for_complete(), LOAD_TIMEOUT)
    for _ in range(times):
        await pilot.pause()


async def steady(pilot: Pilot[None], tries: int = 40) -> None:
    """Wait until the screen draws the same twice running. A DataTable
    measures its columns only when its queue runs empty, so on a loaded
    machine a pause can end before that and a snapshot would catch the
    table half-measured."""
    await settle(pilot)
    shown = pilot.app.export_screenshot()
    for _ in range(tries):
        await pilot.pause()
        again = pilot.app.export_screenshot()
        if again == shown and not _measuring(pilot):
            return
        shown = again
    raise AssertionError(f"the screen still changed after {tries} pauses")


def _measuring(pilot: Pilot[None]) -> bool:
    """Whether a DataTable on screen still has rows or cells to measure (at
    its next idle: two screenshots alike can both come before it)."""
    return any(
        table._require_update_dimensions or table._new_rows or table._updated_cells
        for table in pilot.app.screen.query(DataTable)
    )


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
    """Press a stage's key and wait until it is shown with the store read:
    its `state` line (a widget id) must then say something."""
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    assert str(screen.query_one(state, Static).content), f"{state} is empty once loaded"
    return screen


def table_keys(grid: DataTable[Any]) -> list[str]:
    """The row keys of a table, top to bottom."""
    return [
        str(grid.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value)
        for index in range(grid.row_count)
    ]
