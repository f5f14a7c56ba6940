"""One JSON file of a store as a TinyDB storage that cannot tear or lie.

Writes go to a temp file that is fsynced and renamed over the old one, then
the directory is fsynced; a reader sees the old file or the new one. The
parsed data stays in memory and is re-read only when the file's stat
signature changes. A file that is empty or unparsable is refused with a
message naming it, never taken as an empty store.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import re
import stat
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from tinydb.storages import Storage

from store import parsedcache
from store.checks import check_file, measurements_look_fine, trust, trusted, trusted_hash
from store.errors import StoreCorrupt, WriteFailed
from store.jsonio import JSONDecodeError, dumps, loads
from store.safefs import (
    Signature,
    identity,
    open_regular,
    read_regular,
    read_with_stat,
    sig_of,
    signature,
)

# 2: measurements of a big year may also be in measurements-YYYY-recent.json,
# which styr 1 would not see (it would show too few and reuse their ids);
# 3: a busy month's history may also be in history-YYYY-MM-recent.json, which
# styr 2 would not see (it would reuse entry ids and undo the wrong change).
# Each only adds files, so a file of any schema from 1 on has the layout of
# today's: a migration gives wheel.json the new version, and an older styr,
# which reads that file first, opens the store read-only
SCHEMA_VERSION = 3
META = "meta"

Data = dict[str, dict[str, dict[str, Any]]]


def _duplicate_keys(raw: bytes) -> list[str]:
    """Slow exact check, run only when the counts in meta do not add up."""
    import json  # only here: orjson has no hook for repeated keys

    found: list[str] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        counts = Counter(key for key, _ in pairs)
        found.extend(key for key, n in counts.items() if n > 1)
        return dict(pairs)

    json.loads(raw, object_pairs_hook=hook)
    return found


def _objects_in(value: Any) -> int:
    if type(value) is dict:
        return 1 + sum(_objects_in(v) for v in value.values() if type(v) in (dict, list))
    if type(value) is list:
        return sum(_objects_in(v) for v in value if type(v) in (dict, list))
    return 0


def _expected_braces(data: Data) -> int | None:
    """How many '{' the file holds outside strings, from the parsed data.
    Measurements are flat (one object each); walking the audit trail's
    nested before/after documents would cost more than it is worth, so its
    files rely on the counts alone (None)."""
    total = 1
    for name, docs in data.items():
        if name == "history":
            return None
        total += 1 + (len(docs) if name == "measurements" else sum(map(_objects_in, docs.values())))
    return total


def _is_id(key: str) -> bool:
    return key.isascii() and key.isdigit()


def parse(path: Path, raw: bytes) -> Data:
    name = path.name
    if not raw.strip():
        raise StoreCorrupt(f"{path}: the file is empty; refusing to treat it as a new store")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise StoreCorrupt(
            f"{path}: the file starts with a byte-order mark (saved by an editor?); "
            "remove the first three bytes or restore a backup"
        )
    # Bytes noted as checked whole (the wheel's, mostly) hold no repeated
    # id, parse as orjson would without importing it (store.jsonio), and
    # may have been kept as parsed (store.parsedcache)
    hashed = None if name.startswith(("measurements-", "history-")) else trusted_hash(path, raw)
    noted = hashed is not None
    kept: Data | None = None if hashed is None else parsedcache.load(path, hashed)
    if kept is not None:
        check_file(path, raw, kept, SCHEMA_VERSION, noted)
        return kept
    # the cyclic GC would run dozens of times while a big file turns into
    # dicts, and can find nothing to free in them
    enabled = gc.isenabled()
    gc.disable()
    try:
        data = loads(raw, ours=noted)
    except JSONDecodeError as exc:
        raise StoreCorrupt(f"{path}: not valid JSON ({exc}); restore a backup or fix it") from None
    finally:
        if enabled:
            gc.enable()
    if not isinstance(data, dict):
        raise StoreCorrupt(f"{path}: expected a JSON object of tables")
    for table, docs in data.items():
        if not isinstance(docs, dict):
            raise StoreCorrupt(f"{path}: table {table!r} is not an object of documents")
        # checked with C-level iteration: this runs over every document of
        # a 200k-measurement store at each open
        keys = "".join(docs)
        good_keys = keys.isascii() and keys.isdigit() and "" not in docs
        if not (good_keys or not docs) or not set(map(type, docs.values())) <= {dict}:
            key = next(k for k, doc in docs.items() if not (_is_id(k) and type(doc) is dict))
            raise StoreCorrupt(f"{path}: table {table!r} has a bad document {key!r}")
    meta = data.get(META, {}).get("1")
    if not isinstance(meta, dict) or not isinstance(meta.get("schema_version"), int):
        raise StoreCorrupt(f"{path}: no meta record with a schema_version; not a styr file")
    if meta["schema_version"] < 1:
        raise StoreCorrupt(
            f"{path}: schema_version {meta['schema_version']} was never written by styr"
        )
    counts = meta.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    # skip counting the wheel's nested objects of noted bytes, the part of
    # a log that grows with the wheel
    braces = None if noted else _expected_braces(data)
    # A repeated id parses as one document (the last wins), so compare what
    # was parsed with the text: the counts written last time, and the number
    # of '{' (more in the text than objects parsed: a twin, or a '{' in some
    # text). Only then run the slow exact check.
    if not noted and (
        any(len(data.get(t, {})) != n for t, n in counts.items())
        or (braces is not None and raw.count(b"{") != braces)
    ):
        duplicates = _duplicate_keys(raw)
        if duplicates:
            raise StoreCorrupt(
                f"{name}: document id {duplicates[0]} appears more than once in {path}; "
                "fix the file by hand or restore a backup"
            )
    check_file(path, raw, data, SCHEMA_VERSION, noted)
    if hashed is not None:
        parsedcache.save(path, hashed, data)
    return data


_SCHEMA = re.compile(rb'"schema_version"\s*:\s*(\d+)')


def peek_schema(path: Path) -> int | None:
    """The schema_version near the start of a file, without parsing it all
    (FileStorage writes meta first); None when it is not found there."""
    read = read_regular(path, limit=4096)
    if read is None:
        return None
    match = _SCHEMA.search(read[0])
    return int(match.group(1)) if match else None


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(path: Path, payload: bytes, mode: int, group: int | None) -> Path:
    """Write payload to a fsynced temp file beside path; remove it on failure."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    # O_EXCL: a name someone planted (a link to elsewhere) is never written through
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fchmod(fd, mode)
        if group is not None:
            with contextlib.suppress(PermissionError):
                os.fchown(fd, -1, group)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def atomic_write(path: Path, payload: bytes, mode: int, group: int | None) -> None:
    tmp = write_temp(path, payload, mode, group)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def write_failed(path: Path, exc: OSError) -> WriteFailed:
    reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
    return WriteFailed(f"could not write {path}: {reason}; nothing was changed")


class LockTimeout(TimeoutError):
    """Another process held the lock for longer than the timeout."""


if sys.platform == "win32":

    def folder_lock(path: Path, timeout: float, mode: int, group: int | None) -> Any:
        from filelock import FileLock  # no flock(2) here

        return FileLock(path, timeout=timeout, mode=mode)

else:
    import fcntl

    class FolderLock:
        """The store's one cross-process lock: flock(2) on one file.

        Re-entrant within a process; the kernel drops it when its process
        dies, so a crash never leaves a stale lock. Waiting polls, so that it
        can give up after `timeout` seconds with a message.
        """

        def __init__(self, path: Path, timeout: float, mode: int, group: int | None = None) -> None:
            self.lock_file = str(path)
            self.timeout = timeout
            self.mode = mode
            self.group = group
            self._fd = -1
            self._depth = 0

        def _open(self) -> int:
            """The lock file, made by this process or found a regular file.
            Only a file made here gets its mode and group set, through its
            descriptor: a `.lock` that is a link (even a hard one) to someone's
            file is never changed."""
            path = Path(self.lock_file)
            try:
                fd = open_regular(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, self.mode)
            except FileExistsError:
                fd = open_regular(path, os.O_RDWR)
                if fd is None:  # removed in between: try once more from the start
                    return self._open()
                return fd
            assert fd is not None
            try:
                os.fchmod(fd, self.mode)  # the umask narrowed it
                if self.group is not None:
                    with contextlib.suppress(PermissionError):
                        os.fchown(fd, -1, self.group)
            except BaseException:
                os.close(fd)
                raise
            return fd

        def acquire(self) -> None:
            if self._depth:
                self._depth += 1
                return
            fd = self._open()
            try:
                deadline = time.monotonic() + self.timeout
                pause = 0.001
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise LockTimeout(self.lock_file) from None
                        time.sleep(pause)
                        pause = min(pause * 2, 0.05)
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd
            self._depth = 1

        def release(self) -> None:
            self._depth -= 1
            if self._depth == 0:
                fd, self._fd = self._fd, -1
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def folder_lock(path: Path, timeout: float, mode: int, group: int | None) -> FolderLock:
        return FolderLock(path, timeout, mode, group)


def new_data(writer: str, when: str) -> Data:
    return {
        META: {
            "1": {
                "schema_version": SCHEMA_VERSION,
                "generation": 0,
                "writer": writer,
                "written_at": when,
                "next_id": {},
                "counts": {},
            }
        }
    }


# a document's key as `holds` finds it ('"<id>":{'); up to _FEW ids are
# looked for one by one
_DOC_KEY = re.compile(rb'"(\d+)":\{')
_FEW = 8


class _Append(NamedTuple):
    """Documents staged for appending to a file that was not parsed."""

    raw: bytes  # the file as read under the lock
    sig: Signature | None
    meta: dict[str, Any]
    table: str
    meta_end: int  # raw[meta_end:start] is '},"<table>":{'
    start: int
    docs: dict[str, dict[str, Any]]


class FileStorage(Storage):
    """TinyDB storage over one file, cached by stat signature.

    Writes from TinyDB only stage the data; the store's transaction (under
    the lock) puts it on disk with `prepare` + rename + `installed`, or
    `flush` for one file alone; `rollback` forgets it.
    """

    def __init__(self, path: Path, *, pretty: bool = False) -> None:
        self.path = path
        self.pretty = pretty
        self._data: Data | None = None
        self._sig: Signature | None = None
        self.loaded = False
        self.dirty = False
        self.staging = False
        # the schema seen by peek_schema before the file is loaded
        self.schema_hint: int | None = None
        # bumps on every change of the in-memory data, so readers can cache
        # derived indexes per version
        self.version = 0
        self._append: _Append | None = None
        # every document of the data in memory was checked (parse checks
        # all but measurements, whose files are checked before a write);
        # bytes written from such data are noted as checked (checks.trust)
        self.checked_whole = False
        self._written: bytes | None = None
        # the whole stat of the file the data in memory was read from, as
        # read (None once it was changed here): what the series cache keys by
        self.read_stat: os.stat_result | None = None
        # not in memory, but known as of this signature (its series came
        # from the series cache, or its data was unloaded): a refresh still
        # notices when it changes; reading bytes of the very identity known
        # changes nothing readable, so the version stays
        self._known: Signature | None = None
        self._known_identity: tuple[int, int, int, int, int] | None = None

    # -- TinyDB's interface -------------------------------------------
    def read(self) -> Data | None:
        if not self.loaded:
            if self._append is not None:
                self._materialize(self._append)
            else:
                self.reload()
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if not self.staging:
            raise RuntimeError("writes go through Store.transaction()")
        self._data = data
        self.dirty = True
        self.read_stat = None
        self.version += 1

    def close(self) -> None:
        """Nothing is held open between operations."""

    # -- ours ---------------------------------------------------------
    @property
    def exists(self) -> bool:
        return self._data is not None

    @property
    def schema_version(self) -> int:
        if self.loaded:
            return int(self.meta.get("schema_version", 0))
        return self.schema_hint or 0

    @property
    def meta(self) -> dict[str, Any]:
        data = self.read()
        return data[META]["1"] if data else {}

    def reload(self) -> None:
        self._append = None
        known, self._known, self._known_identity = self._known_identity, None, None
        self.read_stat = None
        read = read_with_stat(self.path)
        if read is None:
            self._data, sig = None, None
        else:
            # the signature of the very file read: if it is replaced later,
            # the next refresh sees a difference and reads again
            raw, st = read
            sig = sig_of(st)
            self._data = parse(self.path, raw)
            self.read_stat = st
        self._sig = sig
        self.checked_whole = not self.path.name.startswith("measurements-")
        self.loaded = True
        self.dirty = False
        if known is None or self.read_stat is None or identity(self.read_stat) != known:
            self.version += 1

    def changed_on_disk(self) -> bool:
        return (self.loaded or self._known is not None) and signature(self.path) != self._sig

    def refresh(self) -> bool:
        """Re-read if another process replaced the file; True when it did.
        A file known without being read is read when it is next wanted."""
        if not self.changed_on_disk():
            return False
        if self.loaded:
            self.reload()
        else:
            self._known = self._sig = self._known_identity = None
            self.version += 1
        return True

    def known_as(self, st: os.stat_result) -> None:
        """What the file holds is known, without reading it, as of `st`
        (the series cache had it): a refresh notices when it changes."""
        if not self.loaded:
            self._known = self._sig = sig_of(st)
            self._known_identity = identity(st)

    def identity_read(self) -> tuple[int, ...] | None:
        """The identity of the file the data in memory was read from, as it
        was read (not read yet: the file's now); () when there is no file;
        None when the data in memory is not simply a file's bytes (a change
        made here, staged or written)."""
        if self.dirty or self._append is not None:
            return None
        if self.loaded:
            if self.read_stat is not None:
                return identity(self.read_stat)
            return () if self._data is None and self._sig is None else None
        if self._known_identity is not None:
            return self._known_identity
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return ()
        return identity(st) if stat.S_ISREG(st.st_mode) else None

    def unload(self) -> None:
        """Drop data read from disk and not changed since (a reader took
        what it needed from it): it is read again when next wanted, and a
        refresh still notices a change of the file meanwhile."""
        if self.dirty or self.staging or self._append is not None or self.read_stat is None:
            return
        self._known, self._known_identity = self._sig, identity(self.read_stat)
        self._data = None
        self.read_stat = None
        self.loaded = False

    def ensure(self, writer: str, when: str) -> None:
        """Make sure there is data to write into (a new file's, if need be)."""
        if self._append is None and self.read() is None:
            self._data = new_data(writer, when)

    # -- appends without parsing ----------------------------------------
    def open_append(self, table: str, *, nested: bool = False) -> dict[str, Any] | None:
        """The meta record of a file not read yet, for appending documents
        to `table` without parsing the file (a 40k-measurement year takes
        tens of ms to parse). Only for the compact layout this storage writes:
        meta first, then `table` alone, holding flat documents; a file that
        differs in any way (hand edits, damage) gets None, and is parsed and
        checked as usual. `nested`: the documents hold objects (a month of
        history entries, with the documents they changed), so only bytes
        this user's styr wrote or checked whole are appended to. Call under
        the lock."""
        if self.loaded or self.pretty:
            return None
        if self._append is not None:
            return self._append.meta if self._append.table == table else None
        read = read_regular(self.path)
        if read is None:
            return None
        raw, sig = read
        head, tail = b'{"meta":{"1":', b'}},"' + table.encode() + b'":{'
        cut = raw.find(tail)
        if not raw.startswith(head) or not raw.endswith(b"}}") or cut < 0:
            return None
        try:
            meta = loads(raw[len(head) : cut + 1])
        except JSONDecodeError:
            return None
        counts = meta.get("counts") if isinstance(meta, dict) else None
        if not (
            isinstance(meta, dict)
            and type(meta.get("schema_version")) is int
            and 1 <= meta["schema_version"] <= SCHEMA_VERSION
            and isinstance(counts, dict)
            and list(counts) == [table]
            and type(counts[table]) is int
        ):
            return None
        start = cut + len(tail)
        if nested:
            # no count of braces tells a hand edit from entries' documents
            if not trusted(self.path, raw):
                return None
        # one '{' per document after the table's own: none nested, no table
        # after it, no repeated id (the counts were written with the file)
        elif raw.count(b"{", start) != counts[table]:
            return None
        else:
            # a hand-edited document must not be written back: one that may
            # be bad takes the ordinary path, which refuses the file
            try:
                if not trusted(self.path, raw) and not measurements_look_fine(
                    loads(raw[start - 1 : -1])
                ):
                    return None
            except JSONDecodeError:
                return None
        self._append = _Append(raw, sig, meta, table, cut + 1, start, {})
        self.checked_whole = True
        return meta

    def highest_id(self, table: str, low: int = 0, high: int | None = None) -> int:
        """The highest document id in [low, high) that `table` holds (`low`:
        none), staged ones included. Of a file being appended to, from its
        bytes: a nested document's numeric key may count too, which errs
        high, never low."""
        append = self._append
        if append is not None and append.table == table and not self.loaded:
            keys = [*map(int, _DOC_KEY.findall(append.raw, append.start)), *map(int, append.docs)]
        else:
            keys = [int(key) for key in (self.read() or {}).get(table, {})]
        return max((k for k in keys if low <= k and (high is None or k < high)), default=low)

    def count(self, table: str) -> int:
        """How many documents `table` holds, staged ones included."""
        append = self._append
        if append is not None and append.table == table and not self.loaded:
            return int(append.meta["counts"][table]) + len(append.docs)
        return len((self.read() or {}).get(table, {}))

    def drop_append(self) -> None:
        """Forget bytes read for an append that was not written (the
        transaction failed before it touched this file)."""
        self._append = None

    def appending(self, table: str) -> bool:
        return self._append is not None and self._append.table == table and not self.loaded

    def holds(self, key: str) -> bool:
        """Whether the file being appended to has a document with this id."""
        append = self._append
        assert append is not None
        marker = b'"' + key.encode() + b'":{'
        return key in append.docs or append.raw.find(marker, append.start) >= 0

    def clash(self, keys: Sequence[str]) -> str | None:
        """The first of these ids that the file being appended to holds
        (as `holds` says). Many ids are looked up in one pass over the
        bytes: a search per id would read a 1 MB file 40,000 times."""
        append = self._append
        assert append is not None
        if len(keys) <= _FEW:
            return next((key for key in keys if self.holds(key)), None)
        held = set(_DOC_KEY.findall(append.raw, append.start))
        return next((key for key in keys if key in append.docs or key.encode() in held), None)

    def stage_append(self, docs: dict[str, dict[str, Any]]) -> None:
        if not self.staging:
            raise RuntimeError("writes go through Store.transaction()")
        append = self._append
        assert append is not None
        append.docs.update(docs)
        self.dirty = True
        self.read_stat = None
        self.version += 1

    def _materialize(self, append: _Append) -> None:
        """Someone wants the whole data after all: parse the bytes read for
        the append and apply what was staged on them."""
        data = parse(self.path, append.raw)
        data[META]["1"] = append.meta
        data.setdefault(append.table, {}).update(append.docs)
        self._append = None
        self._data = data
        self._sig = append.sig
        self._known = self._known_identity = None
        self.loaded = True
        self.version += 1

    def _append_payload(self, append: _Append) -> bytes:
        old = append.raw[append.start : -2]
        new = b",".join(
            b'"' + key.encode() + b'":' + dumps(doc) for key, doc in append.docs.items()
        )
        return b"".join(
            [
                b'{"meta":{"1":',
                dumps(append.meta),
                append.raw[append.meta_end : append.start],
                old,
                b"," if old and new else b"",
                new,
                b"}}",
            ]
        )

    def prepare(self, writer: str, when: str, mode: int, group: int | None) -> Path:
        """Stamp meta and write the staged data to a fsynced temp file;
        `installed` is called once the caller has renamed it into place."""
        assert self.dirty
        append = self._append if not self.loaded else None
        if append is not None:
            meta = append.meta
            counts = {append.table: meta["counts"][append.table] + len(append.docs)}
        else:
            data = self._data
            assert data is not None
            meta = data[META]["1"]
            counts = {t: len(docs) for t, docs in data.items() if t != META}
        meta["generation"] = int(meta.get("generation", 0)) + 1
        meta["writer"] = writer
        meta["written_at"] = when
        meta["counts"] = counts
        if append is not None:
            payload = self._append_payload(append)
        else:
            payload = dumps(self._data, indent=self.pretty)
        # bytes checked whole, or ours on checked ones: the next append (a
        # log's history entry too) trusts them without parsing them again
        self._written = payload if self.checked_whole else None
        try:
            return write_temp(self.path, payload, mode, group)
        except OSError as exc:
            raise write_failed(self.path, exc) from exc

    def installed(self) -> None:
        self._sig = signature(self.path)
        self._known = self._known_identity = None
        self.read_stat = None
        self.dirty = False
        # after an append the new file is read when it is wanted
        self._append = None
        if self._written is not None:
            trust(self.path, self._written)
            self._written = None

    def flush(self, writer: str, when: str, mode: int, group: int | None) -> None:
        """Write the staged data on its own (one file, no marker needed)."""
        tmp = self.prepare(writer, when, mode, group)
        try:
            os.replace(tmp, self.path)
            fsync_dir(self.path.parent)
        except OSError as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise write_failed(self.path, exc) from exc
        self.installed()

    def rollback(self) -> None:
        """Forget staged changes; TinyDB mutated the cached dict in place."""
        self._append = None
        self._data = None
        self._sig = None
        self._known = self._known_identity = None
        self.read_stat = None
        self.loaded = False
        self.dirty = False
        self.checked_whole = False
        self._written = None
        self.version += 1
