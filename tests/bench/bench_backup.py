"""Time the first write of a day (which makes the daily backup) against a
write that makes none, on the large store, in the same run.

    python tests/bench/bench_backup.py [--store DIR] [--runs N]

Each round removes today's backup, then times one `styr log` (the first of
the day: it backs up the store) and one more `styr log` right after (no
backup due). It prints both medians, their ratio and what the backups
folder holds on disk: hard links cost no space, copies the store's size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_cli import styr_command  # noqa: E402
from make_store import as_installed  # noqa: E402


def disk_use(folder: Path) -> int:
    """Bytes of blocks held only by the files under folder (a hard link to
    a file outside it holds none of its own)."""
    total = 0
    for path in folder.rglob("*"):
        st = path.lstat()
        if path.is_file() and st.st_nlink == 1:
            total += st.st_blocks * 512
    return total


def one(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a large store (default: generate one)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    as_installed()
    with tempfile.TemporaryDirectory(prefix="styr-bench-") as tmp:
        store = Path(tmp) / "store"
        if args.store:
            shutil.copytree(args.store, store, ignore=shutil.ignore_patterns("backups", ".lock"))
        else:
            subprocess.run([sys.executable, str(HERE / "make_store.py"), str(store)], check=True)
        log = [*styr_command(), "--store", str(store), "log", "1", "12.5", "--note", "bench"]
        one(log)  # warm the page cache
        first, later = [], []
        for _ in range(args.runs):
            shutil.rmtree(store / "backups", ignore_errors=True)
            first.append(one(log))
            later.append(one(log))
        held = disk_use(store / "backups")
        size = sum(p.stat().st_size for p in store.glob("*.json"))
        first_ms = statistics.median(first) * 1000
        later_ms = statistics.median(later) * 1000
        print(f"store: {size / 1e6:.1f} MB in {len(list(store.glob('*.json')))} files")
        print(
            f"first write of the day (with backup): median {first_ms:7.1f} ms, max "
            f"{max(first) * 1000:7.1f} ms"
        )
        print(f"a later write (no backup):            median {later_ms:7.1f} ms")
        print(f"ratio first / later: {first_ms / later_ms:.2f}")
        print(
            f"backups/ holds {held / 1e6:.1f} MB of its own on disk "
            f"({os.path.relpath(store / 'backups', tmp)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
