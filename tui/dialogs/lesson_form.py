"""Add or edit a lesson in the After Action Review shape.

Five questions (what was planned, what happened, why, what to sustain, what
to improve), an optional goal, and actions typed one per line as
`[x] what | owner | due` (`[x]` when done, `[ ]` or nothing when open).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static, TextArea

from store.documents import LESSON_TEXTS, Action, Goal, Lesson
from store.errors import Problem, ValidationError
from store.plain import plain
from store.service import LESSON, refuse
from tui.dialogs.saving import SavingDialog
from widgets.placeholder import hint

QUESTIONS: dict[str, str] = {
    "planned": "What was planned?",
    "happened": "What happened?",
    "why": "Why was there a difference?",
    "sustain": "What do we keep doing?",
    "improve": "What do we improve?",
}
DONE = "[x]"
OPEN = "[ ]"


def format_actions(actions: Sequence[Action]) -> str:
    """Actions as the form edits them, one per line."""
    lines = []
    for action in actions:
        parts = [action.what, action.owner, action.due.isoformat() if action.due else ""]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(f"{DONE if action.done else OPEN} " + " | ".join(parts))
    return "\n".join(lines)


def parse_actions(text: str) -> list[dict[str, Any]]:
    """`[x] what | owner | due` lines into the store's action fields; every
    line with too many parts is reported at once."""
    actions = []
    problems: list[Problem] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        done = line[:3].lower() == DONE
        if line[:3] in (DONE, DONE.upper(), OPEN):
            line = line[3:].strip()
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            problems.append(
                ("actions", f"action '{line}' has more than three parts; use what | owner | due")
            )
            continue
        what, owner, due = [*parts, "", ""][:3]
        actions.append({"what": what, "owner": owner, "due": due or None, "done": done})
    if problems:
        raise ValidationError(problems=problems)
    return actions


# which form widget shows the error of a store field
_FIELD_WIDGET = {name: f"#lesson-{name}" for name in LESSON_TEXTS} | {
    "date": "#lesson-date",
    "goal": "#lesson-goal",
    "goal_id": "#lesson-goal",
    "actions": "#lesson-actions",
    "action": "#lesson-actions",
    "action owner": "#lesson-actions",
    "action due": "#lesson-actions",
}


class LessonForm(SavingDialog):
    """A modal form for one lesson; `save` writes it or raises ValidationError.

    `save(values, overwrite)` gets the lesson's fields. For an edit it should
    pass the `updated_at` seen when the form opened, so that a concurrent
    change raises Conflict; the form then shows both versions, and calls
    save again with `overwrite=True` only when the user keeps theirs.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="lesson.cancel"),
        Binding("ctrl+s", "save", "Save", id="lesson.save"),
        # priority: handled before the next key is routed, so text typed
        # right after Tab lands in the next field (pastes, a slow SSH link)
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(
        self,
        goals: Sequence[Goal],
        save: Callable[[dict[str, Any], bool], Lesson],
        *,
        lesson: Lesson | None = None,
        today: date | None = None,
        goal_id: int | None = None,
    ) -> None:
        super().__init__(save)
        self._goals = list(goals)
        self.lesson = lesson
        self._today = today or date.today()
        self._goal_id = lesson.goal_id if lesson is not None else goal_id
        self._errors: list[str] = []

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        title = "Add a lesson" if lesson is None else f"Edit lesson {lesson.id}"
        known = {goal.id for goal in self._goals}
        with Vertical(id="lesson-form", classes="dialog-box lesson-form-box"):
            yield Static(Text(title, style="bold"), classes="dialog-title")
            with VerticalScroll(classes="form-fields"):
                with Horizontal(classes="form-row"):
                    with Vertical(classes="form-cell"):
                        yield Label("Date")
                        yield Input(
                            (lesson.date if lesson else self._today).isoformat(),
                            placeholder=hint("2026-03-01, today, -3d"),
                            id="lesson-date",
                            compact=True,
                        )
                    with Vertical(classes="form-cell"):
                        yield Label("Goal (optional)")
                        yield Select(
                            [(Text(plain(g.title)), g.id) for g in self._goals],
                            value=self._goal_id if self._goal_id in known else Select.NULL,
                            prompt="no goal",
                            id="lesson-goal",
                            compact=True,
                        )
                for name, question in QUESTIONS.items():
                    yield Label(question)
                    yield TextArea(
                        getattr(lesson, name) if lesson else "",
                        id=f"lesson-{name}",
                        classes="lesson-text",
                        soft_wrap=True,
                        tab_behavior="focus",
                    )
                yield Label("Actions, one per line: [x] what | owner | due")
                yield TextArea(
                    format_actions(lesson.actions) if lesson else "",
                    id="lesson-actions",
                    classes="lesson-text",
                    soft_wrap=True,
                    tab_behavior="focus",
                )
            yield Static("", id="lesson-error", classes="form-error")
            yield Static(
                "ctrl+s: save   Esc: cancel   Tab: next field   Enter: new line",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#lesson-error", Static).display = False
        # not scrolled to: at 80x24 that would hide the date and goal above
        # it, and the goal the form starts with is worth seeing
        self.set_focus(self.query_one("#lesson-planned", TextArea), scroll_visible=False)

    def fields(self) -> dict[str, Any]:
        """The lesson as the store takes it (raises ValidationError on bad actions)."""
        goal = self.query_one("#lesson-goal", Select).value
        data: dict[str, Any] = {
            "date": self.query_one("#lesson-date", Input).value,
            "goal_id": None if goal is Select.NULL else goal,
        }
        for name in LESSON_TEXTS:
            data[name] = self.query_one(f"#lesson-{name}", TextArea).text.strip()
        try:
            data["actions"] = parse_actions(self.query_one("#lesson-actions", TextArea).text)
        except ValidationError as exc:
            # with what the lesson's other fields break, all shown at once
            data["actions"] = []
            refuse(exc.problems, lambda: LESSON.validate(data))
        return data

    def current_values(self) -> dict[str, Any]:
        return self.fields()

    def clear_errors(self) -> None:
        self._errors = []
        self.query_one("#lesson-error", Static).display = False

    def show_error(self, message: str, field: str | None) -> None:
        error = self.query_one("#lesson-error", Static)
        self._errors.insert(0, plain(message))
        error.update(Text("\n".join(self._errors)))
        error.display = True
        target = _FIELD_WIDGET.get(field or "")
        if target:
            self.set_focus(self.query_one(target))

    def conflict_labels(self) -> dict[str, str]:
        return {"goal_id": "goal", "actions": "actions"}

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()
