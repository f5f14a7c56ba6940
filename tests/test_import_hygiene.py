"""The store and the CLI load without Textual or Rich (checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import store

STORE_MODULES = sorted(f"store.{m.name}" for m in pkgutil.iter_modules(store.__path__))

PROBE = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))))
"""


def _heavy_modules_after_importing(*names: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *names], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_store_modules_do_not_import_textual_or_rich() -> None:
    assert len(STORE_MODULES) >= 10
    assert _heavy_modules_after_importing(*STORE_MODULES) == ""


def test_the_cli_does_not_import_textual_or_rich() -> None:
    assert _heavy_modules_after_importing("tui.cli") == ""


def test_the_probe_sees_textual_when_it_is_imported() -> None:
    assert "textual" in _heavy_modules_after_importing("textual.app").split()


def test_every_store_module_is_under_the_tinydb_contract_or_is_the_folder_backend() -> None:
    """The import-linter contract lists modules by name: a new module of
    store/ must join it (or be part of the folder backend) to be checked."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["name"].startswith("only the folder backend")
    )
    folder_backend = {
        "store.store",
        "store.storage",
        "store.repair",
        "store.folder",
        "store.checks",
        "store.seriescache",
        "store.parsedcache",
    }
    listed = set(contract["source_modules"]) | folder_backend | {"store.backends"}
    assert set(STORE_MODULES) == listed
    assert set(contract["forbidden_modules"]) >= folder_backend | {"tinydb"}


LOG_PROBE = """
import sys
from tui.cli import main
code = main(["--store", sys.argv[1], "log", "1", "3"])
wanted = ("store.views", "store.compare", "store.demo", "store.table", "store.format",
          "store.steering", "store.learning", "signal", "argparse",
          # a fifth of a log between them (store.jsonio, store.record)
          "orjson", "dataclasses", "inspect")
print(code, *sorted(m for m in sys.modules if m in wanted), file=sys.stderr)
"""


def test_a_log_loads_neither_the_read_model_nor_the_rules_nor_the_demo_nor_orjson(
    tmp_path: object,
) -> None:
    """`styr log` is the command run most often: it pays only for what it uses."""
    from pathlib import Path

    from store.backends import open_wheel
    from store.service import GOAL, INDICATOR

    root = Path(str(tmp_path)) / "store"
    wheel = open_wheel(root, user="ann")
    goal = wheel.add(GOAL, {"title": "G"})
    fields = {"goal_id": goal.id, "name": "I", "baseline": "0", "target": "9"}
    wheel.add(INDICATOR, fields | {"start": "2026-01-01", "due": "2026-12-31"})
    done = subprocess.run(
        [sys.executable, "-c", LOG_PROBE, str(root)], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("logged the value 3")
    assert done.stderr.split() == ["0"]
    assert len(open_wheel(root).series(1)) == 1


OPEN_TUI_PROBE = """
import sys
from tui import cli
code = cli.main(sys.argv[1:])  # no terminal here: it parses, then refuses
loaded = sorted(m for m in sys.modules if m in ("tui.exchange_cli", "tui.steering_cli"))
print(code, " ".join(loaded))
"""


def test_opening_the_tui_builds_no_command_parsers() -> None:
    """`styr` and `styr --demo` skip the forty-odd command parsers (some
    20 ms of the TUI's start); anything else still gets the whole line."""
    for argv, commands in [
        (["--demo"], ""),
        (["--store", "/nonexistent/styr", "--demo"], ""),
        (["--store=/nonexistent/styr"], ""),
        (["--dem"], "tui.exchange_cli tui.steering_cli"),  # argparse's abbreviation
    ]:
        done = subprocess.run(
            [sys.executable, "-c", OPEN_TUI_PROBE, *argv],
            capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.stdout.split("\n")[0].rstrip() == f"2 {commands}".rstrip(), argv
        assert "the TUI needs a terminal" in done.stderr


FIRST_FRAME_PROBE = """
import asyncio, io, sys
from tui import cli

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

sys.stdin = sys.stdout = Terminal()  # what cli checks before it opens the TUI
held_back = ("store.demo", "tui.dialogs.form", "tui.dialogs.goal_forms", "rich._emoji_codes",
             "textual.widgets._data_table", "textual.widgets._text_area")

def run_app(wheel, **_):
    from tui.app import make_app

    app = make_app(wheel)
    app.FIRST_LOAD_DELAY = 3600.0  # the first frame is out when the probe says so
    async def first_frame():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            head = str(app.screen.query_one("#goal-head").render())
            print("head", "(goal 1)" in head, file=sys.__stdout__)
            print("first", *sorted(m for m in held_back if m in sys.modules), file=sys.__stdout__)
            app._after_first_frame()
            await app.screen.settled()
            await pilot.pause()
            print("then", *sorted(m for m in held_back if m in sys.modules), file=sys.__stdout__)
    asyncio.run(first_frame())
    return 0

cli._run_app = run_app
sys.exit(cli.main(["--demo"]))
"""


def test_the_demos_first_frame_loads_no_form_table_or_sample_data() -> None:
    """What the first frame of `styr --demo` does not show loads after it:
    the forms, Textual's DataTable and TextArea, rich's emoji codes (a
    markup label), and in the parent process the demo's sample data, which
    the child writes."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_PROBE],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    head, first, then = done.stdout.splitlines()
    assert head == "head True", done.stderr
    assert first == "first"
    assert "textual.widgets._data_table" in then.split()  # the probe sees a load
