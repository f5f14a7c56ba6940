"""Ask which period the wheel shows: a year, a quarter or a month, read by
the same store function as `styr status --period` (a bad one is explained
under the input and the form stays open); empty shows every period."""

from __future__ import annotations

from store.steering import Period, parse_period
from tui.dialogs.form import FormDialog, FormField

ANY_PERIOD = ""
"""What the prompt gives back when the input is left empty: no period filter."""


def period_prompt(current: Period | None) -> FormDialog:
    """A one-input form; it gives back the Period typed, or ANY_PERIOD."""

    def save(values: dict[str, str], _overwrite: bool) -> Period | str:
        text = values["period"].strip()
        return parse_period(text) if text else ANY_PERIOD

    field = FormField(
        "period", "Period", current.label if current else "", "2026, 2026-Q3 or 2026-11",
        default="every period",
    )  # fmt: skip
    return FormDialog("Show only the goals running in a period", [field], save)
