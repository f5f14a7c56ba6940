"""Every key that works where the user is, and the global ones."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

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
    """The keys: the stage's own first, then the global ones, then the focused
    list's; each key once, descriptions wrapped to the width."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="keys.close"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__(classes="dialog")
        self._under = under

    def rows(self) -> list[tuple[str, str]]:
        stage_rows: list[tuple[str, str]] = []
        widget_rows: list[tuple[str, str]] = []
        for active in self._under.active_bindings.values():
            binding = active.binding
            if not binding.description:
                continue
            if binding.id and binding.id.startswith(("app.", "stage.")):
                continue
            own = active.node is self._under and binding.id is not None
            rows = stage_rows if own else widget_rows
            rows.append((self.app.get_key_display(binding), binding.description))
        listed: list[tuple[str, str]] = []
        seen: set[str] = set()
        # a key the stage binds itself (`/` Filter) is listed with the
        # stage's words, not again among the global ones
        for key, does in [*stage_rows, *GLOBAL_KEYS, *widget_rows]:
            # `R` is not `r`; `Esc` is `esc`
            keys = {k if len(k) == 1 else k.casefold() for k in key.split()}
            if keys <= seen:
                continue
            seen |= keys
            listed.append((key, does))
        return listed

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_edge=False, pad_edge=False, expand=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does", ratio=1, overflow="fold")
        for key, does in self.rows():
            table.add_row(key, Text(does))
        with Vertical(classes="dialog-box keys-box"):
            yield Static(Text("Keys", style="bold"), classes="dialog-title")
            with VerticalScroll(id="keys-list"):
                yield Static(table, id="keys-table")
            yield Static("Esc or ? closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
