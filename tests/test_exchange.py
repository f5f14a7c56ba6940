"""`styr export` and `styr import`: the whole wheel out and back byte for
byte, CSV safe for spreadsheets, imports validated whole before anything is
written."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from store import exchange
from store.backends import open_wheel
from store.demo import build_demo
from store.service import GOAL, INDICATOR
from tests.conftest import Seeded
from tui.cli import main
from tui.exchange_cli import progress_printer

Snapshot = Callable[[Path], dict[str, bytes]]
TODAY = date(2026, 11, 30)


def export(store: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["export", "--store", str(store), *extra]) == 0
    return capsys.readouterr().out


def test_demo_round_trip_gives_the_same_bytes(tmp_path: Path) -> None:
    build_demo(tmp_path / "demo", today=TODAY)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["export", "--store", str(tmp_path / "demo"), "--out", str(first)]) == 0
    assert main(["import", str(first), "--store", str(tmp_path / "new")]) == 0
    assert main(["export", "--store", str(tmp_path / "new"), "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    document = json.loads(first.read_text())
    assert document["format"] == "styr-export" and document["version"] == 1
    for table in ("goals", "indicators", "reviews", "lessons", "risks", "measurements"):
        ids = [row["id"] for row in document[table]]
        assert ids and ids == sorted(ids), table
    assert any(g["parent_id"] for g in document["goals"])  # the hierarchy
    assert any(i["revisions"] for i in document["indicators"])
    assert any(g["agreed_by"] for g in document["goals"])
    assert "history" not in document


def test_export_is_deterministic_and_history_on_request(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    wheel.log(seeded.indicator, 5, "2026-01-05")
    plain = export(seeded.root, capsys=capsys)
    assert export(seeded.root, capsys=capsys) == plain
    history = json.loads(export(seeded.root, "--with-history", capsys=capsys))["history"]
    assert [(e["table"], e["id"]) for e in history][:2] == [("goals", 1), ("indicators", 1)]
    assert history[-1]["table"] == "measurements" and history[-1]["after"]["value"] == 5


def test_csv_measurements_and_cells_a_spreadsheet_would_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(tmp_path / "s", user="alice")
    goal = wheel.add(GOAL, {"title": "@SUM(A1)"})
    ind = wheel.add(INDICATOR, {"goal_id": goal.id, "name": '=HYPERLINK("http://x")',
                                "baseline": -10, "target": 10, "start": "2026-01-01",
                                "due": "2026-12-31"})  # fmt: skip
    wheel.log(ind.id, -5, "2026-02-01", note="+1 more", source="-src")
    text = export(tmp_path / "s", "--format", "csv", capsys=capsys)
    lines = text.splitlines()
    assert lines[0] == "id,indicator_id,indicator,goal_id,goal,date,value,note,source"
    assert lines[1].split(",", 1)[1] == (
        '1,"\'=HYPERLINK(""http://x"")",1,\'@SUM(A1),2026-02-01,-5.0,\'+1 more,\'-src'
    )
    goals = export(tmp_path / "s", "--format", "csv", "--what", "goal", capsys=capsys)
    assert goals.splitlines()[0].startswith("id,title,description,parent_id")
    assert goals.splitlines()[1].startswith("1,'@SUM(A1),,,")


def csv_rows(count: int, bad_at: int | None = None) -> str:
    rows = ["indicator,date,value,note"]
    for n in range(count):
        value = "lots" if n == bad_at else str(n)
        rows.append(f"Served per day,2026-01-{n % 28 + 1:02d},{value},row {n}")
    return "\n".join(rows) + "\n"


def test_csv_with_one_bad_row_in_a_thousand_writes_nothing_and_names_the_line(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "m.csv"
    source.write_text(csv_rows(1000, bad_at=499))
    before = store_bytes(seeded.root)
    assert main(["import", str(source), "--store", str(seeded.root)]) == 2
    err = capsys.readouterr().err
    assert "line 501" in err and "lots" in err
    assert store_bytes(seeded.root) == before
    source.write_text(csv_rows(1000))
    assert main(["import", str(source), "--store", str(seeded.root)]) == 0
    assert "added 1000 measurements" in capsys.readouterr().out
    assert len(open_wheel(seeded.root).series(seeded.indicator)) == 1000


def test_every_bad_row_is_reported(
    seeded: Seeded, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    text = ("indicator,date,value\n1,2026-01-02,1\n9,2026-01-03,2\n1,someday,3\n"
            "1,2026-01-04,\n1,2999-01-01,5\n")  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    before = store_bytes(seeded.root)
    assert main(["import", "-", "--store", str(seeded.root)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1].strip() for line in err] == [
        "line 3", "line 4", "line 5", "line 6",
    ]  # fmt: skip
    assert "no indicator 9" in err[0] and "in the future" in err[3]
    assert store_bytes(seeded.root) == before


def test_unknown_indicator_name_gets_candidates(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "m.csv"
    source.write_text("indicator,date,value\nServd per dy,2026-01-02,1\n")
    before = store_bytes(seeded.root)
    assert main(["import", str(source), "--store", str(seeded.root)]) == 2
    err = capsys.readouterr().err
    assert "line 2: no indicator is named 'Servd per dy'; did you mean 'Served per day'?" in err
    assert store_bytes(seeded.root) == before


def test_semicolons_and_decimal_commas(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "m.csv"
    source.write_bytes("\ufeffIndicator;Date;Value;Note\n"
                       "served per day;2026-01-02;12,5;første\n"
                       "1;2026-01-03;1 234,75;\n".encode())  # fmt: skip
    assert main(["import", str(source), "--store", str(seeded.root)]) == 0
    assert "1 Served per day: 2 rows, 2026-01-02 to 2026-01-03" in capsys.readouterr().out
    wheel = open_wheel(seeded.root)
    assert wheel.series(seeded.indicator) == [(date(2026, 1, 2), 12.5), (date(2026, 1, 3), 1234.75)]
    assert wheel.measurements(seeded.indicator)[0].note == "første"
    assert exchange.parse_number('"3,5"'.strip('"'), ",") == "3.5"
    assert exchange.parse_number("1,234.5", ",") == "1234.5"


def test_dry_run_writes_nothing(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "m.csv"
    source.write_text(csv_rows(3))
    before = store_bytes(seeded.root)
    assert main(["import", str(source), "--dry-run", "--store", str(seeded.root)]) == 0
    out = capsys.readouterr().out
    assert "would add 3 measurements" in out and "dry run: nothing was written" in out
    assert store_bytes(seeded.root) == before
    exported = tmp_path / "e.json"
    assert main(["export", "--store", str(seeded.root), "--out", str(exported)]) == 0
    (tmp_path / "x").mkdir()
    assert main(["import", str(exported), "--dry-run", "--store", str(tmp_path / "x")]) == 0
    assert "would add 1 goal\nwould add 1 indicator\n" in capsys.readouterr().out
    assert store_bytes(tmp_path / "x") == {}


def test_merge_keeps_ids_that_exist_unless_replace(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "e.json"
    assert main(["export", "--store", str(seeded.root), "--out", str(exported)]) == 0
    document = json.loads(exported.read_text())
    document["goals"][0]["title"] = "Renamed elsewhere"
    document["goals"].append(dict(document["goals"][0], id=7, title="New goal"))
    exported.write_text(exchange.dumps(document))
    capsys.readouterr()
    assert main(["import", str(exported), "--store", str(seeded.root)]) == 0
    out = capsys.readouterr().out
    assert "added 1 goal; 1 already there, kept as they are (--replace overwrites): 1" in out
    wheel = open_wheel(seeded.root)
    assert [(g.id, g.title) for g in wheel.goals()] == [(1, "Shorter queues"), (7, "New goal")]
    assert main(["import", str(exported), "--replace", "--store", str(seeded.root)]) == 0
    assert "added 0 goals, replaced 2" in capsys.readouterr().out
    assert open_wheel(seeded.root).goal(1).title == "Renamed elsewhere"


def test_bad_export_reports_every_problem_and_writes_nothing(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    document = {
        "format": "styr-export", "version": 1,
        "goals": [{"id": 5, "title": ""}, {"id": 6, "title": "Fine", "parent_id": 40}],
        "indicators": [{"id": 9, "goal_id": 77, "name": "x", "baseline": 0, "target": 1,
                        "start": "2026-01-01", "due": "2026-12-31"}],
        "measurements": [{"id": 3, "indicator_id": 1, "date": "2026-02-30", "value": 1}],
    }  # fmt: skip
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(document))
    before = store_bytes(seeded.root)
    assert main(["import", str(source), "--store", str(seeded.root)]) == 2
    err = capsys.readouterr().err
    assert "goal 5: title" in err and "goal 6: parent goal 40 does not exist" in err
    assert "indicator 9: goal 77 does not exist" in err and "measurement 3:" in err
    assert store_bytes(seeded.root) == before
    source.write_text('{"format": "other"}')
    assert main(["import", str(source), "--store", str(seeded.root)]) == 2
    assert "not a styr export" in capsys.readouterr().err


def test_progress_on_a_terminal_only(seeded: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress_printer(screen)("measurements", 5000, 5000)
    assert screen.getvalue() == "\rmeasurements: 5,000/5,000\x1b[K\n"
    export(seeded.root, capsys=capsys)
    assert capsys.readouterr().err == ""  # piped: quiet


def test_one_kind_as_json_and_one_undo_takes_an_import_back(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only = json.loads(export(seeded.root, "--what", "indicator", capsys=capsys))
    assert sorted(only) == ["format", "indicators", "version"]
    assert main(["export", "--store", str(seeded.root), "--format", "csv", "--with-history"]) == 2
    assert "--with-history is for the JSON export" in capsys.readouterr().err
    exported = tmp_path / "e.json"
    assert main(["export", "--store", str(seeded.root), "--out", str(exported)]) == 0
    assert main(["import", str(exported), "--store", str(tmp_path / "new")]) == 0
    assert main(["undo", "--store", str(tmp_path / "new")]) == 0
    wheel = open_wheel(tmp_path / "new")
    assert wheel.goals() == [] and wheel.indicators() == []


def test_a_file_that_cannot_be_read_is_bad_input(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_bytes(seeded.root)
    (tmp_path / "latin1.csv").write_bytes(
        "indicator,date,value\nKø,2026-01-02,1\n".encode("latin-1")
    )
    for name, reason in [("nowhere.csv", "no such file"), ("latin1.csv", "not UTF-8"),
                         (".", "is a folder")]:  # fmt: skip
        assert main(["import", str(tmp_path / name), "--store", str(seeded.root)]) == 2
        assert reason in capsys.readouterr().err
    (tmp_path / "h.csv").write_text("when,value\n2026-01-02,1\n")
    assert main(["import", str(tmp_path / "h.csv"), "--store", str(seeded.root)]) == 2
    assert "missing: indicator, date" in capsys.readouterr().err
    assert store_bytes(seeded.root) == before


def test_a_file_written_has_the_mode_a_new_file_gets_or_keeps_its_own(
    seeded: Seeded, tmp_path: Path
) -> None:
    out = tmp_path / "e.json"
    old = os.umask(0o022)
    try:
        assert main(["export", "--store", str(seeded.root), "--out", str(out)]) == 0
        assert out.stat().st_mode & 0o777 == 0o644
        out.chmod(0o600)
        assert main(["export", "--store", str(seeded.root), "--out", str(out)]) == 0
        assert out.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".e.json")] == []


def test_ids_brought_in_by_an_import_are_never_issued_again(tmp_path: Path) -> None:
    """A measurement keeps its id when its date moves to another year, so
    an imported id can name a year whose file does not exist yet: that
    year's counter must start past it."""
    source = open_wheel(tmp_path / "a", user="alice")
    goal = source.add(GOAL, {"title": "Queues"})
    indicator = source.add(INDICATOR, {"goal_id": goal.id, "name": "Wait", "baseline": 30,
                                       "target": 10, "direction": "decrease",
                                       "start": "2025-01-01", "due": "2026-12-31"})  # fmt: skip
    moved = source.log(indicator.id, 20, "2025-06-01")
    source.update_measurement(moved.id, {"date": "2026-02-01"})
    dump = tmp_path / "a.json"
    assert main(["export", "--store", str(tmp_path / "a"), "--out", str(dump)]) == 0
    assert main(["import", str(dump), "--store", str(tmp_path / "b")]) == 0
    target = open_wheel(tmp_path / "b", user="bob")
    logged = [target.log(indicator.id, value, "2025-07-01").id for value in (21, 22, 23)]
    ids = [m.id for m in target.measurements(indicator.id)]
    assert moved.id in ids and len(set(ids)) == len(ids) == 4, (moved.id, logged)


def test_out_to_a_pipe_or_device_writes_into_it_and_never_replaces_it(
    seeded: Seeded, tmp_path: Path
) -> None:
    """`--out /dev/null` must not rename a file over /dev/null (as root it would)."""
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()))
    reader.start()
    assert main(["export", "--store", str(seeded.root), "--out", str(pipe)]) == 0
    reader.join(timeout=60)
    assert pipe.is_fifo() and json.loads(got[0])["format"] == "styr-export"
    assert main(["export", "--store", str(seeded.root), "--out", str(tmp_path)]) == 2
