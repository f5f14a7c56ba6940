"""The command line of `styr` as argparse parses it, every command but a
plain log (tui/cli.py parses that without importing argparse)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from tui.cli import (
    add_goal,
    add_indicator,
    delete_doc,
    log_value,
    show_status,
    undo_last,
    where_is,
)


class UsageError(Exception):
    """Bad command-line usage; exit 2."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so all errors share one path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `--at -3d` is a relative date, not an option: argparse lets only
        # negative numbers through, so widen its test to anything after a
        # dash and a digit (no option starts so); a bad one like -3x then
        # reaches the date parser, which says what a date may look like
        self._negative_number_matcher = re.compile(r"^-\d|^-\.\d")

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def _version() -> str:
    # importing importlib.metadata costs every command ~20 ms; only --version needs it
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "unknown"

    return f"styr {of('styr')} (textual {of('textual')}, tinydb {of('tinydb')})"


class VersionAction(argparse.Action):
    """Looks the versions up only when asked: metadata scans cost every command time."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the versions and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        print(_version())
        parser.exit()


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", metavar="DIR|URL", default=argparse.SUPPRESS,
        help="the store folder or a postgresql:// URL "
        "(default: $STYR_STORE, else styr/ in the user data dir)",
    )  # fmt: skip


def build_parser(only: str | None = None) -> Parser:
    """The whole command line, or (only) one of OWN_COMMANDS with the
    options before it: it parses that command's arguments the same way. With
    only "" it has no command: the TUI's options alone (cli.parser_scope)."""
    parser = Parser(
        prog="styr",
        description="Management by objectives and results: goals, measurements, "
        "comparison, learning. Without a command, opens the TUI.",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--store", metavar="DIR", help="the store folder")
    parser.add_argument(
        "--demo", action="store_true", help="open the TUI on a sample wheel in a temporary store"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    if only in (None, "add"):
        _add_commands(commands)
    if only in (None, "log"):
        _log_command(commands)
    if only in (None, "delete", "undo"):
        _delete_commands(commands)
    if only in (None, "status"):
        _status_command(commands)
    if only in (None, "where"):
        where = commands.add_parser("where", help="show where the store is")
        _store_option(where)
        where.set_defaults(handler=where_is)
    if only is None:
        from tui import exchange_cli, steering_cli

        steering_cli.add_commands(commands, _store_option)
        exchange_cli.add_commands(commands, _store_option)
    return parser


def _add_commands(commands: Any) -> None:
    add = commands.add_parser("add", help="add a goal or an indicator")
    _store_option(add)
    kinds = add.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=Parser)
    goal = kinds.add_parser("goal", help="add a goal")
    _store_option(goal)
    goal.add_argument("title")
    goal.add_argument("--parent", metavar="GOAL", help="the goal above it (id or name)")
    goal.add_argument("--owner")
    goal.add_argument("--unit", help="organisational unit")
    goal.add_argument("--start", metavar="DATE")
    goal.add_argument("--due", metavar="DATE")
    goal.add_argument("--description")
    goal.add_argument("--state", help="draft or proposed (then: styr goal agree ...)")
    goal.add_argument("--tags", help="words separated by spaces or commas")
    goal.set_defaults(handler=add_goal)

    ind = kinds.add_parser("indicator", help="add an indicator (key result) to a goal")
    _store_option(ind)
    ind.add_argument("goal", metavar="GOAL", help="goal id or name")
    ind.add_argument("name")
    ind.add_argument("--baseline", required=True)
    ind.add_argument("--target", required=True)
    ind.add_argument("--unit")
    ind.add_argument("--direction", help="increase, decrease, at_least or at_most")
    ind.add_argument("--aggregation", help="last, sum, mean, max or min")
    ind.add_argument("--chain", help="input, activity, output, outcome or impact")
    ind.add_argument("--start", metavar="DATE", help="default: the goal's start, else today")
    ind.add_argument("--due", metavar="DATE", help="default: the goal's due date")
    ind.add_argument("--cadence", help="daily, weekly, monthly, quarterly or yearly")
    ind.add_argument("--weight")
    ind.add_argument("--tolerance", help="0.1 means 10 %%")
    ind.add_argument("--milestones", metavar="D=V,...", help="e.g. 2026-06-30=20,2026-09-30=35")
    ind.set_defaults(handler=add_indicator)


def _log_command(commands: Any) -> None:
    log = commands.add_parser("log", help="record a measured value")
    _store_option(log)
    log.add_argument("indicator", metavar="INDICATOR", help="indicator id or name")
    log.add_argument("value")
    log.add_argument("--at", metavar="DATE", help="the date measured (default today)")
    log.add_argument("--note")
    log.add_argument("--source")
    log.add_argument("--future", action="store_true", help="the date is after today, and meant")
    log.set_defaults(handler=log_value)


def _delete_commands(commands: Any) -> None:
    delete = commands.add_parser("delete", help="delete a goal or an indicator")
    _store_option(delete)
    delete.add_argument("kind", choices=["goal", "indicator"])
    delete.add_argument("ref", metavar="ID_OR_NAME")
    delete.add_argument("--cascade", action="store_true", help="also delete what depends on it")
    delete.set_defaults(handler=delete_doc)

    undo = commands.add_parser("undo", help="undo your last change")
    _store_option(undo)
    undo.set_defaults(handler=undo_last)


def _status_command(commands: Any) -> None:
    status = commands.add_parser("status", help="compare every indicator and goal with its plan")
    _store_option(status)
    status.add_argument("--at", metavar="DATE", help="compare as of this date (default today)")
    status.add_argument("--json", action="store_true", help="one JSON object per indicator")
    status.add_argument("--goals", action="store_true", help="goal roll-ups instead of indicators")
    status.add_argument(
        "--goal", metavar="GOAL", help="only this goal (id or name) and those below it"
    )
    status.add_argument("--status", metavar="S", help="only this status, e.g. at_risk or off_track")
    status.add_argument("--owner", metavar="O|me", help="only goals of this owner (me: yours)")
    status.add_argument("--state", metavar="S", help="only goals in this state, e.g. active")
    status.add_argument(
        "--period", metavar="P", help="only goals running in 2026, 2026-Q3, 2026-11"
    )
    status.set_defaults(handler=show_status)
