"""Time the CLI on the large store against Taskwarrior in the same run.

    python tests/bench/bench_cli.py [--store DIR] [--runs N]

Without --store a large store is generated first (make_store.py). The store
is copied to a scratch folder, so the runs do not grow the original. Each
command runs as a whole process, several times after one warm-up run (the
first write of a day also makes the daily backup); the median is printed.
When `task` (Taskwarrior) is installed, `task add` and `task list` are timed
with 10,000 pending tasks in a scratch TASKDATA, and the ratios printed
(DESIGN.md, Speed budgets: each at most 1.0).
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


def has_command(command: str) -> bool:
    done = subprocess.run([*styr_command(), command, "--help"], capture_output=True)
    return done.returncode == 0


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

        commands: dict[str, Command] = {
            "styr log": ([*styr, "log", "1", "12.5", "--note", "bench"], None)
        }
        if has_command("status"):
            commands["styr status --json"] = ([*styr, "status", "--json"], None)
        else:
            print("styr status: not there yet (skipped)")
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
        for mine, reference in [("styr log", "task add"), ("styr status --json", "task list")]:
            if mine in results and reference in results:
                ratio = results[mine] / results[reference]
                verdict = "ok" if ratio <= 1.0 else "over budget"
                print(f"ratio {mine} / {reference}: {ratio:.2f} (budget 1.0: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
