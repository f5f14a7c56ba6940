"""The Learn pane, driven by keys: add, edit and delete lessons."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea
from tuihelp import (
    ESCAPE_TITLE,
    MARKUP_TITLE,
    Small,
    open_stage,
    screen_text,
    settle,
    table_keys,
)

from store.backends import open_wheel
from store.service import LESSON, Wheel
from tui.app import StyrApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.conflict import ConflictDialog
from tui.dialogs.lesson_form import QUESTIONS, LessonForm, format_actions, parse_actions
from tui.screens.learn import LearnScreen

Make = Callable[[Wheel], StyrApp]


def detail(app: StyrApp) -> str:
    """The full text of the selected lesson, as the detail pane holds it
    (scrolled or not)."""
    content = app.screen.query_one("#lesson-text", Static).content
    assert isinstance(content, Text)
    return content.plain


def lesson_ids(app: StyrApp) -> list[int]:
    return [int(key) for key in table_keys(app.screen.query_one("#lesson-table", DataTable))]


async def open_learn(pilot: Pilot[None], app: StyrApp) -> LearnScreen:
    return await open_stage(pilot, "4", LearnScreen, "#learn-state")


def test_actions_round_trip_through_their_one_line_form() -> None:
    typed = "[x] Hire a tester | ann | 2026-12-01\nWrite the guide\n[ ] Ask users | bob"
    actions = parse_actions(typed)
    assert actions == [
        {"what": "Hire a tester", "owner": "ann", "due": "2026-12-01", "done": True},
        {"what": "Write the guide", "owner": "", "due": None, "done": False},
        {"what": "Ask users", "owner": "bob", "due": None, "done": False},
    ]


async def test_add_a_lesson_with_keys(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        assert "No lessons yet" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, LessonForm)
        # the cursor starts in "planned"; Enter makes a new line there
        await pilot.press(*"Grow", "enter", *"fast", "tab")
        await pilot.press(*"Slow", "tab", "tab", "tab", *"Check", "tab")
        await pilot.press(*"[x] Hire|ann|2026-12-01", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        [lesson] = wheel.lessons()
        assert lesson.planned == "Grow\nfast"
        assert lesson.happened == "Slow"
        assert lesson.improve == "Check"
        assert lesson.date.isoformat() == "2026-11-30"
        assert [(a.what, a.owner, a.done) for a in lesson.actions] == [("Hire", "ann", True)]
        assert "Slow" in screen_text(app)
        full = detail(app)
        assert "Grow\nfast" in full
        assert "[x] Hire  owner ann  due 2026-12-01" in full


async def test_a_lesson_form_lists_every_problem_at_once(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LessonForm)
        form.query_one("#lesson-date", Input).value = "2026-02-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LessonForm)
        shown = str(form.query_one("#lesson-error", Static).render())
        assert shown.splitlines() == [
            "date '2026-02-30' is not a real date",
            "a lesson needs some text: fill in at least one of planned, happened, why, "
            "sustain, improve",
        ]
        # the first problem's field gets the cursor
        assert app.focused is form.query_one("#lesson-date", Input)
        assert wheel.lessons() == []


async def test_a_lesson_without_text_is_refused_in_place(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LessonForm)
        assert "a lesson needs some text" in screen_text(app)
        assert isinstance(app.focused, TextArea) and app.focused.id == "lesson-happened"
        assert wheel.lessons() == []
        await pilot.press(*"It rained", "ctrl+s")
        await settle(pilot)
        assert [x.happened for x in wheel.lessons()] == ["It rained"]


async def test_a_bad_action_due_is_refused_in_place(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Rain", "tab", "tab", "tab", "tab", "tab")
        await pilot.press(*"Buy|ann|someday", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LessonForm)
        assert "someday" in screen_text(app)
        assert isinstance(app.focused, TextArea) and app.focused.id == "lesson-actions"
        assert wheel.lessons() == []


async def test_edit_a_lesson_and_link_it_to_a_goal(wheel: Wheel, make: Make, small: Small) -> None:
    old = wheel.add(LESSON, {"date": "2026-03-01", "happened": "Old news"})
    new = wheel.add(LESSON, {"date": "2026-10-01", "happened": "Fresh", "why": "Because"})
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        assert lesson_ids(app) == [new.id, old.id]  # newest first
        await pilot.press("down", "e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LessonForm) and form.lesson is not None
        assert form.lesson.id == old.id
        # the goal select: open it, pick the first goal
        await pilot.press("shift+tab", "enter", "down", "enter")
        await pilot.press("tab", "tab", "end", *" and more", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        edited = wheel.get(LESSON, old.id)
        assert edited.happened == "Old news and more"
        assert edited.goal_id == small.goal
        assert "goal: Grow revenue" in screen_text(app)
        assert lesson_ids(app) == [new.id, old.id]
        assert app.screen.selected_id() == old.id


async def test_delete_asks_first(wheel: Wheel, make: Make, small: Small) -> None:
    lesson = wheel.add(LESSON, {"happened": "Something"})
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert [x.id for x in wheel.lessons()] == [lesson.id]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert wheel.lessons() == []
        assert lesson_ids(app) == []
        await pilot.press("u")  # undo brings it back
        await settle(pilot)
        assert lesson_ids(app) == [lesson.id]


async def test_text_filter(wheel: Wheel, make: Make, small: Small) -> None:
    rain = wheel.add(LESSON, {"date": "2026-03-01", "happened": "It rained"})
    wheel.add(LESSON, {"date": "2026-04-01", "happened": "Sunshine"})
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("slash", *"RAIN", "enter")
        await settle(pilot)
        assert lesson_ids(app) == [rain.id]
        await pilot.press("escape")
        assert len(lesson_ids(app)) == 2


async def test_user_text_is_literal_and_keeps_its_lines(
    wheel: Wheel, make: Make, small: Small
) -> None:
    wheel.add(
        LESSON,
        {
            "goal_id": small.child,
            "planned": MARKUP_TITLE,
            "happened": "first line\nsecond [b]line[/b]\x1b[2J",
            "actions": [{"what": MARKUP_TITLE, "owner": "ann"}],
        },
    )
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        shown = screen_text(app)
        assert MARKUP_TITLE in shown
        assert "second [b]line[/b]\\x1b[2J" in shown
        assert "Sales \\x1b[31mteam" in shown
        assert ESCAPE_TITLE not in shown and "\x1b" not in shown
        full = detail(app)
        assert "first line\nsecond [b]line[/b]\\x1b[2J" in full
        assert "[ ] " + MARKUP_TITLE in full
        assert "\x1b" not in full


async def test_usable_at_80x24(wheel: Wheel, make: Make, small: Small) -> None:
    wheel.add(LESSON, {"happened": "Small screens work", "improve": "Keep it so"})
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_learn(pilot, app)
        assert screen.has_class("-narrow")
        table = screen.query_one("#lesson-table")
        detail = screen.query_one("#lesson-detail")
        assert detail.region.y >= table.region.bottom and detail.region.bottom <= 24
        shown = screen_text(app)
        assert "Small screens work" in shown and "a Add lesson" in shown
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, LessonForm)
        assert "Save" in screen_text(app) or "ctrl+s" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, LearnScreen)


def test_format_actions_writes_what_parse_reads() -> None:
    from store.documents import Lesson

    lesson = Lesson.from_doc(
        1,
        {
            "date": "2026-01-01",
            "actions": [
                {"what": "A", "owner": "ann", "due": "2026-02-01", "done": True},
                {"what": "B", "owner": "", "due": None, "done": False},
            ],
        },
    )
    text = format_actions(lesson.actions)
    assert text == "[x] A | ann | 2026-02-01\n[ ] B"
    assert [a["what"] for a in parse_actions(text)] == ["A", "B"]


async def test_an_edit_that_crossed_someone_elses_shows_both(
    wheel: Wheel, make: Make, small: Small
) -> None:
    lesson = wheel.add(LESSON, {"happened": "Draft"})
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("e")
        await settle(pilot)
        open_wheel(small.root, user="bob").update(LESSON, lesson.id, {"happened": "Bob's"})
        await pilot.press("tab", "end", *" mine", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        assert "Bob's" in screen_text(app) and "Draft mine" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, LearnScreen)
        assert wheel.get(LESSON, lesson.id).happened == "Draft mine"


async def test_a_lesson_added_elsewhere_shows_up(wheel: Wheel, make: Make, small: Small) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        added = open_wheel(small.root, user="bob").add(
            LESSON, {"date": "2026-11-02", "goal_id": small.goal, "sustain": "Weekly demos"}
        )
        app.poll_store()
        await settle(pilot)
        assert lesson_ids(app) == [added.id]
        assert "Weekly demos" in screen_text(app) and "by bob" in detail(app)


async def test_text_typed_right_after_tab_lands_in_the_next_field(
    wheel: Wheel, make: Make, small: Small
) -> None:
    """Keys that arrive at once (a paste, a slow SSH link): Tab moves the
    focus before the next key is routed, so one answer never runs into
    the next."""
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LessonForm)
        for key, char in [("w", "w"), ("tab", None), ("x", "x"), ("tab", None), ("y", "y")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        texts = [form.query_one(f"#lesson-{name}", TextArea).text for name in QUESTIONS]
        assert texts[:3] == ["w", "x", "y"]


async def test_every_bad_action_line_is_refused_with_the_other_fields(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_learn(pilot, app)
        await pilot.press("a")
        await settle(pilot)
        # no text in any question, and two action lines of four parts
        await pilot.press("tab", "tab", "tab", "tab", "tab")
        await pilot.press(*"a|b|c|d", "enter", *"e|f|g|h", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LessonForm)
        shown = screen_text(app)
        assert "action 'a|b|c|d' has more than three parts" in shown
        assert "action 'e|f|g|h' has more than three parts" in shown
        assert "a lesson needs some text" in shown
        assert wheel.lessons() == []
