"""The app shell: stages, keys, read-only stores, others' changes, small
terminals, the command palette."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Input, Tree
from tuihelp import Small, press, screen_text, settle

from store.backends import open_wheel
from store.service import GOAL, Wheel
from tui.app import StyrApp
from tui.dialogs.form import FormDialog
from tui.dialogs.keys import KeysDialog
from tui.screens.compare import CompareScreen
from tui.screens.goals import GoalsScreen
from tui.screens.learn import LearnScreen
from tui.screens.measure import MeasureScreen
from widgets.wheel_bar import WheelBar

Make = Callable[[Wheel], StyrApp]


def _bar(app: StyrApp) -> str:
    return str(app.screen.query_one(WheelBar).render())


async def test_number_keys_and_brackets_move_around_the_wheel(wheel: Wheel, make: Make) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        assert "▶[1 Goals]" in _bar(app)
        for key, screen_type, label in [
            ("2", MeasureScreen, "▶[2 Measure]"),
            ("3", CompareScreen, "▶[3 Compare]"),
            ("4", LearnScreen, "▶[4 Learn]"),
            ("1", GoalsScreen, "▶[1 Goals]"),
        ]:
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type)
            assert label in _bar(app)
        await pilot.press("left_square_bracket")  # from Goals back round to Learn
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        await press(pilot, "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, MeasureScreen)


async def test_question_mark_lists_the_keys(wheel: Wheel, make: Make) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, KeysDialog)
        shown = screen_text(app)
        assert "Add goal" in shown and "undo your last change" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, GoalsScreen)


async def test_keys_at_80x24_each_once_and_wrapped_not_cut(wheel: Wheel, make: Make) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, KeysDialog)
        keys = [key for key, _ in dialog.rows()]
        # a letter is its own key in either case (M is not m); names are not (Tab, tab)
        tokens = [t if len(t) == 1 else t.casefold() for key in keys for t in key.split()]
        assert len(tokens) == len(set(tokens)), keys
        assert {"M", "S", "P", "C"} <= set(tokens)
        assert ("/", "Filter") in dialog.rows()
        assert ("R", "Risks") in dialog.rows() and ("r", "Risk") in dialog.rows()
        shown = screen_text(app)
        # Goals has more keys than 24 lines hold: the list scrolls, as a user would
        for _ in range(len(keys)):
            if re.search(r"^.{2}█ +action +█", shown, re.M):
                break
            await pilot.press("down")
            shown = screen_text(app)
        assert "command palette: jump to a goal or indicator, run any" in shown
        assert re.search(r"^.{2}█ +action +█", shown, re.M)  # wrapped onto the next line


async def test_read_only_store_refuses_edits_and_says_why(make: Make, small: Small) -> None:
    path = small.root / "wheel.json"
    data = json.loads(path.read_text())
    data["meta"]["1"]["schema_version"] += 1
    path.write_text(json.dumps(data))
    app = make(open_wheel(small.root, user="alice"))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in _bar(app)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)  # no form opened
        messages = [n.message for n in app._notifications]
        assert any("newer styr" in m for m in messages)
        await press(pilot, "2", "l", *"5", "enter")
        await settle(pilot)
        assert "newer styr" in screen_text(app)
    assert len(open_wheel(small.root).measurements(small.indicator)) == 3


async def test_a_change_by_someone_else_shows_up(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        open_wheel(small.root, user="bob").update(GOAL, small.goal, {"title": "Renamed by bob"})
        app.poll_store()  # the 1 s timer's work, without waiting for it
        await settle(pilot)
        assert "Renamed by bob" in screen_text(app)
        assert "updated by bob" in _bar(app)


async def test_usable_at_80x24(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "▶[1 Goals]" in shown and "Grow revenue" in shown and "Revenue" in shown
        assert app.screen.has_class("-narrow")  # Textual's breakpoints: the detail below
        tree, detail = app.screen.query_one("#goals-left"), app.screen.query_one("#goal-detail")
        assert detail.region.y >= tree.region.bottom
        await pilot.press("i")
        form = app.screen
        assert isinstance(form, FormDialog)
        # every input can be reached and is inside the terminal when focused
        for _ in range(13):
            focused = app.focused
            assert isinstance(focused, Input)
            region = focused.region
            assert 0 <= region.y < 24 and region.right <= 80
            await pilot.press("tab")
        await pilot.press("escape")
        await pilot.press("2")
        await settle(pilot)
        entry = app.screen.query_one("#entry", Input)
        assert 0 <= entry.region.y < 23 and entry.region.height == 1
        await press(pilot, "l", *"14", "enter")
        await settle(pilot)
        assert "logged the value 14 MNOK of 2026-11-30 for Revenue" in screen_text(app)
    assert [m.value for m in open_wheel(small.root).measurements(small.indicator)][-1] == 14


async def test_palette_jumps_to_a_goal_by_name(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await press(pilot, "ctrl+p", *"sales", "enter")
        await settle(pilot, 6)
        assert isinstance(app.screen, GoalsScreen)
        tree = app.screen.query_one("#goal-tree", Tree)
        assert tree.cursor_node is not None and tree.cursor_node.data == small.child


async def test_j_and_k_move_like_arrows(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#goal-tree", Tree)
        await pilot.press("j")
        assert tree.cursor_node is not None and tree.cursor_node.data == small.child
        await pilot.press("k")
        assert tree.cursor_node is not None and tree.cursor_node.data == small.goal


async def test_the_first_load_reads_the_store_in_a_worker(
    wheel: Wheel, make: Make, small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[tuple[bool, bool]] = []
    build = Wheel.view

    def view(self: Wheel, at: Any = None) -> Any:
        builds.append((threading.current_thread() is threading.main_thread(), app.is_ready))
        return build(self, at)

    monkeypatch.setattr(Wheel, "view", view)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Grow revenue" in screen_text(app)
    # nothing reads the store on the event loop before the first load is done
    assert builds[0] == (False, False)
    assert all(ready for main, ready in builds if main)


async def test_a_stage_chosen_during_the_first_load_shows_its_data(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # before the first load (it starts after the first frame)
        await settle(pilot)
        assert isinstance(app.screen, MeasureScreen)
        assert "Revenue" in screen_text(app) and "2026-09-01" in screen_text(app)


async def test_each_css_source_is_parsed_once_until_the_theme_changes(
    wheel: Wheel, make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual parsed app.tcss three times before the first frame (a third
    of its CSS time); a new theme still restyles the app."""
    import textual.css.stylesheet as sheet

    parsed: list[str] = []
    real = sheet.parse

    def counting(scope: str, css: str, read_from: Any, **options: Any) -> Any:
        parsed.append(read_from[0])
        return real(scope, css, read_from, **options)

    monkeypatch.setattr(sheet, "parse", counting)
    app = make(wheel)

    def app_tcss() -> int:
        return sum(1 for source in parsed if source.endswith("app.tcss"))

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "1")  # a new stage, new widget classes
        assert app_tcss() == 1
        dark = app.screen.styles.background
        app.theme = "textual-light"
        await settle(pilot)
        assert app_tcss() == 2
        assert app.screen.styles.background != dark
