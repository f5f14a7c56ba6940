"""Pick one of a few things (an indicator whose plan to revise) from a list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.plain import plain
from tui.dialogs.list_keys import ListKeys


class PickDialog(ListKeys[int | None]):
    """`question` over the choices (label, id); Enter picks, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
    ]

    def __init__(self, question: str, choices: Sequence[tuple[str, int]]) -> None:
        super().__init__(classes="dialog")
        self._question = question
        self._choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(plain(self._question), style="bold"), classes="dialog-title")
            yield OptionList(
                *(Option(Text(plain(label)), id=str(key)) for label, key in self._choices),
                id="pick-list",
            )
            yield Static("↑↓ move   Enter picks   Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#pick-list", OptionList))

    @on(OptionList.OptionSelected, "#pick-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
