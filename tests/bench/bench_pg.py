"""Time the CLI on the large store kept in PostgreSQL, against Taskwarrior.

    python tests/bench/bench_pg.py [--store DIR] [--runs N]

The server is $STYR_TEST_PG (a superuser URL, as `.ci/pg start` prints), else
one started with .ci/pg for the run. The large store (make_store.py, or
--store DIR) is copied into a fresh schema through the backend itself, with
the folder's ids; then `styr log` and `styr status --json` run as whole
processes beside `task add` and `task list` (bench_cli.py), medians printed
with their ratios (DESIGN.md, Speed budgets: each at most 1.0), and how much
of that is starting Python, styr's CLI and psycopg.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_cli import Command, styr_command, taskwarrior, timed  # noqa: E402
from make_store import as_installed  # noqa: E402
from pghelp import OWNER, PgServer, start_server  # noqa: E402

from store.backend import MEASUREMENTS, WHEEL_TABLES  # noqa: E402
from store.folder import FolderBackend  # noqa: E402
from store.postgres import PostgresBackend  # noqa: E402


def load(folder: Path, url: str) -> None:
    """Every document and measurement of the folder store, with its id."""
    source = FolderBackend.open(folder, must_exist=True)
    target = PostgresBackend.open(url)
    started = time.perf_counter()
    with target.transaction():
        for table in WHEEL_TABLES:
            for doc_id, doc in sorted(source.docs(table).items()):
                target.put(table, doc_id, doc)
        points = source.points()
        ids = [mid for found in points.values() for _, mid, _ in found]
        docs = [source.measurement(mid) or {} for mid in ids]
        target.add_measurements(docs, ids)
    for table in (*WHEEL_TABLES, MEASUREMENTS):
        target.conn.execute(
            f"SELECT setval('{table}_ids', greatest(1, (SELECT max(id) FROM {table})))"
        )
    print(f"loaded {len(ids)} measurements in {time.perf_counter() - started:.1f} s")
    target.conn.close()


def run(server: PgServer, store: Path, runs: int, scratch: Path) -> None:
    schema = server.new_schema()
    load(store, server.url(OWNER, schema))
    url = server.url("alice", schema)
    styr = [*styr_command(), "--store", url]
    commands: dict[str, Command] = {
        "styr log": ([*styr, "log", "1", "12.5", "--note", "bench"], None),
        "styr status --json": ([*styr, "status", "--json"], None),
    }
    # where a command's time goes: the interpreter, styr's CLI, the driver,
    # each left as the styr program leaves (tui.cli.run)
    python = [sys.executable, "-c"]
    commands |= {
        "python start": ([*python, "pass"], None),
        "+ styr CLI imports": ([*python, "import gc, tui.cli; gc.freeze()"], None),
        "+ psycopg": ([*python, "import gc, tui.cli, store.postgres; gc.freeze()"], None),
    }
    env = taskwarrior(scratch)
    if env is None:
        print("task: not installed (apt-get install taskwarrior); no reference figures")
    else:
        commands["task add"] = (["task", "add", "bench", "task"], env)
        commands["task list"] = (["task", "list"], env)
    results = timed(commands, runs)
    print(f"\nPostgreSQL, median of {runs} rounds (after a warm-up round), whole processes:")
    for name, seconds in results.items():
        print(f"  {name:<20} {seconds * 1000:8.1f} ms")
    for mine, reference in [("styr log", "task add"), ("styr status --json", "task list")]:
        if mine in results and reference in results:
            ratio = results[mine] / results[reference]
            verdict = "ok" if ratio <= 1.0 else "over budget"
            print(f"ratio {mine} / {reference}: {ratio:.2f} (budget 1.0: {verdict})")
    started = results["+ psycopg"]
    print(
        f"of which starting: interpreter {results['python start'] * 1000:.0f} ms, styr's CLI "
        f"{(results['+ styr CLI imports'] - results['python start']) * 1000:.0f} ms, psycopg "
        f"{(results['+ psycopg'] - results['+ styr CLI imports']) * 1000:.0f} ms; the rest "
        f"(arguments, connecting, the command): log {(results['styr log'] - started) * 1000:.0f}"
        f" ms, status {(results['styr status --json'] - started) * 1000:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a large folder store (default: generate one)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    as_installed()
    with tempfile.TemporaryDirectory(prefix="styr-bench-") as tmp:
        scratch = Path(tmp)
        store = args.store
        if store is None:
            store = scratch / "store"
            subprocess.run([sys.executable, str(HERE / "make_store.py"), str(store)], check=True)
        for server in start_server():
            if isinstance(server, str):
                raise SystemExit(server)
            run(server, store, args.runs, scratch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
