"""A 5x5 risk matrix (probability x consequence), readable without colour.

Occupied cells show how many risks sit there; empty cells show their zone
letter (l low, m medium, h high), so the matrix reads the same in 16
colours, no colours, or full colour.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

ZONE_STYLE = {"low": "on green", "medium": "on yellow", "high": "on red"}


def level(probability: int, consequence: int) -> str:
    """The zone of a cell: low, medium or high."""
    score = probability * consequence
    return "high" if score >= 15 else "medium" if score >= 6 else "low"


class RiskMatrix(Widget):
    """Where the risks fall; give it (probability, consequence) pairs."""

    DEFAULT_CSS = """
    RiskMatrix {
        width: 24;
        height: 8;
    }
    """

    cells: reactive[tuple[tuple[int, int], ...]] = reactive(())
    """One (probability, consequence) pair per risk."""

    def __init__(self, cells: Iterable[tuple[int, int]] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(RiskMatrix.cells, tuple(cells))

    def count(self, probability: int, consequence: int) -> int:
        return sum(1 for cell in self.cells if cell == (probability, consequence))

    def render(self) -> Text:
        text = Text(no_wrap=True)
        text.append("P\\C" + "".join(f" {c} " for c in range(1, 6)) + "\n", style="bold")
        for probability in range(5, 0, -1):
            text.append(f" {probability} ", style="bold")
            for consequence in range(1, 6):
                zone = level(probability, consequence)
                count = self.count(probability, consequence)
                cell = f"{count:^3}" if count else f" {zone[0]} "
                style = ZONE_STYLE[zone] + (" bold" if count else " dim")
                text.append(cell, style=style)
            text.append("\n")
        text.append("l low  m medium  h high", style="dim")
        return text
