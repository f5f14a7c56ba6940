"""Keys that arrive in one burst with `/` (a paste, a fast typist over a
slow link, tmux send-keys) are typed into the filter it opens, never acted
on by the list behind it; a `/` typed into any text input stays a `/`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input
from tuihelp import Small, open_stage, press, settle

from store.backends import open_wheel
from store.service import Wheel
from tui.app import StyrApp
from tui.dialogs.form import FormDialog
from tui.screens.compare import CompareScreen
from tui.screens.goals import GoalsScreen
from tui.screens.learn import LearnScreen
from tui.screens.measure import MeasureScreen
from tui.screens.stage import StageScreen
from widgets.filter_input import FilterInput

Make = Callable[[Wheel], StyrApp]

STAGES: list[tuple[str, type[StageScreen], str, str]] = [
    ("1", GoalsScreen, "#goal-head", "#goal-filter"),
    ("2", MeasureScreen, "#measure-head", "#indicator-filter"),
    ("3", CompareScreen, "#compare-state", "#compare-search"),
    ("4", LearnScreen, "#learn-state", "#learn-search"),
]


def burst(app: StyrApp, *keys: str) -> None:
    """Queue the keys all at once, as a terminal delivers a paste: none is
    handled before the next arrives."""
    for key in keys:
        app.post_message(events.Key(key, "/" if key == "slash" else key))


@pytest.mark.parametrize(("key", "stage", "state", "box"), STAGES, ids=[s[2] for s in STAGES])
async def test_keys_right_after_slash_go_into_the_filter(
    wheel: Wheel,
    make: Make,
    small: Small,
    key: str,
    stage: type[StageScreen],
    state: str,
    box: str,
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        if key != "1":
            await open_stage(pilot, key, stage, state)
        burst(app, "slash", *"Turn")
        await settle(pilot)
        assert isinstance(app.screen, stage)  # no risk (Goals) or review (Compare) form
        assert app.screen.query_one(box, FilterInput).text == "Turn"
        # u is undo: it would have taken back the last change, the risk
        assert [r.title for r in open_wheel(small.root).risks(small.goal)] == ["Market dip"]


async def test_a_slash_in_the_filter_is_typed(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, "slash", "a", "slash", "b")
        await settle(pilot)
        assert app.screen.query_one("#goal-filter", FilterInput).text == "a/b"


async def test_a_slash_in_the_measure_entry_is_typed(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_stage(pilot, "2", MeasureScreen, "#measure-head")
        await press(pilot, "l")
        burst(app, *"12 today a", "slash", "b")
        await settle(pilot)
        assert screen.query_one("#entry", Input).value == "12 today a/b"
        assert not screen.query_one("#indicator-filter", FilterInput).display


async def test_a_slash_in_a_form_field_is_typed(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, FormDialog)
        burst(app, *"in", "slash", "out")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert app.screen.query_one("#field-title", Input).value == "in/out"


async def test_a_slash_in_the_command_palette_is_typed(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        burst(app, "slash", "x")
        await settle(pilot)
        assert app.screen.query_one(Input).value == "/x"
