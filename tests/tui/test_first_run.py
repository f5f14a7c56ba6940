"""A first run on an empty store: the Goals pane explains the wheel and how
to start; `a` creates the first goal and the tree takes the welcome's place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tuihelp import TODAY, press, screen_text, settle

from store.backends import open_wheel
from store.demo import build_demo
from store.service import Wheel
from tui.app import StyrApp, make_app
from tui.screens.goals import GoalsScreen
from widgets.goal_tree import GoalTree

Make = Callable[[Wheel], StyrApp]


async def test_an_empty_store_teaches_and_a_makes_the_first_goal(
    make: Make, tmp_path: Path
) -> None:
    root = tmp_path / "new"
    app = make(open_wheel(root, user="alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        shown = screen_text(app)
        for line in (
            "This wheel is empty.",
            "1 Goals    agree what to reach by when",
            "2 Measure  log what happened",
            "3 Compare  see actual against plan",
            "4 Learn    review the deviations",
            "a            create the first goal",
            "styr --demo  a sample wheel to look around in",
        ):
            assert line in shown, line
        assert not app.screen.query_one("#goals-body").display
        await press(pilot, "a", *"Happier customers", "enter")
        await settle(pilot)
        assert [g.title for g in open_wheel(root).goals()] == ["Happier customers"]
        shown = screen_text(app)
        assert "This wheel is empty." not in shown
        assert "Happier customers" in shown
        assert isinstance(app.focused, GoalTree)
        await press(pilot, "u")
        await settle(pilot)
        assert open_wheel(root).goals() == []
        assert "This wheel is empty." in screen_text(app)


async def test_the_demo_is_drawn_without_waiting_for_the_first_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo is built with its read model before the app starts: the
    first frame shows its goals, not an empty tree waiting for a load."""
    wheel = build_demo(tmp_path / "store", today=TODAY)
    monkeypatch.setattr(StyrApp, "_load", lambda self: None)  # no load ever comes
    app = make_app(wheel, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Gode og likeverdige" in screen_text(app)
        assert "(goal 1)" in screen_text(app)
