"""SVG snapshots of Compare and Learn (pytest-textual-snapshot) at 100x30,
at 80x24 (the smallest terminal they are made for) and with NO_COLOR.

The store lives in a fresh tmp folder each run, so the wheel bar's path is
pinned to a fixed text; the day compared at is fixed by the fixtures.
Update after a deliberate change with `pytest --snapshot-update` and check
the report first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from tuihelp import Small, screen_text, settle, steady

from store.service import LESSON, REVIEW, Wheel
from tui.app import StyrApp

Make = Callable[[Wheel], StyrApp]
SIZE = (100, 30)
SMALL = (80, 24)


@pytest.fixture(autouse=True)
def _fixed_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.app.short_path", lambda _path: "~/styr")


def _compare(wheel: Wheel, small: Small) -> Callable[[Pilot[None]], Awaitable[None]]:
    wheel.add(
        REVIEW,
        {
            "date": "2026-11-01",
            "indicator_id": small.indicator,
            "comparison": {"status": "at_risk"},
            "judgement": "at_risk",
            "confidence": "6",
            "comment": "autumn was slow",
            "deviation": {"cause": "external", "decision": "continue"},
        },
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("down")
        await steady(pilot)
        # a snapshot of a blank or half-drawn screen must not become the baseline
        assert "2026-11-01 alice: at risk 6/10" in screen_text(pilot.app)

    return run_before


def _learn(wheel: Wheel, small: Small) -> Callable[[Pilot[None]], Awaitable[None]]:
    wheel.add(LESSON, {"date": "2026-06-01", "happened": "Spring was quiet"})
    wheel.add(
        LESSON,
        {
            "date": "2026-10-15",
            "goal_id": small.goal,
            "planned": "Revenue 18 by October",
            "happened": "Revenue reached 16",
            "why": "Two large customers paused\norders in September",
            "sustain": "Monthly follow-up meetings",
            "improve": "Spread sales over more customers",
            "actions": [
                {"what": "Call paused customers", "owner": "ann", "due": "2026-12-01"},
                {"what": "List new prospects", "owner": "bob", "done": True},
            ],
        },
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("4")
        await steady(pilot)
        assert "Lesson 2 · 2026-10-15" in screen_text(pilot.app)

    return run_before


PANES = {"compare": _compare, "learn": _learn}


def test_compare_pane(snap_compare: Any, wheel: Wheel, make: Make, small: Small) -> None:
    assert snap_compare(make(wheel), terminal_size=SIZE, run_before=_compare(wheel, small))


def test_learn_pane(snap_compare: Any, wheel: Wheel, make: Make, small: Small) -> None:
    assert snap_compare(make(wheel), terminal_size=SIZE, run_before=_learn(wheel, small))


@pytest.mark.parametrize("pane", PANES)
@pytest.mark.parametrize("variant", ["80x24", "no_color"])
def test_pane_small_or_without_colour(
    snap_compare: Any,
    wheel: Wheel,
    make: Make,
    small: Small,
    monkeypatch: pytest.MonkeyPatch,
    pane: str,
    variant: str,
) -> None:
    if variant == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
    size = SMALL if variant == "80x24" else SIZE
    assert snap_compare(make(wheel), terminal_size=size, run_before=PANES[pane](wheel, small))
