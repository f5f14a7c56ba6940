"""Ask for a file name to write to (export, report): Enter writes, Escape cancels."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from widgets.placeholder import hint


class FileNameDialog(ModalScreen[str | None]):
    """A title, a file name entry with a suggestion, and what the keys do."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="file_name.cancel"),
    ]

    def __init__(self, title: str, suggestion: str) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self._title), classes="dialog-title")
            yield Input(
                self._suggestion,
                id="file-name",
                placeholder=hint("report.md"),
                suggester=PathSuggester(),
            )
            yield Static(Text("Enter writes the file, Escape cancels"), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if name:
            self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PathSuggester(Suggester):
    """Completes the last part of a path from the files that exist (→ takes it)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        folder, _, start = value.rpartition("/")
        where = Path(folder or ("/" if value.startswith("/") else ".")).expanduser()
        try:
            names = sorted(p.name + "/" * p.is_dir() for p in where.iterdir())
        except OSError:
            return None
        hidden = start.startswith(".")
        found = next(
            (n for n in names if n.startswith(start) and n != start and (hidden or n[0] != ".")),
            None,
        )
        if found is None:
            return None
        return f"{folder}/{found}" if value.count("/") else found
