"""Small text renderings of progress and status, readable without colour."""

from __future__ import annotations

from rich.text import Text

from store.compare import STATUS_GLYPH, STATUS_WORD
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
    """`42%`, or `  -` when there is no progress to show."""
    return "  -" if progress is None else f"{progress * 100:3.0f}%"


STATUS_STYLE: dict[str, str] = {
    "missed": "bold red",
    "off_track": "red",
    "at_risk": "yellow",
    "no_data": "magenta",
    "on_track": "green",
    "achieved": "bold green",
    "not_started": "dim",
    "closed": "dim",
}


def status_text(status: str, *, word: bool = True) -> Text:
    """The status as glyph (and word), coloured but readable without colour."""
    glyph = STATUS_GLYPH.get(status, "?")  # type: ignore[call-overload]
    label = f"{glyph} {STATUS_WORD.get(status, status)}" if word else glyph  # type: ignore[call-overload]
    return Text(label, style=STATUS_STYLE.get(status, ""), no_wrap=True)


def number(value: float | None, unit: str = "") -> str:
    """A measured or planned value as a person reads it."""
    if value is None:
        return "-"
    shown = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"
    return f"{shown} {plain(unit)}".rstrip() if unit else shown
