"""Opening a wheel: the one place that picks a backend for a location."""

from __future__ import annotations

from pathlib import Path

from store.errors import BadInput, StoreError
from store.service import Wheel

INSTALL_POSTGRES = "a postgresql:// store needs psycopg: pip install 'styr[postgres]'"


def open_wheel(
    root: Path | str,
    *,
    user: str | None = None,
    lock_timeout: float = 15.0,
    must_exist: bool = False,
) -> Wheel:
    """The wheel kept in folder root, or in the PostgreSQL database a
    postgresql:// URL names (store.paths.resolve_store gives either). `user`
    replaces the login name of a folder store (tests, the demo); on a
    server the user is the database role. With must_exist, a missing store
    is an error (StoreMissing) instead of one that the first write creates."""
    if isinstance(root, str):
        if user is not None:
            raise BadInput("on a PostgreSQL store the user is the database role of the URL")
        try:
            # psycopg is an optional extra: imported only for a server
            from store.postgres import PostgresBackend
        except ModuleNotFoundError as exc:
            if exc.name != "psycopg" and not (exc.name or "").startswith("psycopg."):
                raise
            raise StoreError(INSTALL_POSTGRES) from None
        return Wheel(PostgresBackend.open(root, must_exist=must_exist))
    from store.folder import FolderBackend  # TinyDB is not needed on a server

    backend = FolderBackend.open(root, user=user, lock_timeout=lock_timeout, must_exist=must_exist)
    return Wheel(backend)
