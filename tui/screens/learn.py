"""Stage 4, Learn: lessons in the After Action Review shape.

Newest first, each optionally linked to a goal; the selected lesson is shown
in full (what was planned, what happened, why, what to sustain, what to
improve) with its actions. `a` adds, `e` or Enter edits, `d` deletes after
asking, `/` filters by text. `t` turns the list into every lesson's actions,
overdue first, where `x` marks one done and `m` keeps only the user's own.
A lesson's improvement becomes a revision of one of its goal's indicators
(`r`: the revision form, citing the lesson) or a draft goal of a later
period (`g`); the lesson's detail lists where it was used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from store.documents import LESSON_TEXTS, Goal, Indicator, Lesson
from store.errors import StoreError
from store.plain import plain, plain_lines
from store.service import LESSON, Kind
from store.steering import OpenAction, lessons_for
from tui.dialogs.form import FormDialog, FormField
from tui.dialogs.lesson_form import QUESTIONS, LessonForm
from tui.screens.revise import open_revision
from tui.screens.stage import StageScreen
from widgets.filter_input import FilterInput

NARROW = 110
HEADINGS: dict[str, str] = {
    "planned": "Planned",
    "happened": "Happened",
    "why": "Why",
    "sustain": "Sustain",
    "improve": "Improve",
}
# the list shows the most telling text a lesson has
SUMMARY_ORDER = ("happened", "improve", "planned", "why", "sustain")
LESSON_COLUMNS = ("Date", "Goal", "Lesson", "Actions")
ACTION_COLUMNS = ("State", "No.", "Action", "Owner", "Due")


def summary(lesson: Lesson) -> str:
    text = next((getattr(lesson, name) for name in SUMMARY_ORDER if getattr(lesson, name)), "")
    return plain(" ".join(text.split()))


def clipped(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class LearnScreen(StageScreen):
    """Lessons learned: list, full text, add/edit/delete."""

    STAGE = "learn"
    # narrow, the lesson's text goes below the list (app.tcss)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]  # noqa: RUF012 (Textual's type)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add lesson", id="learn.add", tooltip="add a lesson"),
        Binding("e", "edit", "Edit", id="learn.edit", tooltip="edit the selected lesson"),
        Binding("d", "delete", "Delete", id="learn.delete", tooltip="delete, after asking"),
        Binding(
            "t",
            "toggle_actions",
            "Actions",
            id="learn.actions",
            tooltip="list every lesson's actions, overdue first / the lessons",
        ),
        Binding(
            "x",
            "done",
            "Done",
            show=False,
            id="learn.done",
            tooltip="mark the selected action done",
        ),
        Binding(
            "m",
            "mine",
            "Mine",
            show=False,
            id="learn.mine",
            tooltip="only the actions you own / everyone's",
        ),
        Binding(
            "r",
            "revise",
            "Revise",
            show=False,
            id="learn.revise",
            tooltip="apply the improvement as a revision of an indicator's plan",
        ),
        Binding(
            "g",
            "to_goal",
            "To goal",
            show=False,
            id="learn.to_goal",
            tooltip="turn the improvement into a draft goal of a later period",
        ),
        # priority: see StageScreen.open_filter
        Binding(
            "slash", "filter", "Filter", id="learn.filter", tooltip="filter by text", priority=True
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="learn.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self._lessons: dict[int, Lesson] = {}
        self._goals: dict[int, Goal] = {}
        self.showing_actions = False
        self.mine = False
        self._arrived_at: int | None = None
        """The lesson selected when the stage was last shown: one the user
        moved to since is what they look at now."""

    def compose_body(self) -> ComposeResult:
        yield Static("", id="learn-state")
        yield FilterInput(
            "filter lessons by any text or goal", then="#lesson-table", id="learn-search"
        )
        with Horizontal(id="learn-body", classes="split"):
            with Vertical(id="lesson-left", classes="list-pane"):
                yield DataTable(id="lesson-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="lesson-detail", classes="detail-pane"):
                yield Static("", id="lesson-text")

    def on_mount(self) -> None:
        table = self.query_one("#lesson-table", DataTable)
        self._set_columns()
        self.query_one("#lesson-detail").can_focus = False
        self.set_focus(table)
        super().on_mount()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self._arrived_at = self.selected_id()

    # ------------------------------------------------------------- data
    def refresh_data(self) -> None:
        self._goals = {goal.id: goal for goal in self.wheel.goals()}
        shown = lessons_for(self.wheel.lessons(), self.shown_goal_ids())
        self._lessons = {lesson.id: lesson for lesson in shown}
        self._fill_table()

    def goal_title(self, lesson: Lesson) -> str:
        if lesson.goal_id is None:
            return ""
        goal = self._goals.get(lesson.goal_id)
        return plain(goal.title) if goal else f"goal {lesson.goal_id}"

    def shown_lessons(self) -> list[Lesson]:
        """Newest first, after the text filter."""
        needle = self.text.casefold()
        lessons = list(self._lessons.values())  # the wheel gives them newest first
        if not needle:
            return lessons
        return [
            lesson
            for lesson in lessons
            if needle
            in " ".join(
                [self.goal_title(lesson), *(getattr(lesson, n) for n in LESSON_TEXTS)]
                + [action.what for action in lesson.actions]
            ).casefold()
        ]

    def _set_columns(self) -> None:
        table = self.query_one("#lesson-table", DataTable)
        table.clear(columns=True)
        columns = ACTION_COLUMNS if self.showing_actions else LESSON_COLUMNS
        for label in columns:
            table.add_column(label, key=label.casefold())

    def shown_actions(self) -> list[OpenAction]:
        """Every lesson's actions, overdue first (the wheel's order), after
        the owner and text filters."""
        needle = self.text.casefold()
        return [
            x
            for x in self.wheel.actions(
                owner="me" if self.mine else None, goal_ids=self.shown_goal_ids()
            )
            if needle in f"{x.action.what} {x.action.owner}".casefold()
        ]

    def _fill_table(self) -> None:
        table = self.query_one("#lesson-table", DataTable)
        keep = self._row_key()
        table.clear()
        if self.showing_actions:
            self._fill_actions(table, keep)
            return
        lessons = self.shown_lessons()
        for lesson in lessons:
            done = sum(action.done for action in lesson.actions)
            table.add_row(
                lesson.date.isoformat(),
                Text(clipped(self.goal_title(lesson), 24)),
                Text(clipped(summary(lesson), 40)),
                f"{done}/{len(lesson.actions)} done" if lesson.actions else "",
                key=str(lesson.id),
            )
        if keep is not None and any(str(lesson.id) == keep for lesson in lessons):
            table.move_cursor(row=table.get_row_index(keep))
        self._show_state(len(lessons))
        self._show_detail()

    def _fill_actions(self, table: DataTable[Any], keep: str | None) -> None:
        actions = self.shown_actions()
        for x in actions:
            a = x.action
            table.add_row(
                "OVERDUE" if x.overdue else ("done" if a.done else "open"),
                f"{x.lesson.id}.{x.number}",
                Text(clipped(plain(a.what), 34)),
                Text(clipped(plain(a.owner), 12)),
                a.due.isoformat() if a.due else "",
                key=f"{x.lesson.id}.{x.number}",
            )
        keys = [f"{x.lesson.id}.{x.number}" for x in actions]
        if keep in keys:
            table.move_cursor(row=keys.index(keep))
        overdue = sum(x.overdue for x in actions)
        line = Text(f"{len(actions)} actions, {overdue} overdue; overdue first", style="dim")
        if self.mine:
            line.append(f"  ·  owner {plain(self.wheel.user)} (m: everyone's)", style="dim")
        if self.text:
            line.append("  ·  text ", style="dim")
            line.append(plain(self.text), style="bold")
        if not actions:
            if self.mine:
                why = f" owned by {plain(self.wheel.user)}" + (" match" if self.text else "")
                line = Text(f"No actions{why} (m: everyone's)")
            elif self.text:
                line = Text("No actions match (Esc clears the filter)")
            else:
                line = Text("No actions yet: a lesson's actions are listed here (t: the lessons)")
        self.query_one("#learn-state", Static).update(line)
        self._show_detail()

    def _show_state(self, count: int) -> None:
        if not self._lessons and self.styr.goal_filter.active:
            line = Text(self.filtered_out("lesson"))
        elif not self._lessons:
            line = Text("No lessons yet: a adds one (what was planned, what happened, why …).")
        else:
            line = Text(f"{count} of {len(self._lessons)} lessons, newest first", style="dim")
            if self.text:
                line.append("  ·  text ", style="dim")
                line.append(plain(self.text), style="bold")
        self.query_one("#learn-state", Static).update(line)

    def _row_key(self) -> str | None:
        """The selected row's key: a lesson's id, or LESSON.ACTION."""
        table = self.query_one("#lesson-table", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def selected_id(self) -> int | None:
        """The selected lesson, or the lesson of the selected action."""
        key = self._row_key()
        return None if key is None else int(key.split(".")[0])

    def selected(self) -> Lesson | None:
        lesson_id = self.selected_id()
        return None if lesson_id is None else self._lessons.get(lesson_id)

    # ----------------------------------------------------------- detail
    @on(DataTable.RowHighlighted, "#lesson-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        lesson = self.selected()
        target = self.query_one("#lesson-text", Static)
        if lesson is None:
            target.update("")
            return
        target.update(self.lesson_text(lesson))

    def lesson_text(self, lesson: Lesson) -> Text:
        """The whole lesson, user text literal, line breaks kept."""
        text = Text(f"Lesson {lesson.id} · {lesson.date.isoformat()}", style="bold")
        goal = self.goal_title(lesson)
        if goal:
            text.append("\ngoal: ", style="dim")
            text.append(goal)
        if lesson.stamp.updated_by:
            # the stamp names who changed it last (a link counts), not who wrote it
            text.append(f"\nlast changed by {plain(lesson.stamp.updated_by)}", style="dim")
        # where the improvement went, first: at 80x24 the rest is below the fold
        for link in lesson.links:
            text.append("\nused: " + self.link_words(link))
        if lesson.improve and not lesson.links:
            text.append("\nr: revise an indicator's plan with the improvement · g: a goal of it",
                        style="dim")  # fmt: skip
        for name in LESSON_TEXTS:
            value = getattr(lesson, name)
            text.append(f"\n\n{HEADINGS[name]}", style="bold underline")
            text.append(f"  {QUESTIONS[name]}", style="dim")
            text.append("\n" + (plain_lines(value) if value else "—"))
        if lesson.actions:
            text.append("\n\nActions", style="bold underline")
            for action in lesson.actions:
                text.append("\n[x] " if action.done else "\n[ ] ")
                text.append(plain(action.what))
                if action.owner:
                    text.append(f"  owner {plain(action.owner)}", style="dim")
                if action.due:
                    text.append(f"  due {action.due.isoformat()}", style="dim")
        return text

    def link_words(self, link: Any) -> str:
        """`revised the plan of Revenue (indicator 3), 2026-11-30 by alice`."""
        when = f", {str(link.get('at', ''))[:10]} by {plain(str(link.get('by', '')))}"
        target = link.get("id")
        if link.get("kind") == "goal":
            goal = self._goals.get(target) if isinstance(target, int) else None
            name = f"'{plain(goal.title)}' " if goal else ""
            span = f", {goal.start} → {goal.due}" if goal and goal.start and goal.due else ""
            return f"became the draft goal {name}(goal {target}{span}){when}"
        try:
            name = f"'{plain(self.wheel.indicator(int(target)).name)}' "
        except (StoreError, TypeError, ValueError):
            name = ""
        return f"revised the plan of {name}(indicator {target}){when}"

    # ---------------------------------------------------------- actions
    def _improvement(self) -> Lesson | None:
        """The selected lesson, when it has an improvement to apply."""
        lesson = self.selected()
        if lesson is None:
            self.notify("No lesson selected: a adds one.", markup=False)
            return None
        if not lesson.improve:
            self.notify(
                f"Lesson {lesson.id} has nothing under Improve to apply: e edits it.", markup=False
            )
            return None
        return lesson

    def action_revise(self) -> None:
        lesson = self._improvement()
        if lesson is None or not self.can_edit():
            return
        if lesson.goal_id is None:
            self.notify(
                f"Lesson {lesson.id} is about no goal, so no indicator to revise: "
                "e gives it a goal, g makes a goal of it.",
                markup=False,
            )
            return
        open_revision(
            self,
            self.wheel.indicators(lesson.goal_id),
            reason=" ".join(lesson.improve.split()),
            lesson_id=lesson.id,
            on_done=self._revised,
        )

    def _revised(self, indicator: Indicator) -> None:
        self.notify(
            f"Plan of {plain(indicator.name)} revised from this lesson (u undoes)", markup=False
        )

    def action_to_goal(self) -> None:
        lesson = self._improvement()
        if lesson is None:
            return
        goal = self._goals.get(lesson.goal_id) if lesson.goal_id is not None else None
        after = goal.due.year if goal is not None and goal.due else self.today.year
        # as `styr lesson to-goal` titles it: the first line (the whole text is its description)
        lines = [line.strip() for line in lesson.improve.splitlines() if line.strip()]
        title = lines[0][:200] if lines else ""
        fields = [
            FormField("period", "Period", str(after + 1), "2027, 2027-Q1 or 2027-01"),
            FormField("title", "Title", title, default="the improvement's first line"),
        ]

        def save(values: dict[str, str], _overwrite: bool) -> Goal:
            return self.wheel.improvement_to_goal(
                lesson.id, values["period"], title=values["title"].strip() or None
            )

        form = FormDialog(f"Lesson {lesson.id}'s improvement as a draft goal", fields, save)
        self.open_form(form, self._made_goal)

    def _made_goal(self, goal: Goal) -> None:
        self.notify(
            f"Draft goal {goal.id} '{plain(goal.title)}' {goal.start} → {goal.due}; "
            "1 Goals shows it (u undoes)",
            markup=False,
        )

    def action_add(self) -> None:
        self.open_form(
            LessonForm(
                list(self._goals.values()),
                self._add,
                today=self.today,
                goal_id=self.goal_to_offer(),
            ),
            self._saved,
        )

    def goal_to_offer(self) -> int | None:
        """The goal a new lesson starts with: that of a lesson moved to here,
        else the goal last looked at in another stage, else that of the
        selected lesson."""
        lesson = self.selected()
        own = lesson.goal_id if lesson is not None else None
        if own is not None and lesson is not None and lesson.id != self._arrived_at:
            return own
        return self.styr.goal_in_view if self.styr.goal_in_view is not None else own

    def _add(self, values: dict[str, Any], _overwrite: bool) -> Lesson:
        return self.wheel.add(LESSON, values)

    def action_edit(self) -> None:
        lesson = self.selected()
        if lesson is None:
            self.notify("No lesson selected: a adds one.", markup=False)
            return

        def save(values: dict[str, Any], overwrite: bool) -> Lesson:
            expected = None if overwrite else lesson.stamp.updated_at
            return self.wheel.update(LESSON, lesson.id, values, expected=expected)

        self.open_form(
            LessonForm(list(self._goals.values()), save, lesson=lesson, today=self.today),
            self._saved,
        )

    def _saved(self, lesson: Lesson) -> None:
        self.select(LESSON, lesson.id)

    @on(DataTable.RowSelected, "#lesson-table")
    def _chosen(self) -> None:
        self.action_edit()

    def action_delete(self) -> None:
        lesson = self.selected()
        if lesson is None:
            return

        def delete() -> None:
            try:
                self.wheel.delete(LESSON, lesson.id)
            except StoreError as exc:
                self.show_error(exc)
                return
            self.notify(f"Deleted lesson {lesson.id}; u undoes.", markup=False)
            self.reload()

        what = clipped(summary(lesson), 50)
        self.confirm(f"Delete lesson {lesson.id} of {lesson.date.isoformat()}?\n{what}", delete)

    def action_toggle_actions(self) -> None:
        self.showing_actions = not self.showing_actions
        self._set_columns()
        self._fill_table()

    def action_mine(self) -> None:
        if not self.showing_actions:
            self.action_toggle_actions()
        self.mine = not self.mine
        self._fill_table()

    def action_done(self) -> None:
        key = self._row_key() if self.showing_actions else None
        if key is None:
            self.notify("t lists the actions; x marks the selected one done", markup=False)
            return
        if not self.can_edit():
            return
        lesson_id, number = (int(part) for part in key.split("."))
        try:
            lesson = self.wheel.action_done(lesson_id, number)
        except StoreError as exc:
            self.show_error(exc)
            return
        what = plain(lesson.actions[number - 1].what)
        self.notify(f"done: {what} (u undoes)", markup=False)
        self.reload()

    def action_filter(self) -> None:
        self.open_filter("#learn-search")

    def action_clear_filter(self) -> None:
        self.query_one("#learn-search", FilterInput).clear()

    @on(FilterInput.Changed, "#learn-search")
    def _search_changed(self, event: FilterInput.Changed) -> None:
        self.text = event.text
        self._fill_table()

    @on(FilterInput.Cleared, "#learn-search")
    def _search_cleared(self) -> None:
        self.text = ""
        self.set_focus(self.query_one("#lesson-table", DataTable))
        self._fill_table()

    # ---------------------------------------------------------- palette
    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Add a lesson", "After Action Review", self.action_add)
        yield SystemCommand("Edit the lesson", "the selected lesson", self.action_edit)
        yield SystemCommand(
            "Actions / lessons", "every lesson's actions, overdue first (t)",
            self.action_toggle_actions,
        )  # fmt: skip
        yield SystemCommand("Mark the action done", "the selected action (x)", self.action_done)
        yield SystemCommand("My actions / everyone's", "owner me (m)", self.action_mine)
        yield SystemCommand(
            "Apply the improvement as a revision", "of an indicator of the lesson's goal (r)",
            self.action_revise,
        )  # fmt: skip
        yield SystemCommand(
            "Turn the improvement into a goal", "a draft goal of a later period (g)",
            self.action_to_goal,
        )  # fmt: skip

    def select(self, kind: Kind[Any], doc_id: int) -> bool:
        if kind is not LESSON or doc_id not in self._lessons:
            return False
        table = self.query_one("#lesson-table", DataTable)
        if self.showing_actions:
            self.action_toggle_actions()
        if all(lesson.id != doc_id for lesson in self.shown_lessons()):
            self.action_clear_filter()
        table.move_cursor(row=table.get_row_index(str(doc_id)))
        return True
