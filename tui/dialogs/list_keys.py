"""j and k in a modal's list, as everywhere else: a modal screen stops the
app's bindings (Textual ends the binding chain at the modal), so the app's
j/k aliases of the arrows do not reach a list inside one."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

Result = TypeVar("Result")


class ListKeys(ModalScreen[Result]):
    """A modal whose focused list moves with j and k too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "move('down')", "Down", show=False),
        Binding("k", "move('up')", "Up", show=False),
    ]

    def action_move(self, direction: str) -> None:
        action = getattr(self.focused, f"action_cursor_{direction}", None)
        if action is not None:
            action()
