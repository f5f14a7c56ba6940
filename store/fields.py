"""Field converters: each turns typed or typed-in input into a stored value or
raises ValidationError with one sentence naming the field and the problem."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar, cast

from store.dates import as_date
from store.errors import Problem, ValidationError

T = TypeVar("T")

MAX_TEXT = 10_000
_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2},\d{3}")


def text(value: object, field: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text", field)
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} must not be empty", field)
    if len(value) > MAX_TEXT:
        raise ValidationError(f"{field} is longer than {MAX_TEXT} characters", field)
    return value


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: object, field: str) -> float:
    if _missing(value):
        raise ValidationError(f"{field} is missing: give a number", field)
    if isinstance(value, bool):
        raise ValidationError(f"{field} must be a number", field)
    if isinstance(value, int | float):
        try:
            result = float(value)
        except OverflowError:
            raise ValidationError(f"{field} is too large to be a number here", field) from None
    elif isinstance(value, str):
        if _THOUSANDS.fullmatch(value.strip()):
            # a decimal comma and a thousands comma read the same here: 1,000 could be 1 or 1000
            raise ValidationError(
                f"{field} {value.strip()!r} is ambiguous: write it without the comma, "
                "or with a decimal point",
                field,
            )
        raw = (
            value.strip().replace(",", ".")
            if value.count(",") == 1 and "." not in value
            else value.strip()
        )
        try:
            result = float(raw)
        except ValueError:
            shown = value.strip() or "(empty)"
            raise ValidationError(f"{field} {shown!r} is not a number", field) from None
    else:
        raise ValidationError(f"{field} must be a number", field)
    if not math.isfinite(result):
        raise ValidationError(f"{field} must be a finite number, not {value!r}", field)
    return result


def integer(value: object, field: str, low: int, high: int) -> int:
    if _missing(value):
        raise ValidationError(
            f"{field} is missing: give a whole number from {low} to {high}", field
        )
    if isinstance(value, bool):
        raise ValidationError(f"{field} must be a whole number", field)
    if isinstance(value, str):
        typed = value.strip()
        try:
            value = int(typed)
        except ValueError:
            raise ValidationError(f"{field} {typed!r} is not a whole number", field) from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        shown = f", not {value:g}" if isinstance(value, float) else ""
        raise ValidationError(f"{field} must be a whole number{shown}", field)
    if not low <= value <= high:
        raise ValidationError(f"{field} must be between {low} and {high}, not {value}", field)
    return value


def optional_integer(value: object, field: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return integer(value, field, low, high)


def ref_id(value: object, field: str) -> int:
    if _missing(value):
        raise ValidationError(f"{field} is missing: give its id", field)
    if isinstance(value, str) and not value.strip().isdecimal():
        raise ValidationError(f"{field} {value.strip()!r} is not an id (a whole number)", field)
    if isinstance(value, int | str) and not isinstance(value, bool) and int(value) < 1:
        raise ValidationError(f"{field} {int(value)} does not exist; ids start at 1", field)
    return integer(value, field, 1, 2**53)


def optional_ref(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return ref_id(value, field)


def iso(value: object, field: str) -> str:
    return as_date(value, field).isoformat()


def optional_iso(value: object, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return iso(value, field)


def choice(value: object, field: str, options: Sequence[str]) -> str:
    if _missing(value):
        raise ValidationError(f"{field} is missing: choose one of {', '.join(options)}", field)
    # "at least", "on-track" and "At_Least" all mean at_least / on_track
    raw = re.sub(r"[\s-]+", "_", value.strip().lower()) if isinstance(value, str) else value
    if raw not in options:
        raise ValidationError(f"{field} {value!r} is not one of: {', '.join(options)}", field)
    assert isinstance(raw, str)
    return raw


def optional_choice(value: object, field: str, options: Sequence[str]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return choice(value, field, options)


_YES = ("true", "yes", "y", "ja", "j", "1", "done", "x")
_NO = ("false", "no", "n", "nei", "0", "")


def flag(value: object, field: str) -> bool:
    """A yes/no value: a bool, or a word a person would type for one."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _YES + _NO:
        return value.strip().lower() in _YES
    raise ValidationError(f"{field} {value!r} is not yes or no", field)


def tags(value: object, field: str = "tags") -> list[str]:
    if value is None:
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValidationError(f"{field} must be a list of words", field)
    return [text(item, field, required=True) for item in items]


def ordered(start: str | None, due: str | None, what: str = "") -> None:
    if start and due and due < start:
        prefix = f"{what} " if what else ""
        raise ValidationError(f"{prefix}due {due} is before start {start}", "due")


def to_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Collect:
    """Runs converters and rules, keeping every ValidationError instead of
    stopping at the first, so a form or a command reports them all at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._bad: set[str] = set()

    def __call__(self, name: str, convert: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """convert(*args, **kwargs); on a ValidationError, note it and give
        None (the document is never returned then: see `done`)."""
        try:
            return convert(*args, **kwargs)
        except ValidationError as exc:
            self.problems.extend(exc.problems)
            self._bad.add(name)
            return cast(T, None)

    def add(self, name: str, message: str) -> None:
        self.problems.append((name, message))
        self._bad.add(name)

    def ok(self, *names: str) -> bool:
        """Whether these fields converted; rules between fields run only then."""
        return not self._bad.intersection(names)

    def done(self) -> None:
        if self.problems:
            raise ValidationError(problems=self.problems)
