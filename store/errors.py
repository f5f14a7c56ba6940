"""Every failure the store reports, each with a message a person can act on.

The CLI maps `BadInput` to exit code 2 and every other `StoreError` to exit 1;
the TUI shows the message where the user acted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class StoreError(Exception):
    """A store operation could not be done; str(exc) is the user's message."""


class BadInput(StoreError):
    """The user asked for something invalid; nothing was written."""


Problem = tuple[str | None, str]
"""(field or None, message): one broken rule."""


class ValidationError(BadInput):
    """Field values break rules. `problems` lists every one as (field,
    message); str() is their messages, one a line; `field` is the first's."""

    def __init__(
        self, message: str = "", field: str | None = None, *, problems: Sequence[Problem] = ()
    ) -> None:
        self.problems: list[Problem] = list(problems) or [(field, message)]
        super().__init__("\n".join(text for _, text in self.problems))
        self.field = self.problems[0][0]


class FutureDate(ValidationError):
    """A value is dated after today and was not confirmed: the caller may
    ask the user and try again with the confirmation."""


class NotFound(BadInput):
    """No document matches the id or name given."""


class Ambiguous(BadInput):
    """A name prefix matches more than one document."""


class NeedsCascade(BadInput):
    """Deleting would also remove dependent documents; the caller must confirm."""

    def __init__(self, message: str, dependants: dict[str, int]) -> None:
        super().__init__(message)
        self.dependants = dependants


class StoreCorrupt(StoreError):
    """A file of the store cannot be read; it is left untouched."""


class StoreMissing(StoreError):
    """A reading command was pointed at a folder that is not there."""


class StoreAway(StoreError):
    """The store's server cannot be reached now (down, or the connection
    lost); nothing half-written was kept, and a later try connects again."""


class StoreLocked(StoreError):
    """Another process held the store's lock for too long."""


class ReadOnly(StoreError):
    """The store was opened read-only (newer schema or no write permission)."""


class WriteFailed(StoreError):
    """The disk refused a write (full, permissions); the store is unchanged."""


class Conflict(StoreError):
    """The document changed on disk since the caller read it.

    `base` is the version the caller opened (None when it cannot be found),
    `theirs` the one on disk now, `mine` the caller's: what they opened with
    their own changes applied.
    """

    def __init__(
        self,
        message: str,
        kind: str,
        mine: dict[str, Any],
        theirs: dict[str, Any] | None,
        base: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.mine = mine
        self.theirs = theirs
        self.base = base


class NothingToUndo(BadInput):
    """The current user has no change left to undo."""
