"""Steering in the Goals pane, driven by keys: moving a goal through its
states, and revising an agreed goal's indicator plan with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import DataTable, Static
from tuihelp import Small, press, screen_text, settle

from store.backends import open_wheel
from store.service import Wheel
from tui.app import StyrApp
from tui.dialogs.form import FormDialog

Make = Callable[[Wheel], StyrApp]


def shown(app: StyrApp, widget: str) -> str:
    return str(app.screen.query_one(widget, Static).content)


async def test_a_goal_moves_through_its_states_with_one_key_each(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        await settle(pilot)
        assert open_wheel(small.root).goal(small.goal).state == "proposed"
        await press(pilot, "g")
        assert isinstance(app.screen, FormDialog)
        await press(pilot, "ctrl+u", *"Kommunestyret", "enter")
        await settle(pilot)
        goal = open_wheel(small.root).goal(small.goal)
        assert (goal.state, goal.agreed_by) == ("agreed", "Kommunestyret")
        assert goal.agreed_on is not None
        assert "state: agreed, agreed by Kommunestyret on" in shown(app, "#goal-head")
        await press(pilot, "v")
        await settle(pilot)
        assert open_wheel(small.root).goal(small.goal).state == "active"
        await press(pilot, "c", "enter")  # no outcome: refused in the form
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        assert open_wheel(small.root).goal(small.goal).state == "active"
        await press(pilot, *"partly", "tab", *"half the growth", "enter")
        await settle(pilot)
        goal = open_wheel(small.root).goal(small.goal)
        assert (goal.state, goal.outcome, goal.closing_comment) == (
            "closed",
            "partly",
            "half the growth",
        )
        await press(pilot, "o", "enter")  # no reason: refused in the form
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        await press(pilot, *"budget came back", "enter")
        await settle(pilot)
        goal = open_wheel(small.root).goal(small.goal)
        assert goal.state == "active" and goal.moves[-1]["why"] == "budget came back"
        assert [m["by"] for m in goal.moves] == ["alice"] * 5


async def test_agree_defaults_to_the_current_user(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "p", "g", "enter")
        await settle(pilot)
        assert open_wheel(small.root).goal(small.goal).agreed_by == "alice"


async def test_a_move_the_wheel_refuses_is_a_notice_and_writes_nothing(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = open_wheel(small.root).goal(small.goal).stamp.updated_at
        await press(pilot, "v")
        await settle(pilot)
        assert any("cannot move to active" in n.message for n in app._notifications)
        goal = open_wheel(small.root).goal(small.goal)
        assert (goal.state, goal.stamp.updated_at) == ("draft", before)


@pytest.mark.parametrize("key", ["g", "c", "o"])
async def test_a_move_that_asks_first_is_refused_before_its_form_opens(
    wheel: Wheel, make: Make, small: Small, key: str
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, key)  # agree, close, reopen: none is a move for a draft
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
        assert any("is draft; it cannot move to" in n.message for n in app._notifications)


async def test_the_goal_form_no_longer_offers_the_moved_fields(wheel: Wheel, make: Make) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        assert isinstance(app.screen, FormDialog)
        assert not set(app.screen.values) & {"state", "agreed_by", "agreed_on", "outcome"}


def agreed(small: Small) -> Wheel:
    wheel = open_wheel(small.root, user="alice")
    wheel.move_goal(small.goal, "proposed")
    wheel.move_goal(small.goal, "agreed", by="Board")
    return wheel


async def test_an_agreed_goals_plan_change_needs_a_reason_and_is_a_revision(
    make: Make, small: Small
) -> None:
    wheel = agreed(small)
    review = wheel.record_review(
        indicator_id=small.indicator, judgement="on_track", confidence=7,
        cause="internal", decision="adjust_target",
    )  # fmt: skip
    values = wheel.measurements(small.indicator)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "tab", "e")  # the indicator row in focus
        assert isinstance(app.screen, FormDialog)
        await press(pilot, "tab", "tab", "tab", "ctrl+u", "2", "5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)  # no reason: kept open
        assert "needs a reason" in str(app.screen.query_one("#error-reason", Static).content)
        assert open_wheel(small.root).indicator(small.indicator).target == 20
        # the error put the cursor in the reason input
        await press(pilot, *"new contract", "tab", "tab", str(review.id), "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
        after = open_wheel(small.root)
        ind = after.indicator(small.indicator)
        assert ind.target == 25
        (rev,) = ind.revisions
        assert (rev.old, rev.new, rev.by, rev.why, rev.review_id) == (
            20,
            25,
            "alice",
            "new contract",
            review.id,
        )
        assert after.measurements(small.indicator) == values
        assert [r.id for r in after.reviews(indicator_id=small.indicator)] == [review.id]
        table = app.screen.query_one("#goal-revisions", DataTable)
        when, what = (str(cell).splitlines() for cell in table.get_row_at(0))
        assert when[1:] == ["alice"]
        assert what == ["Revenue: target 20 -> 25", f"why: new contract, from review {review.id}"]
        assert "Revisions  1, newest first" in shown(app, "#revisions-title")
        await press(pilot, "tab", "tab")  # from the indicators past the risks
        assert app.focused is table


async def test_a_draft_goals_indicator_is_edited_freely(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "tab", "e")
        assert isinstance(app.screen, FormDialog)
        assert "reason" not in app.screen.values
        await press(pilot, "tab", "tab", "tab", "ctrl+u", "2", "5", "enter")
        await settle(pilot)
        ind = open_wheel(small.root).indicator(small.indicator)
        assert (ind.target, ind.revisions) == (25, ())
        assert "none: the plan is as first set" in shown(app, "#revisions-title")
        assert not app.screen.query_one("#goal-revisions", DataTable).display


async def test_u_undoes_a_move_and_a_revision(make: Make, small: Small) -> None:
    wheel = agreed(small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        await settle(pilot)
        assert open_wheel(small.root).goal(small.goal).state == "active"
        await press(pilot, "u")
        await settle(pilot)
        assert open_wheel(small.root).goal(small.goal).state == "agreed"
        await press(pilot, "tab", "e", "tab", "tab", "tab", "ctrl+u", "2", "5", "enter")
        await press(pilot, *"why not", "enter")
        await settle(pilot)
        assert open_wheel(small.root).indicator(small.indicator).target == 25
        await press(pilot, "u")
        await settle(pilot)
        ind = open_wheel(small.root).indicator(small.indicator)
        assert (ind.target, ind.revisions) == (20, ())


async def test_a_plan_change_and_a_rename_save_together(make: Make, small: Small) -> None:
    wheel = agreed(small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "tab", "e", "end", *" (net)", "tab", "tab", "tab", "ctrl+u", "3", "0")
        for _ in range(10):  # on to the reason, after the milestones
            await press(pilot, "tab")
        await press(pilot, *"new owner", "enter")
        await settle(pilot)
        ind = open_wheel(small.root).indicator(small.indicator)
        assert (ind.name, ind.target, [r.why for r in ind.revisions]) == (
            "Revenue (net)",
            30,
            ["new owner"],
        )


LONG_WHY = (
    "the chat turned out far more popular than expected, so the phone queue shrank "
    "by itself and the old target no longer asks anything of the team"
)


async def test_a_revisions_reason_reads_whole_at_80_columns(make: Make, small: Small) -> None:
    wheel = agreed(small)
    wheel.revise(small.indicator, reason=LONG_WHY, target=25)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "tab", "tab", "tab")  # the indicators, the risks, the revisions
        await settle(pilot)  # the detail scrolls the table into view
        assert app.focused is app.screen.query_one("#goal-revisions", DataTable)
        # the words on screen, without the frame and the scrollbar
        words = " ".join(w for w in screen_text(app).split() if not set(w) <= set("│▁▂▃▄▅▆▇█"))
        assert f"why: {LONG_WHY}" in words


async def test_the_goals_history_names_each_move_once(make: Make, small: Small) -> None:
    wheel = agreed(small)
    wheel.revise(small.indicator, reason="new contract", target=25)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        history = str(app.screen.query_one("#goal-history", Static).content)
        assert f"alice moved goal {small.goal} draft → proposed" in history
        assert f"alice moved goal {small.goal} proposed → agreed" in history
        assert "alice revised 'Revenue': target 20 → 25 (new contract)" in history
        # the stamps of the same changes do not repeat them
        assert f"changed goal {small.goal}" not in history
        assert "changed indicator 'Revenue'" not in history
