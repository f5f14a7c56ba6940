"""Hand-broken files are refused: every kind of document (goal, indicator,
measurement, review, lesson, risk, history entry, meta), every field with a
wrong type, an impossible value and a missing value, for `status`, `log` and
`undo` (and the TUI in tests/tui/test_tui_broken.py). Each is refused with
one message naming the file, the document and the field, exit 1, no
traceback, and the store folder's bytes untouched.

The cases are generated from store.checks.specs(), which follows the typed
views in store.documents: a new field is covered without touching this file.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from store import checks
from store.backends import open_wheel
from store.documents import STAMP_FIELDS
from store.service import GOAL, INDICATOR, LESSON, REVIEW, RISK
from tui.cli import main

StoreBytes = Callable[[Path], dict[str, bytes]]
YEAR = datetime.now(UTC).year
MEASURED = f"measurements-{YEAR}.json"
HISTORY = f"history-{datetime.now(UTC):%Y-%m}.json"
# the documents each case breaks (the seeded store's ids)
TARGETS = {
    "goals": ("wheel.json", "2"),
    "indicators": ("wheel.json", "1"),
    "reviews": ("wheel.json", "1"),
    "lessons": ("wheel.json", "1"),
    "risks": ("wheel.json", "1"),
    "measurements": (MEASURED, str(YEAR * 1_000_000 + 1)),
}

WRONG_TYPE: dict[str, Any] = {
    "text": 5, "number": "abc", "whole": "abc", "date": 20260101, "list": "x",
    "object": "x", "flag": "x",
}  # fmt: skip
IMPOSSIBLE: dict[str, Any] = {
    "text": "x" * 10_001,  # longer than any text may be; for a vocabulary, not one of it
    "number": -1,
    "whole": -1,
    "date": f"{YEAR}-02-30",
    "list": [5],
    "object": {"bogus": 1},
}
# where the generic impossible value is a possible one, the field's own
IMPOSSIBLE_OF: dict[tuple[str, str], Any] = {
    ("indicators", "baseline"): 1000,  # above the target of an increase
}
# any value of the right type is possible here (a comparison is a frozen
# result of whatever shape the comparison had then)
ANYTHING_GOES = {("measurements", "value"), ("reviews", "comparison")} | {
    (t, s) for t in TARGETS for s in STAMP_FIELDS
}
# optional, but a rule between fields needs it: a review is of a goal or an indicator
MISSING_REFUSED = {("reviews", "indicator_id")}


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    table: str
    key: str
    path: tuple[str, ...]  # the field, inside the document
    value: Any  # MISSING: remove the field
    names: tuple[str, ...]  # how the message may name the document
    field_names: tuple[str, ...]
    refused: bool = True


MISSING = object()


def _field_names(field: str) -> tuple[str, ...]:
    return (field, field.removesuffix("_id"), field.replace("_", " "))


def _document_cases() -> Iterator[Case]:
    for table, (file, key) in TARGETS.items():
        spec = checks.specs()[table]
        what = (f"{spec.name} {key}",)
        for field, (shape, _) in spec.shapes.items():
            names = _field_names(field)
            yield Case(f"{table}.{field}.wrong-type", file, table, key, (field,),
                       WRONG_TYPE[shape], what, names)  # fmt: skip
            if (table, field) not in ANYTHING_GOES:
                value = IMPOSSIBLE_OF.get((table, field), IMPOSSIBLE[shape])
                yield Case(f"{table}.{field}.impossible", file, table, key, (field,), value,
                           what, names)  # fmt: skip
            needed = field in spec.required or (table, field) in MISSING_REFUSED
            yield Case(f"{table}.{field}.missing", file, table, key, (field,), MISSING, what,
                       names, refused=needed)  # fmt: skip


def _history_cases() -> Iterator[Case]:
    what = ("history entry 1",)
    impossible: dict[str, Any] = {
        "change": "", "at": None, "by": None, "table": "bogus", "id": 0,
        "before": None, "after": {"title": 5}, "undo_of": 5,
    }  # fmt: skip
    for field, (shape, _) in checks._ENTRY.items():
        names = _field_names(field)
        yield Case(f"history.{field}.wrong-type", HISTORY, "history", "1", (field,),
                   WRONG_TYPE[shape], what, names)  # fmt: skip
        if impossible[field] is not None:
            yield Case(f"history.{field}.impossible", HISTORY, "history", "1", (field,),
                       impossible[field], what, names)  # fmt: skip
        yield Case(f"history.{field}.missing", HISTORY, "history", "1", (field,), MISSING,
                   what, names)  # fmt: skip


def _meta_cases() -> Iterator[Case]:
    broken: list[tuple[str, str, Any]] = [
        ("writer", "wrong-type", 5), ("written_at", "wrong-type", 5),
        ("generation", "wrong-type", "abc"), ("generation", "impossible", -1),
        ("next_id", "wrong-type", "x"), ("counts", "wrong-type", "x"),
        ("next_id", "impossible", {"goals": "abc"}), ("counts", "impossible", {"goals": -1}),
    ]  # fmt: skip
    for file in ("wheel.json", MEASURED, HISTORY):
        for field, how, value in broken:
            yield Case(f"meta.{file}.{field}.{how}", file, "meta", "1", (field,), value,
                       ("meta",), (field,))  # fmt: skip
        # the counters are only written by styr: missing, they start afresh
        yield Case(f"meta.{file}.next_id.missing", file, "meta", "1", ("next_id",), MISSING,
                   ("meta",), ("next_id",), refused=False)  # fmt: skip


CASES = [*_document_cases(), *_history_cases(), *_meta_cases()]


# ------------------------------------------------------------ the store


def _seed(root: Path) -> None:
    wheel = open_wheel(root)
    wheel.add(GOAL, {"title": "Parent"})
    wheel.add(GOAL, {
        "title": "Shorter queues", "description": "d", "parent_id": 1, "owner": "ann",
        "unit": "ops", "start": f"{YEAR}-01-01", "due": f"{YEAR}-12-31", "state": "active",
        "agreed_by": "bo", "agreed_on": f"{YEAR}-01-02", "outcome": None,
        "closing_comment": "c", "tags": ["a"], "weight": 2,
    })  # fmt: skip
    wheel.add(INDICATOR, {
        "goal_id": 2, "name": "Served", "unit": "n", "baseline": 0, "target": 100,
        "start": f"{YEAR}-01-01", "due": f"{YEAR}-12-31", "direction": "increase",
        "aggregation": "last", "chain": "outcome", "weight": 1, "cadence": "monthly",
        "milestones": [[f"{YEAR}-06-01", 50]], "tolerance": 0.1,
        "revisions": [{"old": 90, "new": 100, "at": f"{YEAR}-01-03", "by": "ann", "why": "w"}],
    })  # fmt: skip
    wheel.add(REVIEW, {
        "date": f"{YEAR}-01-05", "indicator_id": 1, "comparison": {"status": "on_track"},
        "judgement": "on_track", "confidence": 7, "comment": "ok",
        "deviation": {"cause": "internal", "decision": "continue"},
    })  # fmt: skip
    wheel.add(LESSON, {
        "date": f"{YEAR}-01-06", "goal_id": 2, "planned": "p", "happened": "h", "why": "w",
        "sustain": "s", "improve": "i",
        "actions": [{"what": "call", "owner": "ann", "due": f"{YEAR}-02-01", "done": False}],
    })  # fmt: skip
    wheel.add(RISK, {
        "goal_id": 2, "title": "Leave", "cause": "c", "probability": 3, "consequence": 4,
        "mitigation": "m", "owner": "ann", "due": f"{YEAR}-03-01", "residual_probability": 2,
        "residual_consequence": 2, "state": "open",
    })  # fmt: skip
    # the last change: undo reads the measurement file too
    wheel.log(1, 10, f"{YEAR}-01-07", "first", "count")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "store"
    _seed(root)
    return root


def _break(root: Path, case: Case) -> None:
    path = root / case.file
    data = orjson.loads(path.read_bytes())
    doc = data[case.table][case.key]
    *outer, field = case.path
    for name in outer:
        doc = doc[name]
    if case.value is MISSING:
        del doc[field]
    else:
        doc[field] = case.value
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))


def _copy(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(template, root)
    return root


COMMANDS = {
    "status": ["status"],
    "log": ["log", "1", "12", "--at", f"{YEAR}-01-08"],
    "undo": ["undo"],
}


def _expect_refused(
    err: str, case: Case, code: int, before: dict[str, bytes], after: dict[str, bytes]
) -> None:
    assert code == 1, err
    (line,) = err.splitlines()
    assert line.startswith(f"styr: {case.file}: "), line
    assert any(f": {name}: " in line for name in case.names), line
    assert any(name in line for name in case.field_names), line
    assert "fix the file by hand or restore a backup" in line
    assert after == before


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hand_broken_document_is_refused(
    template: Path,
    tmp_path: Path,
    store_bytes: StoreBytes,
    capsys: pytest.CaptureFixture[str],
    case: Case,
) -> None:
    root = _copy(template, tmp_path)
    _break(root, case)
    before = store_bytes(root)
    for command, argv in COMMANDS.items():
        # status never reads the audit trail
        if command == "status" and case.file == HISTORY:
            continue
        code = main(["--store", str(root), *argv])
        err = capsys.readouterr().err
        if case.refused:
            _expect_refused(err, case, code, before, store_bytes(root))
        else:
            assert code == 0, err


def test_every_kind_and_field_has_its_cases() -> None:
    ids = {case.id for case in CASES}
    for table, spec in checks.specs().items():
        for field in spec.shapes:
            assert f"{table}.{field}.wrong-type" in ids
            assert f"{table}.{field}.missing" in ids
    assert {"history.by.missing", "meta.wheel.json.counts.impossible"} <= ids


def test_the_seeded_store_itself_is_fine(template: Path, tmp_path: Path) -> None:
    root = _copy(template, tmp_path)
    assert main(["--store", str(root), "status"]) == 0


# ------------------------------------------- beyond single fields


@pytest.mark.parametrize(
    ("file", "table", "key", "field", "value", "message"),
    [
        ("wheel.json", "goals", "1", "parent_id", 2,
         "goal 1: parent_id: the goals form a cycle (1 -> 2 -> 1)"),
        ("wheel.json", "indicators", "1", "goal_id", 9,
         "indicator 1: goal_id: goal 9 does not exist"),
        ("wheel.json", "goals", "2", "state", "closed",
         "goal 2: outcome: a closed goal needs an outcome"),
    ],
)  # fmt: skip
def test_references_cycles_and_rules_between_fields_are_checked(
    template: Path,
    tmp_path: Path,
    store_bytes: StoreBytes,
    capsys: pytest.CaptureFixture[str],
    file: str,
    table: str,
    key: str,
    field: str,
    value: Any,
    message: str,
) -> None:
    root = _copy(template, tmp_path)
    _break(root, Case("", file, table, key, (field,), value, (), ()))
    before = store_bytes(root)
    assert main(["--store", str(root), "status"]) == 1
    assert message in capsys.readouterr().err
    assert store_bytes(root) == before


def test_every_bad_field_of_a_document_is_named_at_once(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(template, tmp_path)
    path = root / MEASURED
    data = orjson.loads(path.read_bytes())
    key = TARGETS["measurements"][1]
    data["measurements"][key] |= {"value": "abc", "date": f"{YEAR}-02-30", "note": 5}
    path.write_bytes(orjson.dumps(data))
    assert main(["--store", str(root), "status"]) == 1
    assert capsys.readouterr().err == (
        f"styr: {MEASURED}: measurement {key}: value 'abc' is not a number; note 5 is not text; "
        f"date '{YEAR}-02-30' is not a real date; "
        "fix the file by hand or restore a backup (backups/)\n"
    )


def test_a_duplicate_history_id_is_refused(
    template: Path, tmp_path: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(template, tmp_path)
    path = root / HISTORY
    data = orjson.loads(path.read_bytes())
    data["meta"]["1"].pop("counts")  # a hand edit that leaves no count to compare with
    raw = orjson.dumps(data).decode()
    first = orjson.dumps({"1": data["history"]["1"]}).decode()[1:-1]
    path.write_text(raw.replace('"history":{', '"history":{' + first + ",", 1))
    before = store_bytes(root)
    assert main(["--store", str(root), "undo"]) == 1
    err = capsys.readouterr().err
    assert f"{HISTORY}: history entry 1 appears more than once" in err
    assert store_bytes(root) == before


def test_a_value_typed_with_stray_case_is_read_as_typed_input_would_be(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(template, tmp_path)
    _break(root, Case("", "wheel.json", "indicators", "1", ("direction",), " Increase", (), ()))
    assert main(["--store", str(root), "status", "--json"]) == 0
    # a log notes the files it checked; this one is read differently from its bytes
    assert main(["--store", str(root), *COMMANDS["log"]]) == 0
    assert open_wheel(root).indicator(1).direction == "increase"


# --------------------------------------------- through a real process


@pytest.mark.parametrize(
    ("command", "case_id"),
    [
        ("status", "goals.title.missing"),
        ("log", "measurements.value.wrong-type"),
        ("undo", "history.by.missing"),
    ],
)
def test_a_real_process_says_why_without_a_traceback(
    template: Path, tmp_path: Path, store_bytes: StoreBytes, command: str, case_id: str
) -> None:
    case = next(case for case in CASES if case.id == case_id)
    root = _copy(template, tmp_path)
    _break(root, case)
    before = store_bytes(root)
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--store", str(root), *COMMANDS[command]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    _expect_refused(done.stderr, case, done.returncode, before, store_bytes(root))


# ------------------------------------------------- appends stay cheap


def test_a_log_into_a_file_styr_checked_reads_no_document_of_it(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(template, tmp_path)
    # a copy is another folder: styr checks it whole once, at the first log
    assert main(["--store", str(root), "log", "1", "10", "--at", f"{YEAR}-01-08"]) == 0

    def parsed(docs: object) -> bool:
        raise AssertionError("the year file was checked again")

    monkeypatch.setattr("store.storage.measurements_look_fine", parsed)
    for value in ("11", "12"):
        assert main(["--store", str(root), "log", "1", value, "--at", f"{YEAR}-01-09"]) == 0
    assert [m.value for m in open_wheel(root).measurements(1)] == [10, 10, 11, 12]


def test_a_hand_edit_after_a_checked_write_is_still_caught(
    template: Path, tmp_path: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(template, tmp_path)
    assert main(["--store", str(root), "log", "1", "10", "--at", f"{YEAR}-01-08"]) == 0
    note = checks.trust_file(root)
    # the note is the user's own, never in the shared folder, where anyone could forge it
    assert stat.S_IMODE(note.stat().st_mode) == 0o600 and not note.is_relative_to(root)
    assert stat.S_IMODE(note.parent.stat().st_mode) == 0o700
    path = root / MEASURED
    # same size, so only the bytes tell the edit apart
    path.write_bytes(path.read_bytes().replace(b'"value":10.0', b'"value":"10"'))
    before = store_bytes(root)
    assert main(["--store", str(root), *COMMANDS["log"]]) == 1
    assert "value '10' is not a number" in capsys.readouterr().err
    assert store_bytes(root) == before


def test_a_wheel_file_styr_checked_is_not_checked_again(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(template, tmp_path)
    # a log checks wheel.json as it opens the store, and notes that it did
    assert main(["--store", str(root), *COMMANDS["log"]]) == 0

    def checked(*args: object) -> bool:
        raise AssertionError("wheel.json was checked again")

    monkeypatch.setattr(checks, "_check_wheel", checked)
    assert main(["--store", str(root), "status"]) == 0


def test_a_log_hashes_the_wheel_file_once(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(template, tmp_path)
    assert main(["--store", str(root), *COMMANDS["log"]]) == 0
    wheel = (root / "wheel.json").read_bytes()
    hashed: list[bytes] = []
    digest = checks.digest

    def counted(raw: bytes, size: int = 32) -> bytes:
        hashed.append(raw)
        return digest(raw, size)

    monkeypatch.setattr(checks, "digest", counted)
    assert main(["--store", str(root), *COMMANDS["log"]]) == 0
    assert hashed.count(wheel) == 1
