"""The `styr` command: opens the TUI, or runs one scriptable command.

Exit codes: 0 done; 1 could not (locked, corrupt store, I/O); 2 bad usage or
bad input, with the reason on stderr and nothing written. This module must
not import Textual: the TUI is imported only when it is opened.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

from store.backends import open_wheel
from store.dates import as_date
from store.errors import BadInput, Problem, StoreCorrupt, StoreError, ValidationError
from store.paths import resolve_store
from store.plain import plain, plain_lines
from store.service import GOAL, INDICATOR, Kind, Wheel, measurement_name, refuse

if TYPE_CHECKING:
    import argparse
    from datetime import date
    from pathlib import Path

    # the command line as argparse parses it (tui/cli_parser.py), or a plain
    # log's without argparse (plain_log_args)
    Args = argparse.Namespace | SimpleNamespace
    Handler = Callable[[Args, Wheel], int]


# the commands defined in this module; a run of one of them builds its parser
# alone (argparse spends milliseconds on each of the forty-odd parsers, and
# the steering and exchange commands import more of the store)
OWN_COMMANDS = ("add", "log", "delete", "undo", "status", "where")


# what opens the TUI; a command line of only these needs no command's parser
_TUI_OPTIONS = frozenset({"--demo", "--store"})


def parser_scope(argv: Sequence[str], word: str | None) -> str | None:
    """Which commands build_parser must build: the one named when it is one
    of OWN_COMMANDS, none when argv only opens the TUI (argparse would spend
    some 20 ms of the TUI's start on the forty-odd command parsers), else
    all (for --help, and for an unknown word's list of commands)."""
    if word in OWN_COMMANDS:
        return word
    words = iter(argv)
    for option in words:
        if option.split("=", 1)[0] not in _TUI_OPTIONS:
            return None
        if option == "--store":
            next(words, None)
    return ""


def command_word(argv: Sequence[str]) -> str | None:
    """The command named in argv when nothing but --store comes before it."""
    words = iter(argv)
    for word in words:
        if word == "--store":
            next(words, None)
        elif not word.startswith("--store="):
            return None if word.startswith("-") else word
    return None


# the options of `log` that take a value, by the name argparse gives them
# (see _log_command; --store is also taken before the command)
_LOG_OPTIONS = {"--store": "store", "--at": "at", "--note": "note", "--source": "source"}


def _dashed(word: str) -> bool:
    """Whether argparse would take the word for an option: it starts with a
    dash and is not a number or date like -3 or -3d (cli_parser.Parser)."""
    return word.startswith("-") and not (
        word[1:2].isdecimal() or (word[1:2] == "." and word[2:3].isdecimal())
    )


def plain_log_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """What argparse makes of a plain `styr log` (each option written out in
    full and given once, no value that argparse would take for an option), or None for
    anything else, which argparse then parses and words. Building the parser
    costs a log several milliseconds, a tenth of its start-up."""
    args: dict[str, Any] = {"version": None, "store": None, "demo": False, "command": "log",
                            "at": None, "note": None, "source": None, "future": False}  # fmt: skip
    positionals: list[str] = []
    seen: set[str] = set()
    command = False
    words = iter(argv)
    for word in words:
        if not _dashed(word):
            if command:
                positionals.append(word)
            elif word == "log":
                command = True
            else:
                return None
            continue
        if word in seen:
            return None
        seen.add(word)
        if word == "--future" and command:
            args["future"] = True
        elif word in _LOG_OPTIONS and (command or word == "--store"):
            value = next(words, None)
            if value is None or _dashed(value):
                return None
            args[_LOG_OPTIONS[word]] = value
        else:
            return None
    if not command or len(positionals) != 2:
        return None
    args["indicator"], args["value"] = positionals
    return SimpleNamespace(**args, handler=log_value)


def _fields(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def found(
    wheel: Wheel, kind: Kind[Any], ref: str, problems: list[Problem], field: str
) -> int | None:
    """The id `ref` names, or None with the reason noted under `field` (the
    validator's name for it): the other arguments are still checked, so
    every problem is told at once (store.service.refuse)."""
    try:
        return int(wheel.find(kind, ref).id)
    except BadInput as exc:
        problems.append((field, str(exc)))
        return None


def add_goal(args: argparse.Namespace, wheel: Wheel) -> int:
    from store.steering import check_new_state

    fields = _fields(
        args, ["title", "owner", "unit", "start", "due", "description", "state", "tags"]
    )
    problems: list[Problem] = []
    try:
        check_new_state(args.state)
    except ValidationError as exc:
        problems += exc.problems
    if args.parent is not None:
        fields["parent_id"] = found(wheel, GOAL, args.parent, problems, "parent")
    # a state refused is left out: what it would ask for (an outcome) is not asked
    refuse(problems, lambda: GOAL.validate({k: v for k, v in fields.items() if k != "state"}))
    goal = wheel.add(GOAL, fields)
    print(f"added goal {goal.id}: {plain(goal.title)}")
    return 0


def add_indicator(args: argparse.Namespace, wheel: Wheel) -> int:
    fields = _fields(
        args,
        ["name", "baseline", "target", "unit", "direction", "aggregation", "chain", "start",
         "due", "cadence", "weight", "tolerance", "milestones"],
    )  # fmt: skip
    problems: list[Problem] = []
    goal_id = found(wheel, GOAL, args.goal, problems, "goal")
    goal = wheel.goal(goal_id) if goal_id is not None else None
    fields["goal_id"] = goal_id
    fields.setdefault("start", (goal.start if goal else None) or "today")
    if "due" not in fields and goal and goal.due:
        fields["due"] = goal.due
    # start and due come from a goal found
    refuse(problems, lambda: INDICATOR.validate(fields), unknown=("start", "due"))
    indicator = wheel.add(INDICATOR, fields)
    print(f"added indicator {indicator.id}: {plain(indicator.name)} (goal {indicator.goal_id})")
    return 0


def log_value(args: Args, wheel: Wheel) -> int:
    # a name two indicators share (a goal carried on): the one of the value's
    # day; a bad date is refused by the log with every other reason
    try:
        on: date | None = as_date(args.at or "today", "date")
    except ValidationError:
        on = None
    indicator = wheel.find(INDICATOR, args.indicator, on=on)
    m = wheel.log(
        indicator.id, args.value, args.at, args.note, args.source, confirm_future=args.future
    )
    print(f"logged {plain(measurement_name(m.value, m.date, indicator.name, indicator.unit))}")
    outside = indicator.outside_words(m.date)
    if outside:
        print(f"styr: warning: {outside}; it is kept, but not compared", file=sys.stderr)
    return 0


def delete_doc(args: argparse.Namespace, wheel: Wheel) -> int:
    kind: Kind[Any]
    label: str
    if args.kind == "goal":
        goal = wheel.find(GOAL, args.ref)
        kind, doc_id, label = GOAL, goal.id, goal.title
    else:
        indicator = wheel.find(INDICATOR, args.ref)
        kind, doc_id, label = INDICATOR, indicator.id, indicator.name
    removed = wheel.delete(kind, doc_id, cascade=args.cascade)
    removed[kind.table] -= 1
    others = {table: [0] * n for table, n in removed.items() if n}
    named = f"{args.kind} {doc_id} '{plain(label)}'"
    print(f"deleted {named}" + (f" with {wheel.describe(others)}" if others else ""))
    return 0


def undo_last(args: argparse.Namespace, wheel: Wheel) -> int:
    print(wheel.undo())
    return 0


def where_is(args: argparse.Namespace, wheel: Wheel) -> int:
    lines = wheel.describe_store()
    width = max(7, *(len(label) + 1 for label, _ in lines))
    for label, value in lines:
        print(f"{label + ':':<{width}} {plain(value)}")
    return 0


def show_status(args: argparse.Namespace, wheel: Wheel) -> int:
    from tui.status_report import run

    return run(
        wheel, at=args.at, as_json=args.json, goals_only=args.goals, goal=args.goal,
        status=args.status, owner=args.owner, state=args.state, period=args.period,
    )  # fmt: skip


def _fail(code: int, message: str) -> int:
    print(f"styr: {plain_lines(message)}", file=sys.stderr)
    return code


# commands that only read: they never create a store
READING = frozenset(
    {"status", "where", "undo", "reviews", "lessons", "actions", "risks", "export", "report"}
)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    word = command_word(words)
    args: Args | None = plain_log_args(words) if word == "log" else None
    if args is None:
        # importing argparse and building a parser cost a plain log 2 ms
        from tui.cli_parser import UsageError, build_parser

        try:
            args = build_parser(parser_scope(words, word)).parse_args(words)
        except UsageError as exc:
            return _fail(2, str(exc))
    wheel: Wheel | None = None
    try:
        root = resolve_store(getattr(args, "store", None))
        if args.command is None:
            return open_tui(args)
        # a dry run may be of a folder store not made yet: it reads it as
        # empty and creates nothing (only a committed change makes the
        # folder); opening a server's wheel makes its tables, so there a dry
        # run needs the wheel to be there
        dry_run = getattr(args, "dry_run", False) and isinstance(root, str)
        wheel = open_wheel(root, must_exist=args.command in READING or dry_run)
        handler: Handler = args.handler
        code = handler(args, wheel)
        # what is still buffered goes out here, so a closed pipe is met below
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # a pager or `head` quit reading: the command's work is done (a
        # writing command prints only after its change is committed), so
        # it ends quietly, and so does the flush at exit
        _drop_stdout()
        return 0
    except ValidationError as exc:
        for _, message in exc.problems:
            for line in message.split("\n"):  # each reason on a line of its own
                _fail(2, line)
        return 2
    except BadInput as exc:
        return _fail(2, str(exc))
    except StoreError as exc:
        return _fail(1, str(exc))
    except OSError as exc:
        return _fail(1, f"{exc.filename or '(the store)'}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return 130
    finally:
        if wheel is not None:
            _report(wheel)


def _drop_stdout() -> None:
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):  # a stdout with no descriptor
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _report(wheel: Wheel) -> None:
    """What happened beside the command's own work, on stderr."""
    for notice in wheel.take_notices():
        print(f"styr: {plain_lines(notice)}", file=sys.stderr)


def open_tui(args: Args) -> int:
    """Run the TUI on the resolved store, or (--demo) on a sample wheel in a
    temporary folder that is removed afterwards."""
    import tempfile
    from datetime import date
    from pathlib import Path

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # under cron or in a pipe Textual has no terminal to read keys from
        # and would spin forever
        return _fail(
            2,
            "the TUI needs a terminal (stdin and stdout); for a report use "
            "`styr status`, for the scriptable commands see `styr --help`",
        )
    if not args.demo:
        try:
            wheel = open_wheel(resolve_store(args.store))
        except StoreCorrupt as exc:
            from tui.broken import run_broken

            return run_broken(str(exc))
        return _run_app(wheel)
    import signal

    # until the app takes them over: a hang-up or a kill unwinds, so the
    # temporary folder goes and the child is stopped
    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, _unwind)
    with tempfile.TemporaryDirectory(prefix="styr-demo-") as folder:
        root = Path(folder) / "store"
        today = date.today()
        child = _fill_demo_beside(root, today)
        try:
            # Textual loads here while the child writes the sample wheel
            import tui.app  # noqa: F401
        except BaseException:
            _stop_child(child)
            raise
        return _run_app(_demo_wheel(root, today, child), leaves=folder)


def _unwind(*_: object) -> NoReturn:
    raise SystemExit(1)


def _stop_child(child: int | None) -> None:
    """Stop and reap a demo child not reaped yet: it must not write into
    a temporary folder that is being removed."""
    import contextlib
    import os
    import signal

    if child is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)


def _fill_demo_beside(root: Path, today: date) -> int | None:
    """Start writing the demo store in a child process, so a second core
    makes it while this one loads Textual: the demo's data is on screen
    about as soon as an empty app would be. The child's pid, or None where
    there is no fork (the demo is then made in this process)."""
    import os
    import signal

    if not hasattr(os, "fork"):
        return None
    # a parent started with SIGCHLD ignored (some supervisors pass that on)
    # would have its child reaped by the kernel, and nothing to wait for
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    # no signal is handled until each side is ready for it: the child must
    # never unwind into the parent's code (and remove the parent's folder)
    stops = {signal.SIGINT, signal.SIGHUP, signal.SIGTERM}
    held = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        child = os.fork()
    except OSError:  # no process to spare: the demo is made here
        child = None
    if child != 0:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return child
    code = 1
    try:
        for signum in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        # a short process that ends with _exit: its cycles need no collector
        gc.disable()
        from store.demo import fill_demo

        fill_demo(root, today=today)
        code = 0
    except (KeyboardInterrupt, SystemExit):
        pass  # ctrl+c reached the parent too, which ends quietly
    except BaseException as exc:  # the parent says so; a traceback helps nobody
        print(f"styr: the demo could not be made: {plain_lines(str(exc))}", file=sys.stderr)
    finally:
        # no clean-up of the parent's: its temporary folder stays for it
        os._exit(code)


def _demo_wheel(root: Path, today: date, child: int | None) -> Wheel:
    if child is None:
        from store.demo import build_demo

        return build_demo(root, today=today)
    import os

    try:
        _, status = os.waitpid(child, 0)
    except BaseException:  # ctrl+c or a kill that reached this process alone
        _stop_child(child)
        raise
    if os.waitstatus_to_exitcode(status) != 0:
        raise StoreError("the demo could not be made (see above)")
    # opened as build_demo opens it, without loading the sample data's
    # module (3 ms): the read model is built, so the first frame shows it
    wheel = open_wheel(root)
    wheel.view(today)
    return wheel


def _run_app(wheel: Wheel, *, leaves: str | None = None) -> int:
    """Run the TUI on `wheel`; `leaves`: a folder to remove if the terminal
    hangs up (the --demo folder; an orderly end removes it anyway)."""
    import os
    import shutil
    import signal

    from tui.app import make_app  # Textual loads only when the TUI opens

    # a bad file found while the app loads is shown and the app goes
    # read-only (StyrApp.fail); the measurement files are read after the
    # first frame, so a big store does not delay it
    app = make_app(wheel)
    # a kill ends the app the normal way, so the terminal is restored
    signal.signal(signal.SIGTERM, lambda *_: app.exit(return_code=1))

    def hung_up(*_: object) -> None:
        # A closed SSH session or tmux window: no terminal to restore or to
        # show anything on. Textual's orderly end could wait for it until a
        # kill: the hang-up's SIGCONT restarts its output while it stops,
        # and its stop then waits on the old output thread, dead of the
        # gone terminal, with its queue full. The store is as after any
        # kill: each write is whole or not there.
        if leaves is not None:
            shutil.rmtree(leaves, ignore_errors=True)
        os._exit(1)

    signal.signal(signal.SIGHUP, hung_up)
    # What is in memory now (the modules, Textual, the wheel's documents)
    # stays for the whole session: out of the collector's sight, the full
    # collection that Textual's start would otherwise set off (35-50 ms
    # before the first frame) has little to walk. Freezing frees nothing
    # less: the count of references still frees whatever is dropped.
    gc.freeze()
    app.run()
    return app.return_code or 0


# a command that runs no young collection while it opens a large store and
# logs (some 20,000 objects kept; each collection walked what the store had
# just read, 4 ms in all), and bounded garbage in a long one such as an import
COMMAND_GC_THRESHOLD = 50_000


def run() -> NoReturn:
    """The `styr` command: main, then the end of the process."""
    command = command_word(sys.argv[1:]) is not None
    if command:
        # one short process; the TUI keeps the collector's usual pace
        gc.set_threshold(COMMAND_GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        code = main()
    finally:
        # the collector's last pass at exit walks every object the command
        # read (a large wheel: a log's 5 ms; with psycopg loaded some 50 ms)
        # and has nothing to free that the end of the process does not: the
        # store holds no file open between operations
        gc.freeze()
    if command and "psycopg" not in sys.modules:
        # A command on a folder store ends without Python's teardown of
        # every module and object (a log on a large wheel: 2.5 ms of 60).
        # Nothing is left to finish: each store file was written whole,
        # synced and closed before its rename, an exported file is closed,
        # and only the standard streams may hold output. A server's
        # connection is left to the teardown, which says goodbye to it.
        import contextlib
        import os

        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
