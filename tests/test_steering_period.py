"""Closing a period and carrying goals on, the owner/state/period filters of
`styr status`, and values dated in the future."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from steerhelp import StoreBytes, agreed, build, cli, documents, refuses

from store.backends import open_wheel
from store.errors import ValidationError
from store.service import GOAL, INDICATOR, LESSON
from store.steering import parse_period, shift_months

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Goal 1 (Q3, agreed, active) with a sub-goal 2 (Q3, active); goal 3 (Q4,
    a draft) of bob;
    a lesson of goal 1 with a sustain and one without."""
    path = tmp_path / "store"
    wheel = build(path)
    agreed(wheel)
    wheel.move_goal(1, "active")
    team = wheel.add(GOAL, {"title": "Team desk", "parent_id": 1, "start": "2026-07-01",
                            "due": "2026-09-30", "owner": "bob"})  # fmt: skip
    wheel.add(INDICATOR, {"goal_id": team.id, "name": "Cases", "baseline": 0, "target": 40,
                          "aggregation": "sum", "start": "2026-07-01",
                          "due": "2026-09-30"})  # fmt: skip
    wheel.log(2, 25, "2026-08-01")
    for state in ("proposed", "agreed", "active"):
        wheel.move_goal(team.id, state)
    wheel.add(GOAL, {"title": "Winter plan", "start": "2026-10-01", "due": "2026-12-31",
                     "owner": "bob"})  # fmt: skip
    wheel.add(LESSON, {"goal_id": 1, "happened": "x", "sustain": "daily stand-up"})
    wheel.add(LESSON, {"goal_id": 1, "happened": "y"})
    return path


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(("text", "start", "end", "months", "following"), [
    ("2026", "2026-01-01", "2026-12-31", 12, "2027"),
    (" 2026-q3 ", "2026-07-01", "2026-09-30", 3, "2026-Q4"),
    ("2026-Q4", "2026-10-01", "2026-12-31", 3, "2027-Q1"),
    ("2026-02", "2026-02-01", "2026-02-28", 1, "2026-03"),
    ("2026-12", "2026-12-01", "2026-12-31", 1, "2027-01"),
    ("9998-Q4", "9998-10-01", "9998-12-31", 3, "9999-Q1"),
])  # fmt: skip
def test_a_period_is_a_year_a_quarter_or_a_month(
    text: str, start: str, end: str, months: int, following: str
) -> None:
    span = parse_period(text)
    assert (span.start.isoformat(), span.end.isoformat(), span.months) == (start, end, months)
    assert span.next().label == following


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "2026-13", "2026-00", "26", "2026-1",
                                  "Q3", "", "2026-W12", "0000", "9999-12"])  # fmt: skip
def test_anything_else_is_not_a_period(text: str) -> None:
    with pytest.raises(ValidationError, match="is not a period; use a year"):
        parse_period(text)


@pytest.mark.parametrize(("day", "months", "moved"), [
    ("2026-08-15", 3, "2026-11-15"), ("2026-01-31", 1, "2026-02-28"),
    ("2026-02-28", 1, "2026-03-31"), ("2026-09-30", 3, "2026-12-31"),
    ("2026-11-30", 12, "2027-11-30"), ("2024-02-29", 12, "2025-02-28"),
])  # fmt: skip
def test_dates_move_by_whole_months_and_month_ends_stay_ends(
    day: str, months: int, moved: str
) -> None:
    assert shift_months(date.fromisoformat(day), months).isoformat() == moved


def test_a_date_moved_past_the_calendar_is_bad_input() -> None:
    with pytest.raises(ValidationError, match=r"^9999-06-01 moved by 12 months is past the"):
        shift_months(date(9999, 6, 1), 12)


def test_closing_a_period_closes_its_goals_and_carries_the_chosen_ones(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    done = wheel.close_period("2026-Q3", outcomes={2: "partly"}, carry=[2, 1])
    assert [(c.goal_id, c.outcome, c.given) for c in done.closed] == [
        (1, "missed", False), (2, "partly", True),
    ]  # fmt: skip
    goal = wheel.goal(1)
    assert (goal.state, goal.outcome, goal.moves[-1]["to"], goal.moves[-1]["by"]) == (
        "closed", "missed", "closed", "alice",
    )  # fmt: skip
    assert goal.closing_comment == "period 2026-Q3 closed; status at its end: off track"
    assert wheel.goal(3).state == "draft"  # due in Q4: untouched
    assert [(c.from_id, c.goal_id) for c in done.carried] == [(1, 4), (2, 5)]
    new, sub = wheel.goal(4), wheel.goal(5)
    assert (new.state, str(new.start), str(new.due), new.carried_from) == (
        "draft", "2026-10-01", "2026-12-31", 1,
    )  # fmt: skip
    assert (sub.parent_id, sub.owner) == (4, "bob")
    (wait,) = wheel.indicators(4)
    # baseline from the last actual; target kept; the milestone no longer lies
    # between 18 and 10, so it is dropped
    assert (wait.baseline, wait.target, str(wait.start), str(wait.due), wait.milestones) == (
        18, 10, "2026-10-01", "2026-12-31", (),
    )  # fmt: skip
    (cases,) = wheel.indicators(5)
    assert (cases.baseline, cases.target) == (0, 40)  # a sum starts again
    assert new.lessons == (1,)
    assert [(x["kind"], x["id"]) for x in wheel.get(LESSON, 1).links] == [("goal", 4)]
    assert wheel.get(LESSON, 2).links == ()


def test_a_goal_never_agreed_stays_as_it_is_and_may_be_carried(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(root, user="alice")
    idea = wheel.add(GOAL, {"title": "An idea", "start": "2026-07-01", "due": "2026-09-30"})
    wheel.move_goal(idea.id, "proposed")
    with pytest.raises(ValidationError, match=f"goal {idea.id} is proposed, never agreed"):
        wheel.close_period("2026-Q3", outcomes={idea.id: "missed"})
    code, out, _ = cli(root, capsys, "period", "close", "2026-Q3", "--dry-run")
    assert code == 0
    assert f"leave goal {idea.id} An idea open: left as proposed: never agreed" in out
    # a period whose only goal is a draft lists it, rather than saying none is due
    _, out, _ = cli(root, capsys, "period", "close", "2026-Q4", "--dry-run")
    assert "leave goal 3 Winter plan open" in out and "no open goal is due" not in out
    done = wheel.close_period("2026-Q3", carry=[idea.id])
    assert [c.goal_id for c in done.closed] == [1, 2]
    assert [c.goal_id for c in done.not_agreed] == [idea.id]
    assert (wheel.goal(idea.id).state, wheel.goal(idea.id).outcome) == ("proposed", None)
    assert [c.from_id for c in done.carried] == [idea.id]


def test_closing_a_period_not_over_says_the_outcomes_come_from_today(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(root, capsys, "period", "close", "9998", "--dry-run")
    assert code == 0 and "note: 9998 ends on 9998-12-31; outcomes are proposed" in out
    _, out, _ = cli(root, capsys, "period", "close", "2026-Q3", "--dry-run")
    assert "note:" not in out


def test_a_closing_comment_can_be_given_per_goal(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    done = wheel.close_period("2026-Q3", comments={2: "the desk opened in August"})
    assert [c.comment for c in done.closed][1] == "the desk opened in August"
    assert wheel.goal(2).closing_comment == "the desk opened in August"
    assert wheel.goal(2).moves[-1]["why"] == "the desk opened in August"


def test_a_carried_goal_starts_no_earlier_than_the_next_period(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    long = wheel.add(GOAL, {"title": "Long", "start": "2026-01-01", "due": "2026-09-30"})
    wheel.add(INDICATOR, {"goal_id": long.id, "name": "Share", "baseline": 0, "target": 100,
                          "start": "2026-01-01", "due": "2026-09-30",
                          "milestones": "2026-05-01=30,2026-08-01=60"})  # fmt: skip
    wheel.log(3, 50, "2026-06-01")
    (carried,) = wheel.close_period("2026-Q3", carry=[long.id]).carried
    new = wheel.goal(carried.goal_id or 0)
    assert (str(new.start), str(new.due)) == ("2026-10-01", "2026-12-31")
    (share,) = wheel.indicators(new.id)
    assert (str(share.start), share.baseline) == ("2026-10-01", 50)
    assert [(str(day), value) for day, value in share.milestones] == [("2026-11-01", 60)]


def test_closing_a_period_is_one_undo(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    before = documents(root)
    wheel.close_period("2026-Q3", carry=[1])
    assert wheel.history(1)[0]["by"] == "alice"
    # the rest of what came back, by kind
    assert wheel.undo().endswith("(and 1 indicator added, 1 goal added, 2 goals changed)")
    assert documents(root) == before


def test_a_dry_run_writes_nothing(root: Path, store_bytes: StoreBytes) -> None:
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    done = wheel.close_period("2026-Q3", carry=[1], dry_run=True)
    assert done.dry_run and [c.goal_id for c in done.carried] == [None]
    assert done.carried[0].indicators == (("Wait time", 18, 10),)
    assert store_bytes(root) == before


def test_every_reason_a_period_cannot_close_is_given(root: Path, store_bytes: StoreBytes) -> None:
    wheel = open_wheel(root, user="alice")
    wheel.log(1, 10, "2026-09-20")  # the last actual is the target: nothing left to carry
    before = store_bytes(root)
    with pytest.raises(ValidationError) as caught:
        wheel.close_period("2026-Q3", outcomes={3: "achieved", 2: "great"}, carry=[1])
    assert str(caught.value).splitlines() == [
        "goal 3 is not due in 2026-Q3",
        "goal 2: outcome 'great' is not one of: achieved, partly, missed, dropped",
        "cannot carry goal 1: indicator 1 'Wait time': target must differ from baseline",
    ]
    assert store_bytes(root) == before


def test_the_cli_closes_a_period(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_bytes(root)
    code, out, err = cli(root, capsys, "period", "close", "2026-Q3", "--outcome",
                         "Team desk=achieved", "--carry", "Shorter", "--dry-run")  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "dry run: period 2026-Q3 (2026-07-01 -> 2026-09-30)",
        "  would close goal 1 Shorter queues: missed (proposed from status off track)",
        "  would close goal 2 Team desk: achieved (as given)",
        "  would carry goal 1 Shorter queues into 2026-Q4 (2026-10-01 -> 2026-12-31)",
        "    Wait time: baseline 18, target 10",
        "    lessons kept: 1",
    ]
    assert store_bytes(root) == before
    code, out, _ = cli(root, capsys, "period", "close", "2026-Q3", "--outcome",
                       "Team desk=achieved", "--carry", "Shorter")  # fmt: skip
    assert out.splitlines()[3] == (
        "  carry goal 1 Shorter queues into 2026-Q4 as goal 4 (2026-10-01 -> 2026-12-31)"
    )
    assert open_wheel(root).goal(2).outcome == "achieved"
    code, out, _ = cli(root, capsys, "period", "close", "2026-Q3")
    assert out.splitlines()[1:] == ["  no open goal is due in it"]


@pytest.mark.parametrize(("argv", "message"), [
    (["period", "close", "2026-Q5"],
     "period '2026-Q5' is not a period; use a year (2026), a quarter (2026-Q3) or a month "
     "(2026-11)"),
    (["period", "close", "2026-Q3", "--outcome", "1"],
     "--outcome '1' must look like GOAL=achieved"),
    (["period", "close", "2026-Q3", "--outcome", "1=great"],
     "goal 1: outcome 'great' is not one of: achieved, partly, missed, dropped"),
    (["period", "close", "2026-Q3", "--carry", "Winter"], "goal 3 is not due in 2026-Q3"),
    (["period", "close", "2026-Q3", "--carry", "9"], "there is no goal 9"),
    (["period", "close", "2026-Q3", "--carry", "9", "--dry-run"], "there is no goal 9"),
])  # fmt: skip
def test_the_cli_refuses_a_bad_period_close(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:  # fmt: skip
    assert refuses(root, store_bytes, capsys, *argv) == message


# ---------------------------------------------------------------- filters


def _goal_ids(root: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> list[int]:
    code, out, err = cli(root, capsys, "status", "--goals", "--json", "--at", "2026-08-31", *argv)
    assert (code, err) == (0, "")
    return [row["goal_id"] for row in json.loads(out)]


def test_status_filters_by_owner_state_and_period(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    me = open_wheel(root).user
    open_wheel(root, user="alice").update(GOAL, 3, {"owner": me})
    assert _goal_ids(root, capsys) == [1, 2, 3]
    assert _goal_ids(root, capsys, "--owner", "me") == [3]
    assert _goal_ids(root, capsys, "--owner", "Alice") == [1]
    assert _goal_ids(root, capsys, "--state", "draft") == [3]
    assert _goal_ids(root, capsys, "--period", "2026-Q3") == [1, 2]
    assert _goal_ids(root, capsys, "--period", "2026-11", "--owner", "me") == [3]
    row = json.loads(cli(root, capsys, "status", "--goals", "--json", "--state", "active")[1])[0]
    assert (row["state"], row["agreed_by"], row["agreed_on"]) == (
        "active", "Kommunestyret", "2026-06-20",
    )  # fmt: skip
    _, out, _ = cli(root, capsys, "status", "--period", "2026-Q4", "--at", "2026-08-31")
    assert "Winter plan" in out and "Shorter queues" not in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--state", "done"], "state 'done' is not one of: draft, proposed, agreed, active, closed"),
    (["--period", "2026-Q5"], "period '2026-Q5' is not a period"),
])  # fmt: skip
def test_status_refuses_a_bad_filter(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:  # fmt: skip
    assert refuses(root, store_bytes, capsys, "status", *argv).startswith(message)


# ---------------------------------------------------------- future values


def test_a_value_dated_in_the_future_needs_confirming(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    message = refuses(root, store_bytes, capsys, "log", "Wait", "12", "--at", TOMORROW)
    assert message == (
        f"date {TOMORROW} is in the future; confirm it if it is meant (--future on the command "
        "line)"
    )
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    with pytest.raises(ValidationError, match="is in the future"):
        wheel.log(1, 12, TOMORROW)
    with pytest.raises(ValidationError, match=r"^row 2: date .* is in the future"):
        wheel.log_many([{"indicator_id": 1, "value": 1, "date": "2026-08-01"},
                        {"indicator_id": 1, "value": 2, "date": TOMORROW}])  # fmt: skip
    assert store_bytes(root) == before
    code, out, _ = cli(root, capsys, "log", "Wait", "12", "--at", TOMORROW, "--future")
    assert (code, out) == (0, f"logged the value 12 days of {TOMORROW} for Wait time\n")
    assert wheel.log(1, 11, TOMORROW, confirm_future=True).value == 11
    assert wheel.log(1, 13).date == date.today()


def test_a_value_moved_into_the_future_needs_confirming(
    root: Path, store_bytes: StoreBytes
) -> None:
    wheel = open_wheel(root, user="alice")
    first = wheel.measurements(1)[0]
    before = store_bytes(root)
    with pytest.raises(ValidationError, match="is in the future"):
        wheel.update_measurement(first.id, {"date": TOMORROW})
    assert store_bytes(root) == before
    assert wheel.update_measurement(first.id, {"note": "checked"}).note == "checked"
    moved = wheel.update_measurement(first.id, {"date": TOMORROW}, confirm_future=True)
    assert moved.date.isoformat() == TOMORROW
    assert wheel.update_measurement(moved.id, {"value": 27}).value == 27


def test_a_value_outside_its_indicators_period_is_kept_with_a_warning(
    root: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(root, capsys, "log", "wait time", "12", "--at", "2026-10-02")
    assert code == 0 and out.startswith("logged")
    assert err == (
        "styr: warning: dated after due 2026-09-30: outside the indicator's period;"
        " it is kept, but not compared\n"
    )
    code, _, err = cli(root, capsys, "log", "wait time", "15", "--at", "2026-09-01")
    assert (code, err) == (0, "")
    csv = tmp_path / "rows.csv"
    csv.write_text("indicator;date;value\nWait time;2026-06-30;31\nWait time;2026-08-01;20\n")
    code, out, _ = cli(root, capsys, "import", str(csv))
    assert code == 0
    assert "2 rows, 2026-06-30 to 2026-08-01, 1 outside its period (kept, not compared)" in out
    values = [m.value for m in open_wheel(root).measurements(1)]
    assert 12 in values and 31 in values


def test_after_a_carry_a_shared_name_means_the_indicator_of_the_days_period(
    root: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wheel = open_wheel(root, user="alice")
    done = wheel.close_period("2026-Q3", carry=[1])
    new_goal = done.carried[0].goal_id
    (new,) = wheel.indicators(new_goal)
    assert new.name == "Wait time" and new.id != 1
    code, _, err = cli(root, capsys, "log", "Wait time", "9", "--at", "2026-11-02")
    assert (code, err) == (0, "")
    code, _, err = cli(root, capsys, "log", "wait time", "14", "--at", "2026-09-02")
    assert (code, err) == (0, "")
    assert [m.value for m in open_wheel(root).measurements(new.id)] == [9]
    assert 14 in [m.value for m in open_wheel(root).measurements(1)]
    # with no day to go by, the indicator of the goal not closed is meant
    assert open_wheel(root).find(INDICATOR, "Wait time").id == new.id
    csv = tmp_path / "rows.csv"
    csv.write_text("indicator,date,value\nWait time,2026-08-03,19\nWait time,2026-12-01,8\n")
    code, out, _ = cli(root, capsys, "import", str(csv))
    assert code == 0, out
    after = open_wheel(root)
    assert [m.value for m in after.measurements(new.id)] == [9, 8]
    assert 19 in [m.value for m in after.measurements(1)]
    csv.write_text("indicator,date,value\nWait time,2027-03-01,8\n")
    code, _, err = cli(root, capsys, "import", str(csv))
    assert code == 2
    assert f"line 2: 'Wait time' names indicators 1, {new.id}, not one of them has" in err


def test_a_closed_goals_indicators_are_not_stale(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = cli(root, capsys, "status", "--at", "2026-09-29")
    assert "* stale: 2 without a value within its cadence" in out
    wheel = open_wheel(root, user="alice")
    for goal in (2, 1):
        wheel.move_goal(goal, "closed", outcome="partly", comment="c")
    _, out, _ = cli(root, capsys, "status", "--at", "2026-09-29")
    assert "stale" not in out
