"""A one-line sparkline of block characters, readable without colour.

Each value is one cell, `▁` (the scale's low end) to `█` (its high end), on a
fixed scale so a 7 out of 10 is always the same height, whatever the other
values are (Textual's Sparkline scales to the values shown and colours them).
The first and last values are written beside it as numbers, so the line is
read as figures too: `confidence 3 ▃▄▆▇ 7`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

BLOCKS = "▁▂▃▄▅▆▇█"


def spark(values: Sequence[float], low: float, high: float) -> str:
    """One block per value, oldest first, scaled from `low` to `high`."""
    span = high - low
    cells = []
    for value in values:
        share = 0.0 if span <= 0 else min(max((value - low) / span, 0.0), 1.0)
        cells.append(BLOCKS[round(share * (len(BLOCKS) - 1))])
    return "".join(cells)


def spark_text(label: str, values: Sequence[float], low: float, high: float, width: int) -> Text:
    """`label first ▃▄▆▇ last`, keeping the newest values that fit `width`."""
    if not values:
        return Text(f"{label}: none yet", style="dim")
    first, last = _figure(values[0]), _figure(values[-1])
    fixed = len(label) + len(last) + 3  # the spaces between the parts
    shown = values
    if width - fixed - len(first) < len(values):
        # the oldest go; the first figure then says where the blocks begin
        widest = max(len(_figure(value)) for value in values)
        shown = values[-max(width - fixed - 1 - widest, 1) :]
        first = "…" + _figure(shown[0])
    text = Text(label + " ", style="dim")
    text.append(first + " ")
    text.append(spark(shown, low, high), style="bold")
    text.append(" " + last)
    return text


def _figure(value: float) -> str:
    return f"{value:g}"


class BlockSpark(Widget):
    """`label first ▁▃▆ last` on one line; the owner sets `values` (oldest first)."""

    DEFAULT_CSS = """
    BlockSpark {
        height: 1;
    }
    """

    values: reactive[tuple[float, ...]] = reactive(())

    def __init__(self, label: str, low: float, high: float, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.low = low
        self.high = high

    def render(self) -> Text:
        return spark_text(self.label, self.values, self.low, self.high, self.size.width)
