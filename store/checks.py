"""Every document read from disk is checked with the rules of typed input.

The store folder is shared and every colleague can write every file, so a
document may have been edited by hand. A file holding a bad one is refused
as a whole (StoreCorrupt, one message naming the file, the document and
each bad field) before anything reads it, and so before anything could
write it back. What a field must hold follows from the typed views in
store.documents (the record of each kind, its FIELDS tuple and its
validator); nothing here lists fields again.

Measurement files are big (a 200k-measurement store parses them all at
every `styr status`), and a pass over every document costs as much as
parsing them. So a measurement file's documents are checked as they are
used: the fields the index of values reads, in the pass that builds it
(`index_measurements`); all of a document where it is shown
(`measurement`); the whole file before any write to it
(`check_measurements`, by columns with C-level passes). Only a file that
fails is checked document by document, to say what is wrong.
"""

from __future__ import annotations

import functools
import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, Union, get_args, get_origin, get_type_hints

from store import documents as d
from store.errors import StoreCorrupt, ValidationError
from store.fields import MAX_TEXT
from store.jsonio import JSONDecodeError, dumps, loads
from store.paths import cache_key, digest, user_cache_folder
from store.record import MISSING, fields
from store.safefs import read_regular, write_private

FIX: Final = "fix the file by hand or restore a backup (backups/)"

Docs = dict[str, dict[str, Any]]

# what a stored value must be, by the type its record field has
_NOUNS: Final = {
    "text": "text",
    "number": "a number",
    "whole": "a whole number",
    "date": "a date (YYYY-MM-DD)",
    "list": "a list",
    "object": "an object",
    "flag": "true or false",
}
_ISO: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shape(hint: Any) -> tuple[str, bool]:
    """(shape, may be null) of a record field's type."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType) and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return _shape(inner)[0], True
    if hint is str or origin is Literal:
        return "text", False
    if hint is bool:
        return "flag", False
    if hint is int:
        return "whole", False
    if hint is float:
        return "number", False
    if hint is date:
        return "date", False
    if origin is tuple:
        return "list", False
    return "object", False


def _fits(value: Any, shape: str) -> bool:
    kind = type(value)
    if shape == "text":
        return kind is str
    if shape == "number":
        return kind is float or kind is int
    if shape == "whole":
        return kind is int
    if shape == "date":
        return kind is str and _ISO.fullmatch(value) is not None
    if shape == "list":
        return kind is list
    if shape == "flag":
        return kind is bool
    return kind is dict


class Spec(NamedTuple):
    """One kind of document as stored: its fields' shapes and its rules."""

    name: str
    shapes: dict[str, tuple[str, bool]]
    required: tuple[str, ...]
    validate: Callable[[Mapping[str, Any]], d.Doc]


def _spec(
    name: str,
    view: type,
    stored: tuple[str, ...],
    validate: Callable[[Mapping[str, Any]], d.Doc],
    extra: Mapping[str, tuple[str, bool]] | None = None,
) -> Spec:
    # the kind's module as locals too: a field named date shadows the type
    # in the class (store/documents.py or store/learning.py)
    scope = vars(sys.modules[view.__module__])
    hints = get_type_hints(view, scope, scope)
    declared = {item.name: item for item in fields(view)}
    shapes = {n: _shape(hints[n]) for n in stored if n in hints} | dict(extra or {})
    shapes |= {n: ("text", False) for n in d.STAMP_FIELDS}
    required = tuple(
        n
        for n in stored
        if n in declared and declared[n].default is MISSING and declared[n].default_factory is None
    )
    return Spec(name, shapes, required, validate)


# each kind's checks, by table, built from its declarations when first needed
_KINDS: Final[dict[str, Callable[[], Spec]]] = {
    "goals": lambda: _spec("goal", d.Goal, d.GOAL_FIELDS, d.validate_goal),
    "indicators": lambda: _spec("indicator", d.Indicator, d.INDICATOR_FIELDS, d.validate_indicator),
    "measurements": lambda: _spec(
        "measurement", d.Measurement, d.MEASUREMENT_FIELDS, d.validate_measurement
    ),
    # a review's record unpacks the stored deviation into cause and decision
    "reviews": lambda: _spec(
        "review", d.Review, d.REVIEW_FIELDS, d.validate_review, {"deviation": ("object", True)}
    ),
    "lessons": lambda: _spec("lesson", d.Lesson, d.LESSON_FIELDS, d.validate_lesson),
    "risks": lambda: _spec("risk", d.Risk, d.RISK_FIELDS, d.validate_stored_risk),
}


@functools.cache
def spec_of(table: str) -> Spec:
    """One kind as stored. A log whose files are all noted as checked
    builds none; one that checks its history only the measurements' (the
    kinds of steering, store/learning.py, are not even loaded)."""
    return _KINDS[table]()


def specs() -> dict[str, Spec]:
    """Every kind as stored, by table."""
    return {table: spec_of(table) for table in _KINDS}


WHEEL_TABLES: Final = ("goals", "indicators", "reviews", "lessons", "risks")


def _names(field: str) -> set[str]:
    """The names a validator may give one stored field (goal for goal_id)."""
    return {field, field.removesuffix("_id"), field.replace("_", " ")}


def problems_of(spec: Spec, doc: Mapping[str, Any]) -> tuple[list[str], d.Doc | None]:
    """Every problem of one stored document, and (if none) its validated form."""
    missing = [name for name in spec.required if name not in doc]
    problems = [f"{name} is missing" for name in missing]
    bad = set(chain.from_iterable(map(_names, missing)))
    for name, value in doc.items():
        shape = spec.shapes.get(name)
        if shape is None or (value is None and shape[1]) or _fits(value, shape[0]):
            continue
        shown = "null" if value is None else repr(value)
        problems.append(f"{name} {shown} is not {_NOUNS[shape[0]]}")
        bad |= _names(name)
    # the validator says the rest (vocabularies, ranges, rules between
    # fields), but not again what is said above
    content = {k: v for k, v in doc.items() if k not in d.STAMP_FIELDS and k not in bad}
    try:
        valid = spec.validate(content)
    except ValidationError as exc:
        return problems + [_named(f, text) for f, text in exc.problems if f not in bad], None
    return problems, None if problems else valid


def _named(field: str | None, text: str) -> str:
    """A validator's message, led by its field if it does not say it."""
    return text if not field or text.startswith(field) else f"{field}: {text}"


def _refuse(file: str, what: str, problems: Iterable[str], more: int = 0) -> StoreCorrupt:
    others = f" (and {more} more bad document{'s' if more != 1 else ''})" if more else ""
    return StoreCorrupt(f"{file}: {what}: {'; '.join(problems)}{others}; {FIX}")


# ------------------------------------------------------------ wheel


def _check_wheel(file: str, data: Mapping[str, Docs]) -> bool:
    """Refuse a bad wheel file; True when every document was as styr writes it."""
    as_written = True
    for table in WHEEL_TABLES:
        spec = spec_of(table)
        for key, doc in data.get(table, {}).items():
            problems, valid = problems_of(spec, doc)
            if problems:
                raise _refuse(file, f"{spec.name} {key}", problems)
            assert valid is not None
            # what typed input would become ("At Least" is at_least)
            read = {name: valid[name] for name in doc.keys() & valid.keys()}
            if any(doc[name] != value for name, value in read.items()):
                as_written = False
                doc.update(read)
    _check_references(file, data)
    return as_written


def _check_references(file: str, data: Mapping[str, Docs]) -> None:
    goals, indicators = data.get("goals", {}), data.get("indicators", {})
    pointers = [
        ("goals", "parent_id", "parent goal", goals),
        ("indicators", "goal_id", "goal", goals),
        ("reviews", "goal_id", "goal", goals),
        ("reviews", "indicator_id", "indicator", indicators),
        ("lessons", "goal_id", "goal", goals),
        ("risks", "goal_id", "goal", goals),
    ]
    pointers += [
        ("goals", "carried_from", "goal", goals),
        ("goals", "lessons", "lesson", data.get("lessons", {})),
    ]
    for table, field, target, existing in pointers:
        for key, doc in data.get(table, {}).items():
            value = doc.get(field)
            for ref in value if isinstance(value, list) else [value]:
                if ref is not None and str(ref) not in existing:
                    raise _refuse(
                        file,
                        f"{spec_of(table).name} {key}",
                        [f"{field}: {target} {ref} does not exist"],
                    )
    for key in goals:
        seen = [key]
        parent = goals[key].get("parent_id")
        while parent is not None:
            if str(parent) in seen:
                path = " -> ".join([*seen, str(parent)])
                raise _refuse(file, f"goal {key}", [f"parent_id: the goals form a cycle ({path})"])
            seen.append(str(parent))
            parent = goals[str(parent)].get("parent_id")


# ------------------------------------------------------ measurements

# the fields styr writes in every measurement, in the order of the columns below
_M_KEYS: Final = (*d.MEASUREMENT_FIELDS, *d.STAMP_FIELDS)
_M_ROW: Final = itemgetter(*_M_KEYS)
_NUMBERS: Final = frozenset({int, float})
_good_days: set[str] = set()


def _fine_days(days: Iterable[Any]) -> bool:
    """Whether every (distinct) date is a real ISO date; good ones are kept
    across files: a store has a few thousand distinct days in all."""
    for day in set(days) - _good_days:
        if type(day) is not str or not _ISO.fullmatch(day):
            return False
        try:
            date.fromisoformat(day)
        except ValueError:
            return False
        _good_days.add(day)
    return True


def measurements_look_fine(docs: Docs) -> bool:
    """The fast check, by columns: True only if every document is well
    formed. False means some document may not be (or lacks a field styr
    always writes): the slow check then says which and why."""
    if not docs:
        return True
    rows = docs.values()
    # every row has exactly the fields styr writes: no more (the lengths), none fewer
    if sum(map(len, rows)) != len(_M_KEYS) * len(docs):
        return False
    try:
        ids, days, values, *texts = zip(*map(_M_ROW, rows), strict=True)
    except KeyError:
        return False
    if set(map(type, ids)) != {int} or min(ids) < 1 or max(ids) > 2**53:
        return False
    # the parse refused NaN and infinities (store.jsonio), so a number is finite
    if not set(map(type, values)) <= _NUMBERS:
        return False
    try:
        notes = "".join(texts[0]) + "".join(texts[1])
        for column in texts[2:]:
            "".join(column)
    except TypeError:  # one is not text
        return False
    if len(notes) > MAX_TEXT and max(map(len, chain(texts[0], texts[1]))) > MAX_TEXT:
        return False
    try:
        return _fine_days(days)
    except TypeError:  # a list or an object as a date
        return False


def check_measurements(file: str, docs: Docs, what: str = "measurement") -> None:
    """Refuse a measurement file with any bad document (see the module docstring)."""
    if measurements_look_fine(docs):
        return
    spec = spec_of("measurements")
    bad = [(key, problems) for key, doc in docs.items() if (problems := problems_of(spec, doc)[0])]
    if bad:
        raise _refuse(file, f"{what} {bad[0][0]}", bad[0][1], len(bad) - 1)


Index = dict[int, list[tuple[date, int, float]]]


def _day(text: Any) -> date:
    if type(text) is not str or not _ISO.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def index_measurements(file: str, docs: Docs) -> Index:
    """(date, id, value) per indicator, checking every document as it goes:
    the pass costs little more than the index alone. A file with a bad
    document is refused, naming it."""
    try:
        return _index(docs)
    except (KeyError, TypeError, ValueError):
        check_measurements(file, docs)
    # well formed, but not quite as styr writes it (a field left out)
    groups: Index = {}
    for key, doc in docs.items():
        groups.setdefault(doc["indicator_id"], []).append(
            (date.fromisoformat(doc["date"]), int(key), doc["value"])
        )
    return groups


def _index(docs: Docs) -> Index:
    """The index of documents exactly as styr writes them (every field,
    of its type); anything else raises KeyError, TypeError or ValueError."""
    groups: Index = {}
    # a few hundred distinct days per file: parse each ISO date once
    days: dict[str, date] = {}
    numbers, width = _NUMBERS, len(_M_KEYS)
    for key, doc in docs.items():
        when, ind, value = doc["date"], doc["indicator_id"], doc["value"]
        day = days.get(when)
        if day is None:
            day = days[when] = _day(when)
        if (
            type(ind) is not int
            or ind < 1
            or type(value) not in numbers
            or len(doc) != width
            or type(doc["note"]) is not str
            or type(doc["source"]) is not str
            or type(doc["created_at"]) is not str
            or type(doc["updated_at"]) is not str
            or type(doc["updated_by"]) is not str
            or len(doc["note"]) > MAX_TEXT
            or len(doc["source"]) > MAX_TEXT
        ):
            raise ValueError(key)
        groups.setdefault(ind, []).append((day, int(key), value))
    return groups


def check_measurement(file: str, key: str, doc: Mapping[str, Any]) -> None:
    """Refuse one measurement that is about to be shown, compared or changed."""
    problems = problems_of(spec_of("measurements"), doc)[0]
    if problems:
        raise _refuse(file, f"measurement {key}", problems)


def measurement(file: str, key: str, doc: Mapping[str, Any]) -> d.Measurement:
    """One measurement as shown, all of its fields checked first."""
    check_measurement(file, key, doc)
    return d.Measurement.from_doc(int(key), doc)


# Which files styr has checked whole, as a BLAKE2 hash of their bytes, kept
# per user in a private cache (never in the store: anyone who can write the
# shared folder could forge a note there). `styr log` appends to a year file
# without parsing it (its cost must not grow with the store), and checking
# the wheel's thousands of documents would double its time; either check is
# skipped only while a file's bytes are still the ones checked.


def trust_file(folder: Path) -> Path:
    return user_cache_folder() / "checked" / f"{cache_key(folder)}.json"


def _trusted_files(folder: Path) -> dict[str, Any]:
    try:
        read = read_regular(trust_file(folder))
        record = loads(read[0]) if read else {}
    except (StoreCorrupt, OSError, JSONDecodeError):
        return {}
    return record if isinstance(record, dict) else {}


def trusted(path: Path, raw: bytes) -> bool:
    """Whether these bytes of the file at path are ones styr checked whole."""
    return trusted_hash(path, raw) is not None


def trusted_hash(path: Path, raw: bytes) -> bytes | None:
    """The hash of these bytes of the file at path if styr checked them whole."""
    hashed = digest(raw)
    return hashed if _trusted_files(path.parent).get(path.name) == hashed.hex() else None


def trust(path: Path, raw: bytes) -> None:
    """Note that every document of these bytes of the file at path was
    checked. Only a cache: when the note cannot be written, the next styr
    checks the file again."""
    note = trust_file(path.parent)
    record = _trusted_files(path.parent) | {path.name: digest(raw).hex()}
    write_private(note, dumps(record))


# ------------------------------------------------------------ history

_ENTRY: Final = {
    "change": ("text", False),
    "at": ("text", False),
    "by": ("text", False),
    "table": ("text", False),
    "id": ("whole", False),
    "before": ("object", True),
    "after": ("object", True),
    "undo_of": ("text", True),
}
_HISTORY_TABLES: Final = (*WHEEL_TABLES, "measurements")


def _bulk_problems(entry: Mapping[str, Any]) -> list[str]:
    """What is wrong with the "bulk" part of an entry for a bulk write
    (store.backend): measurements added or removed, ids as [first, last]."""
    bulk = entry["bulk"]
    if type(bulk) is not dict:
        return ["bulk is not an object"]
    ids: list[Any] = bulk["ids"] if isinstance(bulk.get("ids"), list) else []
    runs_fine = isinstance(bulk.get("ids"), list) and all(
        type(run) is list and len(run) == 2 and all(type(k) is int and k >= 1 for k in run)
        and run[0] <= run[1] for run in ids
    )  # fmt: skip
    problems = []
    if bulk.get("op") not in ("add", "remove"):
        problems.append(f"bulk op {bulk.get('op')!r} is not add or remove")
    if not runs_fine:
        problems.append("bulk ids are not a list of [first, last] ids")
    elif bulk.get("count") != sum(last - first + 1 for first, last in ids):
        problems.append(f"bulk count {bulk.get('count')!r} is not the number of its ids")
    if bulk.get("op") == "add" and type(bulk.get("stamp")) is not str:
        problems.append("bulk stamp of an import is not text")
    if entry.get("table") != "measurements" or entry["before"] is not None or entry["after"]:
        problems.append("a bulk entry is of measurements, with no before or after")
    unknown = sorted(set(bulk) - {"op", "count", "ids", "stamp"})
    problems += [f"bulk has no field {name!r}" for name in unknown]
    return problems


def _check_history(file: str, raw: bytes, docs: Docs) -> None:
    # a history entry holds one "change" key and documents none, so fewer
    # entries than keys means an id appears twice (the last one won)
    if raw.count(b'"change":') != len(docs):
        from store.storage import _duplicate_keys

        twins = _duplicate_keys(raw)
        if twins:
            raise StoreCorrupt(f"{file}: history entry {twins[0]} appears more than once; {FIX}")
    measured: Docs = {}
    for key, entry in docs.items():
        problems = [f"{name} is missing" for name in _ENTRY if name not in entry]
        for name, value in entry.items():
            shape = _ENTRY.get(name)
            if name == "bulk":
                problems += [] if problems else _bulk_problems(entry)
            elif shape is None:
                problems.append(f"a history entry has no field {name!r}")
            elif not ((value is None and shape[1]) or _fits(value, shape[0])):
                shown = "null" if value is None else repr(value)
                problems.append(f"{name} {shown} is not {_NOUNS[shape[0]]}")
        table = entry.get("table")
        if not problems and table not in _HISTORY_TABLES:
            problems.append(f"table {table!r} is not one of: {', '.join(_HISTORY_TABLES)}")
        if not problems and entry["id"] < 1:
            problems.append(f"id {entry['id']} is not a document id (ids start at 1)")
        if not problems and not entry["change"]:
            problems.append("change must not be empty")
        if problems:
            raise _refuse(file, f"history entry {key}", problems)
        for side in ("before", "after"):
            doc = entry[side]
            if doc is None:
                continue
            if table == "measurements":
                measured[f"{key} ({side})"] = doc
                continue
            found = problems_of(spec_of(str(table)), doc)[0]
            if found:
                raise _refuse(file, f"history entry {key}", [f"{side}: {p}" for p in found])
    check_measurements(file, measured, "history entry")


# --------------------------------------------------------------- meta

_COUNTERS: Final = ("next_id", "counts")


def _check_meta(file: str, meta: Mapping[str, Any]) -> None:
    problems = []
    for name in ("writer", "written_at"):
        if name in meta and type(meta[name]) is not str:
            problems.append(f"{name} {meta[name]!r} is not text")
    if "generation" in meta and (type(meta["generation"]) is not int or meta["generation"] < 0):
        problems.append(f"generation {meta['generation']!r} is not a whole number")
    for name in _COUNTERS:
        counters = meta.get(name, {})
        if type(counters) is not dict:
            problems.append(f"{name} {counters!r} is not an object of whole numbers")
            continue
        for table, count in counters.items():
            if type(count) is not int or count < 0:
                problems.append(f"{name} of {table} {count!r} is not a whole number")
    if problems:
        raise _refuse(file, "meta", problems)


# ---------------------------------------------------------- the files


def check_file(
    path: Path, raw: bytes, data: dict[str, Docs], known_schema: int, noted: bool
) -> None:
    """Refuse a parsed file that holds a bad document (see the module
    docstring; a measurement file's documents are checked as they are
    used). A file from a newer styr may hold fields this one does not know;
    only its meta is checked (the store opens read-only). `noted`: the
    caller found these bytes `trusted` (hashing the wheel twice would cost
    a log a millisecond)."""
    file = path.name
    meta = data["meta"]["1"]
    _check_meta(file, meta)
    if meta["schema_version"] > known_schema:
        return
    if file.startswith("history-"):
        _check_history(file, raw, data.get("history", {}))
    elif not file.startswith("measurements-"):
        # a file read differently from its bytes must be checked (and so
        # read) that way every time
        if not noted and _check_wheel(file, data):
            trust(path, raw)
