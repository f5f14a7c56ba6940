"""Every key that works where the user is, and the global ones."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

GLOBAL_KEYS: tuple[tuple[str, str], ...] = (
    ("1 2 3 4", "go to Goals, Measure, Compare, Learn"),
    ("[  ]", "previous / next stage of the wheel"),
    ("Tab  shift+Tab", "next / previous region"),
    ("j  k", "down / up, like the arrows"),
    ("/", "filter the list"),
    ("ctrl+p", "command palette: jump to a goal or indicator, run any action"),
    ("u", "undo your last change"),
    ("?", "this list"),
    ("q", "quit"),
)


class KeysDialog(ModalScreen[None]):
    """A table of keys: the stage's own first, then the global ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="keys.close"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__(classes="dialog")
        self._under = under

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box keys-box"):
            yield Static(Text("Keys", style="bold"), classes="dialog-title")
            table: DataTable[Text] = DataTable(
                id="keys-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("key", "does")
            stage_rows: list[tuple[str, str]] = []
            widget_rows: list[tuple[str, str]] = []
            seen: set[str] = set()
            for active in self._under.active_bindings.values():
                binding = active.binding
                if not binding.description or binding.description in seen:
                    continue
                if binding.id and binding.id.startswith(("app.", "stage.")):
                    continue
                seen.add(binding.description)
                own = active.node is self._under and binding.id is not None
                rows = stage_rows if own else widget_rows
                rows.append((self.app.get_key_display(binding), binding.description))
            # the stage's own keys, then the global ones, then the focused list's
            for key, does in [*stage_rows, *GLOBAL_KEYS, *widget_rows]:
                table.add_row(Text(key, style="bold"), Text(does))
            yield table
            yield Static("Esc or ? closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
