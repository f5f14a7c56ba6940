"""Time export and import on the large store against reading it.

    python tests/bench/bench_exchange.py [--store DIR] [--runs N]

Without --store a large store is generated first (make_store.py; 200,000
measurements). Each step runs as a whole `styr` process, the median of
--runs is printed, and the ratios the issue sets (export at most 2x reading,
a 200,000-row CSV import at most 3x). "Reading" is `styr status --json`:
open the store, read every measurement and compare every indicator. The
round trip (export, import into an empty store, export) is checked to give
the same bytes.
"""

from __future__ import annotations

import argparse
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


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def median(runs: int, args: list[str], before: object = None) -> float:
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        times.append(timed(args))
    return statistics.median(times)


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
        timed([*on, str(store), "status", "--json"])  # warm the page cache
        read = median(args.runs, [*on, str(store), "status", "--json"])
        first = work / "a.json"
        export = median(args.runs, [*on, str(store), "export", "--out", str(first)])
        csv = work / "m.csv"
        timed([*on, str(store), "export", "--format", "csv", "--out", str(csv)])
        target = work / "new"

        def empty() -> None:
            shutil.rmtree(target, ignore_errors=True)

        import_json = median(args.runs, [*on, str(target), "import", str(first)], empty)
        again = work / "b.json"
        timed([*on, str(target), "export", "--out", str(again)])
        same = first.read_bytes() == again.read_bytes()
        # the CSV goes into a store with the same wheel and no measurement yet
        bare = work / "bare.json"
        subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "import json,sys; d=json.load(open(sys.argv[1])); d['measurements']=[]; "
                    "open(sys.argv[2],'w').write(json.dumps(d))"
                ),
                str(first),
                str(bare),
            ],
            check=True,
        )

        def wheel_only() -> None:
            empty()
            subprocess.run([*on, str(target), "import", str(bare)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

        import_csv = median(args.runs, [*on, str(target), "import", str(csv)], wheel_only)
    print(f"read (status --json)   {read:6.2f} s")
    print(f"export JSON            {export:6.2f} s  {export / read:4.1f}x reading (budget 2x)")
    print(f"import JSON (empty)    {import_json:6.2f} s  {import_json / read:4.1f}x reading")
    print(f"import CSV (200k rows) {import_csv:6.2f} s  {import_csv / read:4.1f}x reading "
          "(budget 3x)")  # fmt: skip
    print(f"round trip same bytes  {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
