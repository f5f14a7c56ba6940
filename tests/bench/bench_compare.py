"""Compare key presses on the large store, through a real terminal.

    python tests/bench/bench_compare.py [--store DIR] [--samples 20]

The median of --samples presses each, from sending the key to the first
screen change, at 80x24 on the Compare stage: move (j/k), sort (s), the
status filter (f), a text filter (/ then a letter, measured to the state
line naming it) and the wheel filters (M my goals, S the goal state; each
press picks other goals). Budget: 50 ms a key. Without --store, the large store is
generated with tests/bench/make_store.py into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests/bench"))
import bench_tui  # noqa: E402
from bench_tui import PYTHON, STYR, drive, press, start, stop, wait_for  # noqa: E402
from make_store import as_installed  # noqa: E402

# a session of its own: bench_tui.py may be running at the same time
NAME = bench_tui.NAME = f"bench-compare-{os.getpid()}"


def compare_latencies(store: Path, samples: int) -> dict[str, list[float]]:
    start([STYR, "--store", str(store)])
    try:
        wait_for(r"Goal 1:")
        press("3", r"sort wheel order")
        time.sleep(1.0)
        kinds = ("move (j/k)", "sort (s)", "status filter (f)", "text filter (/x)",
                 "my goals (M)", "goal state (S)")  # fmt: skip
        result: dict[str, list[float]] = {kind: [] for kind in kinds}
        for n in range(samples):
            result["move (j/k)"].append(press("j" if n % 10 < 5 else "k"))
            time.sleep(0.15)
        for kind, key in [("sort (s)", "s"), ("status filter (f)", "f")]:
            for _ in range(samples):
                result[kind].append(press(key))
                time.sleep(0.15)
        for n in range(samples):
            drive("keys", "--name", NAME, "/")
            letter = "ab"[n % 2]
            result["text filter (/x)"].append(press(letter, rf"text {letter}"))
            drive("keys", "--name", NAME, "Escape")
            drive("wait", "--name", NAME, "--gone", rf"text {letter}")
            time.sleep(0.3)
        for kind, key in [("my goals (M)", "M"), ("goal state (S)", "S")]:
            for _ in range(samples):
                result[kind].append(press(key))
                time.sleep(0.15)
        return result
    finally:
        stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a large store (default: generate one)")
    parser.add_argument("--samples", type=int, default=20, help="key presses per kind")
    args = parser.parse_args()
    as_installed()
    with tempfile.TemporaryDirectory(prefix="styr-bench-compare-") as folder:
        store = args.store
        if store is None:
            store = Path(folder) / "large"
            subprocess.run([PYTHON, str(ROOT / "tests/bench/make_store.py"), str(store)],
                           check=True, capture_output=True)  # fmt: skip
        keys = compare_latencies(store, args.samples)
    ok = True
    print(f"Compare key press on the large store, median of {args.samples} (budget 50 ms):")
    for what, times in keys.items():
        median = statistics.median(times)
        ok = ok and median <= 50
        print(f"  {what:20} {median:6.1f} ms  (min {min(times):.0f}, max {max(times):.0f})"
              f" {'ok' if median <= 50 else 'OVER BUDGET'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
