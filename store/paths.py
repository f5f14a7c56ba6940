"""Where a store lives and who is writing to it."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

ENV_STORE = "STYR_STORE"


def default_store() -> Path:
    from platformdirs import user_data_path

    return user_data_path() / "styr"


def resolve_store(option: str | os.PathLike[str] | None) -> Path:
    """--store DIR, else $STYR_STORE, else styr/ in the user data dir."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env).expanduser()
    return default_store()


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"
