"""The wheel bar: the four stages of the steering wheel, the active one
marked, plus where the store is, who is working and what others changed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

STAGES: tuple[tuple[str, str], ...] = (
    ("goals", "1 Goals"),
    ("measure", "2 Measure"),
    ("compare", "3 Compare"),
    ("learn", "4 Learn"),
)


class WheelBar(Widget):
    """One line on top of every stage.

    The active stage is bracketed and marked with `▶` so it reads without
    colour; the store path, the user and a read-only mark sit on the right,
    and the latest change by someone else is shown as a notice. The goal
    filters on (`filter: mine active 2026-Q3`) come first on the right, so
    a narrow terminal cuts the store path, never them.
    """

    DEFAULT_CSS = """
    WheelBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    stage: reactive[str] = reactive("goals")
    """The active stage (a key of STAGES)."""
    location: reactive[str] = reactive("")
    """The store path, already shortened for display."""
    user: reactive[str] = reactive("")
    """Who is working."""
    read_only: reactive[str] = reactive("")
    """Empty, or why the store cannot be changed."""
    notice: reactive[str] = reactive("")
    """The latest change by someone else, e.g. `updated by ann 14:02`."""
    filters: reactive[str] = reactive("")
    """Empty, or the goal filters on, e.g. `filter: mine 2026-Q3`."""

    def __init__(
        self,
        stage: str,
        *,
        location: str = "",
        user: str = "",
        read_only: str = "",
        notice: str = "",
        filters: str = "",
        stages: Sequence[tuple[str, str]] = STAGES,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._stages = tuple(stages)
        self.set_reactive(WheelBar.stage, stage)
        self.set_reactive(WheelBar.location, location)
        self.set_reactive(WheelBar.user, user)
        self.set_reactive(WheelBar.read_only, read_only)
        self.set_reactive(WheelBar.notice, notice)
        self.set_reactive(WheelBar.filters, filters)

    def _stages_text(self, *, short: bool) -> Text:
        """The stages; `short` keeps only the digits of those not shown."""
        left = Text()
        for key, label in self._stages:
            if key == self.stage:
                left.append(f"▶[{label}]", style="bold reverse")
            else:
                left.append(f" {label.split(' ', 1)[0]}" if short else f"  {label} ", style="dim")
            left.append(" ")
        return left

    def render(self) -> Text:
        right = Text()
        if self.read_only:
            right.append("READ-ONLY", style="bold")
            right.append("  ")
        if self.filters:
            right.append(self.filters, style="bold reverse")
            right.append("  ")
        # the read-only mark and the filters must be read whole: on a narrow
        # terminal the other stages give up their names for them
        must = len(right.plain.rstrip())
        left = self._stages_text(short=False)
        if self.size.width - left.cell_len - 1 < must:
            left = self._stages_text(short=True)
        if self.notice:
            right.append(self.notice, style="italic")
            right.append("  ")
        if self.user:
            right.append(self.user)
            right.append("  ")
        right.append(self.location, style="dim")
        width = self.size.width
        room = width - left.cell_len - 1
        if room < right.cell_len:
            right.truncate(max(room, 0), overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len, 1)
        return Text.assemble(left, " " * gap, right, no_wrap=True, overflow="crop")
