"""A `/` filter that matches nothing says so and shows no stale detail."""

from __future__ import annotations

from collections.abc import Callable

from tuihelp import Small, open_stage, press, screen_text, settle

from store.service import Wheel
from tui.app import StyrApp
from tui.screens.compare import CompareScreen
from tui.screens.measure import MeasureScreen

Make = Callable[[Wheel], StyrApp]


async def test_goals_filter_matching_nothing(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "(goal 1)" in screen_text(app)
        await press(pilot, "slash", *"zzq")
        await settle(pilot)
        shown = screen_text(app)
        assert "No goal matches 'zzq'. Esc clears the filter." in shown
        assert "(goal 1)" not in shown and "Revenue" not in shown


async def test_measure_filter_matching_nothing(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_stage(pilot, "2", MeasureScreen, "#measure-head")
        assert "Revenue" in screen_text(app)
        await press(pilot, "slash", *"zzq")
        await settle(pilot)
        shown = screen_text(app)
        assert "No indicator matches 'zzq'. Esc clears the filter." in shown
        assert "Revenue" not in shown and "2026-09-01" not in shown


async def test_compare_filter_matching_nothing(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_stage(pilot, "3", CompareScreen, "#compare-state")
        await press(pilot, "slash", *"zzq", "enter")
        await settle(pilot)
        shown = screen_text(app)
        said = "show all  ·  text zzq  ·  0 rows  ·  nothing matches: Esc clears the filters"
        assert said in shown
        assert "Revenue" not in shown
