"""A store folder: wheel.json, yearly measurement files, monthly history files, one lock.

A year file that has grown big (RECENT_FROM) is no longer rewritten by each
new measurement: new ones go to a small file beside it,
measurements-YYYY-recent.json, which is merged into the year file in one
commit once it holds RECENT_MAX of them. A month's history file does the
same with history-YYYY-MM-recent.json (HISTORY_RECENT_FROM,
HISTORY_RECENT_MAX): late in a busy month it holds megabytes. So a log costs
the same in a store of two thousand or two million measurements, early or
late in the month, and a recent file is an ordinary store file: written by
rename, checked, backed up, locked alike.

Every read-modify-write runs in `Store.transaction()`: it takes the one
cross-process lock, re-reads whatever another process changed, lets the
caller stage changes through TinyDB, and commits every touched file
together: all are written to fsynced temp files first (a full disk fails
here, with nothing changed), then renamed into place under a marker that the
next transaction or open rolls forward if a crash cut the renames short.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from tinydb import TinyDB
from tinydb.queries import QueryLike
from tinydb.table import Document, Table

from store.backend import Change, bulk_entry
from store.dates import now_iso
from store.errors import ReadOnly, StoreError, StoreLocked, StoreMissing, WriteFailed
from store.jsonio import dumps
from store.paths import login_name
from store.safefs import exists, is_real_folder, not_regular, open_folder, signature, what_is
from store.storage import (
    META,
    SCHEMA_VERSION,
    Data,
    FileStorage,
    atomic_write,
    folder_lock,
    fsync_dir,
    peek_schema,
    write_failed,
)

WHEEL = "wheel.json"
WHEEL_TABLES = ("goals", "indicators", "reviews", "lessons", "risks")
MEASUREMENTS = "measurements"
HISTORY = "history"
PENDING = ".commit-pending"
# measurements-YYYY.json and measurements-YYYY-recent.json; history-YYYY-MM.json
# and history-YYYY-MM-recent.json (history-YYYY.json from before the audit
# trail was split by month is still read)
YEAR_FILE = re.compile(
    r"^(?:(measurements)-(\d{4})(-recent)?|(history)-(\d{4})(?:-(\d\d)(-recent)?)?)\.json$"
)
# a year file from this size on takes new measurements in its recent file
# (about 4,500 measurements); the recent file is merged into it at RECENT_MAX
# (about 450 kB, parsed and rewritten by each log until then)
RECENT_FROM = 1 << 20
RECENT_MAX = 2_000
# likewise a month's history file (an entry holds the documents changed,
# so fewer: the recent file is merged at about 180 kB, the month's file
# then appended to without being parsed)
HISTORY_RECENT_FROM = 1 << 18
HISTORY_RECENT_MAX = 500
# a measurement id carries the year file that issued it, so ids are unique
# across files without a shared counter (and stay stable when a date moves)
MEASUREMENT_ID_SPAN = 1_000_000
DAILY_BACKUPS_KEPT = 7
BACKUPS = "backups"
DAILY = re.compile(r"^daily-\d{4}-\d\d-\d\d$")
PARTIAL = re.compile(r"^\.[a-z0-9-]+\.[0-9a-f]{8}\.partial$")


class _Table(Table):
    """Writes by explicit document id go straight to the stored dict.

    TinyDB's `_update_table` turns every id of the table into an int and back
    on each write: O(n) Python work (tens of ms per measurement at 40k a
    year, store-study 6.2). The store always names ids itself, so inserts,
    updates and removals by id skip that; anything else is TinyDB's own.
    """

    def _tables(self) -> Data:
        tables = cast(FileStorage, self._storage).read()
        if tables is None:
            raise StoreError(f"{self.name}: write to a file that was not set up")
        return tables

    def insert(self, document: Mapping[str, Any]) -> int:
        if isinstance(document, Document):
            return self.insert_multiple([document])[0]
        return super().insert(document)

    def insert_multiple(self, documents: Iterable[Mapping[str, Any]]) -> list[int]:
        docs = list(documents)
        if not all(isinstance(doc, Document) for doc in docs):
            return super().insert_multiple(docs)
        ids = [cast(Document, doc).doc_id for doc in docs]
        staged = {str(doc_id): dict(doc) for doc_id, doc in zip(ids, docs, strict=True)}
        if len(staged) < len(docs):
            raise ValueError(f"Document with ID {ids[0]} already exists")
        self.insert_staged(staged)
        return ids

    def insert_staged(self, staged: dict[str, dict[str, Any]]) -> None:
        """New documents by id as stored (plain dicts, the table's from now
        on): one check that no id is taken, one write, however many."""
        storage = cast(FileStorage, self._storage)
        if storage.appending(self.name):
            clash = storage.clash(list(staged))
            if clash is not None:
                raise ValueError(f"Document with ID {clash} already exists")
            storage.stage_append(staged)
            return
        tables = self._tables()
        table = tables.setdefault(self.name, {})
        clash = next((key for key in staged if key in table), None)
        if clash is not None:
            raise ValueError(f"Document with ID {clash} already exists")
        table.update(staged)
        self._next_id = None
        self._storage.write(tables)

    def update(
        self,
        fields: Mapping[str, Any] | Callable[[MutableMapping[str, Any]], None],
        cond: QueryLike | None = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        if cond is not None or doc_ids is None or not isinstance(fields, Mapping):
            return super().update(fields, cond, doc_ids)
        tables = self._tables()
        table = tables.get(self.name, {})
        updated = [doc_id for doc_id in doc_ids if str(doc_id) in table]
        for doc_id in updated:
            table[str(doc_id)].update(fields)
        self._storage.write(tables)
        return updated

    def remove(
        self, cond: QueryLike | None = None, doc_ids: Iterable[int] | None = None
    ) -> list[int]:
        if cond is not None or doc_ids is None:
            return super().remove(cond, doc_ids)
        tables = self._tables()
        table = tables.get(self.name, {})
        removed = [doc_id for doc_id in doc_ids if str(doc_id) in table]
        for doc_id in removed:
            del table[str(doc_id)]
        self._storage.write(tables)
        return removed


class _TinyDB(TinyDB):
    table_class = _Table


def _open_db(path: Path, pretty: bool = False) -> TinyDB:
    return _TinyDB(path, storage=FileStorage, pretty=pretty)


def _host() -> str:
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def storage_of(db: TinyDB) -> FileStorage:
    return cast(FileStorage, db.storage)


class Store:
    """The folder and its files; see DESIGN.md, The store."""

    def __init__(
        self,
        root: Path,
        *,
        user: str | None = None,
        lock_timeout: float = 15.0,
        must_exist: bool = False,
    ) -> None:
        self.root = root
        self.user = user or login_name()
        self.writer = f"{self.user}@{_host()}"
        self.lock_timeout = lock_timeout
        # problems that did not stop the work (a backup that could not be
        # made); the CLI prints them on stderr, the TUI shows them
        self.warnings: list[str] = []
        # set by the first write into a folder that was not there
        self.created = False
        try:
            folder: os.stat_result | None = root.stat()
        except FileNotFoundError:
            # reading a store never creates one; the first write does
            if must_exist:
                raise StoreMissing(
                    f"there is no store at {root}: check the path (--store, $STYR_STORE); "
                    "the first change, e.g. `styr add goal TITLE`, creates one"
                ) from None
            folder = None
        except OSError as exc:
            raise StoreError(f"cannot use {root} as a store: {exc.strerror}") from None
        if folder is not None and not stat.S_ISDIR(folder.st_mode):
            raise StoreError(f"{root} is not a folder")
        self._use_folder(folder)
        self.wheel = _open_db(root / WHEEL, pretty=True)
        self.measure: dict[int, TinyDB] = {}
        # measurements-YYYY-recent.json by year
        self.recent: dict[int, TinyDB] = {}
        self.history: dict[int, TinyDB] = {}
        # history-YYYY-MM-recent.json by year * 100 + month
        self.history_recent: dict[int, TinyDB] = {}
        self._depth = 0
        self._entries: list[dict[str, Any]] = []
        self.change_id = ""
        self.undo_of: str | None = None
        if folder is None:
            self.denied: str | None = None
            return
        self._discover()
        self.denied = self._permission_problem()
        storage_of(self.wheel).read()
        if not self.denied:
            self._open_checks()

    def _use_folder(self, folder: os.stat_result | None) -> None:
        shared = folder is not None and bool(folder.st_mode & stat.S_IWGRP)
        self.file_mode = 0o664 if shared else 0o644
        self.group: int | None = folder.st_gid if folder is not None and shared else None
        self.lock = folder_lock(self.root / ".lock", self.lock_timeout, self.file_mode, self.group)

    def _create(self) -> list[Path]:
        """Make the store's folder (and those above it that are missing);
        the folders made, deepest first."""
        made = [p for p in (self.root, *self.root.parents) if not exists(p)]
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._use_folder(self.root.stat())
        except OSError as exc:
            raise WriteFailed(f"cannot create a store at {self.root}: {exc.strerror}") from None
        self.created = True
        return made

    def _uncreate(self, made: Sequence[Path]) -> None:
        """A first change that was refused leaves no store behind: the
        folders it made go again, if they hold nothing but the lock (anything
        else is another process's, which then keeps the store)."""
        self.created = False
        with contextlib.suppress(OSError):
            if [entry.name for entry in os.scandir(self.root)] == [".lock"]:
                (self.root / ".lock").unlink()
            for folder in made:
                folder.rmdir()

    # ------------------------------------------------------------ files
    def _discover(self) -> list[FileStorage]:
        """Open year and month files not known yet (loaded lazily); return them."""
        found: list[FileStorage] = []
        if not exists(self.root):  # not made yet: the first write makes it
            return found
        for entry in os.scandir(self.root):
            match = YEAR_FILE.match(entry.name)
            if not match:
                continue
            if not entry.is_file(follow_symlinks=False):
                mode = entry.stat(follow_symlinks=False).st_mode
                raise not_regular(Path(entry.path), what_is(mode))
            files, key = self._file_key(match)
            if key not in files:
                files[key] = _open_db(Path(entry.path))
                storage = storage_of(files[key])
                # a newer styr's file makes the store read-only before it is
                # read (older audit files are never written again: not peeked)
                if files is not self.history and files is not self.history_recent:
                    storage.schema_hint = peek_schema(storage.path)
                found.append(storage)
        return found

    def _file_key(self, match: re.Match[str]) -> tuple[dict[int, TinyDB], int]:
        """Measurement files are keyed by year, history files by year * 100
        + month (a yearly history file by its year: it sorts before them)."""
        measurements, year, recent, _, history_year, month, history_recent = match.groups()
        if measurements:
            return (self.recent if recent else self.measure), int(year)
        if not month:
            return self.history, int(history_year)
        files = self.history_recent if history_recent else self.history
        return files, int(history_year) * 100 + int(month)

    def _permission_problem(self) -> str | None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            return f"you may not write in {self.root}"
        lock_path = self.root / ".lock"
        if exists(lock_path) and not os.access(lock_path, os.W_OK, follow_symlinks=False):
            return f"you may not take the lock {lock_path}"
        return None

    def storages(self) -> Iterator[FileStorage]:
        yield storage_of(self.wheel)
        for db in self.measure.values():
            yield storage_of(db)
        for db in self.recent.values():
            yield storage_of(db)
        for db in self.history.values():
            yield storage_of(db)
        for db in self.history_recent.values():
            yield storage_of(db)

    def history_months(self) -> Iterator[list[FileStorage]]:
        """The history files by month, the newest month first: its recent
        file (if any) and its month file."""
        for key in sorted({*self.history, *self.history_recent}, reverse=True):
            month = (self.history_recent, self.history)
            yield [storage_of(files[key]) for files in month if key in files]

    def measure_db(self, year: int) -> TinyDB:
        return self._year_db(self.measure, year, f"{MEASUREMENTS}-{year:04d}.json")

    def measurement_files(self) -> Iterator[tuple[int, TinyDB]]:
        """(year, file) of every measurement file, a year file before its recent one."""
        for year in sorted({*self.measure, *self.recent}):
            for files in (self.measure, self.recent):
                if year in files:
                    yield year, files[year]

    def new_measurements_db(self, year: int) -> TinyDB:
        """The file new measurements dated in `year` go to: the year file
        while it is small, else its recent file."""
        stem = f"{MEASUREMENTS}-{year:04d}"
        return self._new_db(self.measure, self.recent, year, stem, MEASUREMENTS, RECENT_FROM)

    def history_db(self, year: int, month: int) -> TinyDB:
        return self._year_db(
            self.history, year * 100 + month, f"{HISTORY}-{year:04d}-{month:02d}.json"
        )

    def new_history_db(self, year: int, month: int) -> TinyDB:
        """The file a change's history entries go to: the month's file while
        it is small, else its recent file."""
        stem = f"{HISTORY}-{year:04d}-{month:02d}"
        key = year * 100 + month
        return self._new_db(
            self.history, self.history_recent, key, stem, HISTORY, HISTORY_RECENT_FROM
        )

    def _new_db(
        self,
        files: dict[int, TinyDB],
        recents: dict[int, TinyDB],
        key: int,
        stem: str,
        table: str,
        big: int,
    ) -> TinyDB:
        """STEM.json while it is under `big` bytes, else STEM-recent.json. A
        recent file that is started takes over the other's id counter, so
        the ids it issues stay unique (and in order) in the year or month."""
        recent = recents.get(key)
        if recent is not None and (storage_of(recent).exists or signature(storage_of(recent).path)):
            return recent
        found = signature(self.root / f"{stem}.json")
        db = self._year_db(files, key, f"{stem}.json")
        if found is None or found[2] < big:
            return db
        # past the highest id held too: the recent file checks only its own
        # ids, so a counter behind (a hand edit) would issue the other's
        # (a measurement's id is of the year that issued it: of those alone)
        span = (key * MEASUREMENT_ID_SPAN, (key + 1) * MEASUREMENT_ID_SPAN)
        base, end = span if table == MEASUREMENTS else (0, None)
        highest = storage_of(db).highest_id(table, base, end) - base
        counter = max(self.next_id(db, table), highest + 1)
        recent = self._year_db(recents, key, f"{stem}-recent.json")
        storage = storage_of(recent)
        storage.ensure(self.writer, now_iso())
        data = storage.read()
        assert data is not None
        data[META]["1"]["next_id"] = {table: counter}
        return recent

    def _merge_history(self, key: int) -> None:
        """Move a month's recent history entries into its month file, in
        the same commit (a crash leaves them in the one or the other); the
        month file is appended to without being parsed, when its bytes are
        ones this user's styr wrote or checked. The recent file stays,
        empty, with the counter, for the next ones.

        An entry already in the month file as it is in the recent one is
        kept once, and one of the same id but other contents gets a new id
        after all others: a styr of schema 2 that finished a merge cut short
        renamed the month file but not the recent one, which it does not
        know, and the recent file's counter then issued ids of the month's
        again. Entry ids name nothing else (undo goes by change)."""
        # the month's file may be gone (removed by hand): then it is made anew
        recent, base = self.history_recent[key], self.history_db(key // 100, key % 100)
        rows = dict((storage_of(recent).read() or {}).get(HISTORY, {}))
        storage = storage_of(base)
        meta = storage.open_append(HISTORY, nested=True)
        held: dict[str, Any] | None = None  # the month's entries, parsed for a clash
        if meta is None or storage.clash(list(rows)) is not None:
            storage.ensure(self.writer, now_iso())
            held = (storage.read() or {}).get(HISTORY, {})
            meta = storage.meta
        counters = (meta.get("next_id", {}), storage_of(recent).meta.get("next_id", {}))
        after = max(int(c.get(HISTORY, 1)) for c in counters)
        new = rows
        if held is not None:
            after = max([after, *(int(k) + 1 for k in (*held, *rows))])
            new = {}
            for entry_id in sorted(rows, key=int):
                if entry_id not in held:
                    new[entry_id] = rows[entry_id]
                elif held[entry_id] != rows[entry_id]:
                    new[str(after)] = rows[entry_id]
                    after += 1
        if new:
            self.insert_staged(base, HISTORY, new)
        self.table(recent, HISTORY).remove(doc_ids=[int(k) for k in rows])
        meta["next_id"] = meta.get("next_id", {}) | {HISTORY: after}
        storage_of(recent).meta.setdefault("next_id", {})[HISTORY] = after

    def _year_db(self, files: dict[int, TinyDB], key: int, name: str) -> TinyDB:
        if key not in files:
            files[key] = _open_db(self.root / name)
            storage_of(files[key]).staging = self._depth > 0
        return files[key]

    @property
    def read_only_reason(self) -> str | None:
        if self.denied:
            return f"read-only: {self.denied}"
        for storage in self.storages():
            if storage.schema_version > SCHEMA_VERSION:
                return (
                    f"read-only: {storage.path.name} was written by a newer styr "
                    f"(schema {storage.schema_version}, this styr knows "
                    f"{SCHEMA_VERSION}); upgrade styr to change it"
                )
        return None

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def refresh(self) -> list[Change]:
        """Re-read files another process replaced or created; say who changed what."""
        new = self._discover()
        changes = []
        for storage in self.storages():
            if storage in new:
                storage.read()
            if storage in new or storage.refresh():
                meta = storage.meta
                changes.append(
                    Change(
                        storage.path.name,
                        str(meta.get("writer", "?")),
                        str(meta.get("written_at", "")),
                    )
                )
        return changes

    # ----------------------------------------------------- transactions
    @contextlib.contextmanager
    def transaction(self, undo_of: str | None = None) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        reason = self.read_only_reason
        if reason:
            raise ReadOnly(f"the store is {reason}")
        made = self._create() if not exists(self.root) else []
        try:
            with self._transaction(undo_of):
                yield
        except BaseException:
            if made:
                self._uncreate(made)
            raise

    @contextlib.contextmanager
    def _transaction(self, undo_of: str | None) -> Iterator[None]:
        with self._locked():
            # a commit cut short since this store was opened (a crash in
            # another process) is finished first, or its temp files, rolled
            # forward later, would overwrite this change
            self._finish_interrupted()
            self.refresh()
            reason = self.read_only_reason
            if reason:
                raise ReadOnly(f"the store is {reason}")
            self._depth = 1
            self._entries = []
            self.change_id = os.urandom(6).hex()
            self.undo_of = undo_of
            for storage in self.storages():
                storage.staging = True
            try:
                yield
                self._commit()
            except BaseException:
                for storage in self.storages():
                    if storage.dirty:
                        storage.rollback()
                raise
            finally:
                self._depth = 0
                for storage in self.storages():
                    storage.staging = False
                    # bytes read for an append are only current under the lock
                    storage.drop_append()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.lock.acquire()
        except TimeoutError:
            raise StoreLocked(
                f"the store {self.root} is busy: another styr held its lock for "
                f"{self.lock.timeout:g} s; try again"
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot take the lock in {self.root}: {exc.strerror}") from None
        try:
            yield
        finally:
            self.lock.release()

    def record(self, table: str, doc_id: int, before: Any, after: Any) -> None:
        """Note one change for the audit trail; written with the transaction."""
        self._entries.append(
            {
                "change": self.change_id,
                "at": now_iso(),
                "by": self.user,
                "table": table,
                "id": doc_id,
                "before": before,
                "after": after,
                "undo_of": self.undo_of,
            }
        )

    def record_bulk(self, op: str, ids: Sequence[int], stamp: str | None = None) -> None:
        """Note a bulk write of measurements as one entry (store.backend)."""
        self._entries.append(
            {
                "change": self.change_id,
                "at": now_iso(),
                "by": self.user,
                "table": MEASUREMENTS,
                "id": min(ids),
                "before": None,
                "after": None,
                "undo_of": self.undo_of,
                "bulk": bulk_entry(op, ids, stamp),
            }
        )

    def _commit(self) -> None:
        when = now_iso()
        if self._entries:
            now = datetime.now(UTC)
            db = self.new_history_db(now.year, now.month)
            self.table(db, HISTORY).insert_multiple(
                [Document(entry, doc_id=self.next_id(db, HISTORY)) for entry in self._entries]
            )
            key = now.year * 100 + now.month
            if db is self.history_recent.get(key) and (
                storage_of(db).count(HISTORY) >= HISTORY_RECENT_MAX
            ):
                self._merge_history(key)
        dirty = [s for s in self.storages() if s.dirty]
        if not dirty:
            return
        # a file first read inside this transaction may be from a newer styr
        reason = self.read_only_reason
        if reason:
            raise ReadOnly(f"the store is {reason}")
        self._daily_backup(when[:10])
        # Two phases: every file is written to a fsynced temp file first, so
        # a full disk fails before anything changed. With several files, a
        # marker naming the temp files is then put down; a crash while they
        # are renamed into place is rolled forward at the next open.
        staged: list[tuple[FileStorage, Path]] = []
        try:
            for storage in dirty:
                tmp = storage.prepare(self.writer, when, self.file_mode, self.group)
                staged.append((storage, tmp))
            pending = self.root / PENDING
            if len(staged) > 1:
                moves = [[tmp.name, storage.path.name] for storage, tmp in staged]
                try:
                    atomic_write(pending, dumps(moves), self.file_mode, self.group)
                except OSError as exc:
                    raise write_failed(pending, exc) from exc
        except BaseException:
            for _, tmp in staged:
                tmp.unlink(missing_ok=True)
            raise
        try:
            for storage, tmp in staged:
                os.replace(tmp, storage.path)
                storage.installed()
            fsync_dir(self.root)
        except OSError as exc:
            # past the marker the commit is decided; the next open finishes it
            raise WriteFailed(
                f"could not finish writing {self.root}: {exc.strerror}; "
                "the next styr to open the store completes the change"
            ) from exc
        if len(staged) > 1:
            pending.unlink()

    def next_id(self, db: TinyDB, table: str) -> int:
        """Ids are never reused: the counter in meta only grows. A
        measurement's id is year * MEASUREMENT_ID_SPAN + this counter."""
        storage = storage_of(db)
        base = 0
        if table in (MEASUREMENTS, HISTORY):
            if table == MEASUREMENTS:
                # measurements-YYYY.json or measurements-YYYY-recent.json
                base = int(storage.path.name[len(MEASUREMENTS) + 1 :][:4]) * MEASUREMENT_ID_SPAN
            # the hot path, `styr log`: append to the year, and to the month's
            # history (late in a busy month a MB), without parsing them
            meta = storage.open_append(table, nested=table == HISTORY) if storage.staging else None
            if meta is not None:
                counters = meta.setdefault("next_id", {})
                new = int(counters.get(table, 1))
                if not storage.holds(str(base + new)):
                    counters[table] = new + 1
                    return new
        storage.ensure(self.writer, now_iso())
        data = storage.read()
        assert data is not None
        counters = data[META]["1"].setdefault("next_id", {})
        docs = data.get(table, {})
        new = int(counters.get(table, 1))
        if str(base + new) in docs:  # a hand edit or a lost counter: fall back to a scan
            own = [int(k) - base for k in docs if base <= int(k) < base + MEASUREMENT_ID_SPAN]
            new = max(own) + 1 if base else max(map(int, docs)) + 1
        counters[table] = new + 1
        return new

    def take_ids(self, db: TinyDB, count: int) -> int:
        """`count` new measurement counters in a row from db's (as
        `next_id` issues them one by one); the first of them."""
        storage = storage_of(db)
        base = int(storage.path.name[len(MEASUREMENTS) + 1 :][:4]) * MEASUREMENT_ID_SPAN
        meta = storage.open_append(MEASUREMENTS) if storage.staging else None
        if meta is not None:
            counters = meta.setdefault("next_id", {})
            new = int(counters.get(MEASUREMENTS, 1))
            if storage.clash([str(base + new + n) for n in range(count)]) is None:
                counters[MEASUREMENTS] = new + count
                return new
        storage.ensure(self.writer, now_iso())
        data = storage.read()
        assert data is not None
        counters = data[META]["1"].setdefault("next_id", {})
        docs = data.get(MEASUREMENTS, {})
        new = int(counters.get(MEASUREMENTS, 1))
        if any(str(base + new + n) in docs for n in range(count)):
            # a hand edit or a lost counter: after the highest
            own = (int(k) - base for k in docs if base <= int(k) < base + MEASUREMENT_ID_SPAN)
            new = max(own) + 1
        counters[MEASUREMENTS] = new + count
        return new

    def reserve_id(self, db: TinyDB, table: str, counter: int) -> None:
        """Make the counter in db's meta pass `counter`: a document put with
        an id of its own (an import, an undo) is never issued again."""
        storage = storage_of(db)
        storage.ensure(self.writer, now_iso())
        data = storage.read()
        assert data is not None
        counters = data[META]["1"].setdefault("next_id", {})
        if int(counters.get(table, 1)) <= counter:
            counters[table] = counter + 1
            storage.write(data)

    def table(self, db: TinyDB, name: str) -> Table:
        return db.table(name, cache_size=0)

    def insert_staged(self, db: TinyDB, name: str, staged: dict[str, dict[str, Any]]) -> None:
        cast(_Table, self.table(db, name)).insert_staged(staged)

    # ------------------------------------------------ open-time upkeep
    def _open_checks(self) -> None:
        strays = list(self.root.glob(".*.tmp"))
        pending = exists(self.root / PENDING)
        version = storage_of(self.wheel).meta.get("schema_version", SCHEMA_VERSION)
        # a newer styr's interrupted commit may name files this one does
        # not know: it is left, temp files and all, for that styr to finish
        if version > SCHEMA_VERSION or not (strays or pending or version < SCHEMA_VERSION):
            return
        with self._locked():
            self._finish_interrupted()
            # under the lock nobody is mid-write, so temp files are leftovers
            for stray in self.root.glob(".*.tmp"):
                stray.unlink(missing_ok=True)
            self.refresh()
            if version < SCHEMA_VERSION:
                self._migrate()

    def _finish_interrupted(self) -> None:
        if not exists(self.root / PENDING):
            return
        # as at open (_open_checks), for a wheel replaced since by a newer styr
        if (peek_schema(self.root / WHEEL) or 0) > SCHEMA_VERSION:
            return
        from store.repair import finish_interrupted_commit

        try:
            finish_interrupted_commit(self)
        except OSError as exc:
            raise WriteFailed(
                f"could not finish an interrupted change in {self.root}: {exc.strerror}"
            ) from exc

    def _migrate(self) -> None:
        """Every schema so far only adds files (storage.SCHEMA_VERSION):
        wheel.json takes the new version, after a backup, so an older styr
        opens the store read-only; the other files are left as they are,
        however big the store."""
        self.backup(f"before-schema-{SCHEMA_VERSION}")
        storage = storage_of(self.wheel)
        data = storage.read()
        if data is None:
            return
        data[META]["1"]["schema_version"] = SCHEMA_VERSION
        storage.staging = True
        try:
            storage.write(data)
            storage.flush(self.writer, now_iso(), self.file_mode, self.group)
        finally:
            storage.staging = False

    # --------------------------------------------------------- backups
    def backup(self, label: str) -> Path:
        """backups/LABEL: a hard link of every store file. No store file is
        ever changed in place (each write renames a new file over it), so a
        link keeps the old content, at the cost of the change alone in time
        and space. Everything goes through descriptors of folders opened
        without following links: a `backups` that someone replaced by a link
        is never written through."""
        folder = self.root / BACKUPS
        target = folder / label
        if is_real_folder(folder) is False:
            raise WriteFailed(
                f"{folder} is not a folder (a link or a file someone put there); no backup "
                "was made: remove it, and styr makes a new one"
            )
        # a unique name: a partial backup planted under a known name is never reused
        partial = f".{label}.{os.urandom(4).hex()}.partial"
        fd = -1
        try:
            if is_real_folder(folder) is None:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(folder, 0o700)
                self._folder_made(folder, open_folder(folder))
            fd = open_folder(folder)
            os.mkdir(partial, 0o700, dir_fd=fd)
            made = os.open(partial, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            try:
                for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
                    if (entry.name == WHEEL or YEAR_FILE.match(entry.name)) and entry.is_file(
                        follow_symlinks=False
                    ):
                        os.link(entry.path, entry.name, dst_dir_fd=made, follow_symlinks=False)
                os.fsync(made)
            finally:
                self._folder_made(folder / partial, made)
            os.rename(partial, label, src_dir_fd=fd, dst_dir_fd=fd)
            os.fsync(fd)
        except OSError as exc:
            if fd >= 0:
                import shutil

                with contextlib.suppress(OSError):
                    shutil.rmtree(partial, dir_fd=fd)
            raise WriteFailed(f"could not back up the store to {target}: {exc.strerror}") from exc
        finally:
            if fd >= 0:
                os.close(fd)
        return target

    def _folder_made(self, path: Path, fd: int) -> None:
        """Open a folder this process made to the team (teammates make the
        next backups in it), through its descriptor; closes it."""
        try:
            if self.group is not None and os.fstat(fd).st_uid == os.geteuid():
                os.fchmod(fd, 0o2775)
                with contextlib.suppress(PermissionError):
                    os.fchown(fd, -1, self.group)
        finally:
            os.close(fd)

    def _daily_backup(self, day: str) -> None:
        """Today's backup if there is none yet; a backup that fails is a
        warning, never a reason to refuse the user's change."""
        if not exists(self.root / WHEEL):
            return
        target = self.root / BACKUPS / f"daily-{day}"
        done = is_real_folder(target)
        if done:
            return
        try:
            if done is False:
                raise WriteFailed(
                    f"{target} is not a folder styr made (a link or a file); no daily backup"
                )
            self.backup(target.name)
            self._prune_backups()
        except WriteFailed as exc:
            self.warn(f"{exc}; your change is saved all the same")

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def take_notices(self) -> list[str]:
        """What the user should hear of beside their command's own result
        (a new store, a backup that failed), each once."""
        notices = [f"created a new store at {self.root}"] if self.created else []
        notices += [f"warning: {message}" for message in self.warnings]
        self.created = False
        self.warnings = []
        return notices

    def _prune_backups(self) -> None:
        """Keep the newest dailies. Only what styr makes is removed: folders
        named daily-DATE holding nothing but store files, and this user's own
        partial backups that a crash left behind."""
        import shutil  # only here and for a failed backup: a write rarely needs it

        fd = open_folder(self.root / BACKUPS)
        try:
            dailies = []
            for entry in os.scandir(fd):
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if DAILY.match(entry.name):
                    dailies.append(entry.name)
                elif (
                    PARTIAL.match(entry.name)
                    and entry.stat(follow_symlinks=False).st_uid == os.geteuid()
                ):
                    shutil.rmtree(entry.name, dir_fd=fd)
            for name in sorted(dailies)[:-DAILY_BACKUPS_KEPT]:
                if self._made_by_styr(fd, name):
                    shutil.rmtree(name, dir_fd=fd)
        finally:
            os.close(fd)

    def _made_by_styr(self, fd: int, name: str) -> bool:
        inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        try:
            return all(
                (e.name == WHEEL or YEAR_FILE.match(e.name)) and e.is_file(follow_symlinks=False)
                for e in os.scandir(inner)
            )
        finally:
            os.close(inner)
