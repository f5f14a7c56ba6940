"""Someone else saved the same document while you were editing it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from store.errors import Conflict
from store.plain import plain


def _shown(value: object) -> Text:
    if value is None or value == "":
        return Text("-", style="dim")
    if isinstance(value, float):
        return Text(f"{value:g}")
    if isinstance(value, (list, tuple)):
        return Text(plain(", ".join(str(item) for item in value)))
    return Text(plain(str(value)))


class ConflictDialog(ModalScreen[str]):
    """Both versions of each changed field; `t` keeps theirs, `m` overwrites
    with mine, Escape goes back to the form."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "choose('theirs')", "Keep theirs", id="conflict.theirs"),
        Binding("m", "choose('mine')", "Overwrite with mine", id="conflict.mine"),
        Binding("escape", "back", "Back to the form", id="conflict.back"),
    ]

    def __init__(self, conflict: Conflict, labels: Mapping[str, str]) -> None:
        super().__init__(classes="dialog")
        self._conflict = conflict
        self._labels = labels

    def compose(self) -> ComposeResult:
        mine = self._conflict.mine
        theirs = self._conflict.theirs or {}
        with Vertical(classes="dialog-box"):
            yield Static(Text("Changed by someone else", style="bold"), classes="dialog-title")
            yield Static(Text(plain(str(self._conflict))), id="conflict-message")
            table: DataTable[Text] = DataTable(id="conflict-table", cursor_type="row")
            # the two versions one above the other: side by side, long
            # titles would be cut off at 80 columns
            table.add_columns("field", "whose", "value")
            names = [n for n in dict.fromkeys([*mine, *theirs]) if mine.get(n) != theirs.get(n)]
            for name in names:
                table.add_row(
                    Text(self._labels.get(name, name)), Text("mine"), _shown(mine.get(name))
                )
                table.add_row(Text(""), Text("theirs"), _shown(theirs.get(name)))
            if not names:
                table.add_row(Text("(no difference)"), Text(""), Text(""))
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep theirs (t)", id="theirs")
                yield Button("Overwrite with mine (m)", id="mine", variant="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_back(self) -> None:
        self.dismiss(None)
