"""The Compare pane, driven by keys: statuses, sort, filters, reviews, chart."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from tuihelp import (
    ESCAPE_TITLE,
    MARKUP_TITLE,
    TODAY,
    Small,
    open_stage,
    press,
    screen_text,
    settle,
    table_keys,
)

from store.backends import open_wheel
from store.service import GOAL, INDICATOR, REVIEW, Wheel
from tui.app import StyrApp, make_app
from tui.cli import main
from tui.dialogs.review_form import ReviewForm
from tui.screens.compare import CompareScreen
from widgets.compare_table import SORTS, CompareTable
from widgets.plan_chart import ACTUAL_MARK, PLAN_MARK, PlanChart

Make = Callable[[Wheel], StyrApp]


def add_alpha(wheel: Wheel, small: Small) -> int:
    """A second indicator of the first goal, already achieved."""
    alpha = wheel.add(
        INDICATOR,
        {
            "goal_id": small.goal,
            "name": "Alpha visits",
            "baseline": "0",
            "target": "10",
            "start": "2026-01-01",
            "due": "2026-12-31",
        },
    )
    wheel.log(alpha.id, 12, "2026-10-01")
    return alpha.id


def table(app: StyrApp) -> DataTable[Text | str]:
    return app.screen.query_one("#compare-table", DataTable)


def row_text(app: StyrApp, key: str) -> str:
    return " | ".join(
        cell.plain if isinstance(cell, Text) else str(cell) for cell in table(app).get_row(key)
    )


def row_keys(app: StyrApp) -> list[str]:
    return table_keys(table(app))


async def open_compare(pilot: Pilot[None], app: StyrApp) -> CompareScreen:
    return await open_stage(pilot, "3", CompareScreen, "#compare-state")


async def go_to(pilot: Pilot[None], app: StyrApp, key: str) -> None:
    """Move the cursor down to the row `key`, by keys."""
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    for _ in range(table(app).row_count):
        if screen.selected_key() == key:
            return
        await pilot.press("down")
    raise AssertionError(f"row {key} not reached")


async def open_review(pilot: Pilot[None], app: StyrApp, key: str) -> ReviewForm:
    """Open Compare, go to row `key` and press r: the review form."""
    await open_compare(pilot, app)
    await go_to(pilot, app, key)
    await press(pilot, "r")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, ReviewForm)
    return form


async def test_a_logged_value_changes_the_status_shown(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, app)
        key = f"i{small.indicator}"
        assert "▼ off track" in row_text(app, key)
        assert "16" in row_text(app, key)
        # the goal rolls up its indicator and its (empty) sub-goal
        assert "30%" in row_text(app, f"g{small.goal}")
        # someone else logs a value; the pane picks it up on the next poll
        other = open_wheel(small.root, user="bob")
        other.log(small.indicator, 19.5, "2026-11-29")
        app.poll_store()
        await settle(pilot)
        assert "● on track" in row_text(app, key)
        assert "19.5" in row_text(app, key)
        assert "48%" in row_text(app, f"g{small.goal}")


async def test_goal_rows_roll_up_and_flag_the_activity_trap(
    wheel: Wheel, make: Make, small: Small
) -> None:
    trap = wheel.add(
        INDICATOR,
        {
            "goal_id": small.child,
            "name": "Calls made",
            "chain": "activity",
            "baseline": "0",
            "target": "100",
            "start": "2026-01-01",
            "due": "2026-12-31",
        },
    )
    wheel.log(trap.id, 95, "2026-11-01")
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, app)
        assert "activity trap" in row_text(app, f"g{small.child}")
        await go_to(pilot, app, f"g{small.child}")
        await settle(pilot)
        assert "activity trap" in screen_text(app)
        assert app.screen.query_one(PlanChart).data is None


async def test_sort_cycles_columns_and_o_flips_the_order(
    wheel: Wheel, make: Make, small: Small
) -> None:
    alpha = add_alpha(wheel, small)
    revenue = f"i{small.indicator}"
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot, app)
        kids = [k for k in row_keys(app) if k in (revenue, f"i{alpha}")]
        assert kids == [revenue, f"i{alpha}"]  # wheel order: as entered
        await pilot.press("s")  # status, worst first: off track before achieved
        assert "status" in screen_text(app)
        assert [k for k in row_keys(app) if k.startswith("i")] == [revenue, f"i{alpha}"]
        await pilot.press("o")
        assert [k for k in row_keys(app) if k.startswith("i")] == [f"i{alpha}", revenue]
        await pilot.press("o")
        for _ in SORTS:  # bounded: a cycle that never reaches "name" fails, not hangs
            if screen.sort_column == "name":
                break
            await pilot.press("s")
        assert "sort name" in screen_text(app)
        assert [k for k in row_keys(app) if k.startswith("i")] == [f"i{alpha}", revenue]
        # the goal row still heads its indicators
        keys = row_keys(app)
        assert keys.index(f"g{small.goal}") < keys.index(f"i{alpha}")


async def test_status_and_text_filters(wheel: Wheel, make: Make, small: Small) -> None:
    alpha = add_alpha(wheel, small)
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, app)
        everything = row_keys(app)
        assert f"g{small.child}" in everything
        await pilot.press("f")  # needs attention: only the off-track indicator and its goal
        assert row_keys(app) == [f"g{small.goal}", f"i{small.indicator}"]
        assert "needs attention" in screen_text(app)
        await pilot.press("escape")
        assert row_keys(app) == everything
        # Enter applies what was typed at once (no waiting for the pause in
        # typing) and goes back to the table, the filter kept
        await press(pilot, "slash", *"alpha", "enter")
        assert app.focused is table(app)
        assert row_keys(app) == [f"g{small.goal}", f"i{alpha}"]
        await pilot.press("escape")
        assert row_keys(app) == everything
        # letters that are keys of the pane (r, s, f, o) or the app (u, q) are text here
        await press(pilot, "slash", *"revenue squ", "enter")
        assert isinstance(app.screen, CompareScreen)
        assert row_keys(app) == []
        assert "text revenue squ" in screen_text(app)


async def test_esc_and_a_stage_key_arriving_together_do_both(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, app)
        everything = row_keys(app)
        await press(pilot, "f")
        assert row_keys(app) != everything
        # what the terminal parser makes of ESC followed at once by "1"
        app.post_message(events.Key("alt+1", "1"))
        await settle(pilot)
        assert app.current_mode == "goals"
        await open_compare(pilot, app)
        assert row_keys(app) == everything  # the Esc cleared the filter first


async def test_chart_and_figures_of_the_selected_indicator(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, app)
        await go_to(pilot, app, f"i{small.indicator}")
        await settle(pilot)
        chart = app.screen.query_one(PlanChart)
        assert chart.data is not None
        assert [value for _, value in chart.data.actual] == [11.0, 13.0, 16.0]
        shown = screen_text(app)
        assert PLAN_MARK in shown and ACTUAL_MARK in shown
        assert "expected" in shown and "MNOK" in shown and "no review yet" in shown


async def test_the_chart_draws_only_the_values_the_status_counts(make: Make, small: Small) -> None:
    wheel = open_wheel(small.root)
    wheel.update(INDICATOR, small.indicator, {"start": "2026-03-01", "aggregation": "sum"})
    wheel.log(small.indicator, 40, "2027-01-15", confirm_future=True)
    app = make(open_wheel(small.root))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, app)
        await go_to(pilot, app, f"i{small.indicator}")
        await settle(pilot)
        chart = app.screen.query_one(PlanChart)
        assert chart.data is not None
        # the running sum the status is judged on: 13, then 13 + 16
        assert chart.data.actual == ((date(2026, 5, 1), 13.0), (date(2026, 9, 1), 29.0))
        assert app.wheel.view(TODAY).indicator_record(small.indicator)["actual"] == 29.0


async def test_review_outside_tolerance_needs_cause_and_decision(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app, f"i{small.indicator}")
        assert "Outside tolerance" in screen_text(app)
        # judgement comes suggested; give a confidence and save without a deviation
        await pilot.press("tab", "7", "tab", *"slow autumn", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewForm)
        assert "the result is off track: give the deviation's cause" in screen_text(app)
        assert wheel.reviews() == []
        # the error put the cursor in the cause; fill it and the decision
        await pilot.press(*"external", "tab", *"escalate", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        [review] = wheel.reviews(indicator_id=small.indicator)
        assert review.judgement == "off_track"
        assert review.confidence == 7
        assert review.comment == "slow autumn"
        assert (review.cause, review.decision) == ("external", "escalate")
        assert review.comparison["status"] == "off_track"
        assert review.comparison["actual"] == 16.0
        assert review.comparison["at"] == "2026-11-30"
        assert review.date == TODAY
        assert "2026-11-30 alice: off track 7/10, external, escalate" in screen_text(app)


async def test_review_within_tolerance_asks_no_deviation(
    wheel: Wheel, make: Make, small: Small
) -> None:
    alpha = add_alpha(wheel, small)
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app, f"i{alpha}")
        assert "Deviation cause" not in screen_text(app)
        await pilot.press("tab", *"11", "enter")  # out of range: the store says so
        await settle(pilot)
        assert isinstance(app.screen, ReviewForm)
        assert "confidence" in screen_text(app)
        assert wheel.reviews() == []
        await pilot.press("backspace", "backspace", "9", "enter")
        await settle(pilot)
        [review] = wheel.reviews(indicator_id=alpha)
        assert (review.judgement, review.confidence, review.cause) == ("on_track", 9, None)


async def test_review_of_a_goal_freezes_its_roll_up_on_the_day_compared(
    wheel: Wheel, small: Small
) -> None:
    # compared at an earlier day than the fixtures' (and the machine's) today
    app = make_app(wheel, today=date(2026, 10, 15))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot, app)
        assert "! at risk" in row_text(app, f"g{small.goal}")
        await go_to(pilot, app, f"g{small.goal}")
        await pilot.press("r")
        await settle(pilot)
        # judgement as suggested (at_risk), confidence 4, no comment
        await pilot.press("tab", "4", "tab", "tab", *"internal", "tab", *"adjust_target", "enter")
        await settle(pilot)
        [review] = wheel.reviews(goal_id=small.goal)
        assert review.date == date(2026, 10, 15)
        assert review.comparison == wheel.view(date(2026, 10, 15)).goal_record(small.goal)
        assert review.comparison["status"] == "at_risk"
        assert (review.judgement, review.confidence) == ("at_risk", 4)
        assert review.decision == "adjust_target"


async def test_markup_and_escapes_in_names_are_shown_literally(
    wheel: Wheel, make: Make, small: Small
) -> None:
    odd = wheel.add(
        INDICATOR,
        {
            "goal_id": small.child,
            "name": MARKUP_TITLE,
            "baseline": "0",
            "target": "10",
            "start": "2026-01-01",
            "due": "2026-12-31",
        },
    )
    app = make(wheel)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_compare(pilot, app)
        assert MARKUP_TITLE in row_text(app, f"i{odd.id}")
        assert "Sales \\x1b[31mteam" in row_text(app, f"g{small.child}")
        assert ESCAPE_TITLE not in row_text(app, f"g{small.child}")
        await go_to(pilot, app, f"i{odd.id}")
        await settle(pilot)
        shown = screen_text(app)
        assert MARKUP_TITLE in shown
        assert "\x1b" not in shown


async def test_usable_at_80x24(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot, app)
        await go_to(pilot, app, f"i{small.indicator}")
        await settle(pilot)
        grid = screen.query_one("#compare-table")
        chart = screen.query_one(PlanChart)
        assert screen.has_class("-narrow")
        # the detail sits below the table, both on screen
        assert chart.region.y >= grid.region.bottom
        assert chart.region.bottom <= 24 and chart.region.height >= 5
        shown = screen_text(app)
        assert "off track" in shown and "Revenue" in shown
        assert "r Review" in shown


async def test_wide_terminals_put_the_detail_beside_the_table(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_compare(pilot, app)
        grid = screen.query_one("#compare-table")
        chart = screen.query_one(PlanChart)
        assert not screen.has_class("-narrow")
        assert chart.region.x >= grid.region.right


async def test_an_empty_wheel_says_what_to_do(tmp_path: Path, make: Make) -> None:
    app = make(open_wheel(tmp_path / "empty", user="alice"))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_compare(pilot, app)
        assert "No goals yet" in screen_text(app)
        await pilot.press("r", "s", "f")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert any("Nothing to review" in n.message for n in app._notifications)


async def test_at_80x24_the_main_columns_fit_and_the_detail_is_whole(
    wheel: Wheel, make: Make, small: Small
) -> None:
    big = wheel.add(
        INDICATOR,
        {
            "goal_id": small.goal,
            "name": "Visitors to the municipal web pages",
            "baseline": "100000",
            "target": "900000",
            "start": "2026-01-01",
            "due": "2026-12-31",
        },
    )
    wheel.log(big.id, 654321.5, "2026-03-01")
    wheel.add(
        REVIEW,
        {
            "date": "2026-11-01",
            "indicator_id": big.id,
            "comparison": {"status": "off_track"},
            "judgement": "off_track",
            "confidence": "4",
            "comment": "the new pages went live late, and the old ones were taken down early",
            "deviation": {"cause": "internal", "decision": "adjust_measure"},
        },
    )
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(pilot, app)
        grid = table(app)
        main = ("name", "status", "progress", "actual", "expected", "ahead")
        used = sum(grid.columns[key].get_render_width(grid) for key in main)  # type: ignore[index]
        assert used <= grid.scrollable_content_region.width
        assert "654k" in row_text(app, f"i{big.id}")
        grid.move_cursor(row=grid.get_row_index(f"i{big.id}"))
        await settle(pilot)
        facts = app.screen.query_one("#compare-facts", Static)
        shown = facts.content
        assert isinstance(shown, Text) and "654,321.5" in shown.plain
        region = facts.content_region
        assert len(shown.wrap(app.console, region.width)) <= region.height
        # too long to fit beside the chart: the figures took its place
        assert not app.screen.query_one(PlanChart).display
        grid.move_cursor(row=grid.get_row_index(f"i{small.indicator}"))
        await settle(pilot)
        assert app.screen.query_one(PlanChart).display
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert "Visitors to the municipal w…" in row_text(app, f"i{big.id}")
        assert "654,321.5" in row_text(app, f"i{big.id}")


async def test_a_review_recorded_by_keys_holds_the_status_json_record_of_its_day(
    wheel: Wheel, small: Small, capsys: pytest.CaptureFixture[str]
) -> None:
    day = date(2026, 10, 15)
    app = make_app(wheel, today=day)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot, app, f"i{small.indicator}")
        await press(pilot, "tab", "6", "tab", *"late orders", "tab", *"external", "tab")
        await press(pilot, *"continue", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
    [review] = open_wheel(small.root, user="alice").reviews(indicator_id=small.indicator)
    assert main(["status", "--store", str(small.root), "--json", "--at", day.isoformat()]) == 0
    [record] = [
        row for row in json.loads(capsys.readouterr().out) if row["indicator_id"] == small.indicator
    ]
    assert review.comparison == record
    assert review.date == day
    assert (review.judgement, review.confidence, review.comment) == ("at_risk", 6, "late orders")
    assert (review.cause, review.decision) == ("external", "continue")


async def test_every_refusal_of_the_verb_shows_in_the_form(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app, f"i{small.indicator}")
        # a judgement that is none of the words, a confidence out of range, no deviation
        await press(pilot, "ctrl+u", *"guess", "tab", *"12", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewForm)
        shown = screen_text(app)
        assert "judgement 'guess' is not one of" in shown
        assert "confidence must be between 0 and 10, not 12" in shown
        assert "the result is off track: give the deviation's cause" in shown
        # the first problem's field has the cursor
        assert app.focused is app.screen.query_one("#field-judgement")
        assert wheel.reviews() == []


async def test_at_80x24_a_closed_goal_reads_closed_and_a_goal_its_top_risk(
    wheel: Wheel, make: Make, small: Small
) -> None:
    done = wheel.add(GOAL, {"title": "Old campaign", "state": "closed", "outcome": "missed"})
    late = add_alpha(wheel, small)
    wheel.update(INDICATOR, late, {"goal_id": done.id, "target": "100"})  # missed its target
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(pilot, app)
        assert row_text(app, f"g{done.id}").split(" | ")[1] == "■ missed"
        # the outcome in the status leaves room for ahead/behind
        assert "behind" in row_text(app, f"i{late}")
        assert any(line.rstrip("│ ").endswith("d behind") for line in screen_text(app).splitlines())
        # its indicator's figures would need attention, were the goal still open
        assert "▼ off track" in row_text(app, f"i{late}")
        await go_to(pilot, app, f"g{small.goal}")
        await settle(pilot)
        assert "top risk 20 Market dip (probability 4, consequence 5)" in screen_text(app)
        await go_to(pilot, app, f"g{done.id}")
        await settle(pilot)
        assert "■ closed, outcome missed" in screen_text(app)
        await press(pilot, "f")  # needs attention: the closed goal and its indicator stay out
        assert row_keys(app) == [f"g{small.goal}", f"i{small.indicator}"]


async def test_the_table_posts_the_row_the_cursor_is_on(wheel: Wheel, small: Small) -> None:
    class Host(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.chosen: list[tuple[str | None, int]] = []

        def compose(self) -> ComposeResult:
            yield CompareTable()

        def on_compare_table_selected(self, message: CompareTable.Selected) -> None:
            self.chosen.append((message.kind, message.doc_id))

    host = Host()
    async with host.run_test(size=(100, 20)) as pilot:
        host.query_one(CompareTable).show(wheel.view(TODAY))
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        assert host.chosen[0] == ("goal", small.goal)
        assert host.chosen[-1] == ("indicator", small.indicator)
        host.query_one(CompareTable).order_rows("wheel", False, "all", "nothing like it")
        await pilot.pause()
        assert host.chosen[-1] == (None, 0)


async def test_a_filter_places_the_rows_it_holds_without_adding_any(
    wheel: Wheel, small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filters and sorts choose among rows the table holds: re-adding
    thousands of rows on every key was a tenth of a second on a big wheel."""

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield CompareTable()

    host = Host()
    async with host.run_test(size=(100, 20)) as pilot:
        shown = host.query_one(CompareTable)
        shown.show(wheel.view(TODAY))
        await pilot.pause()
        everything = [shown.get_row_at(n)[0] for n in range(shown.row_count)]
        added: list[object] = []
        monkeypatch.setattr(shown, "add_row", lambda *cells, **_: added.append(cells))
        shown.order_rows("wheel", False, "all", "revenue")
        await pilot.pause()
        assert [row.key for row in shown.rows_shown] == [f"g{small.goal}", f"i{small.indicator}"]
        assert shown.row_count == 2
        assert shown.get_row_at(1)[0].plain.strip() == "Revenue"
        shown.order_rows("wheel", True, "all", "")
        await pilot.pause()
        again = [shown.get_row_at(n)[0] for n in range(shown.row_count)]
        assert sorted(map(id, again)) == sorted(map(id, everything))
        assert again != everything  # the goals reversed
        assert added == []


async def test_a_filter_keeping_the_row_leaves_its_detail_as_drawn(
    wheel: Wheel, make: Make, small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot, app)
        await go_to(pilot, app, f"i{small.indicator}")
        await settle(pilot)
        drawn: list[int] = []
        show = CompareScreen._show_detail
        monkeypatch.setattr(
            CompareScreen, "_show_detail", lambda self: drawn.append(1) or show(self)
        )
        await press(pilot, "slash", *"rev")
        await settle(pilot)
        assert screen.selected_key() == f"i{small.indicator}" and drawn == []
        assert "MNOK" in screen_text(app)  # the figures are still there
        await press(pilot, "escape", "escape", "down")  # another row is drawn
        await settle(pilot)
        assert screen.selected_key() != f"i{small.indicator}" and drawn


async def test_a_review_of_a_day_to_come_is_refused_in_the_form(wheel: Wheel, small: Small) -> None:
    # compared at a day after the machine's today: the verb refuses the review
    later = date.today() + timedelta(days=30)
    alpha = add_alpha(wheel, small)
    app = make_app(wheel, today=later)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app, f"i{alpha}")
        await pilot.press("tab", "9", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewForm)
        assert f"the review's day {later} is after today" in screen_text(app)
        assert wheel.reviews() == []
