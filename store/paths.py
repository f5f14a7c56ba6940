"""Where a store lives and who is writing to it."""

from __future__ import annotations

import os
import re
from pathlib import Path

from store.errors import BadInput

ENV_STORE = "STYR_STORE"


def default_store() -> Path:
    from platformdirs import user_data_path

    return user_data_path() / "styr"


# scheme://… names a server, never a folder (a typo must not create one)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


_SERVERS = ("postgresql", "postgres")


def resolve_store(option: str | os.PathLike[str] | None) -> Path | str:
    """--store DIR or URL, else $STYR_STORE, else styr/ in the user data
    dir. A postgresql:// URL is returned as it is (a libpq URI for the
    PostgreSQL backend), never turned into a folder."""
    value = os.fspath(option) if option else os.environ.get(ENV_STORE)
    if not value:
        return default_store()
    if _URL.match(value):
        scheme = value.split(":", 1)[0]
        if scheme in _SERVERS:
            return value
        raise BadInput(
            f"the store {scheme}://… is a server address, not a folder; styr keeps a store "
            "in a folder (--store DIR) or in PostgreSQL (--store postgresql://…)"
        )
    return Path(value).expanduser()


def login_name() -> str:
    """The login of the real uid. Never $USER or $LOGNAME: anyone can set
    those, and the name recorded in history decides whose change undo takes
    back."""
    try:
        import pwd
    except ImportError:  # no pwd module (Windows): the account name there
        import getpass

        return getpass.getuser()
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"
