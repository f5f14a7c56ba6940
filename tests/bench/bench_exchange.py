"""Time export and import on the large store against reading it.

    python tests/bench/bench_exchange.py [--store DIR] [--runs N]

Without --store a large store is generated first (make_store.py; 200,000
measurements). Each step runs as a whole `styr` process. The steps take
turns within each of --runs rounds (after a warm-up round), so a busy
moment of the machine slows a read and the step it is compared with alike:
the median time of each step is printed, and the median of its ratio to the
read of the same round against the budgets the issue sets (export at most
2x reading, a 200,000-row CSV import at most 3x). "Reading" is `styr status
--json` with an empty private cache: open the store, parse every
measurement file and compare every indicator (a status with a warm cache
is printed too, for comparison, but is not the reference). The round trip
(export, import into an empty store, export) is checked to give the same
bytes.
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
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_cli import styr_command  # noqa: E402
from make_store import as_installed  # noqa: E402


def timed(args: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def cold(args: list[str]) -> float:
    """Time `args` with an empty private cache: every file is parsed, as
    an export and an import must; a warm status reuses its comparison."""
    with tempfile.TemporaryDirectory(prefix="styr-cache-") as cache:
        return timed(args, {**os.environ, "XDG_CACHE_HOME": cache})


BUDGETS = {"export JSON": 2.0, "import CSV (200k rows)": 3.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a large store (default: generate one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    as_installed()
    styr = styr_command()
    with tempfile.TemporaryDirectory(prefix="styr-bench-") as tmp:
        work = Path(tmp)
        store = work / "store"
        if args.store:
            shutil.copytree(args.store, store, ignore=shutil.ignore_patterns("backups", ".lock"))
        else:
            subprocess.run([sys.executable, str(HERE / "make_store.py"), str(store)], check=True)
        on = [*styr, "--store"]
        first, csv, target = work / "a.json", work / "m.csv", work / "new"
        timed([*on, str(store), "export", "--out", str(first)])
        timed([*on, str(store), "export", "--format", "csv", "--out", str(csv)])
        # the CSV goes into a store with the same wheel and no measurement yet
        document = json.loads(first.read_text())
        document["measurements"] = []
        bare = work / "bare.json"
        bare.write_text(json.dumps(document))

        def empty() -> None:
            shutil.rmtree(target, ignore_errors=True)

        def wheel_only() -> None:
            empty()
            timed([*on, str(target), "import", str(bare)])

        status = [*on, str(store), "status", "--json"]
        steps: dict[str, tuple[list[str], Callable[[], None] | None]] = {
            "read (status --json)": (status, None),
            "status, warm cache": (status, None),
            "export JSON": ([*on, str(store), "export", "--out", str(first)], None),
            "import JSON (empty)": ([*on, str(target), "import", str(first)], empty),
            "import CSV (200k rows)": ([*on, str(target), "import", str(csv)], wheel_only),
        }
        times: dict[str, list[float]] = {name: [] for name in steps}
        for n in range(args.runs + 1):  # the first round warms the page cache
            for name, (command, before) in steps.items():
                if before:
                    before()
                took = cold(command) if name == "read (status --json)" else timed(command)
                if n:
                    times[name].append(took)
        empty()
        timed([*on, str(target), "import", str(first)])
        again = work / "b.json"
        timed([*on, str(target), "export", "--out", str(again)])
        same = first.read_bytes() == again.read_bytes()
    reads = times["read (status --json)"]
    for name, found in times.items():
        line = f"{name:<23}{statistics.median(found):6.2f} s"
        if found is not reads:
            ratio = statistics.median(t / r for t, r in zip(found, reads, strict=True))
            line += f"  {ratio:4.1f}x reading"
            if name in BUDGETS:
                verdict = "within" if ratio <= BUDGETS[name] else "OVER"
                line += f" (budget {BUDGETS[name]:g}x: {verdict})"
        print(line)
    print(f"round trip same bytes  {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
