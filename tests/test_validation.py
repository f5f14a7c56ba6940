"""Bad input is refused with one clear sentence and nothing is written, whether
it comes through the service API or the command line; user text is kept as
typed (but for the ends) and printed literally."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from store.backends import open_wheel
from store.dates import ACCEPTED_FORMS
from store.errors import Ambiguous, BadInput, NotFound, ValidationError
from store.service import GOAL, INDICATOR, LESSON, REVIEW, RISK, Kind, Wheel
from tui.cli import main

StoreBytes = Callable[[Path], dict[str, bytes]]

# the seeded store: goal 1 with a year's period, indicator 1 bringing a wait down
GOAL_BASE: dict[str, Any] = {"title": "Shorter queues"}
INDICATOR_BASE: dict[str, Any] = {
    "goal_id": 1,
    "name": "Wait time",
    "baseline": 30,
    "target": 10,
    "direction": "decrease",
    "start": "2026-01-01",
    "due": "2026-12-31",
}
REVIEW_BASE: dict[str, Any] = {"indicator_id": 1, "judgement": "on_track", "confidence": 7}
LESSON_BASE: dict[str, Any] = {"happened": "The queue grew in July."}
RISK_BASE: dict[str, Any] = {"goal_id": 1, "title": "Staff leave", "probability": 3,
                             "consequence": 4}  # fmt: skip
BASES: dict[str, dict[str, Any]] = {
    "goal": GOAL_BASE,
    "indicator": INDICATOR_BASE,
    "review": REVIEW_BASE,
    "lesson": LESSON_BASE,
    "risk": RISK_BASE,
}
KINDS: dict[str, Kind[Any]] = {
    "goal": GOAL, "indicator": INDICATOR, "review": REVIEW, "lesson": LESSON, "risk": RISK,
}  # fmt: skip
NOT_ONE_OF = "is not one of:"
TURNING_BACK = "towards target 10 without turning back"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    wheel = open_wheel(path, user="alice")
    wheel.add(GOAL, GOAL_BASE | {"start": "2026-01-01", "due": "2026-12-31"})
    wheel.add(INDICATOR, INDICATOR_BASE)
    wheel.log(1, 25, "2026-02-01")
    return path


def _one_sentence(message: str) -> None:
    assert message and "\n" not in message and len(message) < 200
    assert "Traceback" not in message and "Error" not in message


# ---------------------------------------------------------------- the API

API_CASES: list[tuple[str, dict[str, Any], str]] = [
    # empty titles and names
    ("goal", {"title": ""}, "title must not be empty"),
    ("goal", {"title": "   "}, "title must not be empty"),
    ("goal", {"title": None}, "title must not be empty"),
    ("goal", {"title": 5}, "title must be text"),
    ("indicator", {"name": " \t "}, "name must not be empty"),
    ("risk", {"title": ""}, "title must not be empty"),
    ("lesson", {"actions": [{"what": "  "}]}, "action must not be empty"),
    # numbers that are not finite or not numbers
    ("indicator", {"baseline": "abc"}, "baseline 'abc' is not a number"),
    ("indicator", {"baseline": ""}, "baseline is missing: give a number"),
    ("indicator", {"baseline": True}, "baseline must be a number"),
    ("indicator", {"baseline": "1,000"},
     "baseline '1,000' is ambiguous: write it without the comma, or with a decimal point"),
    ("indicator", {"target": "nan"}, "target must be a finite number, not 'nan'"),
    ("indicator", {"target": "inf"}, "target must be a finite number, not 'inf'"),
    ("indicator", {"target": "-inf"}, "target must be a finite number, not '-inf'"),
    ("indicator", {"target": "1e999"}, "target must be a finite number, not '1e999'"),
    ("indicator", {"baseline": float("nan")}, "baseline must be a finite number, not nan"),
    ("indicator", {"baseline": 10**400}, "baseline is too large to be a number here"),
    ("goal", {"weight": "nan"}, "weight must be a finite number, not 'nan'"),
    ("goal", {"weight": 0}, "weight must be above 0, not 0"),
    ("indicator", {"weight": "-2"}, "weight must be above 0, not -2"),
    # impossible dates
    ("goal", {"start": "2026-02-30"}, "start '2026-02-30' is not a real date"),
    ("goal", {"due": "tomorrowish"}, f"due 'tomorrowish' is not a date; use {ACCEPTED_FORMS}"),
    ("goal", {"start": 20260101}, f"start must be a date ({ACCEPTED_FORMS})"),
    ("indicator", {"start": "2026-13-01"}, "start '2026-13-01' is not a real date"),
    ("review", {"date": "2026-02-29"}, "date '2026-02-29' is not a real date"),
    ("lesson", {"actions": [{"what": "x", "due": "2026-04-31"}]},
     "action due '2026-04-31' is not a real date"),
    ("risk", {"due": "soonish"}, f"due 'soonish' is not a date; use {ACCEPTED_FORMS}"),
    # due before start
    ("goal", {"start": "2026-03-01", "due": "2026-01-01"},
     "due 2026-01-01 is before start 2026-03-01"),
    ("indicator", {"start": "2026-12-31", "due": "2026-01-01"},
     "due 2026-01-01 is before start 2026-12-31"),
    ("indicator", {"due": "2026-01-01"}, "due 2026-01-01 must come after start 2026-01-01"),
    ("indicator", {"due": ""}, "an indicator needs a due date"),
    # target against baseline and direction
    ("indicator", {"target": 30}, "target must differ from baseline"),
    ("indicator", {"direction": "increase", "baseline": 10, "target": "10.0"},
     "target must differ from baseline"),
    ("indicator", {"direction": "increase"},
     "target 10 is below baseline 30; use direction decrease"),
    ("indicator", {"target": 40}, "target 40 is above baseline 30; use direction increase"),
    ("indicator", {"direction": "sideways"},
     f"direction 'sideways' {NOT_ONE_OF} increase, decrease, at_least, at_most"),
    # unknown references
    ("goal", {"parent_id": 99}, "parent 99 does not exist"),
    ("goal", {"parent_id": 0}, "parent 0 does not exist; ids start at 1"),
    ("goal", {"parent_id": "abc"}, "parent 'abc' is not an id (a whole number)"),
    ("indicator", {"goal_id": 99}, "goal 99 does not exist"),
    ("indicator", {"goal_id": None}, "goal is missing: give its id"),
    ("review", {"indicator_id": 99}, "indicator 99 does not exist"),
    ("review", {"goal_id": 1}, "a review is of one goal or one indicator"),
    ("review", {"indicator_id": None}, "a review is of one goal or one indicator"),
    ("lesson", {"goal_id": 99}, "goal 99 does not exist"),
    ("risk", {"goal_id": 99}, "goal 99 does not exist"),
    # scores out of range
    ("risk", {"probability": 0}, "probability must be between 1 and 5, not 0"),
    ("risk", {"probability": "6"}, "probability must be between 1 and 5, not 6"),
    ("risk", {"consequence": 0}, "consequence must be between 1 and 5, not 0"),
    ("risk", {"consequence": 6}, "consequence must be between 1 and 5, not 6"),
    ("risk", {"probability": ""}, "probability is missing: give a whole number from 1 to 5"),
    ("risk", {"probability": 2.5}, "probability must be a whole number, not 2.5"),
    ("risk", {"residual_probability": 6},
     "residual probability must be between 1 and 5, not 6"),
    ("risk", {"residual_consequence": "0"},
     "residual consequence must be between 1 and 5, not 0"),
    ("risk", {"state": "gone"}, f"state 'gone' {NOT_ONE_OF} open, mitigated, occurred, closed"),
    ("review", {"confidence": 11}, "confidence must be between 0 and 10, not 11"),
    ("review", {"confidence": -1}, "confidence must be between 0 and 10, not -1"),
    ("review", {"confidence": "high"}, "confidence 'high' is not a whole number"),
    ("review", {"confidence": None},
     "confidence is missing: give a whole number from 0 to 10"),
    ("review", {"judgement": "great"},
     f"judgement 'great' {NOT_ONE_OF} on_track, at_risk, off_track"),
    ("review", {"judgement": ""},
     "judgement is missing: choose one of on_track, at_risk, off_track"),
    # milestones out of order, outside start..due, turning back
    ("indicator", {"milestones": "2026-06-01=20, 2026-03-01=25"},
     "milestones are out of order at 2026-03-01"),
    ("indicator", {"milestones": "2026-03-01=25; 2026-03-01=20"},
     "milestones are out of order at 2026-03-01"),
    ("indicator", {"milestones": "2027-01-15=15"},
     "milestone 2027-01-15 must lie strictly between start 2026-01-01 and due 2026-12-31"),
    ("indicator", {"milestones": [["2026-01-01", 25]]},
     "milestone 2026-01-01 must lie strictly between start 2026-01-01 and due 2026-12-31"),
    ("indicator", {"milestones": "2026-03-01=20, 2026-06-01=25"},
     f"milestone 2026-06-01=25 must move from baseline 30 {TURNING_BACK}"),
    ("indicator", {"milestones": "2026-03-01=35"},
     f"milestone 2026-03-01=35 must move from baseline 30 {TURNING_BACK}"),
    ("indicator", {"milestones": "2026-03-01=5"},
     f"milestone 2026-03-01=5 must move from baseline 30 {TURNING_BACK}"),
    ("indicator", {"milestones": "2026-03-01"},
     "milestone '2026-03-01' must look like 2026-03-01=20"),
    ("indicator", {"milestones": "2026-02-30=20"},
     "milestone date '2026-02-30' is not a real date"),
    ("indicator", {"milestones": "2026-03-01=lots"}, "milestone value 'lots' is not a number"),
    ("indicator", {"milestones": [["2026-03-01"]]}, "each milestone is a (date, value) pair"),
    ("indicator", {"direction": "at_most", "milestones": "2026-03-01=20"},
     "milestones belong to increase and decrease indicators; a at_most indicator holds its "
     "target the whole time"),
    # unknown field names
    ("goal", {"colour": "red"}, "goal has no field 'colour'"),
    ("indicator", {"unit_name": "days"}, "indicator has no field 'unit_name'"),
    ("review", {"mood": "good"}, "review has no field 'mood'"),
    ("lesson", {"learned": "x"}, "lesson has no field 'learned'"),
    ("risk", {"impact": 3}, "risk has no field 'impact'"),
    ("lesson", {"actions": [{"what": "x", "who": "ola"}]}, "an action has no field 'who'"),
    # tolerance out of range
    ("indicator", {"tolerance": 1},
     "tolerance must be at least 0 and below 1 (0.1 = 10 %), not 1"),
    ("indicator", {"tolerance": "-0.1"},
     "tolerance must be at least 0 and below 1 (0.1 = 10 %), not -0.1"),
    ("indicator", {"tolerance": "10%"}, "tolerance '10%' is not a number"),
    # closing and agreeing
    ("goal", {"state": "closed"},
     "a closed goal needs an outcome: one of achieved, partly, missed, dropped"),
    ("goal", {"outcome": "achieved"}, "only a closed goal has an outcome"),
    ("goal", {"state": "closed", "outcome": "great"},
     f"outcome 'great' {NOT_ONE_OF} achieved, partly, missed, dropped"),
    ("goal", {"state": "finished"},
     f"state 'finished' {NOT_ONE_OF} draft, proposed, agreed, active, closed"),
    # a review outside tolerance must say why and what now
    ("review", {"comparison": {"status": "off_track"}},
     "the result is off track: give the deviation's cause and the decision"),
    ("review", {"comparison": {"status": "at_risk"}, "deviation": {}},
     "the result is at risk: give the deviation's cause and the decision"),
    ("review", {"comparison": {"status": "missed"}, "deviation": {"cause": None}},
     "the result is missed: give the deviation's cause and the decision"),
    ("review", {"comparison": {"status": "off_track"}, "deviation": {"cause": "internal"}},
     "decision is missing: choose one of continue, adjust_measure, adjust_target, escalate"),
    ("review", {"deviation": {"cause": "weather", "decision": "continue"}},
     f"cause 'weather' {NOT_ONE_OF} internal, external, measurement"),
    ("review", {"comparison": "on track"}, "comparison must be the frozen comparison result"),
    ("review", {"deviation": "internal"}, "deviation must give a cause and a decision"),
    ("review", {"deviation": {"cause": "internal", "decision": "continue", "reason": "x"}},
     "a deviation has no field 'reason'"),
    # lessons and their actions
    ("lesson", {"happened": "   "},
     "a lesson needs some text: fill in at least one of planned, happened, why, sustain, "
     "improve"),
    ("lesson", {"actions": "call Ola"}, "actions must be a list"),
    ("lesson", {"actions": ["call Ola"]}, "each action gives what, owner, due and done"),
    ("lesson", {"actions": [{"what": "x", "done": "maybe"}]},
     "action done 'maybe' is not yes or no"),
    # the revision trail of a target
    ("indicator", {"revisions": "raised"}, "revisions must be a list of target changes"),
    ("indicator", {"revisions": [{"old": 12, "new": 10, "at": "2026-03-01", "why": " "}]},
     "revision reason must not be empty"),
    ("indicator", {"revisions": [{"old": "x", "new": 10, "at": "2026-03-01", "why": "y"}]},
     "revision old target 'x' is not a number"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "changes", "message"), API_CASES)
def test_api_refuses_with_one_sentence_and_writes_nothing(
    root: Path, store_bytes: StoreBytes, kind: str, changes: dict[str, Any], message: str
) -> None:
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    with pytest.raises(ValidationError) as caught:
        wheel.add(KINDS[kind], BASES[kind] | changes)
    assert str(caught.value) == message
    _one_sentence(str(caught.value))
    assert store_bytes(root) == before


@pytest.mark.parametrize(("kind", "changes"), [
    ("goal", {"title": "  "}),
    ("goal", {"due": "2025-01-01"}),
    ("indicator", {"target": "30"}),
    ("indicator", {"tolerance": 2}),
    ("indicator", {"milestones": "2026-03-01=40"}),
    ("goal", {"parent_id": 7}),
])  # fmt: skip
def test_updates_are_checked_like_additions(
    root: Path, store_bytes: StoreBytes, kind: str, changes: dict[str, Any]
) -> None:
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    with pytest.raises(ValidationError):
        wheel.update(KINDS[kind], 1, changes)
    assert store_bytes(root) == before


def test_a_goal_cannot_go_under_itself_or_its_descendant(
    root: Path, store_bytes: StoreBytes
) -> None:
    wheel = open_wheel(root, user="alice")
    team = wheel.add(GOAL, {"title": "Team", "parent_id": 1})
    person = wheel.add(GOAL, {"title": "Person", "parent_id": team.id})
    before = store_bytes(root)
    with pytest.raises(ValidationError) as caught:
        wheel.update(GOAL, 1, {"parent_id": person.id})
    assert str(caught.value) == f"a goal cannot be placed under its own sub-goal {person.id}"
    with pytest.raises(ValidationError) as caught:
        wheel.update(GOAL, 1, {"parent_id": 1})
    assert str(caught.value) == "a goal cannot be placed under itself"
    assert store_bytes(root) == before
    assert wheel.goal(1).parent_id is None


@pytest.mark.parametrize(("value", "when", "message"), [
    ("abc", "2026-03-01", "value 'abc' is not a number"),
    ("nan", "2026-03-01", "value must be a finite number, not 'nan'"),
    ("inf", "2026-03-01", "value must be a finite number, not 'inf'"),
    ("-Infinity", "2026-03-01", "value must be a finite number, not '-Infinity'"),
    (float("inf"), "2026-03-01", "value must be a finite number, not inf"),
    ("", "2026-03-01", "value is missing: give a number"),
    ("5", "2026-02-30", "date '2026-02-30' is not a real date"),
    ("5", "tomorrowish", f"date 'tomorrowish' is not a date; use {ACCEPTED_FORMS}"),
])  # fmt: skip
def test_measurements_refuse_bad_values_and_dates(
    root: Path, store_bytes: StoreBytes, value: object, when: str, message: str
) -> None:
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    with pytest.raises(ValidationError) as caught:
        wheel.log(1, value, when)
    assert str(caught.value) == message
    with pytest.raises(ValidationError) as caught:
        wheel.log_many([{"indicator_id": 1, "value": 3, "date": "2026-03-01"},
                        {"indicator_id": 1, "value": value, "date": when}])  # fmt: skip
    assert str(caught.value) == f"row 2: {message}"
    assert store_bytes(root) == before
    assert wheel.series(1) == [(wheel.measurements(1)[0].date, 25.0)]


def test_a_measurement_of_no_indicator_is_refused(root: Path, store_bytes: StoreBytes) -> None:
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    with pytest.raises(ValidationError, match=r"^indicator 99 does not exist$"):
        wheel.log(99, 5)
    assert store_bytes(root) == before


@pytest.mark.parametrize(("kind", "changes", "stored"), [
    ("goal", {"direction": None, "state": " Active "}, ("state", "active")),
    ("indicator", {"direction": "Decrease"}, ("direction", "decrease")),
    ("indicator", {"direction": "at least", "target": 20}, ("direction", "at_least")),
    ("indicator", {"baseline": "30,5"}, ("baseline", 30.5)),
    ("indicator", {"baseline": "30,12"}, ("baseline", 30.12)),
    ("indicator", {"baseline": "0,125", "target": "0,1"}, ("baseline", 0.125)),
    ("review", {"judgement": "on-track", "confidence": " 7 "}, ("judgement", "on_track")),
    ("lesson", {"actions": [{"what": "x", "done": "ja"}]}, ("actions", ({"done": True},))),
])  # fmt: skip
def test_forgiving_spellings_are_understood(
    root: Path, kind: str, changes: dict[str, Any], stored: tuple[str, Any]
) -> None:
    changes = {k: v for k, v in changes.items() if v is not None}
    doc = open_wheel(root, user="alice").add(KINDS[kind], BASES[kind] | changes)
    name, value = stored
    if name == "actions":
        assert [a.done for a in getattr(doc, name)] == [True]
    else:
        assert getattr(doc, name) == value


def test_a_review_within_tolerance_may_leave_the_deviation_blank(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    blank = {"cause": None, "decision": ""}
    review = wheel.add(
        REVIEW, REVIEW_BASE | {"comparison": {"status": "on_track"}, "deviation": blank}
    )
    assert (review.cause, review.decision) == (None, None)


# ---------------------------------------------------------------- the CLI

ADD_IND = ["add", "indicator", "1", "Served"]

CLI_CASES: list[tuple[list[str], str]] = [
    (["log", "1", "abc"], "value 'abc' is not a number"),
    (["log", "1", "nan"], "value must be a finite number, not 'nan'"),
    (["log", "1", "inf"], "value must be a finite number, not 'inf'"),
    (["log", "1", "1e999"], "value must be a finite number, not '1e999'"),
    (["log", "1", " "], "value is missing: give a number"),
    (["log", "1", "5", "--at", "2026-02-30"], "date '2026-02-30' is not a real date"),
    (["log", "1", "5", "--at", "tomorrowish"],
     f"date 'tomorrowish' is not a date; use {ACCEPTED_FORMS}"),
    (["log", "99", "5"], "there is no indicator 99"),
    (["log", "Served", "5"], "no indicator is named 'Served'"),
    (["add", "goal", "  "], "title must not be empty"),
    (["add", "goal", "X", "--start", "2026-03-01", "--due", "2026-01-01"],
     "due 2026-01-01 is before start 2026-03-01"),
    (["add", "goal", "X", "--start", "2026-02-30"], "start '2026-02-30' is not a real date"),
    (["add", "goal", "X", "--due", "someday"],
     f"due 'someday' is not a date; use {ACCEPTED_FORMS}"),
    (["add", "goal", "X", "--parent", "99"], "there is no goal 99"),
    (["add", "goal", "X", "--parent", "nosuch"], "no goal is named 'nosuch'"),
    (["add", "goal", "X", "--state", "closed"],
     "a new goal starts as draft or proposed, not closed; then move it: "
     "styr goal propose|agree|activate|close"),
    (["add", "goal", "X", "--state", "done"],
     f"state 'done' {NOT_ONE_OF} draft, proposed, agreed, active, closed"),
    ([*ADD_IND, "--baseline", "5", "--target", "5"], "target must differ from baseline"),
    ([*ADD_IND, "--baseline", "10", "--target", "5"],
     "target 5 is below baseline 10; use direction decrease"),
    ([*ADD_IND, "--baseline", "5", "--target", "10", "--direction", "decrease"],
     "target 10 is above baseline 5; use direction increase"),
    ([*ADD_IND, "--baseline", "abc", "--target", "10"], "baseline 'abc' is not a number"),
    ([*ADD_IND, "--baseline", "0", "--target", "nan"],
     "target must be a finite number, not 'nan'"),
    ([*ADD_IND, "--baseline", "0", "--target", "inf"],
     "target must be a finite number, not 'inf'"),
    (["add", "indicator", "99", "Served", "--baseline", "0", "--target", "10"],
     "there is no goal 99"),
    (["add", "indicator", "1", "  ", "--baseline", "0", "--target", "10"],
     "name must not be empty"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--due", "2025-06-01"],
     "due 2025-06-01 is before start 2026-01-01"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--start", "2026-02-30"],
     "start '2026-02-30' is not a real date"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--tolerance", "1.5"],
     "tolerance must be at least 0 and below 1 (0.1 = 10 %), not 1.5"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--tolerance", "-0.1"],
     "tolerance must be at least 0 and below 1 (0.1 = 10 %), not -0.1"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--weight", "0"],
     "weight must be above 0, not 0"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--direction", "sideways"],
     f"direction 'sideways' {NOT_ONE_OF} increase, decrease, at_least, at_most"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--milestones", "2026-06-01=5,2026-03-01=6"],
     "milestones are out of order at 2026-03-01"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--milestones", "2027-02-01=5"],
     "milestone 2027-02-01 must lie strictly between start 2026-01-01 and due 2026-12-31"),
    ([*ADD_IND, "--baseline", "0", "--target", "10", "--milestones", "2026-03-01=6,2026-06-01=4"],
     "milestone 2026-06-01=4 must move from baseline 0 towards target 10 without turning back"),
]  # fmt: skip


def _cli(root: Path, argv: list[str]) -> int:
    return main(["--store", str(root), *argv])


@pytest.mark.parametrize(("argv", "message"), CLI_CASES)
def test_cli_refuses_with_exit_2_and_writes_nothing(
    root: Path,
    store_bytes: StoreBytes,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    before = store_bytes(root)
    assert _cli(root, argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"styr: {message}\n"
    assert store_bytes(root) == before


@pytest.mark.parametrize(("argv", "reason"), [
    (["add", "goal", "X", "--colour", "red"], "unrecognized arguments: --colour red"),
    (["log", "1"], "the following arguments are required: value"),
    (["add", "indicator", "1", "Served", "--target", "10"],
     "the following arguments are required: --baseline"),
])  # fmt: skip
def test_cli_usage_errors_exit_2_and_write_nothing(
    root: Path,
    store_bytes: StoreBytes,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    reason: str,
) -> None:
    before = store_bytes(root)
    assert _cli(root, argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"styr: {reason}\nusage: ")
    assert store_bytes(root) == before


# ------------------------------------------------------- text, as typed


def test_text_is_stored_as_typed_but_for_the_ends(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    goal = wheel.add(
        GOAL,
        {"title": "  [bold]x[/]  ", "description": "\n  line one\n  line  two \t\n", "owner": " ",
         "tags": " kø,  [red] "},
    )  # fmt: skip
    again = open_wheel(root, user="bob").goal(goal.id)
    assert again.title == "[bold]x[/]"
    assert again.description == "line one\n  line  two"
    assert again.owner == ""
    assert again.tags == ("kø", "[red]")
    note = wheel.log(1, 5, "2026-03-01", note="  \x1b[31mred\x1b[0m  ")
    assert wheel.measurement(note.id).note == "\x1b[31mred\x1b[0m"


def test_cli_stores_markup_as_typed_and_prints_it_literally(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(root, ["add", "goal", "  [bold]x[/]  "]) == 0
    assert capsys.readouterr().out == "added goal 2: [bold]x[/]\n"
    assert open_wheel(root, user="bob").goal(2).title == "[bold]x[/]"


def test_cli_shows_control_characters_instead_of_obeying_them(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "Wait\x1b[2J\x1b]0;pwned\x07 \u202eevil"
    assert _cli(root, ["add", "indicator", "1", name, "--baseline", "0", "--target", "9"]) == 0
    out = capsys.readouterr().out
    assert out == "added indicator 2: Wait\\x1b[2J\\x1b]0;pwned\\x07 \\u202eevil (goal 1)\n"
    assert open_wheel(root, user="bob").indicator(2).name == name
    assert _cli(root, ["log", "2", "4", "--at", "2026-03-01"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert _cli(root, ["log", "\x1b[31mnone", "4"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and err.startswith("styr: no indicator is named")


# ---------------------------------------------------------- name lookups


@pytest.fixture
def named(root: Path) -> Wheel:
    wheel = open_wheel(root, user="alice")
    for title in ("Sykefravær", "Sykefravær ned", "Saker i kø", "Saksbehandlingstid"):
        wheel.add(GOAL, {"title": title})
    return wheel


@pytest.mark.parametrize(("ref", "found"), [
    ("3", 3),
    (" 4 ", 4),
    (3, 3),
    ("Sykefravær", 2),  # an exact name wins over the longer one it starts
    ("SYKEFRAVÆR", 2),
    ("sykefravær n", 3),
    ("saker", 4),
    ("SAKS", 5),
    ("short", 1),
])  # fmt: skip
def test_find_by_id_name_or_unambiguous_prefix(named: Wheel, ref: str | int, found: int) -> None:
    assert named.find(GOAL, ref).id == found


@pytest.mark.parametrize(("ref", "error", "message"), [
    ("sak", Ambiguous,
     "'sak' matches 2 goals: 4 'Saker i kø', 5 'Saksbehandlingstid'; use the id"),
    ("s", Ambiguous, "'s' matches 5 goals: 1 'Shorter queues', 2 'Sykefravær', "
     "3 'Sykefravær ned', 4 'Saker i kø', 5 'Saksbehandlingstid'; use the id"),
    ("nope", NotFound, "no goal is named 'nope'"),
    ("99", NotFound, "there is no goal 99"),
    ("  ", NotFound, "name a goal by id or by the start of its name"),
    ("²", NotFound, "no goal is named '²'"),
])  # fmt: skip
def test_find_says_what_is_wrong(
    named: Wheel, ref: str, error: type[BadInput], message: str
) -> None:
    with pytest.raises(error) as caught:
        named.find(GOAL, ref)
    assert str(caught.value) == message


def test_cli_ambiguous_name_lists_the_candidates_and_exits_2(
    named: Wheel, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    root = named.backend.store.root
    before = store_bytes(root)
    assert _cli(root, ["add", "indicator", "sak", "Cases", "--baseline", "0", "--target", "5"]) == 2
    assert capsys.readouterr().err == (
        "styr: 'sak' matches 2 goals: 4 'Saker i kø', 5 'Saksbehandlingstid'; use the id\n"
    )
    assert _cli(root, ["add", "goal", "Team", "--parent", "sykefravær"]) == 0
    assert capsys.readouterr().out == "added goal 6: Team\n"
    assert open_wheel(root, user="bob").goal(6).parent_id == 2
    assert store_bytes(root) != before


def test_cli_finds_an_indicator_by_prefix(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(root, ["log", "wait", "12", "--at", "2026-03-01"]) == 0
    assert capsys.readouterr().out == "logged the value 12 of 2026-03-01 for Wait time\n"


# ------------------------------------------------- every problem at once


def test_every_bad_field_is_reported_at_once(root: Path, store_bytes: StoreBytes) -> None:
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    with pytest.raises(ValidationError) as caught:
        wheel.add(INDICATOR, INDICATOR_BASE | {"name": " ", "baseline": "abc", "due": "2026-02-30",
                                               "cadence": "hourly", "colour": "red"})  # fmt: skip
    assert caught.value.problems == [
        ("colour", "indicator has no field 'colour'"),
        ("name", "name must not be empty"),
        ("baseline", "baseline 'abc' is not a number"),
        ("due", "due '2026-02-30' is not a real date"),
        ("cadence", f"cadence 'hourly' {NOT_ONE_OF} daily, weekly, monthly, quarterly, yearly"),
    ]
    assert str(caught.value).splitlines() == [message for _, message in caught.value.problems]
    assert store_bytes(root) == before


def test_cli_prints_every_reason_on_its_own_line(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_bytes(root)
    argv = ["add", "indicator", "1", "X", "--baseline", "x", "--target", "1e999",
            "--direction", "up"]  # fmt: skip
    assert _cli(root, argv) == 2
    assert capsys.readouterr().err.splitlines() == [
        "styr: baseline 'x' is not a number",
        "styr: target must be a finite number, not '1e999'",
        f"styr: direction 'up' {NOT_ONE_OF} increase, decrease, at_least, at_most",
    ]
    assert store_bytes(root) == before
