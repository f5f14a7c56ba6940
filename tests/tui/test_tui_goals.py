"""The Goals pane, driven by keys: add, validate, delete, undo, conflicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual import events
from textual.widgets import DataTable, Input, Static, Tree
from tuihelp import ESCAPE_TITLE, TODAY, Small, press, screen_text, settle

from store.backends import open_wheel
from store.errors import StoreAway
from store.service import GOAL, INDICATOR, Wheel
from tui.app import StyrApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.conflict import ConflictDialog
from tui.dialogs.form import FormDialog
from tui.screens.goals import GoalsScreen
from widgets.goal_tree import GoalTree, walk

Make = Callable[[Wheel], StyrApp]


async def test_add_goal_with_the_form(wheel: Wheel, make: Make) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, FormDialog)
        await press(pilot, *"Ship v1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        titles = [g.title for g in open_wheel(wheel.backend.store.root).goals()]
        assert "Ship v1" in titles
        tree = app.screen.query_one("#goal-tree", Tree)
        assert tree.cursor_node is not None and "Ship v1" in str(tree.cursor_node.label)
        assert "Ship v1" in screen_text(app)


async def test_add_indicator_to_the_selected_goal(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        assert isinstance(app.screen, FormDialog)
        await press(pilot, *"Customers", "tab", "tab", "5", "tab", *"50", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        added = [i for i in open_wheel(small.root).indicators(small.goal) if i.name == "Customers"]
        assert len(added) == 1
        assert (added[0].baseline, added[0].target) == (5, 50)
        assert str(added[0].due) == "2026-12-31"  # the goal's due date by default
        assert "Customers" in screen_text(app)


async def test_tab_and_enter_take_a_choice_fields_suggestion(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        form = app.screen
        assert isinstance(form, FormDialog)
        await press(pilot, *"Wait", "tab", "tab", "3", "0", "tab", "1", "0", "tab", "tab", "tab")
        await press(pilot, "ctrl+u", "d", "tab")
        assert form.query_one("#field-direction", Input).value == "decrease"
        assert app.focused is form.query_one("#field-aggregation", Input)
        await press(pilot, "ctrl+u", "M", "e", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        (added,) = [i for i in open_wheel(small.root).indicators(small.goal) if i.name == "Wait"]
        assert (added.direction, added.aggregation) == ("decrease", "mean")


async def test_bad_input_keeps_the_form_open_and_writes_nothing(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "i", "X", "tab", "tab", "5", "tab", "5", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        error = form.query_one("#error-target", Static)
        assert error.display
        assert "target must differ from baseline" in str(error.render())
        assert app.focused is form.query_one("#field-target", Input)
        assert [i.name for i in open_wheel(small.root).indicators()] == ["Revenue"]
        # fixing the field saves
        await press(pilot, "backspace", "9", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        assert sorted(i.name for i in open_wheel(small.root).indicators()) == ["Revenue", "X"]


async def test_every_bad_field_shows_its_own_message(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "i", "X", "tab", "tab", *"abc", "tab", *"xyz", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        baseline = form.query_one("#error-baseline", Static)
        target = form.query_one("#error-target", Static)
        assert baseline.display and str(baseline.render()) == "baseline 'abc' is not a number"
        assert target.display and str(target.render()) == "target 'xyz' is not a number"
        # the first bad field gets the cursor
        assert app.focused is form.query_one("#field-baseline", Input)
        assert [i.name for i in open_wheel(small.root).indicators()] == ["Revenue"]


async def test_delete_asks_first_and_undo_brings_it_back(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        question = screen_text(app)
        assert "Grow revenue" in question
        assert (
            "1 sub-goal" in question and "1 indicator" in question and "3 measurements" in question
        )
        await pilot.press("n")
        await settle(pilot)
        assert len(open_wheel(small.root).goals()) == 2

        await press(pilot, "d", "y")
        await settle(pilot)
        assert open_wheel(small.root).goals() == []
        assert "Grow revenue" not in screen_text(app)

        await pilot.press("u")
        await settle(pilot)
        after = open_wheel(small.root)
        assert sorted(g.id for g in after.goals()) == [small.goal, small.child]
        assert len(after.measurements(small.indicator)) == 3
        assert "Grow revenue" in screen_text(app)


async def test_conflict_keep_theirs(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, FormDialog)
        bob = open_wheel(small.root, user="bob")
        bob.update(GOAL, small.goal, {"title": "Bob's title"})
        await press(pilot, "end", *" (mine)", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        shown = screen_text(app)
        assert "Grow revenue (mine)" in shown and "Bob's title" in shown
        assert open_wheel(small.root).goal(small.goal).title == "Bob's title"
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        assert open_wheel(small.root).goal(small.goal).title == "Bob's title"
        assert "Bob's title" in screen_text(app)


async def test_conflict_names_the_field_they_changed(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        open_wheel(small.root, user="bob").update(GOAL, small.goal, {"owner": "bob"})
        await press(pilot, "end", *" (mine)", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        table = app.screen.query_one("#conflict-table", DataTable)
        rows = [
            " ".join(str(cell) for cell in table.get_row_at(i)).split()
            for i in range(table.row_count)
        ]
        assert rows == [
            ["Title", "opened", "Grow", "revenue"],
            ["theirs", "Grow", "revenue"],
            ["mine", "Grow", "revenue", "(mine)"],
            ["Owner", "opened", "ann"],
            ["theirs", "bob"],
            ["mine", "ann", "(you", "did", "not", "change", "it:", "theirs", "stays)"],
        ]
        shown = screen_text(app)
        assert "goal 1 'Grow revenue' was changed by bob" in shown
        await pilot.press("m")
        await settle(pilot)
        stored = open_wheel(small.root).goal(small.goal)
        assert (stored.title, stored.owner) == ("Grow revenue (mine)", "bob")


async def test_conflict_overwrite_with_mine(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        open_wheel(small.root, user="bob").update(GOAL, small.goal, {"title": "Bob's title"})
        await press(pilot, "end", *" (mine)", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        stored = open_wheel(small.root).goal(small.goal)
        assert stored.title == "Grow revenue (mine)"
        assert stored.stamp.updated_by == "alice"


async def test_add_risk_shows_in_the_matrix(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "r", *"Key person leaves", "tab", "tab", "2", "tab", "3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        risks = open_wheel(small.root).risks(small.goal)
        assert sorted(r.title for r in risks) == ["Key person leaves", "Market dip"]
        shown = screen_text(app)
        assert "Key person leaves" in shown and "medium 6" in shown


async def test_user_text_is_shown_literally(make: Make, small: Small) -> None:
    open_wheel(small.root).update(GOAL, small.goal, {"title": "[bold red]x[/]"})
    app = make(open_wheel(small.root))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "[bold red]x[/]" in shown
        assert ESCAPE_TITLE.replace("\x1b", "\\x1b") in shown
        assert "\x1b" not in shown


async def test_a_form_opened_again_starts_fresh(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a", *"Half typed", "escape")
        await press(pilot, "a", "enter")  # the same form, mounted once, refilled
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-title", Input).value == ""
        assert "title must not be empty" in screen_text(app)
        await press(pilot, "escape", "e")  # edit: the same shape, the goal's values
        assert app.screen is form
        assert form.query_one("#field-title", Input).value == "Grow revenue"
        assert "title must not be empty" not in screen_text(app)
        assert [g.title for g in open_wheel(small.root).goals()] == ["Grow revenue", ESCAPE_TITLE]


async def test_edit_says_saved_and_add_says_added(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    said: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.notify = lambda message, **_: said.append(str(message))  # type: ignore[method-assign]
        await pilot.press("e")
        await press(pilot, "end", *" v2", "enter")
        await settle(pilot)
        await pilot.press("a")
        await press(pilot, *"Another", "enter")
        await settle(pilot)
    added = open_wheel(small.root).find(GOAL, "Another")
    assert said[:2] == [f"saved goal {small.goal}", f"added goal {added.id}"]


async def test_esc_and_a_key_arriving_together_close_the_form_and_type_nothing(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "a", *"Half")
        form = app.screen
        assert isinstance(form, FormDialog)
        title = form.query_one("#field-title", Input)
        # what the terminal parser makes of ESC followed at once by "e"
        app.post_message(events.Key("alt+e", "e"))
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)  # closed, and "e" did not open the edit form
        assert title.value == "Half"
        assert [g.title for g in open_wheel(small.root).goals()] == ["Grow revenue", ESCAPE_TITLE]


async def test_tree_rows_say_the_status_in_words_where_they_fit(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "▼ off track   ██▍░░░░░ ⚠20 Grow revenue" in screen_text(app)
        await pilot.resize_terminal(120, 30)  # the tree is a narrow pane beside the detail
        await settle(pilot)
        assert "▼ ██▍░░░░░ ⚠20 Grow revenue" in screen_text(app)
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert "▼ off track   ██▍░░░░░ ⚠20 Grow revenue" in screen_text(app)


async def test_the_detail_reflows_when_the_terminal_grows(
    wheel: Wheel, make: Make, small: Small
) -> None:
    wheel.add(
        INDICATOR,
        {
            "goal_id": small.goal,
            "name": "Customers who would recommend us to a friend",
            "baseline": "10",
            "target": "20",
            "start": "2026-01-01",
            "due": "2026-12-31",
        },
    )
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Customers who would rec…" in screen_text(app)
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert "Customers who would recommend us to a friend" in screen_text(app)


async def test_alt_backspace_in_a_form_is_an_edit_key_not_esc(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "a", *"Half typed")
        form = app.screen
        assert isinstance(form, FormDialog)
        box = form.query_one("#field-title", Input)
        box.cursor_position = len("Half ")
        await pilot.press("alt+backspace")  # Textual: delete the word right of the cursor
        await settle(pilot)
        assert app.screen is form
        assert box.value == "Half "


async def test_a_closed_goal_says_its_outcome_and_comes_last(
    wheel: Wheel, make: Make, small: Small
) -> None:
    shop = wheel.add(
        GOAL,
        {"title": "Open the shop", "due": "2026-03-01", "state": "closed", "outcome": "partly"},
    )
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = [str(node.label) for node in walk(app.screen.query_one(GoalTree).root)]
        assert rows[-1].startswith("  ■ closed: partly") and rows[-1].endswith("Open the shop")
        assert "■ closed: partly" in screen_text(app)
        lines = screen_text(app).splitlines()
        grow = next(line for line in lines if "Grow revenue" in line)
        shop_row = next(line for line in lines if "Open the shop" in line)
        # siblings line up whether or not they can fold
        assert grow.index("▼") == shop_row.index("■")
        app.screen.select(GOAL, shop.id)
        await settle(pilot)
        head = str(app.screen.query_one("#goal-head", Static).content)
        assert "■ closed: partly" in head and "state: closed" in head
        await pilot.resize_terminal(120, 30)  # a tree too narrow for the outcome
        await settle(pilot)
        rows = [str(node.label) for node in walk(app.screen.query_one(GoalTree).root)]
        assert rows[-1].startswith("  ■ ") and "partly" not in rows[-1]


async def test_the_detail_names_the_top_risk(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert (
            "top risk: Market dip (residual P4 x C5 = 20), above 12: mitigate or accept (R)"
            in screen_text(app)
        )


async def test_the_detail_below_the_head_comes_once_the_first_frame_is_out(
    wheel: Wheel, make: Make
) -> None:
    """The tree and the goal's head are in the first frame; the tables
    below the head are mounted once it is out (they cost it some 60 ms).
    Keys pressed before then act on what is there."""
    wheel.view(TODAY)  # built before the app, as the demo's is: the first frame draws it
    app = make(wheel)
    app.FIRST_LOAD_DELAY = 3600.0  # the first frame is "out" when the test says so
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Grow revenue  (goal 1)" in screen_text(app)
        assert not app.screen.query("#goal-indicators")
        await press(pilot, "j", "k", "e")  # e edits the goal itself: no row has the focus
        assert isinstance(app.screen, FormDialog)
        await press(pilot, "escape")
        app._after_first_frame()
        await settle(pilot)
        indicators = app.screen.query_one("#goal-indicators", DataTable)
        assert indicators.row_count == 1
        assert "Revenue" in screen_text(app)
        assert "Market dip" in screen_text(app)


async def test_a_store_error_while_the_detail_first_draws_is_said_not_a_traceback(
    wheel: Wheel, make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed: list[bool] = []
    draw = GoalsScreen._show_revisions

    def away_once(screen: GoalsScreen, goal: Any) -> None:
        if not failed:
            failed.append(True)
            raise StoreAway("the server went away")
        draw(screen, goal)

    monkeypatch.setattr(GoalsScreen, "_show_revisions", away_once)
    wheel.view(TODAY)  # drawn in the first frame: the detail's tables come just after
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert failed
        assert app.is_running
        assert app.away
        assert "server away" in screen_text(app)


async def test_at_80_columns_the_first_layout_puts_the_detail_below_the_tree(
    wheel: Wheel, make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narrow layout is chosen from the terminal's width before the
    first frame: Textual chose it on the screen's first resize, so the
    first frame showed the detail beside the tree, and a second frame
    moved it below."""
    narrow_at_mount: list[bool] = []
    mounted = GoalsScreen.on_mount

    def on_mount(screen: GoalsScreen) -> None:
        narrow_at_mount.append(screen.has_class("-narrow"))
        mounted(screen)

    monkeypatch.setattr(GoalsScreen, "on_mount", on_mount)
    async with make(wheel).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert narrow_at_mount == [True]
    narrow_at_mount.clear()
    async with make(wheel).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert narrow_at_mount == [False]
        assert pilot.app.screen.has_class("-wide")
