"""The wheel filters (M my goals, S state, P period) kept while moving
around the wheel, closing a period in its dialog (C), and Measure's due and
period rules, driven by keys at 80x24."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, OptionList, Static
from tuihelp import Small, press, screen_text, settle, table_keys

from store.backends import open_wheel
from store.service import GOAL, INDICATOR, LESSON, Wheel
from tui.app import StyrApp
from tui.dialogs.close_period import ClosePeriodDialog, preview_lines
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog
from tui.screens.compare import CompareScreen
from tui.screens.goals import GoalsScreen
from tui.screens.learn import LearnScreen
from tui.screens.measure import MeasureScreen
from widgets.goal_tree import GoalTree, walk
from widgets.wheel_bar import WheelBar

Make = Callable[[Wheel], StyrApp]


def add_mine(wheel: Wheel) -> tuple[int, int]:
    """A goal of alice (the app's user) with an indicator and a lesson."""
    goal = wheel.add(
        GOAL, {"title": "Alice's own", "owner": "alice", "start": "2026-01-01", "due": "2026-12-31"}
    )
    ind = wheel.add(
        INDICATOR,
        {"goal_id": goal.id, "name": "Own count", "baseline": 0, "target": 10,
         "start": "2026-01-01", "due": "2026-12-31"},
    )  # fmt: skip
    wheel.add(LESSON, {"goal_id": goal.id, "happened": "mine went well"})
    wheel.add(LESSON, {"goal_id": 1, "happened": "ann's went badly"})
    return goal.id, ind.id


def bar(app: StyrApp) -> str:
    return str(app.screen.query_one(WheelBar).render())


def tree_goals(app: StyrApp) -> list[int]:
    return [node.data for node in walk(app.screen.query_one(GoalTree).root) if node.data]


def measure_indicators(app: StyrApp) -> list[str]:
    options = app.screen.query_one("#indicator-list", OptionList)
    return [str(options.get_option_at_index(n).id) for n in range(options.option_count)]


async def test_my_goals_stays_on_around_the_wheel(wheel: Wheel, make: Make, small: Small) -> None:
    mine, own = add_mine(wheel)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert set(tree_goals(app)) == {small.goal, small.child, mine}
        await press(pilot, "M")
        await settle(pilot)
        assert tree_goals(app) == [mine]
        assert "filter: mine" in bar(app)
        # every stage, whichever way it is reached, shows alice's goal only
        for key, kind in (("2", MeasureScreen), ("right_square_bracket", CompareScreen),
                          ("4", LearnScreen), ("1", GoalsScreen)):  # fmt: skip
            await press(pilot, key)
            await settle(pilot)
            assert isinstance(app.screen, kind)
            assert "filter: mine" in bar(app), key
            if kind is MeasureScreen:
                assert measure_indicators(app) == [str(own)]
            elif kind is CompareScreen:
                assert [row.key for row in app.screen.visible_rows()] == [f"g{mine}", f"i{own}"]
            elif kind is LearnScreen:
                shown = screen_text(app)
                assert "mine went well" in shown and "ann's went badly" not in shown
            else:
                assert tree_goals(app) == [mine]
        await press(pilot, "M")
        await settle(pilot)
        assert "filter:" not in bar(app)
        assert set(tree_goals(app)) == {small.goal, small.child, mine}
        await press(pilot, "2")
        await settle(pilot)
        assert len(measure_indicators(app)) == 2  # shown again after the switch


async def test_state_and_period_filters(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "S")  # draft: every goal of the small wheel
        await settle(pilot)
        assert "filter: draft" in bar(app) and len(tree_goals(app)) == 2
        await press(pilot, "S")
        await settle(pilot)
        assert "filter: proposed" in bar(app) and tree_goals(app) == []
        head = str(app.screen.query_one("#goal-head", Static).content)
        assert "No goal passes the filter (proposed): M, S or P changes it." in head
        await press(pilot, "P")
        assert isinstance(app.screen, FormDialog)
        await press(pilot, *"2026-Q5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)  # refused as styr status --period refuses it
        assert "period '2026-Q5' is not a period" in screen_text(app)
        await press(pilot, "ctrl+u", *"2026-Q3", "enter")
        await settle(pilot)
        assert "filter: proposed 2026-Q3" in bar(app)
        for _ in range(4):  # agreed, active, closed, then any state
            await press(pilot, "S")
        await settle(pilot)
        assert "filter: 2026-Q3" in bar(app) and len(tree_goals(app)) == 2
        await press(pilot, "P", "ctrl+u", *"2027", "enter")
        await settle(pilot)
        assert tree_goals(app) == []
        await press(pilot, "P", "ctrl+u", "enter")  # empty: any period
        await settle(pilot)
        assert "filter:" not in bar(app) and len(tree_goals(app)) == 2


def _activate(wheel: Wheel, *goal_ids: int) -> None:
    """Only goals agreed (and active) are closed with their period."""
    for goal_id in goal_ids:
        for to in ("proposed", "agreed", "active"):
            wheel.move_goal(goal_id, to)


async def test_closing_a_period_and_carrying_a_goal(wheel: Wheel, make: Make, small: Small) -> None:
    _activate(wheel, small.goal, small.child)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        dialog = app.screen
        assert isinstance(dialog, ClosePeriodDialog)
        await settle(pilot)
        goals = dialog.query_one("#close-goals", DataTable)
        assert table_keys(goals) == [str(small.goal), str(small.child)]
        shown = screen_text(app)
        # outcomes proposed from the status at the period's end (both off track)
        assert "1 Grow revenue" in shown and "▼ off track    missed   -" in shown
        assert "closes 2 goals of 2026: 2 missed" in shown
        assert "goal 1 comment: period 2026 closed; status at its end: off track" in shown
        await press(pilot, "j")  # down and up, as in every list
        assert "goal 2 comment:" in screen_text(app)
        await press(pilot, "k")
        assert "goal 1 comment:" in screen_text(app)
        await press(pilot, "o")  # missed -> dropped
        await press(pilot, "space")  # carry goal 1
        await press(pilot, "e", *"staff left", "enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "closes 2 goals of 2026: 1 missed, 1 dropped" in shown
        assert "goal 1 comment: staff left" in shown
        assert "carries goal 1 Grow revenue into 2027 as a draft, 2027-01-01 -> 2027-12-31" in shown
        assert "Revenue: baseline 16, target 20" in shown
        assert open_wheel(small.root).goal(small.goal).state == "active"  # a preview only
        await press(pilot, "y")
        await settle(pilot)
        assert not isinstance(app.screen, ClosePeriodDialog)
        after = open_wheel(small.root)
        closed = after.goal(small.goal)
        assert (closed.state, closed.outcome, closed.closing_comment) == (
            "closed", "dropped", "staff left",
        )  # fmt: skip
        assert after.goal(small.child).state == "closed"
        (copy,) = [g for g in after.goals() if g.carried_from == small.goal]
        assert (copy.state, copy.start, copy.due) == ("draft", date(2027, 1, 1), date(2027, 12, 31))
        (ind,) = after.indicators(copy.id)
        assert (ind.name, ind.baseline, ind.target) == ("Revenue", 16, 20)  # the last actual
        # closed goals read as closed, with their outcome, not as "no data"
        labels = {n.data: str(n.label) for n in walk(app.screen.query_one(GoalTree).root)}
        assert labels[small.goal].startswith("■ closed: dropped")
        assert labels[copy.id].startswith("  · not started")  # the copy starts in 2027
        await press(pilot, "3")
        await settle(pilot)
        row = app.screen.table.row_of(f"g{small.goal}")
        assert row is not None and row.status == "closed"


async def test_closing_needs_a_period_with_goals(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        await settle(pilot)
        await press(pilot, "2", "M")  # on the dialog's list: no stage switch, no filter
        assert isinstance(app.screen, ClosePeriodDialog) and "filter:" not in screen_text(app)
        await press(pilot, "shift+tab", "ctrl+u", *"2026-Q5", "enter")
        assert "period '2026-Q5' is not a period" in screen_text(app)
        await press(pilot, "ctrl+u", *"2030", "enter")
        await settle(pilot)
        assert "no goal is due in 2030" in screen_text(app)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        assert open_wheel(small.root).goal(small.goal).state == "draft"


async def test_a_future_date_is_logged_only_when_confirmed(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        await settle(pilot)
        await press(pilot, "l", *"17 2999-01-01", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "2999-01-01 is in the future." in screen_text(app)
        await press(pilot, "n")
        await settle(pilot)
        assert len(open_wheel(small.root).measurements(small.indicator)) == 3
        # the entry keeps the text, to fix the date or send it again
        assert app.screen.query_one("#entry", Input).value == "17 2999-01-01"
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "y")
        await settle(pilot)
        values = open_wheel(small.root).measurements(small.indicator)
        assert (values[-1].date, values[-1].value) == (date(2999, 1, 1), 17)
        message = str(app.screen.query_one("#entry-message", Static).content)
        assert message.endswith("⚠ dated after due 2026-12-31: outside the indicator's period")
        assert "2999-01-01  ⚠ after due  17 MNOK" in screen_text(app)


async def test_values_outside_the_period_are_marked(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        await settle(pilot)
        await press(pilot, "l", *"9 2025-12-15", "enter")
        await settle(pilot)
        message = str(app.screen.query_one("#entry-message", Static).content)
        assert "⚠ dated before start 2026-01-01" in message
        table = app.screen.query_one("#measurements", DataTable)
        marks = {str(table.get_row_at(n)[0]): str(table.get_row_at(n)[1]) for n in range(4)}
        assert marks == {
            "2026-09-01": "", "2026-05-01": "", "2026-02-01": "", "2025-12-15": "⚠ before start",
        }  # fmt: skip


async def test_an_indicator_past_due_is_never_due(wheel: Wheel, make: Make, small: Small) -> None:
    past = wheel.add(
        INDICATOR,
        {"goal_id": small.goal, "name": "Spring count", "baseline": 0, "target": 5,
         "start": "2026-01-01", "due": "2026-06-30", "cadence": "weekly"},
    )  # fmt: skip
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        await settle(pilot)
        options = app.screen.query_one("#indicator-list", OptionList)
        prompts = {
            str(options.get_option_at_index(n).id): str(options.get_option_at_index(n).prompt)
            for n in range(options.option_count)
        }
        # Revenue has had no value for a month: due; Spring count, never measured, ended in June
        assert " due Revenue" in prompts[str(small.indicator)]
        assert " due " not in prompts[str(past.id)]
        assert measure_indicators(app)[0] == str(small.indicator)


async def test_a_future_date_in_the_edit_form_saves_when_saved_again(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        await settle(pilot)
        await press(pilot, "e", "tab", "ctrl+u", *"2999-01-01", "enter")  # the newest value
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert "2999-01-01 is in the future: Enter again saves it" in screen_text(app)
        assert open_wheel(small.root).measurements(small.indicator)[-1].date == date(2026, 9, 1)
        await press(pilot, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
        assert open_wheel(small.root).measurements(small.indicator)[-1].date == date(2999, 1, 1)


class BarHost(App[None]):
    def compose(self) -> ComposeResult:
        yield WheelBar(
            "measure", location="/srv/styr/team", user="alice",
            read_only="the store is newer", filters="filter: mine proposed 2026-Q3",
        )  # fmt: skip


async def test_the_bar_shows_the_filters_whole_at_80_columns() -> None:
    host = BarHost()
    async with host.run_test(size=(80, 24)):
        line = str(host.query_one(WheelBar).render())
        assert "READ-ONLY  filter: mine proposed 2026-Q3" in line
        assert line.startswith(" 1 ▶[2 Measure]  3  4 ")  # the stages keep their digits
    async with BarHost().run_test(size=(120, 24)) as pilot:
        line = str(pilot.app.query_one(WheelBar).render())
        assert line.startswith("  1 Goals  ▶[2 Measure]   3 Compare    4 Learn ")


async def test_a_goal_closed_before_keeps_its_outcome_and_may_be_carried(
    wheel: Wheel, make: Make, small: Small
) -> None:
    _activate(wheel, small.goal, small.child)
    wheel.move_goal(small.child, "closed", outcome="achieved", comment="early")
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        await settle(pilot)
        await press(pilot, "j")  # the goal closed before comes after the open ones
        shown = screen_text(app)
        assert "was achieved" in shown and "(closed before: kept)" in shown
        assert "closes 1 goal of 2026: 1 missed" in shown
        await press(pilot, "e")
        assert "goal 2 was closed before: its comment stays as it is" in screen_text(app)
        await press(pilot, "space", "y")
        await settle(pilot)
        after = open_wheel(small.root)
        assert (after.goal(small.child).outcome, after.goal(small.child).closing_comment) == (
            "achieved", "early",
        )  # fmt: skip
        assert [g.state for g in after.goals() if g.carried_from == small.child] == ["draft"]


async def test_jumping_to_a_goal_the_filter_hides_says_so(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "M")  # alice owns none of the small wheel's goals
        await settle(pilot)
        app.jump_to(GOAL, small.goal)
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert "goal 1 is not shown here (filter: mine may hide it)" in said


async def test_a_goal_never_agreed_stays_open_when_its_period_closes(
    wheel: Wheel, make: Make, small: Small
) -> None:
    _activate(wheel, small.goal)  # the sub-goal stays a draft
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        await settle(pilot)
        shown = screen_text(app)
        assert "closes 1 goal of 2026: 1 missed" in shown
        assert f"leaves goal {small.child} as it is: never agreed" in shown
        await press(pilot, "j")
        shown = screen_text(app)
        assert "stays open" in shown and "(never agreed: kept)" in shown
        await press(pilot, "o")  # no outcome to pick for it
        assert "stays open" in screen_text(app)
        await press(pilot, "y")
        await settle(pilot)
        after = open_wheel(small.root)
        assert (after.goal(small.goal).state, after.goal(small.child).state) == ("closed", "draft")


def test_a_period_due_only_a_draft_says_it_stays_open(wheel: Wheel) -> None:
    plan = wheel.close_period("2026", dry_run=True)  # both goals of the small wheel are drafts
    assert [c.goal_id for c in plan.not_agreed] == [1, 2]
    lines = preview_lines(plan)
    assert lines[0] == "closes 0 goals of 2026"
    assert "leaves goals 1, 2 as they are: never agreed" in lines
