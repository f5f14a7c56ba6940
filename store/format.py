"""How statuses, values, percentages and days read, on every surface.

Plain strings only (no Rich, no Textual): the CLI table uses these as they
are, and the TUI wraps them in its own styles. A status always reads without
colour (glyph and word); STATUS_COLOUR is a hint on top, named as Rich styles
so the TUI can use the names directly and the CLI maps them to ANSI codes.
"""

from __future__ import annotations

from typing import Final, Literal

from store.compare import STATUS_GLYPH, STATUS_WORD, Status

Lang = Literal["en", "nb"]
LANGS: Final[tuple[Lang, ...]] = ("en", "nb")
# bokmål groups thousands with a space and writes a decimal comma. The space
# is a no-break one (U+00A0): every terminal font has it, one cell wide, and
# unlike a plain space a Markdown viewer never breaks a number across lines
# in a narrow table cell; the narrow U+202F is missing from many terminal
# fonts. It is also what Norwegian spreadsheets write (nb-NO locales).
NBSP: Final = "\u00a0"
_NB_DIGITS: Final = str.maketrans({",": NBSP, ".": ","})

ASCII_GLYPH: Final[dict[Status, str]] = {
    "missed": "x",
    "off_track": "v",
    "at_risk": "!",
    "no_data": "?",
    "on_track": "o",
    "achieved": "+",
    "not_started": ".",
    "closed": "#",
}
# no_data stands out (magenta), unlike not_started (dim): no data once a
# period runs is a problem to look at, a period not begun is not
STATUS_COLOUR: Final[dict[Status, str]] = {
    "missed": "bold red",
    "off_track": "red",
    "at_risk": "yellow",
    "no_data": "magenta",
    "on_track": "green",
    "achieved": "bold green",
    "not_started": "dim",
    "closed": "dim",
}
NONE: Final = "-"


def status_label(status: Status, *, unicode: bool = True) -> str:
    """`▼ off track`: glyph and word, so the status reads without colour."""
    glyph = STATUS_GLYPH[status] if unicode else ASCII_GLYPH[status]
    return f"{glyph} {STATUS_WORD[status]}"


# the widest label: a column of statuses in words keeps this width
STATUS_LABEL_WIDTH: Final = max(len(status_label(status)) for status in STATUS_WORD)


def number(value: float | None, *, compact: bool = False, lang: Lang = "en") -> str:
    """A measured or planned value: `12,500`, `3.25`; in bokmål `12 500`,
    `3,25`. `compact` fits a narrow column (`125k`, `3.1M`, no separators);
    the JSON has every value exactly."""
    if value is None:
        return NONE
    if compact:
        size = abs(value)
        if size >= 1e9:
            return f"{value / 1e9:.3g}G"
        if size >= 1e6:
            return f"{value / 1e6:.3g}M"
        if size >= 1e5:
            return f"{value / 1e3:.0f}k"
        if size >= 100 or value == int(value):
            return f"{value:.0f}"
        return f"{value:.3g}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    return text.translate(_NB_DIGITS) if lang == "nb" else text


def percent(progress: float | None, *, lang: Lang = "en") -> str:
    """A progress as `45%` (bokmål `45 %`, as Norwegian writes it):
    unclamped, so overshooting shows, but capped at a width a column holds
    (`>999%`)."""
    if progress is None:
        return NONE
    share = round(progress * 100)
    sign = NBSP + "%" if lang == "nb" else "%"
    return f">999{sign}" if share > 999 else f"<-99{sign}" if share < -99 else f"{share}{sign}"


def days(ahead: int | None) -> str:
    """Days ahead of (+) or behind (-) the plan, short: `+3d`, `-16d`, `0d`;
    empty where there is no plan position (thresholds, no data)."""
    if ahead is None:
        return ""
    return f"{ahead:+d}d" if ahead else "0d"


def ahead_words(ahead: int | None, *, lang: Lang = "en") -> str:
    """The same in words, for a wider column: `3d ahead`, `16d behind`, `on
    plan`; in bokmål `3 dager foran`, `1 dag bak`, `som planlagt`."""
    if ahead is None:
        return NONE
    if lang == "nb":
        if ahead == 0:
            return "som planlagt"
        unit = "dag" if abs(ahead) == 1 else "dager"
        return f"{abs(ahead)} {unit} {'foran' if ahead > 0 else 'bak'}"
    if ahead == 0:
        return "on plan"
    return f"{ahead}d ahead" if ahead > 0 else f"{-ahead}d behind"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 goal`, `2 goals`: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
