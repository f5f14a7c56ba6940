"""Learn's `a` starts the new lesson with the goal the user was looking at:
the one selected in Goals (or Compare, Measure), or that of a lesson moved
to in Learn; "no goal" and every other goal stay a choice."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Select
from tuihelp import Small, open_stage, press, screen_text, settle

from store.backends import open_wheel
from store.service import GOAL, LESSON, Wheel
from tui.app import StyrApp
from tui.dialogs.lesson_form import LessonForm
from tui.screens.compare import CompareScreen
from tui.screens.goals import GoalsScreen
from tui.screens.learn import LearnScreen

Make = Callable[[Wheel], StyrApp]


def offered(app: StyrApp) -> object:
    form = app.screen
    assert isinstance(form, LessonForm)
    return form.query_one("#lesson-goal", Select).value


async def test_a_new_lesson_starts_with_the_goal_selected_in_goals(
    wheel: Wheel, make: Make, small: Small
) -> None:
    other = wheel.add(GOAL, {"title": "Fewer complaints"})
    # the lesson Learn selects first is of another goal: the one chosen in Goals wins
    wheel.add(LESSON, {"goal_id": small.goal, "happened": "Slow start"})
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        goals = app.screen
        assert isinstance(goals, GoalsScreen)
        await press(pilot, "end")
        assert goals.selected_goal is not None and goals.selected_goal.id == other.id
        await open_stage(pilot, "4", LearnScreen, "#learn-state")
        await press(pilot, "a")
        assert offered(app) == other.id
        assert "Fewer complaints" in screen_text(app)
        await press(pilot, *"Cut queues", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        stored = [lesson for lesson in open_wheel(small.root).lessons() if lesson.planned]
        assert [(lesson.planned, lesson.goal_id) for lesson in stored] == [("Cut queues", other.id)]


async def test_a_lesson_moved_to_in_learn_offers_its_goal_and_no_goal_stays_a_choice(
    wheel: Wheel, make: Make, small: Small
) -> None:
    other = wheel.add(GOAL, {"title": "Fewer complaints"})
    wheel.add(LESSON, {"date": "2026-03-01", "goal_id": small.child, "happened": "Older"})
    wheel.add(LESSON, {"date": "2026-10-01", "goal_id": small.goal, "happened": "Newer"})
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stage(pilot, "3", CompareScreen, "#compare-state")
        await press(pilot, "down", "down", "down")  # to the last row
        assert app.goal_in_view == other.id
        await open_stage(pilot, "4", LearnScreen, "#learn-state")
        await press(pilot, "a")
        assert offered(app) == other.id  # Compare's, not the first lesson's
        await press(pilot, "escape", "down", "a")
        assert offered(app) == small.child  # the lesson moved to here
        form = app.screen
        assert isinstance(form, LessonForm)
        form.query_one("#lesson-goal", Select).clear()
        await press(pilot, *"Nothing tied", "ctrl+s")
        await settle(pilot)
        [lesson] = [x for x in open_wheel(small.root).lessons() if x.planned == "Nothing tied"]
        assert lesson.goal_id is None
