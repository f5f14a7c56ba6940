"""Date parsing shared by the CLI, the TUI forms and the validators."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from store.errors import ValidationError

ACCEPTED_FORMS = "YYYY-MM-DD, today, yesterday, or -Nd / -Nw (days / weeks ago)"
_RELATIVE = re.compile(r"^([+-])(\d{1,5})([dw])$")


def today() -> date:
    return date.today()


def now_iso() -> str:
    """UTC timestamp with microseconds, the format of created_at/updated_at."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def parse_date(text: str, field: str = "date", *, base: date | None = None) -> date:
    """Turn what a person typed into a date, or say which forms are accepted."""
    raw = text.strip().lower()
    ref = base or today()
    if raw == "today":
        return ref
    if raw == "yesterday":
        return ref - timedelta(days=1)
    rel = _RELATIVE.match(raw)
    if rel:
        sign, count, unit = rel.groups()
        days = int(count) * (7 if unit == "w" else 1)
        return ref + timedelta(days=days if sign == "+" else -days)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(f"{field} {text.strip()!r} is not a real date", field) from None
    raise ValidationError(f"{field} {text.strip()!r} is not a date; use {ACCEPTED_FORMS}", field)


def as_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value, field)
    raise ValidationError(f"{field} must be a date ({ACCEPTED_FORMS})", field)
