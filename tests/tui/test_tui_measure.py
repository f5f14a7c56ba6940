"""The Measure pane: the quick entry line, edit and delete of a value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.widgets import Input, OptionList, Sparkline
from tuihelp import TODAY, Small, press, screen_text, settle

from store.backends import open_wheel
from store.service import GOAL, INDICATOR, Wheel
from tui.app import StyrApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog
from tui.screens.measure import MeasureScreen, parse_entry

Make = Callable[[Wheel], StyrApp]


def test_parse_entry_forms() -> None:
    assert parse_entry("12.5", TODAY) == ("12.5", TODAY, "")
    assert parse_entry("12.5 2026-11-03", TODAY) == ("12.5", date(2026, 11, 3), "")
    assert parse_entry("12.5 -2d by hand", TODAY) == ("12.5", date(2026, 11, 28), "by hand")
    assert parse_entry("12.5 by hand", TODAY) == ("12.5", TODAY, "by hand")


async def test_log_a_value_with_date_and_note(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, MeasureScreen)
        await press(pilot, "l", *"12.5 2026-11-03 counted [b]twice[/b]", "enter")
        await settle(pilot)
        stored = open_wheel(small.root).measurements(small.indicator)
        assert [(m.date, m.value, m.note) for m in stored][-1] == (
            date(2026, 11, 3),
            12.5,
            "counted [b]twice[/b]",
        )
        shown = screen_text(app)
        assert "logged the value 12.5 MNOK of 2026-11-03 for Revenue (u undoes)" in shown
        assert "counted [b]twice[/b]" in shown
        assert app.screen.query_one("#entry", Input).value == ""


async def test_a_bad_entry_is_explained_in_place(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await press(pilot, "l", *"abc", "enter")
        await settle(pilot)
        assert "value 'abc' is not a number" in screen_text(app)
        await press(pilot, "ctrl+a", "ctrl+k", *"12 2026-13-01", "enter")
        await settle(pilot)
        assert "not a real date" in screen_text(app)
        assert app.screen.query_one("#entry", Input).value == "12 2026-13-01"
        assert len(open_wheel(small.root).measurements(small.indicator)) == 3


async def test_edit_and_delete_a_value(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")  # the newest value, 16 on 2026-09-01
        assert isinstance(app.screen, FormDialog)
        await press(pilot, "ctrl+a", "ctrl+k", *"17", "enter")
        await settle(pilot)
        values = [m.value for m in open_wheel(small.root).measurements(small.indicator)]
        assert values == [11, 13, 17]
        assert "saved the value 17 MNOK of 2026-09-01 for Revenue (u undoes)" in screen_text(app)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete the value 17 MNOK of 2026-09-01 for Revenue?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        values = [m.value for m in open_wheel(small.root).measurements(small.indicator)]
        assert values == [11, 13]
        assert "deleted the value 17 MNOK of 2026-09-01 for Revenue (u undoes)" in screen_text(app)


async def test_due_indicators_come_first(make: Make, small: Small) -> None:
    wheel = open_wheel(small.root)
    fresh = wheel.add(
        INDICATOR,
        {"goal_id": small.goal, "name": "Aaa fresh", "baseline": "0", "target": "10",
         "start": "2026-01-01", "due": "2026-12-31", "cadence": "monthly"},
    )  # fmt: skip
    wheel.log(fresh.id, 9, "2026-11-29")
    wheel.update(GOAL, small.goal, {"owner": "bo"})
    app = make(open_wheel(small.root))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        options = app.screen.query_one("#indicator-list", OptionList)
        first = str(options.get_option_at_index(0).prompt)
        second = str(options.get_option_at_index(1).prompt)
        assert "due" in first and "Revenue" in first
        assert "Aaa fresh" in second and "due" not in second


async def test_messages_name_the_value_literally_never_its_id(
    wheel: Wheel, make: Make, small: Small
) -> None:
    said: list[str] = []
    wheel.update(INDICATOR, small.indicator, {"name": "[bold]Rev\\enue\x1b[31m"})
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
        await pilot.press("2")
        await settle(pilot)
        await press(pilot, "l", *"21 2026-11-29", "enter")
        await settle(pilot)
        (m,) = [m for m in open_wheel(small.root).measurements(small.indicator) if m.value == 21]
        named = "the value 21 MNOK of 2026-11-29 for [bold]Rev\\enue\\x1b[31m"
        assert f"logged {named} (u undoes)" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert said[-1].startswith(f"undid: {named} added at ")
        assert str(m.id) not in said[-1] + screen_text(app)
        assert "\x1b" not in said[-1] + screen_text(app)


async def test_the_sparkline_draws_only_the_values_the_status_counts(
    make: Make, small: Small
) -> None:
    wheel = open_wheel(small.root)
    # 2026-02-01 now lies before the start; one more value after the due date
    wheel.update(INDICATOR, small.indicator, {"start": "2026-03-01"})
    wheel.log(small.indicator, 40, "2027-01-15", "next year's", confirm_future=True)
    app = make(open_wheel(small.root))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.query_one("#measure-spark", Sparkline).data == [13, 16]
        shown = screen_text(app)
        # the values themselves are data: the table lists each, marked
        assert "2027-01-15  ⚠ after due     40 MNOK" in shown
        assert "2026-02-01  ⚠ before start  11 MNOK" in shown
        assert "2026-09-01" in shown and "2026-05-01" in shown


async def test_the_list_says_each_status_in_words_where_it_fits_one_line_each(
    wheel: Wheel, make: Make, small: Small
) -> None:
    goal = wheel.add(GOAL, {"title": "A goal with a title long enough to need more than a row"})
    wheel.add(INDICATOR, {"goal_id": goal.id, "name": "Cases handled within the deadline",
                          "baseline": "0", "target": "9", "start": "2026-01-01",
                          "due": "2026-12-31"})  # fmt: skip
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        await settle(pilot)
        options = app.screen.query_one("#indicator-list", OptionList)
        prompts = [str(options.get_option_at_index(n).prompt) for n in range(2)]
        assert any(p.startswith("▼ off track   due Revenue") for p in prompts)
        long = next(p for p in prompts if "Cases handled" in p)
        assert long.endswith("…") and len(long) <= options.scrollable_content_region.width
        await pilot.resize_terminal(50, 24)
        await settle(pilot)
        prompts = [str(options.get_option_at_index(n).prompt) for n in range(2)]
        assert any(p.startswith("▼ due Revenue") for p in prompts)  # the glyph alone
