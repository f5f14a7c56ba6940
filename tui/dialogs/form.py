"""A modal form that saves through the store and stays open on bad input.

The caller gives the fields and a `save(values, overwrite)` function that
calls the Wheel. A ValidationError puts its message under the input named by
`ValidationError.field` (or above the buttons) and keeps the form open with
nothing written. A Conflict (someone else saved the same document since the
form opened) shows both versions and lets the user keep theirs or
overwrite with mine; `overwrite=True` is passed only after that choice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from store.plain import plain
from tui.dialogs.saving import SavingDialog
from widgets.placeholder import hint

Save = Callable[[dict[str, str], bool], Any]


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form.

    `name` is the key in the values passed to save and the field name the
    store's validators report; `aliases` are other names they may use for
    the same input (e.g. "parent" for parent_id). `example` and `default`
    (what the store takes when the input is left empty) make its
    placeholder, through widgets.placeholder.hint.
    """

    name: str
    label: str
    value: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    default: str = ""

    @property
    def placeholder(self) -> str:
        return hint(self.example, default=self.default, choices=self.choices)


class FormDialog(SavingDialog):
    """Inputs, one per field; Enter or ctrl+s saves, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
        # priority: handled before the next key is routed, so text typed
        # right after Tab lands in the next input (fast typists, pastes)
        Binding("tab", "next_field", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(self, title: str, fields: list[FormField], save: Save) -> None:
        super().__init__(save)
        self._title = title
        self._fields = fields
        self._owner: dict[str, str] = {}
        self._errors: dict[str, list[str]] = {}  # shown per error line's id
        for spec in fields:
            self._owner[spec.name] = spec.name
            for alias in spec.aliases:
                self._owner[alias] = spec.name

    @property
    def shape(self) -> str:
        """Forms with the same inputs can share one mounted dialog."""
        return "form:" + ",".join(spec.name for spec in self._fields)

    def take_over(self, other: FormDialog) -> None:
        """Become `other` (same shape): its title, values and save. Opening
        a mounted form this way skips building a dozen inputs again."""
        self._title, self._fields, self._save = other._title, other._fields, other._save
        self._owner = other._owner
        self.query_one(".dialog-title", Static).update(Text(self._title, style="bold"))
        for spec in self._fields:
            box = self.query_one(f"#field-{spec.name}", Input)
            box.value = spec.value
            box.placeholder = spec.placeholder
            box.cursor_position = len(spec.value)
        self.clear_errors()
        self.query_one(".form-fields", VerticalScroll).scroll_home(animate=False)
        self.set_focus(self.query_one(Input))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box form-box"):
            yield Static(Text(self._title, style="bold"), classes="dialog-title")
            with VerticalScroll(classes="form-fields"):
                for spec in self._fields:
                    with Horizontal(classes="form-row"):
                        yield Label(spec.label, classes="form-label")
                        yield Input(
                            value=spec.value,
                            placeholder=spec.placeholder,
                            id=f"field-{spec.name}",
                            compact=True,
                            suggester=SuggestFromList(spec.choices, case_sensitive=False)
                            if spec.choices
                            else None,
                        )
                    yield Static("", id=f"error-{spec.name}", classes="form-error")
            yield Static("", id="form-message", classes="form-error")
            yield Static(
                "Enter or ctrl+s: save   Esc: cancel   Tab: next field", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        for error in self.query(".form-error"):
            error.display = False
        # the scroll container would take focus first; typing goes to an input
        self.query_one(".form-fields").can_focus = False
        self.set_focus(self.query_one(Input))

    @property
    def values(self) -> dict[str, str]:
        return {
            spec.name: self.query_one(f"#field-{spec.name}", Input).value for spec in self._fields
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.complete(event.input)
        self.action_save()

    def action_next_field(self) -> None:
        if isinstance(self.focused, Input):
            self.complete(self.focused)
        self.focus_next()

    def complete(self, box: Input) -> None:
        """Take the choice the input suggests (`d` -> decrease). Worked out
        here rather than read from the input: its suggestion arrives from a
        worker, after a quick Tab would already have left the field."""
        spec = next((f for f in self._fields if f"field-{f.name}" == box.id), None)
        typed = box.value.casefold()
        if spec is None or not typed or typed in (c.casefold() for c in spec.choices):
            return
        match = next((c for c in spec.choices if c.casefold().startswith(typed)), None)
        if match is not None:
            box.value = match
            box.cursor_position = len(match)

    def current_values(self) -> dict[str, str]:
        return self.values

    def clear_errors(self) -> None:
        self._errors.clear()
        for error in self.query(".form-error"):
            error.display = False

    def show_error(self, message: str, field: str | None) -> None:
        """Show a message under the field it concerns (or above the hint),
        above any message already shown there."""
        name = self._owner.get(field or "")
        target = self.query_one(f"#error-{name}" if name else "#form-message", Static)
        lines = self._errors.setdefault(str(target.id), [])
        lines.insert(0, plain(message))
        target.update(Text("\n".join(lines)))
        target.display = True
        if name:
            self.set_focus(self.query_one(f"#field-{name}", Input))

    def conflict_labels(self) -> dict[str, str]:
        return {spec.name: spec.label for spec in self._fields}


def text_of(value: object) -> str:
    """A stored value as the text a form input starts with."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return str(value)


def changed(values: Mapping[str, str], before: Mapping[str, str]) -> dict[str, str]:
    """Only the inputs the user touched, so an untouched field keeps its
    stored form (e.g. a float is not rewritten from its display text)."""
    return {name: value for name, value in values.items() if before.get(name) != value}
