"""What the TUI shows when the store's wheel.json cannot be read: the
message and nothing else (no goal can be shown, nothing can be written)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from store.plain import plain_lines


class BrokenStoreApp(App[None]):
    """The store's message, read-only; q quits with exit code 1."""

    TITLE = "styr"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("escape", "quit", "Quit", show=False),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                ("styr cannot read this store (read-only, nothing was changed)\n\n", "bold"),
                plain_lines(self.message),
            ),
            id="broken-message",
        )
        yield Footer()

    async def action_quit(self) -> None:
        self.exit(return_code=1)


def run_broken(message: str) -> int:
    app = BrokenStoreApp(message)
    app.run()
    return app.return_code or 1
