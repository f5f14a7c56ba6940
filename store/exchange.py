"""Data in and out: the JSON export of a whole wheel, CSV of any kind, and
reading both back (docs/export-format.md describes the formats).

The export is deterministic: the same store gives the same bytes (keys
sorted, documents by id, no time of export in it), so exporting, importing
into an empty store and exporting again gives the file back. Everything read
is checked whole before anything is written (Wheel.import_documents and
Wheel.log_many write in one transaction); every bad row is reported with its
line and reason.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import gc
import io
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from store import documents as d
from store.backend import MEASUREMENTS, WHEEL_TABLES, Doc
from store.dates import parse_date
from store.errors import ValidationError
from store.service import BY_TABLE, Wheel

FORMAT = "styr-export"
VERSION = 1
# the kinds `--what` names, singular as on the command line, and their tables
WHAT: dict[str, str] = {BY_TABLE[t]: t for t in (*WHEEL_TABLES, MEASUREMENTS)}
FIELDS: dict[str, tuple[str, ...]] = {
    "goals": d.GOAL_FIELDS,
    "indicators": d.INDICATOR_FIELDS,
    "reviews": d.REVIEW_FIELDS,
    "lessons": d.LESSON_FIELDS,
    "risks": d.RISK_FIELDS,
    MEASUREMENTS: d.MEASUREMENT_FIELDS,
}
MEASUREMENT_COLUMNS = (
    "id", "indicator_id", "indicator", "goal_id", "goal", "date", "value", "note", "source",
)  # fmt: skip

Progress = Callable[[str, int, int], None]
"""(what, done, total): called now and then during long work."""
EVERY = 5000  # rows between progress calls


def _quiet(what: str, done: int, total: int) -> None:
    return None


# =================================================================== export
def measurement_docs(wheel: Wheel, progress: Progress = _quiet) -> Iterator[tuple[int, Doc]]:
    """Every measurement (id, stored document), by id."""
    rows = list(wheel.backend.all_measurements())
    for n, row in enumerate(rows, 1):
        yield row
        if n % EVERY == 0:
            progress("measurements", n, len(rows))
    progress("measurements", len(rows), len(rows))


def export_document(
    wheel: Wheel,
    *,
    tables: Sequence[str] = (*WHEEL_TABLES, MEASUREMENTS),
    with_history: bool = False,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """The wheel as one JSON value: every document of `tables` with its id
    and every stored field; the audit trail (oldest first) on request."""
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for table in tables:
        if table == MEASUREMENTS:
            rows = measurement_docs(wheel, progress)
        else:
            rows = iter(sorted(wheel.backend.docs(table).items()))
        document[table] = [{"id": key} | dict(doc) for key, doc in rows]
    if with_history:
        document["history"] = list(reversed(list(wheel.backend.history())))
    return document


def dumps(document: Mapping[str, Any]) -> str:
    """The export's text: sorted keys, two-space indent, UTF-8 as it is
    (orjson: the standard encoder with an indent is ten times slower)."""
    option = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    return orjson.dumps(document, option=option).decode() + "\n"


# a spreadsheet runs a cell starting so as a formula (CSV injection)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One CSV cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe; lists and mappings are compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | dict):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def export_csv(wheel: Wheel, table: str = MEASUREMENTS, progress: Progress = _quiet) -> str:
    """Measurements with their indicator and goal named; another kind with
    its id, every field and the stamps, by id."""
    if table == MEASUREMENTS:
        indicators = wheel.backend.docs("indicators")
        goals = wheel.backend.docs("goals")

        def row(key: int, doc: Doc) -> list[Any]:
            ind = indicators.get(doc["indicator_id"], {})
            goal_id = ind.get("goal_id")
            goal = goals.get(goal_id, {}) if goal_id is not None else {}
            return [key, doc["indicator_id"], ind.get("name"), goal_id, goal.get("title"),
                    doc["date"], doc["value"], doc.get("note", ""),
                    doc.get("source", "")]  # fmt: skip

        return _csv(MEASUREMENT_COLUMNS, (row(k, m) for k, m in measurement_docs(wheel, progress)))
    columns = ("id", *FIELDS[table], *d.STAMP_FIELDS)
    rows = sorted(wheel.backend.docs(table).items())
    return _csv(columns, ([key, *(doc.get(c) for c in columns[1:])] for key, doc in rows))


# =================================================================== import
@dataclass
class Imported:
    """What an import did, or would do in a dry run."""

    added: dict[str, int] = field(default_factory=dict)  # by table
    replaced: dict[str, int] = field(default_factory=dict)
    kept: dict[str, list[int]] = field(default_factory=dict)  # ids that exist, not overwritten
    # rows, first and last date by indicator, and the indicators' names
    per_indicator: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    # rows dated outside their indicator's period, by indicator: kept, but
    # the comparison does not count them
    outside: dict[int, int] = field(default_factory=dict)


def read_export(text: str) -> tuple[dict[str, dict[int, Doc]], dict[int, Doc]]:
    """The documents of a JSON export by table and id, and its measurements
    by id; every problem of its shape at once (the fields are checked by
    Wheel.import_documents)."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"line {exc.lineno}: not JSON: {exc.msg}", "file") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationError(f'not a styr export (no "format": "{FORMAT}")', "file")
    if document.get("version") != VERSION:
        raise ValidationError(
            f"export version {document.get('version')!r}; this styr reads version {VERSION}",
            "file",
        )
    problems: list[tuple[str | None, str]] = []
    known = {"format", "version", "history", *WHEEL_TABLES, MEASUREMENTS}
    problems += [(key, f"unknown part {key!r}") for key in sorted(set(document) - known)]
    found: dict[str, dict[int, Doc]] = {}
    for table in (*WHEEL_TABLES, MEASUREMENTS):
        rows = document.get(table, [])
        found[table] = {}
        if not isinstance(rows, list):
            problems.append((table, f"{table}: must be a list of documents"))
            continue
        for n, row in enumerate(rows, 1):
            key = row.get("id") if isinstance(row, dict) else None
            where = f"{table} #{n}"
            if not isinstance(key, int) or isinstance(key, bool) or key < 1:
                problems.append((table, f'{where}: needs a whole positive "id"'))
            elif key in found[table]:
                problems.append((table, f"{where}: id {key} is given twice"))
            else:
                found[table][key] = {k: v for k, v in row.items() if k != "id"}
    if problems:
        raise ValidationError(problems=problems)
    measurements = found.pop(MEASUREMENTS)
    return found, measurements


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_number(text: str, separator: str) -> str:
    """A spreadsheet's number as the validators read it: `1 234,5` and
    `1234,5` (decimal comma, as Norwegian sheets write) become `1234.5`.
    With `,` separating columns a comma inside a quoted cell is decimal too,
    unless the cell also has a point (`1,234.5`)."""
    value = _SPACES.sub("", text)
    if "," in value and ("." not in value or separator == ";"):
        value = value.replace(".", "").replace(",", ".")
    elif "," in value:
        value = value.replace(",", "")
    return value


def read_measurements_csv(
    wheel: Wheel, text: str, *, progress: Progress = _quiet
) -> tuple[list[Doc], list[str], list[tuple[str | None, str]]]:
    """The rows of a measurement CSV as measurement fields (indicator found
    by id or name, numbers as the validators read them) with the label of
    each (`line 7`), and the problems of the rows that could not be read."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError("line 1: the file is empty; it needs a header", "file")
    header_line = lines[0].lstrip("\ufeff")
    separator = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=separator)
    header = [h.strip().casefold() for h in next(reader)]
    column = {name: n for n, name in enumerate(header)}
    ref_column = column.get("indicator_id", column.get("indicator", -1))
    missing = [n for n in ("date", "value") if n not in column]
    if ref_column < 0:
        missing.insert(0, "indicator")
    if missing:
        raise ValidationError(
            f"line 1: the header needs the columns indicator,date,value[,note]; "
            f"missing: {', '.join(missing)}",
            "file",
        )
    by_id = {ind.id: ind for ind in wheel.indicators()}
    named: dict[str, list[int]] = {}
    for ind in by_id.values():
        named.setdefault(ind.name.casefold(), []).append(ind.id)
    candidates = sorted({ind.name for ind in by_id.values()})
    names = [name for name in ("date", "value", "note", "source") if name in column]
    at = [column[name] for name in names]
    pick = operator.itemgetter(*at)  # a tuple: date and value are always there
    at_value = names.index("value")
    width = len(header)
    problems: list[tuple[str | None, str]] = []
    rows: list[Doc] = []
    labels: list[str] = []
    # the indicator each reference found, so a file of 200,000 rows looks
    # each name up once
    found: dict[str, int] = {}
    for row in reader:
        if not "".join(row).strip():
            continue
        label = f"line {reader.line_num}"
        if len(row) > width:
            problems.append(("row", f"{label}: {len(row)} cells, the header has {width}"))
            continue
        ref = row[ref_column].strip() if ref_column < len(row) else ""
        indicator_id = found.get(ref)
        shared = named.get(ref.casefold(), []) if indicator_id is None else []
        if len(shared) > 1:
            # a name two indicators share (a goal carried on): the row's day says which
            day = row[column["date"]].strip() if column["date"] < len(row) else ""
            indicator_id = _of_the_day(shared, by_id, day)
            if indicator_id is None:
                ids = ", ".join(map(str, shared))
                why = f"not one of them has {day!r} in its period; use the id"
                problems.append(("indicator", f"{label}: {ref!r} names indicators {ids}, {why}"))
                continue
        elif indicator_id is not None:
            pass
        elif ref.isdecimal():
            indicator_id = int(ref)
            if indicator_id not in by_id:
                problems.append(("indicator", f"{label}: there is no indicator {ref}"))
                continue
        elif ref.casefold() in named:
            indicator_id = named[ref.casefold()][0]
        else:
            near = difflib.get_close_matches(ref, candidates, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in near)}?" if near else ""
            problems.append(("indicator", f"{label}: no indicator is named {ref!r}{hint}"))
            continue
        if not shared:
            found[ref] = indicator_id
        if len(row) == width:
            cells = [cell.strip() for cell in pick(row)]
        else:
            cells = [row[n].strip() if n < len(row) else "" for n in at]
        cells[at_value] = parse_number(cells[at_value], separator)
        fields: Doc = dict(zip(names, cells, strict=True))
        fields["indicator_id"] = indicator_id
        rows.append(fields)
        labels.append(label)
        if len(rows) % EVERY == 0:
            progress("rows read", len(rows), len(lines) - 1)
    return rows, labels, problems


def _of_the_day(ids: list[int], by_id: Mapping[int, d.Indicator], day: str) -> int | None:
    """Of indicators of one name, the one whose period holds `day`."""
    try:
        when = parse_date(day, "date")
    except ValidationError:
        return None
    inside = [i for i in ids if by_id[i].start <= when <= by_id[i].due]
    return inside[0] if len(inside) == 1 else None


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic GC would walk every row of a big file again and again as
    they are made (a third of an import's time at 200,000 rows), and can
    free nothing: rows hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _line(problem: tuple[str | None, str]) -> int:
    found = re.match(r"line (\d+)", problem[1])
    return int(found.group(1)) if found else 0


def _measured(wheel: Wheel, docs: Sequence[Mapping[str, Any]]) -> Imported:
    """What importing these measurements adds, per indicator."""
    indicators = {i.id: i for i in wheel.indicators()}
    periods = {k: (i.start.isoformat(), i.due.isoformat()) for k, i in indicators.items()}
    outside: dict[int, int] = {}
    for doc in docs:
        start, due = periods.get(doc["indicator_id"], ("", "9999"))
        if not start <= doc["date"] <= due:  # ISO dates sort as they read
            outside[doc["indicator_id"]] = outside.get(doc["indicator_id"], 0) + 1
    return Imported(
        added={MEASUREMENTS: len(docs)},
        per_indicator=summary(docs),
        names={k: i.name for k, i in indicators.items()},
        outside=outside,
    )


def outside_words(plan: Imported, indicator_id: int) -> str:
    """', N outside its period (kept, not compared)', or ''."""
    n = plan.outside.get(indicator_id, 0)
    return f", {n} outside its period (kept, not compared)" if n else ""


def summary(docs: Iterable[Mapping[str, Any]]) -> dict[int, tuple[int, str, str]]:
    """Rows, first and last date per indicator."""
    found: dict[int, tuple[int, str, str]] = {}
    for doc in docs:
        rows, first, last = found.get(doc["indicator_id"], (0, doc["date"], doc["date"]))
        found[doc["indicator_id"]] = (rows + 1, min(first, doc["date"]), max(last, doc["date"]))
    return found


def import_measurements_csv(
    wheel: Wheel,
    text: str,
    *,
    dry_run: bool = False,
    confirm_future: bool = False,
    progress: Progress = _quiet,
) -> Imported:
    """A measurement CSV read and checked whole, every bad row reported by
    its line; then written in one transaction (or, in a dry run, described)."""
    with _no_cycle_collection():
        rows, labels, problems = read_measurements_csv(wheel, text, progress=progress)
        try:
            docs = wheel.import_measurements(
                rows,
                labels=labels,
                confirm_future=confirm_future,
                dry_run=dry_run or bool(problems),
            )
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems=sorted(problems, key=_line))
    return _measured(wheel, docs)


@dataclass
class Preview:
    """What a measurement CSV would add (the rows the store accepts), and
    the rows it refuses with why; with any refused row nothing is written."""

    would_add: Imported
    refused: list[tuple[str | None, str]]


def preview_measurements_csv(wheel: Wheel, text: str) -> Preview:
    """The summary shown before a CSV is imported: the same reading and
    checks as `import_measurements_csv`, nothing written."""
    with _no_cycle_collection():
        rows, labels, problems = read_measurements_csv(wheel, text)
        try:
            docs = wheel.import_measurements(rows, labels=labels, dry_run=True)
        except ValidationError as exc:
            problems += exc.problems
            bad = {f"line {_line(p)}" for p in exc.problems}
            good = [(r, label) for r, label in zip(rows, labels, strict=True) if label not in bad]
            docs = wheel.import_measurements(
                [row for row, _ in good], labels=[label for _, label in good], dry_run=True
            )
    return Preview(_measured(wheel, docs), sorted(problems, key=_line))


def import_json(
    wheel: Wheel,
    text: str,
    *,
    replace: bool = False,
    dry_run: bool = False,
    progress: Progress = _quiet,
) -> Imported:
    """A JSON export into this wheel: ids kept; ids that exist are kept as
    they are (and listed) unless `replace`."""
    with _no_cycle_collection():
        tables, measurements = read_export(text)
        plan = wheel.import_documents(
            tables, measurements, replace=replace, dry_run=dry_run, progress=progress
        )
    return Imported(
        added=plan.added, replaced=plan.replaced, kept=plan.kept,
    )  # fmt: skip
