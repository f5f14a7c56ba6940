"""File access in a folder that other people can write.

A shared store is hostile ground: any member of the group can put a symbolic
link, a hard link, a named pipe or a device where a store file should be. So
every file is opened without following links (O_NOFOLLOW), without blocking
(O_NONBLOCK: opening a FIFO must not hang), and is checked with fstat to be a
regular file before a byte is read. Mode and owner changes go through the
open descriptor of a file this process just created, never through a path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from store.errors import StoreCorrupt

Signature = tuple[int, int, int, int]

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC


def what_is(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_regular(path: Path, what: str) -> StoreCorrupt:
    return StoreCorrupt(
        f"{path} is {what}, not a plain file; styr never opens or follows such a file in a "
        "store (someone may have put it there: remove it, or restore the file from backups/)"
    )


def sig_of(st: os.stat_result) -> Signature:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """A file's signature and its ctime, which every change of the file sets
    to the present and nobody can set back: what a cache kept across
    processes is keyed by."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def signature(path: Path) -> Signature | None:
    """The file's identity and version, None when it is not there. A link or
    anything else that is not a regular file is refused."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        raise not_regular(path, what_is(st.st_mode))
    return sig_of(st)


def open_regular(path: Path, flags: int = _READ, mode: int = 0o600) -> int | None:
    """A descriptor of the regular file at path, None when there is none."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise not_regular(path, "a symbolic link") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise not_regular(path, what_is(st.st_mode))
    return fd


def read_regular(path: Path, limit: int | None = None) -> tuple[bytes, Signature] | None:
    """The bytes of the regular file at path (at most `limit`) and the
    signature they were read at; None when the file is not there."""
    read = read_with_stat(path, limit)
    return None if read is None else (read[0], sig_of(read[1]))


def read_with_stat(path: Path, limit: int | None = None) -> tuple[bytes, os.stat_result] | None:
    """read_regular, with the whole stat of the file the bytes were read from."""
    try:
        fd = open_regular(path)
    except OSError as exc:
        raise StoreCorrupt(f"{path}: cannot read ({exc.strerror})") from None
    if fd is None:
        return None
    try:
        st = os.fstat(fd)
        wanted = st.st_size if limit is None else min(limit, st.st_size)
        chunks = []
        while wanted > 0:
            chunk = os.read(fd, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        if limit is None:
            # the file may have grown in place (a hand edit): read to its end
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
    except OSError as exc:
        raise StoreCorrupt(f"{path}: cannot read ({exc.strerror})") from None
    finally:
        os.close(fd)
    return b"".join(chunks), st


def is_real_folder(path: Path) -> bool | None:
    """True for a folder (not a link to one), False for anything else, None
    when nothing is there."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return None


def is_plain_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def open_folder(path: Path) -> int:
    """A descriptor of the folder at path, refusing a link."""
    return os.open(path, _DIR)


def fsync_folder(path: Path) -> None:
    fd = open_folder(path)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def exists(path: Path) -> bool:
    """Whether anything, even a dangling link, has this name."""
    return os.path.lexists(path)


def write_private(target: Path, data: bytes) -> None:
    """Write a file of this user's own cache whole, or not at all: a new
    0600 file in a 0700 folder, renamed over the old one, never through a
    link. Only a cache: when it cannot be written, nothing is said and the
    next reader rebuilds what it would have held."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
