"""Refused input gets every reason at once (stderr, exit 2) and writes
nothing, not even a new store; the rules a tester found missing (a review
of a day to come, a residual above the inherent risk, `me` as an owner);
and how the CLI ends when its output goes nowhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from steerhelp import StoreBytes, build, cli, documents, refuses

from store.backends import open_wheel
from store.errors import ValidationError
from store.service import GOAL, LESSON, RISK
from store.steering import parse_action

LATER = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build(path)
    return path


def reasons(err: str) -> list[str]:
    lines = err.splitlines()
    assert all(line.startswith("styr: ") for line in lines), err
    return [line.removeprefix("styr: ") for line in lines]


# ------------------------------------------------- a store not there yet


@pytest.fixture
def export_file(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "good.json"
    assert cli(root, capsys, "export", "--out", str(out))[0] == 0
    return out


def test_a_refused_import_creates_no_store(
    export_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(export_file.read_text())
    document["goals"][0]["title"] = ""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    new = tmp_path / "x" / "new"
    code, out, err = cli(new, capsys, "import", str(bad))
    assert (code, out) == (2, "")
    assert "goal 1: title must not be empty" in reasons(err)
    assert "created a new store" not in err
    # neither the store's folder nor the one above it that the write made
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("argv", "reason"), [
    (["add", "goal", ""], "title must not be empty"),
    (["add", "goal", "X", "--due", "soon"], "due 'soon' is not a date"),
    (["lesson", "add", "--planned", ""], "a lesson needs some text"),
    (["risk", "add", "1", "T", "--probability", "1", "--consequence", "1"], "there is no goal 1"),
    (["period", "close", "2026", "--carry", "1"], "there is no goal 1"),
])  # fmt: skip
def test_refused_input_on_a_missing_store_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], reason: str
) -> None:
    code, out, err = cli(tmp_path / "x" / "new", capsys, *argv)
    assert (code, out) == (2, "")
    assert any(line.startswith(reason) for line in reasons(err)), err
    assert list(tmp_path.iterdir()) == []


def test_a_refused_csv_import_creates_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = tmp_path / "m.csv"
    rows.write_text("indicator,date,value\nmedian wait,2026-01-01,3\n")
    code, out, err = cli(tmp_path / "x" / "new", capsys, "import", str(rows))
    assert (code, out, reasons(err)) == (2, "", ["line 2: no indicator is named 'median wait'"])
    assert not (tmp_path / "x").exists()


def test_the_store_verb_leaves_no_folder_when_its_first_change_is_refused(
    tmp_path: Path,
) -> None:
    wheel = open_wheel(tmp_path / "a" / "store", user="alice")
    with pytest.raises(ValidationError, match="parent 7 does not exist"):
        wheel.add(GOAL, {"title": "Under nothing", "parent_id": 7})
    assert not (tmp_path / "a").exists()
    assert wheel.take_notices() == []
    # the next change makes the store as usual
    wheel.add(GOAL, {"title": "First"})
    assert wheel.take_notices() == [f"created a new store at {tmp_path / 'a' / 'store'}"]
    assert [g.title for g in open_wheel(tmp_path / "a" / "store").goals()] == ["First"]


def test_a_dry_run_import_into_a_missing_store_says_what_it_would_add(
    export_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "x" / "new2"
    code, out, err = cli(new, capsys, "import", str(export_file), "--dry-run")
    assert (code, err) == (0, "")
    assert out == (
        "would add 1 goal\nwould add 1 indicator\nwould add 2 measurements\n"
        "dry run: nothing was written\n"
    )
    assert not (tmp_path / "x").exists()


# -------------------------------------------------------- every reason


def test_revise_tells_every_bad_field(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    told = refuses(root, store_bytes, capsys, "revise", "Wait", "--target", "abc",
                   "--milestones", "x=y", "--reason", "r")  # fmt: skip
    assert reasons("styr: " + told) == [
        "target 'abc' is not a number",
        "milestone date 'x' is not a date; use YYYY-MM-DD, today, yesterday, or -Nd / -Nw "
        "(days / weeks ago)",
        "milestone value 'y' is not a number",
    ]
    told = refuses(root, store_bytes, capsys, "revise", "Wait", "--target", "abc",
                   "--lesson", "4")  # fmt: skip
    assert reasons("styr: " + told) == [
        "a revision needs a reason: say why the plan changes",
        "target 'abc' is not a number",
        "there is no lesson 4",
    ]


def test_risk_add_tells_every_bad_score(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    told = refuses(root, store_bytes, capsys, "risk", "add", "1", "Bad", "--probability", "6",
                   "--consequence", "0", "--residual", "9")  # fmt: skip
    assert reasons("styr: " + told) == [
        "residual '9' must be probability,consequence like 2,3",
        "probability must be between 1 and 5, not 6",
        "consequence must be between 1 and 5, not 0",
    ]
    told = refuses(root, store_bytes, capsys, "risk", "add", "99", "", "--probability", "3",
                   "--consequence", "3", "--residual", "x,7")  # fmt: skip
    assert reasons("styr: " + told) == [
        "there is no goal 99",
        "residual probability 'x' is not a whole number",
        "residual consequence must be between 1 and 5, not 7",
        "title must not be empty",
    ]


@pytest.mark.parametrize("goal", ["1", "99"])
def test_lesson_add_tells_every_bad_action_and_the_missing_goal(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], goal: str
) -> None:
    told = refuses(root, store_bytes, capsys, "lesson", "add", "--goal", goal, "--planned", "",
                   "--happened", "", "--action", "a|y|notadate", "--action", "x|y|2026-99-99",
                   "--action", "a|b|c|d")  # fmt: skip
    assert reasons("styr: " + told) == [
        "action 3: action 'a|b|c|d' has more than what|owner|due",
        *(["there is no goal 99"] if goal == "99" else []),
        "action 1: action due 'notadate' is not a date; use YYYY-MM-DD, today, yesterday, or "
        "-Nd / -Nw (days / weeks ago)",
        "action 2: action due '2026-99-99' is not a real date",
        "a lesson needs some text: fill in at least one of planned, happened, why, sustain, "
        "improve",
    ]


def test_the_lesson_verb_tells_every_bad_action(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    with pytest.raises(ValidationError) as caught:
        wheel.add(LESSON, {"happened": "x", "actions": [
            parse_action("|bob"), parse_action("b|ann|soon"), parse_action("c")]})  # fmt: skip
    assert caught.value.problems == [
        ("action", "action 1: action must not be empty"),
        ("action due", "action 2: action due 'soon' is not a date; use YYYY-MM-DD, today, "
                       "yesterday, or -Nd / -Nw (days / weeks ago)"),
    ]  # fmt: skip
    assert wheel.lessons() == []


@pytest.mark.parametrize("period", ["2026", "2027"])
def test_period_close_tells_every_bad_outcome_and_carry(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], period: str
) -> None:
    told = refuses(root, store_bytes, capsys, "period", "close", period, "--outcome", "1=bogus",
                   "--outcome", "zzz=partly", "--outcome", "nothing", "--carry", "99")  # fmt: skip
    assert reasons("styr: " + told) == [
        "goal 1: outcome 'bogus' is not one of: achieved, partly, missed, dropped",
        "no goal is named 'zzz'",
        "--outcome 'nothing' must look like GOAL=achieved",
        "there is no goal 99",
        "goal 1 is not due in 2027"
        if period == "2027"
        else "goal 1 is draft, never agreed: closing the period leaves it as it is (carry it,"
        " or agree and activate it first)",
    ]


# ------------------------------------------------------------- reviews


def test_a_review_of_a_day_to_come_is_refused(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    told = refuses(root, store_bytes, capsys, "review", "Wait", "--judgement", "good",
                   "--confidence", "8", "--at", LATER, "--cause", "external",
                   "--decision", "continue")  # fmt: skip
    assert reasons("styr: " + told) == [
        f"the review's day {LATER} is after today ({date.today()}): a review judges what has "
        "happened",
        "judgement 'good' is not one of: on_track, at_risk, off_track",
    ]
    wheel = open_wheel(root, user="alice")
    with pytest.raises(ValidationError) as caught:
        wheel.record_review(judgement="on_track", confidence=8, indicator_id=1, when=LATER)
    assert caught.value.field == "date"
    # today is a day that has happened
    done = wheel.record_review(judgement="off_track", confidence=8, goal_id=1, cause="internal",
                               decision="escalate")  # fmt: skip
    assert done.date == date.today()


# --------------------------------------------------------------- risks


def test_a_residual_above_the_inherent_risk_is_refused(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    told = refuses(root, store_bytes, capsys, "risk", "add", "1", "Worse", "--probability", "3",
                   "--consequence", "3", "--residual", "4,4")  # fmt: skip
    assert reasons("styr: " + told) == [
        "residual probability 4 is above the inherent 3: mitigation cannot make a risk worse",
        "residual consequence 4 is above the inherent 3: mitigation cannot make a risk worse",
    ]
    wheel = open_wheel(root, user="alice")
    risk = wheel.add(RISK, {"goal_id": 1, "title": "Staff", "probability": 4, "consequence": 4,
                            "residual_probability": 4, "residual_consequence": 2})  # fmt: skip
    # lowering the inherent score below the residual is the same slip
    with pytest.raises(ValidationError) as caught:
        wheel.update(RISK, risk.id, {"probability": 3})
    assert caught.value.problems == [
        ("residual_probability",
         "residual probability 4 is above the inherent 3: mitigation cannot make a risk worse"),
    ]  # fmt: skip
    assert wheel.get(RISK, risk.id).probability == 4


def test_a_store_written_before_the_residual_rule_still_opens(root: Path) -> None:
    wheel_file = root / "wheel.json"
    data = json.loads(wheel_file.read_text())
    data["risks"] = {"1": {"goal_id": 1, "title": "Old", "probability": 2, "consequence": 2,
                           "residual_probability": 3, "residual_consequence": 3}}  # fmt: skip
    wheel_file.write_text(json.dumps(data))
    [risk] = open_wheel(root).risks()
    assert (risk.title, risk.residual_score) == ("Old", 9)


def test_risk_accept_without_by_is_accepted_by_the_current_user(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_wheel(root, user="alice").add(
        RISK, {"goal_id": 1, "title": "Staff", "probability": 4, "consequence": 4}
    )
    me = open_wheel(root).user
    code, out, err = cli(root, capsys, "risk", "accept", "1")
    assert (code, out, err) == (0, f"risk 1 Staff accepted by {me} on {date.today()}\n", "")
    assert open_wheel(root).get(RISK, 1).accepted_by == me
    with pytest.raises(SystemExit):
        cli(root, capsys, "risk", "accept", "--help")
    assert "a person or a body (default: you)" in " ".join(capsys.readouterr().out.split())


# ------------------------------------------------------------ me as owner


def test_me_as_an_owner_is_stored_as_the_current_user(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    me = open_wheel(root).user
    assert cli(root, capsys, "add", "goal", "Mine", "--owner", "me")[:2] == (
        0, "added goal 2: Mine\n",
    )  # fmt: skip
    assert documents(root)["goals"][2]["owner"] == me
    out = cli(root, capsys, "status", "--owner", "me", "--goals", "--json")[1]
    assert [r["goal_id"] for r in json.loads(out)] == [2]
    wheel = open_wheel(root, user="bob")
    # a `me` stored before is whoever typed it: another's edit keeps it
    with wheel.transaction():
        wheel.backend.put(GOAL.table, 1, dict(wheel.backend.get(GOAL.table, 1)) | {"owner": "me"})
    assert wheel.update(GOAL, 1, {"title": "Renamed"}).owner == "me"
    assert wheel.update(GOAL, 1, {"owner": " ME "}).owner == "bob"
    lesson = wheel.add(LESSON, {"happened": "x", "actions": [parse_action("a|me"),
                                                             parse_action("b|ann")]})  # fmt: skip
    assert [a.owner for a in lesson.actions] == ["bob", "ann"]
    assert [x.action.what for x in wheel.actions(owner="me")] == ["a"]


# ---------------------------------------------------------- --out files


@pytest.mark.parametrize("command", ["report", "export"])
def test_a_file_that_cannot_be_written_is_named_as_given(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    target = tmp_path / "nonexistent" / "dir" / "r.md"
    code, out, err = cli(root, capsys, command, "--out", str(target))
    assert (code, out) == (1, "")
    assert reasons(err) == [f"could not write {target}: No such file or directory"]
    assert not (tmp_path / "nonexistent").exists()


# ------------------------------------------------------- a closed stdout


def closed_stdout(root: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    """styr with its stdout a pipe nobody reads (a pager or head that quit)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-c", "from tui.cli import run; run()", "--store", str(root), *argv],
            stdout=write, stderr=subprocess.PIPE, check=False, timeout=60,
        )  # fmt: skip
    finally:
        os.close(write)


def test_a_closed_stdout_ends_a_command_quietly(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    for day in ("2026-07-21", "2026-07-22"):
        wheel.record_review(judgement="on_track", confidence=8, goal_id=1, when=day)
    done = closed_stdout(root, "reviews")
    assert (done.returncode, done.stderr) == (0, b"")
    # a writing command prints after its change is committed: the change stands
    done = closed_stdout(root, "add", "goal", "Quiet")
    assert (done.returncode, done.stderr) == (0, b"")
    assert [g.title for g in open_wheel(root).goals()] == ["Shorter queues", "Quiet"]


# ------------------------------------------------------ status filters


def test_status_says_no_goal_matches_the_filters(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(root, capsys, "status", "--owner", "nobody", "--state", "active")
    assert (code, out, err) == (0, "no goal matches --owner nobody --state active\n", "")
    assert cli(root, capsys, "status", "--period", "2027")[1] == "no goal matches --period 2027\n"
    empty = tmp_path / "empty"
    open_wheel(empty, user="alice").add(GOAL, {"title": "x"})
    open_wheel(empty, user="alice").delete(GOAL, 1)
    assert cli(empty, capsys, "status", "--owner", "nobody")[1] == (
        "no goals yet: add one with  styr add goal TITLE\n"
    )


@pytest.mark.parametrize(("argv", "told"), [
    (["add", "goal", "", "--parent", "99", "--state", "agreed"],
     ["a new goal starts as draft or proposed, not agreed; then move it: "
      "styr goal propose|agree|activate|close", "there is no goal 99", "title must not be empty"]),
    (["add", "indicator", "99", "", "--baseline", "x", "--target", "5", "--due", "2026-12-31"],
     ["there is no goal 99", "name must not be empty", "baseline 'x' is not a number"]),
    (["review", "nosuch", "--judgement", "bad", "--confidence", "11"],
     ["no indicator is named 'nosuch'", "judgement 'bad' is not one of: on_track, at_risk, "
      "off_track", "confidence must be between 0 and 10, not 11"]),
])  # fmt: skip
def test_a_missing_goal_or_indicator_is_told_with_the_other_reasons(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    told: list[str],
) -> None:  # fmt: skip
    assert reasons("styr: " + refuses(root, store_bytes, capsys, *argv)) == told
