"""A lesson's improvement put to use from the Learn pane, driven by keys: as a
revision of an indicator's plan (`r`) or as a draft goal of a later period
(`g`), the link kept and shown on both sides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.widgets import DataTable, Static
from tuihelp import Small, press, screen_text, settle

from store.backends import open_wheel
from store.service import GOAL, LESSON, Wheel
from tui.app import StyrApp
from tui.dialogs.form import FormDialog
from tui.screens.goals import GoalsScreen
from tui.screens.learn import LearnScreen

Make = Callable[[Wheel], StyrApp]
IMPROVE = "Spread sales over more customers"


def add_lesson(wheel: Wheel, small: Small, improve: str = IMPROVE) -> int:
    return wheel.add(
        LESSON,
        {"date": "2026-10-15", "goal_id": small.goal, "happened": "Revenue reached 16",
         "improve": improve},
    ).id  # fmt: skip


def detail(app: StyrApp) -> str:
    return str(app.screen.query_one("#lesson-text", Static).content)


async def test_an_improvement_applied_as_a_revision_links_lesson_and_indicator_both_ways(
    wheel: Wheel, make: Make, small: Small
) -> None:
    lesson_id = add_lesson(wheel, small)
    wheel.move_goal(small.goal, "proposed")
    wheel.move_goal(small.goal, "agreed", by="Board")
    values = wheel.measurements(small.indicator)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        assert "r: revise an indicator's plan with the improvement" in detail(app)
        await press(pilot, "r")
        form = app.screen
        assert isinstance(form, FormDialog)  # the goal's one indicator: no list to pick from
        assert form.values["lesson_id"] == str(lesson_id)
        assert form.values["reason"] == IMPROVE
        await press(pilot, "tab", "tab", "tab", "ctrl+u", *"22", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        after = open_wheel(small.root)
        (rev,) = after.indicator(small.indicator).revisions
        assert (rev.new, rev.lesson_id, rev.why, rev.by) == (22, lesson_id, IMPROVE, "alice")
        (link,) = after.get(LESSON, lesson_id).links
        assert (link["kind"], link["id"], link["by"]) == ("revision", small.indicator, "alice")
        assert after.measurements(small.indicator) == values
        assert f"used: revised the plan of 'Revenue' (indicator {small.indicator})" in detail(app)
        # the other side: the goal's revisions name the lesson
        await press(pilot, "1")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        row = app.screen.query_one("#goal-revisions", DataTable).get_row_at(0)
        assert " ".join(str(row[1]).splitlines()) == (
            f"Revenue: target 20 -> 22 why: {IMPROVE}, from lesson {lesson_id}"
        )
        history = str(app.screen.query_one("#goal-history", Static).content)
        assert f"alice revised 'Revenue': target 20 → 22 ({IMPROVE})" in history
        await press(pilot, "u")
        await settle(pilot)
        undone = open_wheel(small.root)
        assert undone.indicator(small.indicator).revisions == ()
        assert undone.indicator(small.indicator).target == 20
        assert undone.get(LESSON, lesson_id).links == ()


async def test_an_improvement_becomes_a_draft_goal_of_the_next_period_linked_both_ways(
    wheel: Wheel, make: Make, small: Small
) -> None:
    lesson_id = add_lesson(wheel, small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await settle(pilot)
        await press(pilot, "g")
        form = app.screen
        assert isinstance(form, FormDialog)
        # the period after the lesson's goal's (due 2026-12-31), titled by the improvement
        assert form.values == {"period": "2027", "title": IMPROVE}
        await press(pilot, "ctrl+u", *"2027-Q5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)  # a period that is none: refused in place
        assert "2027-Q5" in screen_text(app)
        await press(pilot, "ctrl+u", *"2027-Q1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        after = open_wheel(small.root)
        (goal,) = [g for g in after.goals() if g.lessons]
        assert (goal.title, goal.state, goal.lessons) == (IMPROVE, "draft", (lesson_id,))
        assert (goal.start, goal.due) == (date(2027, 1, 1), date(2027, 3, 31))
        assert goal.owner == "ann"  # the lesson's goal's owner
        (link,) = after.get(LESSON, lesson_id).links
        assert (link["kind"], link["id"]) == ("goal", goal.id)
        assert f"used: became the draft goal '{IMPROVE}' (goal {goal.id}" in detail(app)
        # the other side: the new goal's detail names the lesson
        await press(pilot, "1")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GoalsScreen)
        assert screen.select(GOAL, goal.id)
        await settle(pilot)
        head = str(screen.query_one("#goal-head", Static).content)
        assert f"from lesson {lesson_id}: {IMPROVE}" in head


async def test_a_lesson_without_an_improvement_has_nothing_to_apply(
    wheel: Wheel, make: Make, small: Small
) -> None:
    lesson_id = add_lesson(wheel, small, improve="")
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await settle(pilot)
        await press(pilot, "r")
        assert isinstance(app.screen, LearnScreen)
        await press(pilot, "g")
        assert isinstance(app.screen, LearnScreen)
        assert any("nothing under Improve" in n.message for n in app._notifications)
        after = open_wheel(small.root)
        assert after.get(LESSON, lesson_id).links == ()
        assert after.indicator(small.indicator).revisions == ()
