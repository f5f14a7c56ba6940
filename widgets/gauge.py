"""Small text renderings of progress and status, readable without colour."""

from __future__ import annotations

from rich.text import Text

from store import format as fmt
from store.compare import STATUS_GLYPH, Status
from store.plain import plain

BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(progress: float | None, width: int = 10) -> Text:
    """A progress bar `width` cells wide; `·` everywhere when unknown."""
    if progress is None:
        return Text("·" * width, style="dim")
    share = min(max(progress, 0.0), 1.0)
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (BLOCKS[part] if part and full < width else "")
    return Text.assemble((filled, "bold"), ("░" * (width - len(filled)), "dim"), no_wrap=True)


def percent(progress: float | None) -> str:
    """store.format's percentage, right-aligned in four cells for a column."""
    return fmt.percent(progress).rjust(4)


def status_text(status: Status, *, word: bool = True) -> Text:
    """The status as glyph (and word), coloured but readable without colour."""
    label = fmt.status_label(status) if word else STATUS_GLYPH[status]
    return Text(label, style=fmt.STATUS_COLOUR[status], no_wrap=True)


def goal_status_text(status: Status, outcome: str | None, *, word: bool = True) -> Text:
    """A goal's status; a closed one says its outcome: `■ closed: achieved`."""
    text = status_text(status, word=word)
    if word and status == "closed" and outcome:
        text.append(f": {plain(outcome)}")
    return text


def number(value: float | None, unit: str = "") -> str:
    """store.format's number, followed by the unit when there is one."""
    shown = fmt.number(value)
    return f"{shown} {plain(unit)}" if unit and value is not None else shown
