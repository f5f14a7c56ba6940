"""`styr status`: the table a person reads and the JSON a script reads, same numbers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from store.backends import open_wheel
from store.compare import STATUS_GLYPH, compare_wheel
from store.service import GOAL, INDICATOR
from store.table import cells
from tui.cli import main
from tui.status_report import run

AT = "2026-06-30"
NASTY = "[bold]Loud[/bold] \x1b[31mred\x1b]0;pwned\x07"


def build(root: Path) -> dict[str, int]:
    """Two goal trees: revenue (with a sub-goal and a budget) and an activity-only goal."""
    wheel = open_wheel(root, user="alice")
    revenue = wheel.add(GOAL, {"title": "Grow revenue", "start": "2026-01-01", "due": "2026-12-31"})
    sales = wheel.add(GOAL, {"title": "Sales team", "parent_id": revenue.id})
    chores = wheel.add(GOAL, {"title": NASTY})

    def indicator(goal: int, name: str, **fields: Any) -> int:
        base = {"goal_id": goal, "name": name, "baseline": 0, "target": 100,
                "start": "2026-01-01", "due": "2026-12-31"}  # fmt: skip
        return wheel.add(INDICATOR, {**base, **fields}).id

    ids = {
        "revenue": indicator(revenue.id, "Monthly revenue", unit="kNOK"),
        "budget": indicator(revenue.id, "Hours spent", chain="input", target=1000, unit="h"),
        "deals": indicator(sales.id, "Deals closed", aggregation="sum", cadence="weekly"),
        "churn": indicator(sales.id, "Churn", direction="at_most", target=5, unit="%"),
        "visits": indicator(chores.id, "Visits " + NASTY, chain="activity"),
        "later": indicator(
            chores.id, "Next year", chain="output", start="2027-01-01", due="2027-12-31"
        ),
    }
    for when, value in [("2026-02-01", 10), ("2026-04-01", 30), ("2026-06-01", 45)]:
        wheel.log(ids["revenue"], value, when)
    wheel.log(ids["budget"], 700, "2026-06-01")
    for when, value in [("2026-02-01", 5), ("2026-03-01", 5), ("2026-05-01", 5)]:
        wheel.log(ids["deals"], value, when)
    wheel.log(ids["churn"], 6, "2026-06-20")
    wheel.log(ids["visits"], 48, "2026-06-29")
    wheel.log(ids["visits"], 99, "2027-02-01", confirm_future=True)  # after --at: must not count
    return ids | {"goal_revenue": revenue.id, "goal_sales": sales.id, "goal_chores": chores.id}


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    root = tmp_path / "store"
    return root, build(root)


def status(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["status", "--store", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def test_json_equals_the_pure_functions(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, ids = store
    code, out, err = status(capsys, root, "--json", "--at", AT)
    assert (code, err) == (0, "")
    rows = json.loads(out)
    wheel = open_wheel(root)
    at = date.fromisoformat(AT)
    expected = compare_wheel(wheel.goals(), wheel.indicators(), wheel.all_series(), at)
    assert {r["indicator_id"] for r in rows} == set(expected.indicators)
    for row in rows:
        c = expected.indicators[row["indicator_id"]]
        ind = wheel.indicator(row["indicator_id"])
        assert row["goal"] == wheel.goal(ind.goal_id).title
        assert (row["indicator"], row["goal_id"], row["unit"]) == (ind.name, ind.goal_id, ind.unit)
        assert (row["direction"], row["baseline"], row["target"]) == (
            ind.direction, ind.baseline, ind.target,
        )  # fmt: skip
        assert (row["start"], row["due"]) == (ind.start.isoformat(), ind.due.isoformat())
        assert row["actual"] == c.actual
        assert row["expected"] == c.expected
        assert row["progress"] == c.progress
        assert row["status"] == c.status
        assert row["ahead_days"] == c.ahead_days
        assert row["forecast"] == c.forecast
        assert row["eta"] == _iso(c.eta)
        assert row["stale"] == c.stale
    by_id = {r["indicator_id"]: r for r in rows}
    assert by_id[ids["visits"]]["actual"] == 48.0  # the 2027 value is after --at
    assert by_id[ids["later"]]["status"] == "not_started"
    assert by_id[ids["later"]]["actual"] is None and by_id[ids["later"]]["eta"] is None
    assert by_id[ids["revenue"]]["forecast"] is not None  # three dates: a trend
    assert by_id[ids["churn"]]["forecast"] is None  # one date: none


def test_goals_json_equals_the_roll_ups(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, ids = store
    code, out, _ = status(capsys, root, "--json", "--goals", "--at", AT)
    assert code == 0
    rows = {r["goal_id"]: r for r in json.loads(out)}
    wheel = open_wheel(root)
    expected = compare_wheel(
        wheel.goals(), wheel.indicators(), wheel.all_series(), date.fromisoformat(AT)
    )
    for goal_id, rollup in expected.goals.items():
        row = rows[goal_id]
        assert (row["progress"], row["status"], row["activity_trap"]) == (
            rollup.progress, rollup.status, rollup.activity_trap,
        )  # fmt: skip
        eff = rollup.efficiency
        assert row["efficiency"] == (
            None if eff is None
            else {"spent": eff.spent, "results": eff.results, "overspending": eff.overspending}
        )  # fmt: skip
    assert rows[ids["goal_sales"]]["parent_id"] == ids["goal_revenue"]
    assert rows[ids["goal_chores"]]["activity_trap"] is True
    assert rows[ids["goal_revenue"]]["efficiency"]["spent"] == pytest.approx(0.7)
    assert rows[ids["goal_revenue"]]["efficiency"]["overspending"] is True


def test_table_at_80_columns(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, _ = store
    code, out, _ = status(capsys, root, "--at", AT)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "styr status on 2026-06-30 · 3 goals · 6 indicators"
    assert all(cells(line) <= 80 for line in lines), max(lines, key=cells)
    revenue = next(line for line in lines if "#1 Monthly revenue" in line)
    # 45 of 100 by day 180 of 364: expected 49.5, progress 0.45 >= 0.495 - 0.1
    assert "45 / 100 kNOK" in revenue
    assert "45%" in revenue and f"{STATUS_GLYPH['on_track']} on track" in revenue
    assert "-16d" in revenue  # the plan reached 45 on day 164, 16 days before day 180
    churn = next(line for line in lines if "Churn" in line)
    assert "6 / ≤5 %" in churn and "▼ off track" in churn  # misses by 1, more than 10 % of 5
    deals = next(line for line in lines if "Deals closed" in line)
    assert deals.rstrip().endswith("*")  # weekly, last value on 2026-05-01: stale
    assert "⚠ activity trap" in out
    assert "budget 70% spent for" in out and "spending runs ahead" in out
    assert lines.index(next(x for x in lines if "#2 Sales team" in x)) > lines.index(revenue)
    later = next(line for line in lines if "Next year" in line)
    assert "· not started" in later


def test_goals_table(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, _ = store
    code, out, _ = status(capsys, root, "--goals", "--at", AT)
    assert code == 0
    assert "Monthly revenue" not in out
    assert out.splitlines()[0] == "styr status on 2026-06-30 · 3 goals"
    assert "  #2 Sales team" in out  # indented under its parent
    assert all(cells(line) <= 80 for line in out.splitlines())


def test_user_text_is_shown_literally(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, _ = store
    code, out, _ = status(capsys, root, "--at", AT)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert r"#3 [bold]Loud[/bold] \x1b[31mred" in out
    code, out, _ = status(capsys, root, "--at", AT, "--json")
    assert NASTY in {row["goal"] for row in json.loads(out)}


def test_bad_at_exits_2_with_the_accepted_forms(
    store: tuple[Path, dict[str, int]], capsys: Any
) -> None:
    root, _ = store
    for bad in ("next tuesday", "2026-02-30", "31.12.2026"):
        code, out, err = status(capsys, root, "--at", bad)
        assert code == 2 and out == ""
        assert "YYYY-MM-DD, today, yesterday" in err
        assert "Traceback" not in err


def test_relative_at(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, _ = store
    two_weeks_ago = date.fromordinal(date.today().toordinal() - 14).isoformat()
    for args in (["--at=-2w"], ["--at", "-2w"], ["--at", "-14d"]):
        code, out, err = status(capsys, root, "--json", *args)
        assert (code, err) == (0, "")
        assert {row["at"] for row in json.loads(out)} == {two_weeks_ago}


def test_goal_filter_takes_sub_goals(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, ids = store
    code, out, _ = status(capsys, root, "--json", "--at", AT, "--goal", "grow")
    assert code == 0
    assert {r["indicator_id"] for r in json.loads(out)} == {
        ids["revenue"], ids["budget"], ids["deals"], ids["churn"],
    }  # fmt: skip
    code, out, _ = status(capsys, root, "--json", "--at", AT, "--goal", str(ids["goal_sales"]))
    assert {r["indicator_id"] for r in json.loads(out)} == {ids["deals"], ids["churn"]}
    code, out, _ = status(capsys, root, "--goals", "--json", "--at", AT, "--goal", "sales")
    assert [r["goal_id"] for r in json.loads(out)] == [ids["goal_sales"]]
    code, _, err = status(capsys, root, "--at", AT, "--goal", "nobody")
    assert code == 2 and "no goal is named 'nobody'" in err


def test_status_filter(store: tuple[Path, dict[str, int]], capsys: Any) -> None:
    root, ids = store
    code, out, _ = status(capsys, root, "--json", "--at", AT, "--status", "not-started")
    assert [r["indicator_id"] for r in json.loads(out)] == [ids["later"]]
    code, out, _ = status(capsys, root, "--at", AT, "--status", "not started")
    assert "Next year" in out and "Monthly revenue" not in out
    assert "1 indicator" in out.splitlines()[0]
    code, out, _ = status(capsys, root, "--at", AT, "--status", "missed")
    assert out.strip() == "no indicator is missed on 2026-06-30"
    code, _, err = status(capsys, root, "--status", "fine")
    assert code == 2 and "missed, off_track, at_risk" in err


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(
    store: tuple[Path, dict[str, int]], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    root, _ = store
    wheel = open_wheel(root)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    tty = Terminal()
    run(wheel, at=AT, stream=tty)
    coloured = tty.getvalue()
    assert "\x1b[" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    tty = Terminal()
    run(wheel, at=AT, stream=tty)
    assert "\x1b" not in tty.getvalue()
    assert "● on track" in tty.getvalue()  # the words and glyphs carry the meaning
    monkeypatch.delenv("NO_COLOR")
    code, out, _ = status(capsys, root, "--at", AT)  # captured: not a terminal
    assert code == 0 and "\x1b" not in out


def test_ascii_terminal_gets_ascii(store: tuple[Path, dict[str, int]]) -> None:
    root, _ = store
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    run(open_wheel(root), at=AT, stream=stream)
    stream.flush()
    text = raw.getvalue().decode("ascii")
    assert "o on track" in text and "#" in text
    assert "6 / <=5 %" in text


def test_empty_store(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "empty").mkdir()
    code, out, _ = status(capsys, tmp_path / "empty")
    assert code == 0 and out.startswith("no goals yet")
    code, out, _ = status(capsys, tmp_path / "empty", "--json")
    assert json.loads(out) == []


def test_real_process(store: tuple[Path, dict[str, int]]) -> None:
    root, ids = store
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "STYR_STORE")}
    cmd = [sys.executable, "-m", "tui.cli", "status", "--store", str(root), "--at", AT]
    table = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert table.returncode == 0, table.stderr
    assert "\x1b" not in table.stdout  # a pipe is not a terminal
    assert "Monthly revenue" in table.stdout
    data = subprocess.run([*cmd, "--json"], capture_output=True, text=True, env=env, check=False)
    assert {r["indicator_id"] for r in json.loads(data.stdout)} == {
        ids[k] for k in ("revenue", "budget", "deals", "churn", "visits", "later")
    }
    bad = subprocess.run(
        [*cmd, "--at", "soon"], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert "Traceback" not in bad.stderr


def test_a_closed_goal_says_closed_with_its_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(tmp_path / "store", user="alice")
    goal = wheel.add(GOAL, {"title": "Old plan", "start": "2026-01-01", "due": "2026-06-30"})
    for state in ("proposed", "agreed", "active"):
        wheel.move_goal(goal.id, state)
    wheel.move_goal(goal.id, "closed", outcome="partly", comment="half the desks [bold]")
    code, out, _ = status(capsys, tmp_path / "store")
    assert code == 0
    lines = out.splitlines()
    row = next(n for n, line in enumerate(lines) if "Old plan" in line)
    assert "■ closed" in lines[row] and "no data" not in lines[row]
    assert lines[row + 1].strip() == "closed, outcome partly: half the desks [bold]"
    code, out, _ = status(capsys, tmp_path / "store", "--goals", "--json")
    (record,) = json.loads(out)
    assert (record["status"], record["outcome"]) == ("closed", "partly")
