"""A private cache of the wheel as parsed, which reads back twice as fast.

Every `styr log` parses wheel.json (1.4 MB on the large store) to find the
indicator it logs to, a tenth of its time. Once bytes of a file were parsed
and checked whole (store.checks.trusted), their parsed form is kept in this
user's cache folder in marshal's format, which Python reads back in less
than half the time of the JSON, and the next parse of the very same bytes
reads that instead.

The cache is never authoritative, only a shortcut to what a parse gave:
- It lives in the user's own cache folder (mode 0700) beside the note of
  checked files it depends on, never in the store: marshal is for data no
  one else can write, and a colleague can write every file of the store.
- An entry names the BLAKE2 hash of the bytes it was parsed from and is
  used only for those bytes; it carries a hash of its body, so a torn or
  damaged entry is a miss; it is written by temp file and rename, so two
  processes that race write the same content and the last rename wins.
- It is made by this Python (marshal's format may change between
  versions); an entry of another is a miss.
"""

from __future__ import annotations

import gc
import marshal
import sys
from pathlib import Path
from typing import Any, Final

from store.errors import StoreCorrupt
from store.paths import cache_key, framed, unframed, user_cache_folder
from store.safefs import read_regular, write_private

# its number changes whenever what a parse gives does
MAGIC: Final = f"styr-parsed 1 {sys.implementation.cache_tag} {marshal.version}\n".encode()


def entry_path(file: Path) -> Path:
    return user_cache_folder() / "parsed" / f"{cache_key(file)}.marshal"


def load(file: Path, source: bytes) -> Any:
    """The parsed form of the file at `file` kept for the bytes of hash
    `source`, or None."""
    try:
        read = read_regular(entry_path(file))
    except (StoreCorrupt, OSError):  # not a regular file, unreadable
        return None
    body = None if read is None else unframed(MAGIC, read[0])
    if body is None or body[: len(source)] != source:
        return None
    enabled = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(body[len(source) :])
    except (EOFError, ValueError, TypeError):
        return None
    finally:
        if enabled:
            gc.enable()


def save(file: Path, source: bytes, parsed: Any) -> None:
    """Keep `parsed` as the parsed form of the bytes of hash `source`."""
    write_private(entry_path(file), framed(MAGIC, source + marshal.dumps(parsed)))
