"""Opening a wheel: the one place that picks a backend for a location."""

from __future__ import annotations

from pathlib import Path

from store.folder import FolderBackend
from store.service import Wheel


def open_wheel(
    root: Path,
    *,
    user: str | None = None,
    lock_timeout: float = 15.0,
    must_exist: bool = False,
) -> Wheel:
    """The wheel kept in folder root. `user` replaces the login name (tests,
    the demo); with must_exist, a missing folder is an error (StoreMissing)
    instead of a store that the first write creates."""
    backend = FolderBackend.open(root, user=user, lock_timeout=lock_timeout, must_exist=must_exist)
    return Wheel(backend)
