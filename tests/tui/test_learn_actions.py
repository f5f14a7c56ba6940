"""The Learn pane's actions list, driven by keys: every lesson's actions
overdue first, x marks one done, m keeps the user's own."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Static
from tuihelp import open_stage, press, screen_text, settle, table_keys

from store.backends import open_wheel
from store.service import LESSON, Wheel
from tui.app import StyrApp
from tui.screens.learn import LearnScreen

Make = Callable[[Wheel], StyrApp]


def keys(app: StyrApp) -> list[str]:
    return table_keys(app.screen.query_one("#lesson-table", DataTable))


def add_lessons(wheel: Wheel) -> tuple[int, int]:
    first = wheel.add(LESSON, {"date": "2026-03-01", "happened": "Slow start", "actions": [
        {"what": "Hire a tester", "owner": "alice", "due": "2026-01-15"},
        {"what": "Ask users", "owner": "bob", "due": "2027-06-01"},
    ]})  # fmt: skip
    second = wheel.add(LESSON, {"date": "2026-10-01", "happened": "Fresh", "actions": [
        {"what": "Write the guide", "owner": "alice", "due": "2027-01-01"},
    ]})  # fmt: skip
    return first.id, second.id


async def test_actions_overdue_first_done_with_x_and_mine_with_m(wheel: Wheel, make: Make) -> None:
    first, second = add_lessons(wheel)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stage(pilot, "4", LearnScreen, "#learn-state")
        await press(pilot, "t")
        assert keys(app) == [f"{first}.1", f"{second}.1", f"{first}.2"]
        assert "OVERDUE" in screen_text(app) and "Hire a tester" in screen_text(app)
        state = str(app.screen.query_one("#learn-state", Static).content)
        assert "3 actions, 1 overdue" in state
        await press(pilot, "x")
        await settle(pilot)
        assert open_wheel(wheel.backend.store.root).get(LESSON, first).actions[0].done
        assert keys(app) == [f"{second}.1", f"{first}.2", f"{first}.1"]  # done goes last
        await press(pilot, "m")
        assert keys(app) == [f"{second}.1", f"{first}.1"]  # alice's own
        assert "owner alice" in str(app.screen.query_one("#learn-state", Static).content)
        await press(pilot, "m", "t")
        assert keys(app) == [str(second), str(first)]  # the lessons again


async def test_marking_a_done_action_again_is_refused_in_a_notice(wheel: Wheel, make: Make) -> None:
    first, _ = add_lessons(wheel)
    wheel.action_done(first, 1)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stage(pilot, "4", LearnScreen, "#learn-state")
        await press(pilot, "t", "down", "down", "x")
        await settle(pilot)
        assert any("already done" in n.message for n in app._notifications)
        lesson = open_wheel(wheel.backend.store.root).get(LESSON, first)
        assert [a.done for a in lesson.actions] == [True, False]


async def test_no_actions_of_mine_says_whose(wheel: Wheel, make: Make) -> None:
    add_lessons(wheel)
    app = make(open_wheel(wheel.backend.store.root, user="carol"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stage(pilot, "4", LearnScreen, "#learn-state")
        await press(pilot, "m")
        assert keys(app) == []
        state = str(app.screen.query_one("#learn-state", Static).content)
        assert state == "No actions owned by carol (m: everyone's)"
