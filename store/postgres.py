"""The PostgreSQL backend: a wheel kept in tables of a database schema.

Documents are JSONB rows with a revision, measurements a table indexed by
(indicator, date), history an append-only table; ids come from sequences,
so they are unique and never reused. Who writes is the database role of the
session (`current_user`), set by the server, not by styr. Each transaction
ends with a NOTIFY naming who changed which tables, so other sessions learn
of it without reading the tables.

psycopg is an optional dependency: this module is imported only when a
store is given as a postgresql:// URL (store.backends).
"""

from __future__ import annotations

import contextlib
import operator
import os
import struct
import sys
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn

import orjson
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb

from store.backend import MEASUREMENTS, WHEEL_TABLES, Change, Doc, Point, bulk_entry
from store.dates import now_iso
from store.errors import Conflict, ReadOnly, StoreAway, StoreError, StoreMissing
from store.paths import digest
from store.series import DaySeries

if TYPE_CHECKING:
    from store.compare import Comparison, WheelComparison

SCHEMA_VERSION = 1

# a document's own fields are checked by the validators before a write; the
# constraints keep what every reader relies on, whoever writes the rows
_DOC_CHECKS = {
    "goals": "jsonb_typeof(doc->'title') = 'string'",
    "indicators": (
        "jsonb_typeof(doc->'goal_id') = 'number' AND jsonb_typeof(doc->'name') = 'string'"
    ),
    "reviews": "true",
    "lessons": "true",
    "risks": "true",
}


def _create_v1() -> list[str]:
    steps = [
        f"""CREATE TABLE {table} (
              id bigint PRIMARY KEY CHECK (id > 0),
              revision bigint NOT NULL DEFAULT 1,
              doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object' AND {check}))"""
        for table, check in _DOC_CHECKS.items()
    ]
    steps += [f"CREATE SEQUENCE {table}_ids" for table in (*WHEEL_TABLES, MEASUREMENTS)]
    steps += [
        """CREATE TABLE measurements (
              id bigint PRIMARY KEY CHECK (id > 0),
              indicator_id bigint NOT NULL,
              day date NOT NULL,
              value double precision NOT NULL,
              doc jsonb NOT NULL CHECK (
                jsonb_typeof(doc) = 'object'
                AND (doc->>'indicator_id')::bigint = indicator_id
                AND (doc->>'value')::float8 = value))""",
        # every read of points is served from the index alone (value included)
        """CREATE INDEX measurements_by_indicator ON measurements (indicator_id, day, id)
           INCLUDE (value)""",
        "CREATE INDEX measurements_by_day ON measurements (day)",
        """CREATE TABLE history (
              seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              change text NOT NULL,
              at text NOT NULL,
              by text NOT NULL,
              tbl text NOT NULL,
              doc_id bigint NOT NULL,
              before jsonb,
              after jsonb,
              undo_of text)""",
        # the server, not the client, says who wrote: a member cannot
        # record a change in someone else's name, nor rewrite the past
        """CREATE FUNCTION history_by() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN NEW.by := current_user; RETURN NEW; END $$""",
        """CREATE TRIGGER history_by BEFORE INSERT ON history
           FOR EACH ROW EXECUTE FUNCTION history_by()""",
        """CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the history is append-only'; END $$""",
        """CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
           FOR EACH ROW EXECUTE FUNCTION history_append_only()""",
        """CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
           FOR EACH STATEMENT EXECUTE FUNCTION history_append_only()""",
    ]
    return steps


# who the session is, its schema, whether styr's tables are in it and whether
# the role may write them: one round trip (quote_ident(NULL) is NULL where
# format('%I') would fail, for a role with no schema)
_WHO = """
    SELECT current_user, current_schema(),
        to_regclass(quote_ident(current_schema()) || '.styr_schema') IS NOT NULL,
        coalesce(has_table_privilege(to_regclass('goals'), 'INSERT')
                 AND has_table_privilege(to_regclass('history'), 'INSERT'), false)"""

# version -> the statements that bring the schema from version - 1 to it
MIGRATIONS: dict[int, list[str]] = {1: _create_v1()}

_CONNECTION_LOST = (psycopg.OperationalError, psycopg.InterfaceError)

# Every point of the wheel (status, the TUI) is read as one packed row per
# indicator, records of (day number, id, value) in network byte order, not
# as a row per measurement: 200,000 rows through the driver cost far more
# than the packing does on the server.
_POINT = struct.Struct("!iqd")
_PACKED_POINTS = """
    SELECT indicator_id, string_agg(
        int4send(day - date '2000-01-01') || int8send(id) || float8send(value), '')
    FROM (SELECT indicator_id, day, id, value FROM measurements
          ORDER BY indicator_id, day, id) AS ordered
    GROUP BY indicator_id"""
_DAY_ZERO = date(2000, 1, 1).toordinal()
# The comparison reads each indicator's series as two columns (store.series):
# day ordinals and values, packed on the server, so the client only turns
# bytes into arrays, with no object per measurement. In (day, id) order as
# the subquery gives them, which PostgreSQL keeps but does not promise (an
# ORDER BY inside the aggregate would, at twice the time): a series read
# out of order is taken from the points instead.
_PACKED_SERIES = """
    SELECT indicator_id,
        string_agg(int4send(day - date '0001-01-01' + 1), ''), string_agg(float8send(value), '')
    FROM (SELECT indicator_id, day, id, value FROM measurements
          ORDER BY indicator_id, day, id) AS ordered
    GROUP BY indicator_id"""


def _until(points: list[Point], until: date | None) -> list[Point]:
    """A copy of the points (by date) up to day `until`: cut where it falls,
    not compared one by one, as it is mostly after the last of them."""
    if until is None or not points or points[-1][0] <= until:
        return points[:]
    return points[: bisect_right(points, until, key=_day)]


def _day(point: Point) -> date:
    return point[0]


class _Days(dict[int, date]):
    """Day numbers since 2000-01-01 as dates, each made once: a store has a
    few thousand days and a hundred times as many measurements."""

    def __missing__(self, number: int) -> date:
        day = self[number] = date.fromordinal(_DAY_ZERO + number)
        return day


def _reason(exc: BaseException) -> str:
    """libpq's message as one line: it says 'connection to server at "h",
    port 1 failed: WHY' or 'consuming input failed: WHY', with hints on
    the lines below."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return first.rsplit("failed: ", 1)[-1].removeprefix("FATAL:").strip() or type(exc).__name__


def _raise(exc: StoreError) -> NoReturn:
    raise exc


def _safe_location(url: str) -> str:
    """The URL as shown: server, port, database and user, never a password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(an address that cannot be read)"
    host, port = parts.get("host", ""), parts.get("port", "")
    user, db = parts.get("user", ""), parts.get("dbname", "")
    who = f"{user}@" if user else ""
    if str(host).startswith("/"):
        query = f"?host={host}" + (f"&port={port}" if port else "")
        return f"postgresql://{who}/{db}{query}"
    return f"postgresql://{who}{host}{':' + str(port) if port else ''}/{db}"


class PostgresBackend:
    """The Backend protocol (store.backend) over one PostgreSQL schema."""

    def __init__(self, url: str, conn: psycopg.Connection[Any]) -> None:
        self.url = url
        self.conn = conn
        self.tolerant = False
        self.broken: str | None = None
        self._location = _safe_location(url)
        self._user = ""
        self._schema = ""
        self._read_only: str | None = None
        self._notices: list[str] = []
        self._version = 0
        self._docs: dict[str, dict[int, Doc]] = {}
        self._revisions: dict[str, dict[int, int]] = {}
        # rows fetched one by one from a table not read whole: (revision, doc) or None
        self._rows: dict[str, dict[int, tuple[int, Doc] | None]] = {}
        self._points: dict[int, list[Point]] | None = None
        self._series: dict[int, DaySeries] | None = None
        self._printed: tuple[int, str] | None = None  # the version, _wheel_print's hash
        self._by_indicator: dict[int, list[Point]] = {}
        # the connection's notify handler appends (in whichever thread reads
        # from the server), the one that takes the news in pops
        self._heard: deque[psycopg.Notify] = deque()
        self._unreported: list[Change] = []
        self._depth = 0
        self._change = ""
        self._undo_of: str | None = None
        self._entries: list[tuple[str, str, str, str, int, Any, Any, str | None]] = []

    @classmethod
    def open(cls, url: str, *, must_exist: bool = False) -> PostgresBackend:
        backend = cls(url, cls._connect(url))
        with backend._errors():
            backend._prepare(must_exist)
            backend._listen()
        return backend

    @staticmethod
    def _connect(url: str) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreAway(f"cannot connect to {_safe_location(url)}: {_reason(exc)}") from None

    def _prepare(self, must_exist: bool) -> None:
        """Who we are, which schema, and its version: created or migrated
        here, in one transaction, by whoever first opens it with the right.
        Two round trips when the wheel is there (a server may be far away)."""
        row = self.conn.execute(_WHO).fetchone()
        assert row is not None
        self._user, schema, found, may_write = str(row[0]), row[1], bool(row[2]), bool(row[3])
        if schema is None:
            raise StoreError(
                f"no schema to keep the wheel in at {self._location}: create one "
                "(see the README, PostgreSQL) or name it with options=-csearch_path=NAME"
            )
        self._schema = str(schema)
        version = self._schema_version() if found else None
        if version is None and must_exist:
            raise StoreMissing(f"no styr wheel in {self._location} (schema {self._schema})")
        if version is None or version < SCHEMA_VERSION:
            version = self._migrate()
            may = self.conn.execute(_WHO).fetchone()
            may_write = bool(may and may[3])
        if version > SCHEMA_VERSION:
            self._read_only = (
                f"made by a newer styr (schema version {version}; this styr knows "
                f"{SCHEMA_VERSION}): read-only"
            )
            return
        if not may_write:
            self._read_only = f"read-only: the role {self._user} may not write to the wheel"

    def _schema_version(self) -> int | None:
        row = self.conn.execute("SELECT version FROM styr_schema").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> int:
        try:
            return self._migrate_now()
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"the role {self._user} may not create or update the styr tables in "
                f"{self._location} (schema {self._schema}): {exc.diag.message_primary}; "
                "the schema's owner role opens it once with this styr to do so"
            ) from None

    def _migrate_now(self) -> int:
        with self.conn.transaction():
            # two styr opening a new schema at once: one creates, the other waits
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            version = self._schema_version() if self._schema_found() else None
            if version is None:
                self.conn.execute("CREATE TABLE styr_schema (version integer NOT NULL)")
                self.conn.execute("INSERT INTO styr_schema VALUES (0)")
                version = 0
            start = version
            for step in sorted(v for v in MIGRATIONS if v > version):
                for statement in MIGRATIONS[step]:
                    self.conn.execute(statement)
                version = step
            self.conn.execute("UPDATE styr_schema SET version = %s", (version,))
        if version != start:
            self._notices.append(
                f"{'created' if start == 0 else 'updated'} the styr tables (schema version "
                f"{version}) in {self._location}, schema {self._schema}"
            )
        return version

    def _schema_found(self) -> bool:
        row = self.conn.execute(_WHO).fetchone()
        return bool(row and row[2])

    def _channel(self) -> str:
        return f"styr.{self._schema}"

    def _listen(self, conn: psycopg.Connection[Any] | None = None) -> None:
        conn = conn or self.conn
        conn.add_notify_handler(self._heard.append)
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel())))

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """A server's error as one line for the user; nothing is half-written
        (the transaction is rolled back by then)."""
        try:
            yield
        except psycopg.errors.InsufficientPrivilege as exc:
            raise ReadOnly(
                f"the role {self._user} may not do this in {self._location}: "
                f"{exc.diag.message_primary}"
            ) from None
        except _CONNECTION_LOST as exc:
            raise StoreAway(
                f"lost the connection to {self._location} ({_reason(exc)}); "
                "nothing half-written is kept, styr connects again on the next try"
            ) from None
        except psycopg.Error as exc:
            raise StoreError(
                f"the database {self._location} refused the change: "
                f"{exc.diag.message_primary or _reason(exc)}"
            ) from None

    # ---------------------------------------------------------- the store
    @property
    def user(self) -> str:
        return self._user

    @property
    def location(self) -> str:
        return self._location

    @property
    def read_only_reason(self) -> str | None:
        return self._read_only

    def describe(self) -> list[tuple[str, str]]:
        info = self.conn.info
        lines = [
            ("store", self._location),
            ("server", f"{info.host}:{info.port}"),
            ("database", info.dbname),
            ("schema", self._schema),
            ("user", self._user),
        ]
        if self._read_only:
            lines.append(("mode", self._read_only))
        return lines

    def version(self) -> Hashable:
        return self._version

    def _forget(self, tables: Sequence[str] | None = None) -> None:
        """Drop what was read of these tables (all when None); the next
        read fetches them again."""
        for table in tables if tables is not None else (*WHEEL_TABLES, MEASUREMENTS):
            if table == MEASUREMENTS:
                self._points, self._series, self._by_indicator = None, None, {}
            else:
                self._docs.pop(table, None)
                self._revisions.pop(table, None)
                self._rows.pop(table, None)
        self._version += 1

    def refresh(self) -> list[Change]:
        return self.fetch_news()()

    def fetch_news(self) -> Callable[[], list[Change]]:
        take_in = self._wait_for_news()

        def finish() -> list[Change]:
            take_in()
            changes, self._unreported = self._unreported, []
            return changes

        return finish

    def _hear(self) -> None:
        """Take in what others wrote, keeping who it was for `refresh`."""
        self._wait_for_news()()

    def _wait_for_news(self) -> Callable[[], None]:
        """What hearing others' writes waits for, touching nothing a read
        sees (see fetch_news); it returns the step that takes them in."""
        if self.conn.closed or self.conn.broken:
            try:
                conn = self._connect(self.url)
            except StoreAway as exc:
                return partial(_raise, exc)
            try:
                # a connection of its own until adopted: nothing shared
                with self._errors():
                    self._listen(conn)
            except StoreError as exc:
                conn.close()
                return partial(_raise, exc)
            return partial(self._adopt, conn)
        try:
            with self._errors():
                # one empty round trip: the server sends what it was told to
                # notify us of before its reply (a commit signals listeners
                # before it returns), so a change made just before is heard
                self.conn.execute("SELECT")
        except StoreAway as exc:
            return partial(_raise, exc)
        except StoreError:
            # refused only while a transaction of another thread's has
            # failed and is not rolled back yet: the next round trip asks again
            pass
        return self._take_heard

    def _adopt(self, conn: psycopg.Connection[Any]) -> None:
        """Use a new connection: everything is read afresh, whoever wrote meanwhile."""
        old, self.conn = self.conn, conn
        old.close()
        self._forget()
        # what was heard before is read afresh too; kept, the note of our
        # own last write on the old connection (another backend pid than
        # the new one's) would read as someone else's
        self._heard.clear()
        self._unreported.append(Change("(all)", "(reconnected)", now_iso()))

    def _take_heard(self) -> None:
        # popped one by one: another thread's round trip may add to it meanwhile
        heard: list[psycopg.Notify] = []
        while self._heard:
            heard.append(self._heard.popleft())
        mine = self.conn.info.backend_pid
        tables: set[str] = set()
        for notify in heard:
            if notify.pid == mine:
                continue
            note = orjson.loads(notify.payload)
            tables.update(note["tables"])
            who, when = str(note["by"]), str(note["at"])
            self._unreported += [Change(table, who, when) for table in note["tables"]]
        if tables:
            self._forget(sorted(tables))

    def take_notices(self) -> list[str]:
        notices, self._notices = self._notices, []
        return notices

    @contextlib.contextmanager
    def transaction(self, undo_of: str | None = None) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        if self._read_only:
            raise ReadOnly(f"the store is {self._read_only}")
        # what others wrote until now is read afresh; who it was stays for
        # the next refresh to report
        self._hear()
        self._change = os.urandom(6).hex()
        self._undo_of = undo_of
        self._entries = []
        self._depth = 1
        try:
            with self._errors(), self.conn.transaction():
                yield
                self._write_history()
        except BaseException:
            self._forget()
            raise
        finally:
            self._depth = 0
        if self._entries:
            self._version += 1

    def _write_history(self) -> None:
        if not self._entries:
            return
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO history (change, at, by, tbl, doc_id, before, after, undo_of)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (change, at, by, table, doc_id, Jsonb(before), Jsonb(after), undo_of)
                    for change, at, by, table, doc_id, before, after, undo_of in self._entries
                ],
            )
        tables = sorted({entry[3] for entry in self._entries})
        note = {"by": self._user, "at": self._entries[-1][1], "tables": tables}
        self.conn.execute(
            "SELECT pg_notify(%s, %s)", (self._channel(), orjson.dumps(note).decode())
        )

    def _record(self, table: str, doc_id: int, before: Any, after: Any) -> None:
        if not self._depth:
            raise RuntimeError("writes need a transaction")
        self._entries.append(
            (self._change, now_iso(), self._user, table, doc_id, before, after, self._undo_of)
        )

    # ---------------------------------------------------------- documents
    def docs(self, table: str) -> Mapping[int, Doc]:
        found = self._docs.get(table)
        if found is None:
            with self._errors():
                # as text, parsed by orjson: several times faster than
                # psycopg's json loader on a table of a few thousand rows
                rows = self.conn.execute(
                    sql.SQL("SELECT id, revision, doc::text FROM {} ORDER BY id").format(
                        sql.Identifier(table)
                    )
                ).fetchall()
            found = self._docs[table] = {int(i): orjson.loads(doc) for i, _, doc in rows}
            self._revisions[table] = {int(i): int(rev) for i, rev, _ in rows}
        return found

    def get(self, table: str, doc_id: int) -> Doc | None:
        full = self._docs.get(table)
        if full is not None:
            return full.get(doc_id)
        # one row, not the table: `styr log` needs one indicator of thousands
        rows = self._rows.setdefault(table, {})
        if doc_id not in rows:
            with self._errors():
                row = self.conn.execute(
                    sql.SQL("SELECT revision, doc::text FROM {} WHERE id = %s").format(
                        sql.Identifier(table)
                    ),
                    (doc_id,),
                ).fetchone()
            rows[doc_id] = (int(row[0]), orjson.loads(row[1])) if row else None
        found = rows[doc_id]
        return found[1] if found else None

    def _revision(self, table: str, doc_id: int) -> int | None:
        if table in self._docs:
            return self._revisions[table].get(doc_id)
        found = self._rows.get(table, {}).get(doc_id)
        return found[0] if found else None

    def _keep(self, table: str, doc_id: int, revision: int, doc: Doc | None) -> None:
        """What this transaction wrote, as later reads in it must see it."""
        full = self._docs.get(table)
        if full is None:
            self._rows.setdefault(table, {})[doc_id] = None if doc is None else (revision, doc)
        elif doc is None:
            full.pop(doc_id, None)
            self._revisions[table].pop(doc_id, None)
        else:
            full[doc_id] = doc
            self._revisions[table][doc_id] = revision

    def next_id(self, table: str) -> int:
        if not self._depth:
            raise RuntimeError("ids are taken inside a transaction")
        row = self.conn.execute("SELECT nextval(%s)", (f"{table}_ids",)).fetchone()
        assert row is not None
        return int(row[0])

    def _changed_since(self, table: str, doc_id: int, mine: Doc | None) -> Conflict:
        row = self.conn.execute(
            sql.SQL("SELECT doc FROM {} WHERE id = %s").format(sql.Identifier(table)), (doc_id,)
        ).fetchone()
        theirs = row[0] if row else None
        who = (theirs or {}).get("updated_by", "someone")
        return Conflict(
            f"{table[:-1]} {doc_id} was changed since by {who}",
            # the tables are the kinds' names in the plural
            table[:-1],
            mine=dict(mine or {}),
            theirs=theirs,
        )

    def put(self, table: str, doc_id: int, doc: Doc) -> None:
        before = self.get(table, doc_id)
        self._record(table, doc_id, before, dict(doc))
        name = sql.Identifier(table)
        revision = self._revision(table, doc_id)
        # the revision read must still be the one stored: else another
        # session saved in between, and this save would silently undo theirs
        if revision is None:
            query = sql.SQL(
                "INSERT INTO {} (id, doc) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING"
                " RETURNING revision"
            ).format(name)
            row = self.conn.execute(query, (doc_id, Jsonb(doc))).fetchone()
        else:
            query = sql.SQL(
                "UPDATE {} SET doc = %s, revision = revision + 1"
                " WHERE id = %s AND revision = %s RETURNING revision"
            ).format(name)
            row = self.conn.execute(query, (Jsonb(doc), doc_id, revision)).fetchone()
        if row is None:
            raise self._changed_since(table, doc_id, doc)
        self._keep(table, doc_id, int(row[0]), dict(doc))

    def remove(self, table: str, doc_id: int) -> None:
        before = self.get(table, doc_id)
        if before is None:
            return
        self._record(table, doc_id, before, None)
        query = sql.SQL("DELETE FROM {} WHERE id = %s AND revision = %s RETURNING id").format(
            sql.Identifier(table)
        )
        if self.conn.execute(query, (doc_id, self._revision(table, doc_id))).fetchone() is None:
            raise self._changed_since(table, doc_id, None)
        self._keep(table, doc_id, 0, None)

    # ------------------------------------------------------- measurements
    def points(self, until: date | None = None) -> Mapping[int, list[Point]]:
        if self._points is None:
            with self._errors():
                rows = self.conn.cursor(binary=True).execute(_PACKED_POINTS).fetchall()
            days = _Days()
            grouped: dict[int, list[Point]] = {}
            for ind, packed in rows:
                found = list(_POINT.iter_unpack(packed))
                # the server hands them over in the subquery's order, which
                # PostgreSQL keeps but does not promise: sorting what is
                # sorted already is one pass
                found.sort()
                grouped[int(ind)] = [(days[day], mid, value) for day, mid, value in found]
            self._points = grouped
        return {
            ind: _until(found, until)
            for ind, found in self._points.items()
            if until is None or found[0][0] <= until
        }

    def day_series(self, until: date | None = None) -> Mapping[int, DaySeries]:
        if self._series is None:
            with self._errors():
                rows = self.conn.cursor(binary=True).execute(_PACKED_SERIES).fetchall()
            found: dict[int, DaySeries] = {}
            for ind, packed_days, packed_values in rows:
                days, values = array("i"), array("d")
                days.frombytes(packed_days)
                values.frombytes(packed_values)
                if sys.byteorder == "little":  # the server sends network order
                    days.byteswap()
                    values.byteswap()
                if not all(map(operator.le, days, days[1:])):
                    return self._series_of_points()
                found[int(ind)] = DaySeries(days, values)
            self._series = found
        return self._series

    def _series_of_points(self) -> Mapping[int, DaySeries]:
        self._series = {
            ind: DaySeries(
                array("i", [day.toordinal() for day, _, _ in points]),
                array("d", [value for _, _, value in points]),
            )
            for ind, points in self.points().items()
        }
        return self._series

    # ------------------------------------- the comparison, kept across runs
    def _place(self) -> str:
        return f"{self._location} schema {self._schema}"

    def _wheel_print(self) -> str:
        """A hash of the documents a comparison is made from, as they are
        here now (read, or changed by this session); once per version, as
        looking up and keeping a comparison both need it."""
        kept = self._printed
        if kept is not None and kept[0] == self._version and not self._depth:
            return kept[1]
        tables = [sorted(self.docs(table).items()) for table in ("goals", "indicators")]
        found = digest(orjson.dumps(tables, option=orjson.OPT_SORT_KEYS)).hex()
        self._printed = (self._version, found)
        return found

    def kept_comparison(self, at: date) -> WheelComparison | None:
        # which series are unchanged is known only once they are read
        return None

    def known_comparisons(
        self, at: date, series: Mapping[int, DaySeries]
    ) -> Mapping[int, Comparison]:
        from store.comparecache import load_known

        return load_known(self._place(), at, [self._wheel_print()], series)

    def keep_comparison(
        self, at: date, comparison: WheelComparison, series: Mapping[int, DaySeries]
    ) -> None:
        from store.comparecache import save_comparison

        save_comparison(self._place(), at, [[self._wheel_print()]], comparison, series)

    def indicator_points(self, indicator_id: int, until: date | None = None) -> list[Point]:
        if self._points is not None:
            found = self._points.get(indicator_id, [])
        elif indicator_id in self._by_indicator:
            found = self._by_indicator[indicator_id]
        else:
            # one indicator through the index, not the whole table
            with self._errors():
                rows = self.conn.execute(
                    "SELECT day, id, value FROM measurements WHERE indicator_id = %s"
                    " ORDER BY day, id",
                    (indicator_id,),
                ).fetchall()
            found = self._by_indicator[indicator_id] = [(d, i, v) for d, i, v in rows]
        return _until(found, until)

    def measurement(self, measurement_id: int) -> Doc | None:
        with self._errors():
            row = self.conn.execute(
                "SELECT doc FROM measurements WHERE id = %s", (measurement_id,)
            ).fetchone()
        return row[0] if row else None

    def all_measurements(self) -> Iterator[tuple[int, Doc]]:
        with self._errors():
            rows = self.conn.execute("SELECT id, doc FROM measurements ORDER BY id").fetchall()
        return iter([(int(measurement_id), doc) for measurement_id, doc in rows])

    @staticmethod
    def _columns(doc: Doc) -> tuple[int, date, float, Jsonb]:
        return (
            int(doc["indicator_id"]),
            date.fromisoformat(str(doc["date"])),
            float(doc["value"]),
            Jsonb(doc),
        )

    def add_measurements(
        self, docs: Sequence[Doc], ids: Sequence[int | None] | None = None
    ) -> list[int]:
        result = []
        rows = []
        for doc, wanted in zip(docs, ids or [None] * len(docs), strict=True):
            new_id = wanted or self.next_id(MEASUREMENTS)
            self._record(MEASUREMENTS, new_id, None, dict(doc))
            rows.append((new_id, *self._columns(doc)))
            result.append(new_id)
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO measurements (id, indicator_id, day, value, doc)"
                " VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
        self._forget([MEASUREMENTS])
        return result

    def add_bulk(self, docs: Sequence[Doc], stamp: Mapping[str, str]) -> list[int]:
        if not self._depth:
            raise RuntimeError("writes need a transaction")
        with self._errors():
            found = self.conn.execute(
                "SELECT nextval('measurements_ids') FROM generate_series(1, %s)", (len(docs),)
            ).fetchall()
        result = [int(row[0]) for row in found]
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO measurements (id, indicator_id, day, value, doc)"
                " VALUES (%s, %s, %s, %s, %s)",
                [
                    (key, *self._columns({**doc, **stamp}))
                    for key, doc in zip(result, docs, strict=True)
                ],
            )
        if result:
            self._record_bulk(bulk_entry("add", result, stamp["updated_at"]))
        self._forget([MEASUREMENTS])
        return result

    def remove_bulk(self, ids: Sequence[int]) -> dict[int, Doc]:
        if not self._depth:
            raise RuntimeError("writes need a transaction")
        with self._errors():
            rows = self.conn.execute(
                "DELETE FROM measurements WHERE id = ANY(%s) RETURNING id, doc", (list(ids),)
            ).fetchall()
        removed = {int(key): doc for key, doc in rows}
        if removed:
            self._record_bulk(bulk_entry("remove", list(removed)))
        self._forget([MEASUREMENTS])
        return removed

    def _record_bulk(self, bulk: Doc) -> None:
        """One history row for a bulk write: its "bulk" part is kept as the
        row's `after` ({"bulk": ...}; no measurement has that field) and
        given back by `history` as the folder keeps it."""
        first = bulk["ids"][0][0]
        self._entries.append(
            (self._change, now_iso(), self._user, MEASUREMENTS, first, None, {"bulk": bulk},
             self._undo_of)
        )  # fmt: skip

    def put_measurement(self, measurement_id: int, doc: Doc) -> None:
        before = self.measurement(measurement_id)
        self._record(MEASUREMENTS, measurement_id, before, dict(doc))
        self.conn.execute(
            "INSERT INTO measurements (id, indicator_id, day, value, doc)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET"
            " indicator_id = excluded.indicator_id, day = excluded.day,"
            " value = excluded.value, doc = excluded.doc",
            (measurement_id, *self._columns(doc)),
        )
        self._forget([MEASUREMENTS])

    def remove_measurement(self, measurement_id: int) -> None:
        before = self.measurement(measurement_id)
        if before is None:
            return
        self._record(MEASUREMENTS, measurement_id, before, None)
        self.conn.execute("DELETE FROM measurements WHERE id = %s", (measurement_id,))
        self._forget([MEASUREMENTS])

    # ------------------------------------------------------------ history
    def history(self) -> Iterator[Doc]:
        """Newest first, a page at a time: undo reads only the newest few."""
        last: int | None = None
        while True:
            with self._errors():
                rows = self.conn.execute(
                    "SELECT seq, change, at, by, tbl, doc_id, before, after, undo_of"
                    " FROM history WHERE %s::bigint IS NULL OR seq < %s"
                    " ORDER BY seq DESC LIMIT 500",
                    (last, last),
                ).fetchall()
            if not rows:
                return
            for seq, change, at, by, table, doc_id, before, after, undo_of in rows:
                last = seq
                bulk = after.get("bulk") if table == MEASUREMENTS and after else None
                entry = {
                    "change": change,
                    "at": at,
                    "by": by,
                    "table": table,
                    "id": doc_id,
                    "before": before,
                    "after": None if bulk else after,
                    "undo_of": undo_of,
                }
                yield entry | {"bulk": bulk} if bulk else entry
