"""Where a store lives and who is writing to it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from store.errors import BadInput

ENV_STORE = "STYR_STORE"

try:
    # hashlib loads OpenSSL first, a twentieth of a `styr log`; BLAKE2 is
    # built into CPython (hashlib's own blake2b is this one)
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b


def digest(data: bytes | memoryview, size: int = 32) -> bytes:
    """A cryptographic hash of `data` (`size` bytes) for the private caches:
    what they note of a file must not be forgeable by a colleague."""
    return blake2b(data, digest_size=size).digest()


def framed(magic: bytes, body: bytes) -> bytes:
    """An entry of a private cache: its format's `magic`, then the hash of
    its body, then the body."""
    return b"".join([magic, digest(body), body])


def unframed(magic: bytes, raw: bytes) -> memoryview | None:
    """The body of an entry of format `magic` whose frame and hash are
    whole (a view: a body may be megabytes)."""
    if not raw.startswith(magic):
        return None
    view = memoryview(raw)
    hashed, body = view[len(magic) : len(magic) + 32], view[len(magic) + 32 :]
    return body if digest(body) == hashed else None


def cache_key(path: str | os.PathLike[str]) -> str:
    """A file name in the user's cache for the real path of `path`."""
    return digest(os.fsencode(os.path.realpath(path))).hex()[:32]


def user_cache_folder() -> Path:
    """styr's folder in the user's own cache (private notes: which files were
    checked, series). On Linux and the BSDs by platformdirs' rule,
    $XDG_CACHE_HOME/styr or ~/.cache/styr, without importing platformdirs on
    every command (a tenth of a `styr log`); platformdirs elsewhere."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        cache = os.environ.get("XDG_CACHE_HOME", "")
        if os.path.isabs(cache):
            return Path(cache) / "styr"
        home = os.environ.get("HOME", "")
        if not os.path.isabs(home):
            import pwd

            home = pwd.getpwuid(os.getuid()).pw_dir
        return Path(home) / ".cache" / "styr"
    from platformdirs import user_cache_path

    return user_cache_path("styr")


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
