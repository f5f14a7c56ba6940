"""A PostgreSQL server for the tests: $STYR_TEST_PG (a superuser URL of a
throwaway server, as `.ci/pg start` prints), else one started here with
.ci/pg for the session, else the tests that need one skip, saying why.

The roles are those the README asks a team for: styr_owner owns each test's
schema (and creates the tables), alice, bob and carol are members who read
and write; each test gets a schema of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from store.postgres import PostgresBackend

CI_PG = Path(__file__).resolve().parent.parent / ".ci" / "pg"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
MEMBERS = ("alice", "bob", "carol")
OWNER = "styr_owner"

_TEAM = [
    f"CREATE ROLE {OWNER} LOGIN",
    "CREATE ROLE styr_member NOLOGIN",
    *(f"CREATE ROLE {name} LOGIN IN ROLE styr_member" for name in MEMBERS),
    "CREATE ROLE reader LOGIN",
]
_GRANTS = [
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} GRANT SELECT, INSERT, UPDATE, DELETE"
    " ON TABLES TO styr_member",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} GRANT USAGE ON SEQUENCES TO styr_member",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} GRANT SELECT ON TABLES TO reader",
]


class PgServer:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.parts = conninfo_to_dict(admin_url)
        self.db = f"styr_tests_{os.getpid()}"
        self._schemas = itertools.count(1)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for statement in _TEAM:
                try:
                    conn.execute(statement)
                except psycopg.errors.DuplicateObject:
                    pass  # a server kept from an earlier run
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.db)))
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(self.db), sql.Identifier(OWNER)
                )
            )
        for statement in _GRANTS:
            self.admin(statement)

    def drop(self) -> None:
        """Remove the tests' database (the roles stay for the next run)."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.db))
            )

    def admin(self, statement: str, schema: str | None = None) -> None:
        """Run one statement as the superuser, in the tests' database."""
        with psycopg.connect(self.url("postgres", schema), autocommit=True) as conn:
            conn.execute(statement)

    def url(self, user: str, schema: str | None = None, password: str | None = None) -> str:
        host, port = str(self.parts.get("host", "")), str(self.parts.get("port", ""))
        query = []
        auth = quote(user) + (f":{quote(password)}" if password else "")
        if host.startswith("/"):
            query.append(f"host={quote(host)}")
            where = f"{auth}@"
        else:
            where = f"{auth}@{host}"
        if port:
            query.append(f"port={port}")
        if schema:
            query.append("options=" + quote(f"-csearch_path={schema}"))
        return f"postgresql://{where}/{self.db}?{'&'.join(query)}"

    def new_schema(self) -> str:
        """A schema of styr_owner's with its tables made, members may use it."""
        schema = f"wheel{next(self._schemas)}"
        self.admin(f"CREATE SCHEMA {schema} AUTHORIZATION {OWNER}")
        self.admin(f"GRANT USAGE ON SCHEMA {schema} TO styr_member, reader")
        PostgresBackend.open(self.url(OWNER, schema)).conn.close()
        return schema


class OwnServer(PgServer):
    """A server of one test's own, which it may crash and start again; its
    commits are durable across a crash of the server (PG_DURABLE)."""

    def __init__(self, folder: str, admin_url: str) -> None:
        super().__init__(admin_url)
        self.folder = folder

    def crash(self) -> None:
        """Stop the server as a crash does: no checkpoint, every session cut."""
        _ci_pg("crash", self.folder)

    def restart(self) -> None:
        _ci_pg("restart", self.folder)


def _ci_pg(action: str, folder: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(CI_PG), action, folder],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | env,
    )
    if done.returncode and action != "start":
        raise RuntimeError(f".ci/pg {action} failed: {done.stderr.strip()}")
    return done


@contextlib.contextmanager
def _started(durable: bool) -> Iterator[tuple[str, str] | str]:
    """(folder, superuser URL) of a server started with .ci/pg, or why there is none."""
    if not (PG_BIN / "initdb").exists():
        yield (
            f"no PostgreSQL server: set STYR_TEST_PG (see .ci/pg) or install the "
            f"server binaries (apt-get install postgresql; looked in {PG_BIN})"
        )
        return
    folder = tempfile.mkdtemp(prefix="styr-pg-")
    started = _ci_pg("start", folder, **({"PG_DURABLE": "1"} if durable else {}))
    try:
        if started.returncode:
            yield f".ci/pg could not start a server: {started.stderr.strip()}"
            return
        yield folder, started.stdout.strip().split("=", 1)[1].strip("'")
    finally:
        _ci_pg("stop", folder)


def start_server() -> Iterator[PgServer | str]:
    """The server, or why there is none."""
    url = os.environ.get("STYR_TEST_PG")
    if url:
        try:
            server = PgServer(url)
        except psycopg.OperationalError as exc:
            yield f"STYR_TEST_PG names no reachable server: {str(exc).strip()}"
            return
        try:
            yield server
        finally:
            server.drop()
        return
    with _started(durable=False) as found:
        yield found if isinstance(found, str) else PgServer(found[1])


def own_server() -> Iterator[OwnServer | str]:
    """A server started for one test (never $STYR_TEST_PG, which others
    share), or why there is none."""
    with _started(durable=True) as found:
        yield found if isinstance(found, str) else OwnServer(*found)
