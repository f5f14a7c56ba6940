"""`styr export`, `styr import` and `styr report`: data in and out of a wheel.
The work is in store.exchange and store.report; this module parses, reads
and writes files, and shows progress on stderr when it is a terminal. Like
tui/cli.py it must not import Textual."""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from store import exchange
from store.backend import MEASUREMENTS
from store.errors import BadInput, ValidationError, WriteFailed
from store.plain import plain
from store.service import BY_TABLE, Wheel


def add_commands(commands: Any, store_option: Any) -> None:
    """Add export, import and report to the `styr` sub-command parsers."""

    def command(name: str, text: str, handler: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
        store_option(parser)
        parser.set_defaults(handler=handler)
        return parser

    p = command("export", "the whole wheel as JSON, or one kind as CSV", export)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument(
        "--what", metavar="KIND", choices=sorted(exchange.WHAT),
        help=f"only this kind: {', '.join(sorted(exchange.WHAT))} (CSV default: measurement)",
    )  # fmt: skip
    p.add_argument("--out", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("--with-history", action="store_true", help="add the audit trail (JSON)")

    p = command("import", "read a JSON export, or a CSV of measurements, into the wheel", import_)
    p.add_argument("file", metavar="FILE|-", help="the file (- reads standard input)")
    p.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    p.add_argument("--replace", action="store_true", help="overwrite documents whose ids exist")
    p.add_argument("--future", action="store_true", help="dates after today are meant (CSV)")

    p = command("report", "the period report in Markdown (årsrapport parts II-V)", report)
    p.add_argument("--period", metavar="P", help="2026, 2026-Q3 or 2026-11 (default this year)")
    p.add_argument("--goal", metavar="GOAL", help="only this goal and those below it")
    p.add_argument("--lang", choices=["en", "nb"], default="en")
    p.add_argument("--out", metavar="FILE", help="write here (default: standard output)")


def progress_printer(stream: TextIO | None = None) -> exchange.Progress:
    """A progress line on stderr when it is a terminal; silence when piped."""
    out = stream or sys.stderr
    if not out.isatty():
        return lambda what, done, total: None

    def show(what: str, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        out.write(f"\r{what}: {done:,}/{total:,}\x1b[K{end}")
        out.flush()

    return show


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_out(text: str, out: str | None) -> None:
    """To stdout, or to a file replaced whole (a temporary file renamed), so
    a failed write never leaves half a report where the old one was."""
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    target = Path(out)
    try:
        kind = os.stat(target).st_mode
    except FileNotFoundError:
        kind = stat.S_IFREG
    if stat.S_ISDIR(kind):
        raise BadInput(f"--out {out} is a folder; give a file name")
    try:
        if not stat.S_ISREG(kind):
            # /dev/null, /dev/stdout, a pipe: written into, never replaced
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            return
        _replace(target, text)
    except OSError as exc:
        # the error names the temporary file; the user gave `out`
        raise WriteFailed(f"could not write {out}: {exc.strerror or exc}") from None


def _replace(target: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        # a temporary file is private (0600); the file made has the mode the
        # one it replaces had, or the one the user's umask gives a new file
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def export(args: argparse.Namespace, wheel: Wheel) -> int:
    progress = progress_printer()
    table = exchange.WHAT[args.what] if args.what else None
    if args.format == "csv":
        if args.with_history:
            raise BadInput("--with-history is for the JSON export")
        text = exchange.export_csv(wheel, table or MEASUREMENTS, progress)
    else:
        tables = (table,) if table else (*exchange.FIELDS,)
        document = exchange.export_document(
            wheel, tables=tables, with_history=args.with_history, progress=progress
        )
        text = exchange.dumps(document)
    write_out(text, args.out)
    return 0


def _read_input(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{name}: no such file") from None
    except UnicodeDecodeError:
        raise BadInput(f"{name}: not UTF-8 text (save the sheet as CSV UTF-8)") from None
    except IsADirectoryError:
        raise BadInput(f"{name}: is a folder, not a file") from None


def _tell(plan: exchange.Imported, dry_run: bool) -> None:
    would = "would add" if dry_run else "added"
    for table, count in plan.added.items():
        replaced = plan.replaced.get(table, 0)
        kept = plan.kept.get(table, [])
        if not (count or replaced or kept):
            continue
        word = BY_TABLE[table]
        line = f"{would} {count} {word}{'' if count == 1 else 's'}"
        if replaced:
            line += f", {'would replace' if dry_run else 'replaced'} {replaced}"
        if kept:
            shown = ", ".join(map(str, kept[:10])) + (", ..." if len(kept) > 10 else "")
            line += f"; {len(kept)} already there, kept as they are (--replace overwrites): {shown}"
        print(line)
    for indicator_id, (rows, first, last) in sorted(plan.per_indicator.items()):
        name = plain(plan.names.get(indicator_id, ""))
        print(f"  {indicator_id} {name}: {rows} row{'' if rows == 1 else 's'}, {first} to {last}"
              + exchange.outside_words(plan, indicator_id))  # fmt: skip
    if dry_run:
        print("dry run: nothing was written")


def import_(args: argparse.Namespace, wheel: Wheel) -> int:
    text = _read_input(args.file)
    progress = progress_printer()
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        plan = exchange.import_json(
            wheel, text, replace=args.replace, dry_run=args.dry_run, progress=progress
        )
    else:
        if args.replace:
            raise ValidationError("--replace is for a JSON export; CSV rows are always added")
        plan = exchange.import_measurements_csv(
            wheel, text, dry_run=args.dry_run, confirm_future=args.future, progress=progress
        )
    _tell(plan, args.dry_run)
    return 0


def report(args: argparse.Namespace, wheel: Wheel) -> int:
    from store.report import build_report

    text = build_report(
        wheel, period=args.period, goal=args.goal, lang=args.lang, progress=progress_printer()
    )
    write_out(text, args.out)
    return 0
