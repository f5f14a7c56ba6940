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
    """Each field where what I opened, theirs (on disk now) and mine differ,
    with all three; `t` keeps theirs, `m` overwrites with mine (the fields I
    changed), Escape goes back to the form."""

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
        conflict = self._conflict
        mine, theirs = conflict.mine, conflict.theirs or {}
        base = conflict.base
        with Vertical(classes="dialog-box"):
            yield Static(Text("Changed by someone else", style="bold"), classes="dialog-title")
            yield Static(Text(plain(str(conflict))), id="conflict-message")
            table: DataTable[Text] = DataTable(id="conflict-table", cursor_type="row")
            # the versions one above the other: side by side, long titles
            # would be cut off at 80 columns
            table.add_columns("field", "whose", "value")
            names = [
                name
                for name in dict.fromkeys([*(base or {}), *theirs, *mine])
                if len({repr(v.get(name)) for v in (base or mine, theirs, mine)}) > 1
            ]
            for name in names:
                label = Text(self._labels.get(name, name))
                if base is not None:
                    table.add_row(label, Text("opened", style="dim"), _shown(base.get(name)))
                    label = Text("")
                table.add_row(label, Text("theirs"), _shown(theirs.get(name)))
                mine_value = _shown(mine.get(name))
                if base is not None and mine.get(name) == base.get(name):
                    # overwriting sends only the fields I changed
                    mine_value.append(" (you did not change it: theirs stays)", style="dim")
                table.add_row(Text(""), Text("mine"), mine_value)
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
