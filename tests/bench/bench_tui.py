"""TUI speed and memory against DESIGN.md's budgets, through a real terminal.

    python tests/bench/bench_tui.py [--store DIR] [--samples 20] [--runs 11]

Measured with tui-drive (tmux), in one run so the ratios compare like with
like on a shared machine:
- first paint: start to the first frame of the app, median of --runs
  starts, for a bare Textual app (Header, Static, Footer), `styr --demo`
  and `styr --store LARGE`; also the time until the data is on screen
  (in --runs starts of its own);
- key presses on the large store: move (j), switch stage (2 / 1), open a
  form (a); the median of --samples presses each, from sending the key to
  the first screen change;
- resident memory of `styr --store LARGE` once it shows the data.

Budgets (DESIGN.md, Speed budgets): the data on screen at most 1.3x the
bare app's first paint on the demo, at most 2x on the large store; key
press median <= 50 ms; <= 150 MB. Without --store, the large store is
generated with tests/bench/make_store.py into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests/bench"))
from make_store import as_installed  # noqa: E402

DRIVE = os.environ.get("TUI_DRIVE", str(ROOT.parent / "shared/tools/tui-drive"))
PYTHON = sys.executable
STYR = str(Path(PYTHON).with_name("styr"))
SIZE = "80x24"
NAME = "bench-tui"

BARE_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self):
            yield Header()
            yield Static("bare ready")
            yield Footer()

    Bare().run()
    """
)


def drive(*args: str, check: bool = True) -> str:
    done = subprocess.run([DRIVE, *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"tui-drive {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def start(command: list[str]) -> float:
    """Start a program; return the monotonic time just before."""
    began = time.monotonic()
    drive("start", "--name", NAME, "--size", SIZE, "--replace", "--env", "LANG=C.UTF-8", "--",
          *command)  # fmt: skip
    return began


def wait_for(regex: str, timeout: float = 60) -> None:
    drive("wait", "--name", NAME, "--for", regex, "--timeout", str(timeout))


def stop() -> None:
    drive("stop", "--name", NAME, check=False)


Program = tuple[list[str], str, str | None]  # command, first-frame regex, data regex


def paint_times(programs: dict[str, Program], runs: int) -> dict[str, tuple[float, float]]:
    """Median seconds to the first frame and to the data on screen, per
    program. Each is timed in starts of its own, with one `tui-drive wait`
    each: a second wait after the first would add its own start-up (a
    Python process, some 50-100 ms) to the data but not to the bare app's
    figure. The programs take turns within each round, so a slow moment of
    the machine slows them alike and the ratios stay fair."""
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in programs}
    for _ in range(runs):
        for name, (command, first, data) in programs.items():
            for regex, into in zip((first, data), times[name], strict=True):
                if regex is None:
                    continue
                began = start(command)
                try:
                    wait_for(regex)
                    into.append(time.monotonic() - began)
                finally:
                    stop()
    return {
        name: (statistics.median(firsts), statistics.median(datas) if datas else 0.0)
        for name, (firsts, datas) in times.items()
    }


def press(key: str, regex: str | None = None) -> float:
    """Milliseconds from sending `key` to the screen changing (or matching)."""
    how = ["--wait-for", regex] if regex else ["--wait-change"]
    out = drive("keys", "--name", NAME, key, *how, "--time", "--timeout", "20")
    return float(out.strip().splitlines()[-1])


def resident_mb() -> float:
    status = drive("status", "--name", NAME)
    pid = int(status.split("pid=")[1].split()[0])
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS")


def key_latencies(store: Path, samples: int) -> tuple[dict[str, list[float]], float]:
    start([STYR, "--store", str(store)])
    try:
        wait_for(r"Goal 1:")
        time.sleep(1.0)
        rss = resident_mb()
        # warm up every path once: the first visit builds the Measure stage,
        # the first form is built once and refilled afterwards
        press("2", r"▶\[2 Measure\]")
        press("1", r"▶\[1 Goals\]")
        press("a", "e.g. Shorter waiting times")
        drive("keys", "--name", NAME, "Escape")
        drive("wait", "--name", NAME, "--gone", "e.g. Shorter waiting times")
        time.sleep(0.3)
        result: dict[str, list[float]] = {"move (j/k)": [], "switch stage (2/1)": [],
                                          "open form (a)": []}  # fmt: skip
        for n in range(samples):
            result["move (j/k)"].append(press("j" if n % 10 < 5 else "k"))
            time.sleep(0.15)
        for n in range(samples):
            stage = ("2", r"▶\[2 Measure\]") if n % 2 == 0 else ("1", r"▶\[1 Goals\]")
            result["switch stage (2/1)"].append(press(*stage))
            time.sleep(0.15)
        for _ in range(samples):
            result["open form (a)"].append(press("a", "e.g. Shorter waiting times"))
            drive("keys", "--name", NAME, "Escape")
            drive("wait", "--name", NAME, "--gone", "e.g. Shorter waiting times")
            # a key right after Escape would read as alt+key
            time.sleep(0.3)
        return result, max(rss, resident_mb())
    finally:
        stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a large store (default: generate one)")
    parser.add_argument("--samples", type=int, default=20, help="key presses per kind")
    parser.add_argument("--runs", type=int, default=11, help="starts per first-paint figure")
    args = parser.parse_args()
    as_installed()
    with tempfile.TemporaryDirectory(prefix="styr-bench-tui-") as folder:
        store = args.store
        if store is None:
            store = Path(folder) / "large"
            subprocess.run([PYTHON, str(ROOT / "tests/bench/make_store.py"), str(store)],
                           check=True, capture_output=True)  # fmt: skip
        bare_py = Path(folder) / "bare.py"
        bare_py.write_text(BARE_APP)

        painted = paint_times(
            {
                "bare": ([PYTHON, str(bare_py)], "bare ready", None),
                "demo": ([STYR, "--demo"], r"▶\[1 Goals\]", r"\(goal \d+\)"),
                "large": ([STYR, "--store", str(store)], r"▶\[1 Goals\]", r"Goal 1:"),
            },
            args.runs,
        )
        bare, _ = painted["bare"]
        demo, demo_data = painted["demo"]
        large, large_data = painted["large"]
        keys, rss = key_latencies(store, args.samples)

    ok = True

    def verdict(good: bool) -> str:
        nonlocal ok
        ok = ok and good
        return "ok" if good else "OVER BUDGET"

    print(f"first paint, median of {args.runs} starts at {SIZE}:")
    print(f"  bare Textual app    {bare * 1000:7.0f} ms")
    print(f"  styr --demo         {demo * 1000:7.0f} ms  {demo / bare:4.2f}x bare")
    print(f"  styr large store    {large * 1000:7.0f} ms  {large / bare:4.2f}x bare")
    print(f"data on screen (not an empty frame), median of {args.runs} other starts:")
    print(
        f"  styr --demo         {demo_data * 1000:7.0f} ms  {demo_data / bare:4.2f}x bare "
        f"(budget 1.3x) {verdict(demo_data / bare <= 1.3)}"
    )
    print(
        f"  styr large store    {large_data * 1000:7.0f} ms  {large_data / bare:4.2f}x bare "
        f"(budget 2x) {verdict(large_data / bare <= 2)}"
    )
    print(f"key press on the large store, median of {args.samples} (budget 50 ms):")
    for what, times in keys.items():
        median = statistics.median(times)
        print(f"  {what:20} {median:6.1f} ms  (min {min(times):.0f}, max {max(times):.0f}) "
              f"{verdict(median <= 50)}")  # fmt: skip
    print(f"resident memory, large store open: {rss:.0f} MB (budget 150 MB) {verdict(rss <= 150)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
