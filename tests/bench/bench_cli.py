"""Time the CLI on the large store against Taskwarrior in the same run.

    python tests/bench/bench_cli.py [--store DIR] [--big DIR] [--runs N]

Without --store a large store is generated first (make_store.py). The store
is copied to a scratch folder, so the runs do not grow the original. Each
command runs as a whole process, several times after one warm-up run (the
first write of a day also makes the daily backup); the median is printed.
When `task` (Taskwarrior) is installed, `task add` and `task list` are timed
with 10,000 pending tasks in a scratch TASKDATA, and the ratios printed
(DESIGN.md, Speed budgets: each at most 1.0). A log into a one-indicator
store is timed too, and with --big (a store of make_store.py --scale 10) a
log and `status --json` there: a log must cost the same whatever the size of
the store (at most 1.3x the tiny one), a read at most 10x the large one. So
must a log at the end of a month (this month's history as big as last
month's), in the large store and in the 10x one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_store import as_installed, print_sizes  # noqa: E402

PENDING_TASKS = 10_000


def styr_command() -> list[str]:
    script = Path(sys.executable).parent / "styr"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


Command = tuple[Sequence[str], dict[str, str] | None]


def timed(commands: dict[str, Command], runs: int) -> dict[str, float]:
    """Median wall time per command over `runs` rounds after a warm-up round.
    The commands take turns within each round, so a busy moment of the
    machine slows them alike and the ratios stay fair."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for n in range(runs + 1):
        for name, (argv, env) in commands.items():
            started = time.perf_counter()
            done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"{name} failed: {done.stderr.decode(errors='replace')}")
            if n:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def taskwarrior(scratch: Path) -> dict[str, str] | None:
    """An environment for `task` with 10,000 pending tasks, or None."""
    task = shutil.which("task")
    if task is None:
        return None
    data = scratch / "taskdata"
    data.mkdir()
    rc = scratch / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n")
    env = os.environ | {"TASKRC": str(rc), "TASKDATA": str(data)}
    tasks = scratch / "tasks.json"
    with tasks.open("w") as out:
        for n in range(PENDING_TASKS):
            row = {
                "uuid": str(uuid.uuid4()),
                "description": f"task {n}: follow up the quarterly numbers",
                "status": "pending",
                "entry": "20260101T120000Z",
                "project": f"team{n % 20}",
                "tags": ["okr"] if n % 3 else [],
            }
            out.write(json.dumps(row) + "\n")
    subprocess.run([task, "import", str(tasks)], env=env, check=True, capture_output=True)
    return env


def busy_month(store: Path, into: Path) -> Path:
    """The store as at the end of a month: this month's history file (a log
    appends an entry to it) as big as last month's."""
    shutil.copytree(
        store, into, ignore=shutil.ignore_patterns("backups", ".lock"), copy_function=os.link
    )
    today = date.today()
    month = today.strftime("history-%Y-%m.json")
    last = (today.replace(day=1) - timedelta(days=1)).strftime("history-%Y-%m.json")
    (into / month).unlink(missing_ok=True)
    shutil.copyfile(store / last, into / month)
    print(f"end of a month: {month} as big as {last}, {(into / month).stat().st_size / 1e6:.2f} MB")
    return into


def in_process_append(store: Path, runs: int) -> tuple[float, float]:
    """(open, median of one log) in a long-lived process."""
    from store.backends import open_wheel

    started = time.perf_counter()
    wheel = open_wheel(store, user="bench")
    indicator = wheel.indicators()[0].id
    wheel.series(indicator)
    opened = time.perf_counter() - started
    times = []
    for n in range(runs + 1):
        started = time.perf_counter()
        wheel.log(indicator, n, None, "in-process")
        if n:
            times.append(time.perf_counter() - started)
    return opened, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a large store (default: generate one)")
    parser.add_argument("--big", type=Path, help="a 10x store (make_store.py --scale 10)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    runs: int = args.runs
    as_installed()
    with tempfile.TemporaryDirectory(prefix="styr-bench-") as tmp:
        scratch = Path(tmp)
        store = scratch / "store"
        if args.store:
            shutil.copytree(args.store, store, ignore=shutil.ignore_patterns("backups", ".lock"))
        else:
            subprocess.run([sys.executable, str(HERE / "make_store.py"), str(store)], check=True)
        styr = [*styr_command(), "--store", str(store)]
        print(f"store {store}:")
        print_sizes(store)
        tiny = [*styr_command(), "--store", str(scratch / "tiny")]
        due = f"{date.today().year}-12-31"
        subprocess.run([*tiny, "add", "goal", "G"], check=True, capture_output=True)
        subprocess.run(
            [*tiny, "add", "indicator", "1", "I", "--baseline", "0", "--target", "9", "--due", due],
            check=True,
            capture_output=True,
        )

        log = ["log", "1", "12.5", "--note", "bench"]
        commands: dict[str, Command] = {"styr log (tiny)": ([*tiny, *log], None)}
        commands["styr log"] = ([*styr, *log], None)
        busy = busy_month(store, scratch / "busy")
        commands["styr log (month end)"] = (
            [*styr_command(), "--store", str(busy), *log],
            None,
        )
        commands["styr status --json"] = ([*styr, "status", "--json"], None)
        if args.big:
            big = scratch / "big"
            # linked, not copied: styr never changes a file in place
            shutil.copytree(
                args.big,
                big,
                ignore=shutil.ignore_patterns("backups", ".lock"),
                copy_function=os.link,
            )
            print(f"store {big}:")
            print_sizes(big)
            commands["styr log (10x)"] = ([*styr_command(), "--store", str(big), *log], None)
            commands["styr status --json (10x)"] = (
                [*styr_command(), "--store", str(big), "status", "--json"],
                None,
            )
            big_busy = busy_month(args.big, scratch / "big-busy")
            commands["styr log (10x month end)"] = (
                [*styr_command(), "--store", str(big_busy), *log],
                None,
            )
        env = taskwarrior(scratch)
        if env is None:
            print("task: not installed (apt-get install taskwarrior); no reference figures")
        else:
            commands["task add"] = (["task", "add", "bench", "task"], env)
            commands["task list"] = (["task", "list"], env)
        results = timed(commands, runs)
        opened, append = in_process_append(store, runs)

        print(f"\nmedian of {runs} rounds (after a warm-up round), whole processes:")
        for name, seconds in results.items():
            print(f"  {name:<20} {seconds * 1000:8.1f} ms")
        print(f"in-process: open + first read {opened * 1000:.1f} ms")
        print(f"in-process: one log (an append) {append * 1000:.1f} ms")
        for mine, reference, budget in [
            ("styr log", "task add", 1.0),
            ("styr status --json", "task list", 1.0),
            ("styr log (10x)", "styr log (tiny)", 1.3),
            ("styr log (month end)", "styr log (tiny)", 1.3),
            ("styr log (10x month end)", "styr log (tiny)", 1.3),
            ("styr status --json (10x)", "styr status --json", 10.0),
        ]:
            if mine in results and reference in results:
                ratio = results[mine] / results[reference]
                verdict = "ok" if ratio <= budget else "over budget"
                print(f"ratio {mine} / {reference}: {ratio:.2f} (budget {budget:g}: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
