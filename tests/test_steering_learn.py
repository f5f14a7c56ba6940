"""Reviews over time, lessons to action and the risk register: the verbs
and the CLI commands, their refusals, undo and history."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from steerhelp import StoreBytes, agreed, build, cli, documents, refuses

from store.backends import open_wheel
from store.errors import NotFound, ValidationError
from store.service import LESSON, RISK
from store.steering import ACCEPTANCE_THRESHOLD, parse_action

PAST = (date.today() - timedelta(days=10)).isoformat()
LATER = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build(path)
    return path


# ---------------------------------------------------------------- reviews


def test_reviews_are_listed_newest_first_with_their_deviation(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(root, capsys, "reviews")[1] == "no reviews\n"
    code, out, err = cli(root, capsys, "review", "Wait", "--judgement", "on_track",
                         "--confidence", "8", "--at", "2026-07-25")  # fmt: skip
    assert (code, out, err) == (
        0, "review 1 on 2026-07-25: on_track, confidence 8, status on track\n", "",
    )  # fmt: skip
    assert cli(root, capsys, "review", "--goal", "1", "--judgement", "at_risk", "--confidence",
               "5", "--cause", "external", "--decision", "continue", "--at", "2026-08-30",
               "--comment", "flu")[0] == 0  # fmt: skip
    code, out, _ = cli(root, capsys, "reviews")
    assert out.splitlines()[0].startswith("#2 2026-08-30 goal 1: at_risk, confidence 5, ")
    assert out.splitlines()[0].endswith(", cause external, decision continue: flu")
    assert out.splitlines()[1] == "#1 2026-07-25 indicator 1: on_track, confidence 8, on track"
    code, out, _ = cli(root, capsys, "reviews", "Wait", "--json")
    rows = json.loads(out)
    assert [(r["review_id"], r["confidence"], r["status"]) for r in rows] == [(1, 8, "on_track")]
    assert [r["review_id"] for r in json.loads(cli(root, capsys, "reviews", "--goal", "1",
                                                   "--json")[1])] == [2]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), [
    (["review", "1", "--judgement", "on_track", "--confidence", "11"],
     "confidence must be between 0 and 10, not 11"),
    (["review", "1", "--judgement", "fine", "--confidence", "5"],
     "judgement 'fine' is not one of: on_track, at_risk, off_track"),
    (["review", "--judgement", "on_track", "--confidence", "5"],
     "review one INDICATOR or one --goal GOAL"),
    (["review", "1", "--goal", "1", "--judgement", "on_track", "--confidence", "5"],
     "review one INDICATOR or one --goal GOAL"),
    (["reviews", "1", "--goal", "1"], "list the reviews of one INDICATOR or one --goal GOAL"),
])  # fmt: skip
def test_bad_reviews_are_refused(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:  # fmt: skip
    # every reason is given; the one this case is about is among them
    reasons = refuses(root, store_bytes, capsys, *argv).splitlines()
    assert message in [reason.removeprefix("styr: ") for reason in reasons]


def test_a_review_outside_tolerance_needs_cause_and_decision(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    message = refuses(root, store_bytes, capsys, "review", "1", "--judgement", "off_track",
                      "--confidence", "3", "--at", "2026-09-29")  # fmt: skip
    assert message.endswith("give the deviation's cause and the decision")


# ---------------------------------------------------------------- lessons


def test_a_lesson_with_actions_is_added_searched_and_listed(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(root, capsys, "lesson", "add", "--goal", "1", "--planned", "10 days",
                       "--happened", "18 days", "--why", "flu", "--improve", "Cross-train staff",
                       "--action", f"train two|bob|{PAST}", "--action", "write a rota")  # fmt: skip
    assert (code, out) == (0, "added lesson 1 with 2 actions\n")
    assert cli(root, capsys, "lesson", "add", "--happened", "Budget cut")[0] == 0
    lessons = open_wheel(root).lessons()
    assert [a.what for a in lessons[1].actions] == ["train two", "write a rota"]
    assert lessons[1].actions[0].owner == "bob"
    code, out, _ = cli(root, capsys, "lessons", "--search", "CROSS staff")
    assert out == "#1 " + lessons[1].date.isoformat() + " goal 1: 10 days\n" + (
        "    improve: Cross-train staff\n"
    )
    assert [x["lesson_id"] for x in json.loads(cli(root, capsys, "lessons", "--json")[1])] == [
        2, 1,
    ]  # fmt: skip
    assert cli(root, capsys, "lessons", "--search", "nothing")[1] == "no lessons match\n"


def test_actions_across_lessons_overdue_first_by_owner_and_done(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(root, user="alice")
    me = open_wheel(root).user
    wheel.add(LESSON, {"happened": "a", "actions": [parse_action(f"later|{me}|{LATER}")]})
    wheel.add(LESSON, {"happened": "b", "actions": [parse_action(f"late|bob|{PAST}"),
                                                    parse_action("whenever")]})  # fmt: skip
    _, out, _ = cli(root, capsys, "actions")
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["OVERDUE", "2.1"], ["open", "1.1"], ["open", "2.2"],
    ]  # fmt: skip
    assert cli(root, capsys, "actions", "--overdue")[1].splitlines() == [
        f"OVERDUE 2.1 late (bob) due {PAST}"
    ]
    mine = json.loads(cli(root, capsys, "actions", "--owner", "me", "--json")[1])
    assert [(x["lesson_id"], x["action"], x["what"]) for x in mine] == [(1, 1, "later")]
    before = documents(root)
    assert cli(root, capsys, "action", "done", "2", "1")[1] == "done: action 1 of lesson 2: late\n"
    assert cli(root, capsys, "actions")[1].splitlines()[-1] == f"done    2.1 late (bob) due {PAST}"
    assert open_wheel(root).history(1)[0]["by"] == me
    assert cli(root, capsys, "undo")[0] == 0
    assert documents(root) == before


@pytest.mark.parametrize(("argv", "message"), [
    (["action", "done", "1", "3"], "lesson 1 has no action 3; it has 1 to 2"),
    (["action", "done", "1", "2"], "action 2 of lesson 1 is already done"),
    (["action", "done", "7", "1"], "there is no lesson 7"),
    (["lesson", "add", "--happened", "x", "--action", "a|b|c|d"],
     "action 'a|b|c|d' has more than what|owner|due"),
    (["lesson", "add", "--happened", "x", "--action", "|bob"], "action must not be empty"),
    (["lesson", "add", "--happened", "x", "--action", "a|bob|soon"],
     "action due 'soon' is not a date"),
    (["lesson", "add", "--goal", "9", "--happened", "x"], "there is no goal 9"),
    (["lesson", "add"], "a lesson needs some text"),
])  # fmt: skip
def test_bad_lessons_and_actions_are_refused(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:  # fmt: skip
    wheel = open_wheel(root, user="alice")
    wheel.add(LESSON, {"happened": "x", "actions": [parse_action("one"), parse_action("two")]})
    wheel.action_done(1, 2)
    assert refuses(root, store_bytes, capsys, *argv).startswith(message)


def test_an_improvement_becomes_a_revision_linked_both_ways(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    lesson = wheel.add(LESSON, {"goal_id": 1, "improve": "Aim for 14 days"})
    revised = wheel.apply_improvement_as_revision(lesson.id, 1, target=14)
    rev = revised.revisions[-1]
    assert (rev.lesson_id, rev.why, rev.new) == (lesson.id, "Aim for 14 days", 14)
    assert [(x["kind"], x["id"], x["by"]) for x in wheel.get(LESSON, lesson.id).links] == [
        ("revision", 1, "alice"),
    ]  # fmt: skip
    bare = wheel.add(LESSON, {"happened": "nothing to improve"})
    with pytest.raises(ValidationError, match=f"^lesson {bare.id} has no improvement to apply$"):
        wheel.apply_improvement_as_revision(bare.id, 1, target=13)


def test_an_improvement_becomes_a_draft_goal_of_the_next_period(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(root, user="alice")
    lesson = wheel.add(LESSON, {"goal_id": 1, "improve": "Open a second desk\nin the hall"})
    before = documents(root)
    _, out, _ = cli(root, capsys, "lesson", "to-goal", str(lesson.id), "--period", "2026-Q4")
    assert out == (
        "added draft goal 2: Open a second desk (2026-10-01 -> 2026-12-31), from lesson 1\n"
    )
    wheel = open_wheel(root)
    goal = wheel.goal(2)
    assert (goal.state, goal.owner, goal.lessons) == ("draft", "alice", (lesson.id,))
    assert [(x["kind"], x["id"]) for x in wheel.get(LESSON, lesson.id).links] == [("goal", 2)]
    assert cli(root, capsys, "lessons")[1].endswith("    used in a goal of goal 2\n")
    assert cli(root, capsys, "undo")[1].startswith("undid: ")
    assert documents(root) == before
    assert refuses(root, store_bytes, capsys, "lesson", "to-goal", "1", "--period", "2026-Q5") == (
        "period '2026-Q5' is not a period; use a year (2026), a quarter (2026-Q3) "
        "or a month (2026-11)"
    )


# ------------------------------------------------------------------ risks


def test_the_register_sorts_by_residual_score_and_flags_what_needs_a_decision(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(root, capsys, "risks")[1].splitlines()[1:] == ["no risks"]
    _, out, _ = cli(root, capsys, "risk", "add", "1", "Staff leave", "--probability", "4",
                       "--consequence", "4", "--cause", "flu")  # fmt: skip
    assert out == (
        "added risk 1: Staff leave, score 16, residual 16 "
        f"(above {ACCEPTANCE_THRESHOLD}: mitigate it or have it accepted)\n"
    )
    assert cli(root, capsys, "risk", "add", "Shorter", "Server down", "--probability", "5",
               "--consequence", "5", "--mitigation", "spare", "--residual", "2,3",
               "--owner", "bob", "--due", "2026-09-01")[0] == 0  # fmt: skip
    assert cli(root, capsys, "risk", "add", "1", "Queue app", "--probability", "2",
               "--consequence", "4")[0] == 0  # fmt: skip
    rows = json.loads(cli(root, capsys, "risks", "--json")[1])
    assert [(r["risk_id"], r["score"], r["residual_score"], r["needs_decision"]) for r in rows] == [
        (1, 16, 16, True), (3, 8, 8, False), (2, 25, 6, False),
    ]  # fmt: skip
    assert (rows[1]["residual_probability"], rows[1]["residual_consequence"]) == (2, 4)
    lines = cli(root, capsys, "risks", "--goal", "1")[1].splitlines()
    assert lines[-1] == f"1 above {ACCEPTANCE_THRESHOLD} not mitigated or accepted"
    assert lines[1].endswith(f"Staff leave (goal 1)  ! above {ACCEPTANCE_THRESHOLD}: mitigate or "
                             "accept")  # fmt: skip
    before = documents(root)
    _, out, _ = cli(root, capsys, "risk", "accept", "Staff", "--by", "Kari", "--on",
                       "2026-08-01")  # fmt: skip
    assert out == "risk 1 Staff leave accepted by Kari on 2026-08-01\n"
    row = json.loads(cli(root, capsys, "risks", "--json")[1])[0]
    assert (row["accepted_by"], row["accepted_on"], row["needs_decision"]) == (
        "Kari", "2026-08-01", False,
    )  # fmt: skip
    assert open_wheel(root).undecided_risks() == []
    assert cli(root, capsys, "risks")[1].splitlines()[-1].startswith("   2    25     6")
    assert cli(root, capsys, "undo")[0] == 0
    assert documents(root) == before
    assert [r.id for r in open_wheel(root).undecided_risks()] == [1]


@pytest.mark.parametrize(("argv", "message"), [
    (["risk", "add", "1", "X", "--probability", "6", "--consequence", "2"],
     "probability must be between 1 and 5, not 6"),
    (["risk", "add", "1", "X", "--probability", "3"], "consequence is missing"),
    (["risk", "add", "1", "X", "--probability", "3", "--consequence", "2", "--residual", "2"],
     "residual '2' must be probability,consequence like 2,3"),
    (["risk", "add", "1", "X", "--probability", "3", "--consequence", "2", "--residual", "2,9"],
     "residual consequence must be between 1 and 5, not 9"),
    (["risk", "add", "9", "X", "--probability", "3", "--consequence", "2"], "there is no goal 9"),
    (["risk", "accept", "5", "--by", "Kari"], "there is no risk 5"),
])  # fmt: skip
def test_bad_risks_are_refused(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:  # fmt: skip
    open_wheel(root, user="alice").add(
        RISK, {"goal_id": 1, "title": "Staff", "probability": 4, "consequence": 4}
    )
    assert refuses(root, store_bytes, capsys, *argv).startswith(message)


def test_accepting_a_risk_is_in_the_history(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    wheel.add(RISK, {"goal_id": 1, "title": "Staff", "probability": 4, "consequence": 4})
    risk = wheel.accept_risk(1, "Kommunestyret")
    assert (risk.accepted_by, risk.accepted_on) == ("Kommunestyret", date.today())
    entry = wheel.history(1)[0]
    assert (entry["by"], entry["table"], entry["after"]["accepted_by"]) == (
        "alice", "risks", "Kommunestyret",
    )  # fmt: skip
    with pytest.raises(NotFound):
        wheel.accept_risk(2, "x")


def test_deleting_a_lesson_a_goal_came_from_takes_only_the_link_out(root: Path) -> None:
    """A goal's `lessons` and `carried_from` are links, not ownership
    (store.service: the kinds' Ref rules): the goal stays, the link goes,
    and the store stays readable."""
    wheel = open_wheel(root, user="alice")
    lesson = wheel.add(LESSON, {"goal_id": 1, "improve": "Open a second desk"})
    wheel.improvement_to_goal(lesson.id, "2026-Q4")
    assert wheel.dependants(LESSON, lesson.id) == {}
    wheel.delete(LESSON, lesson.id)
    again = open_wheel(root, user="alice")
    assert [(g.id, g.lessons) for g in again.goals()] == [(1, ()), (2, ())]
    assert again.undo().startswith("undid: lesson")
    assert open_wheel(root).goal(2).lessons == (lesson.id,)


def test_a_goal_cascade_follows_the_kinds_rules(root: Path) -> None:
    from store.service import GOAL, REVIEW, RISK

    wheel = open_wheel(root, user="alice")
    child = wheel.add(GOAL, {"title": "Sub", "parent_id": 1})
    wheel.add(RISK, {"goal_id": child.id, "title": "Staff leave", "probability": 2,
                     "consequence": 3})  # fmt: skip
    wheel.add(LESSON, {"goal_id": 1, "happened": "Queues grew"})
    wheel.add(REVIEW, {"indicator_id": 1, "judgement": "on_track", "confidence": 5,
                       "date": "2026-07-21"})  # fmt: skip
    deps = wheel.dependants(GOAL, 1)
    assert {table: len(ids) for table, ids in deps.items()} == {
        "goals": 1, "indicators": 1, "risks": 1, "lessons": 1, "reviews": 1, "measurements": 2,
    }  # fmt: skip
    assert list(deps) == ["goals", "indicators", "risks", "lessons", "reviews", "measurements"]


def test_status_shows_a_goals_highest_open_risk_beside_its_status(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "⚠" not in cli(root, capsys, "status", "--at", "2026-08-30")[1]
    cli(root, capsys, "risk", "add", "1", "Staff leave", "--probability", "4", "--consequence", "4")
    cli(root, capsys, "risk", "add", "1", "Server down", "--probability", "5",
        "--consequence", "5", "--residual", "2,3")  # fmt: skip
    for args in [(), ("--goals",)]:
        lines = cli(root, capsys, "status", "--at", "2026-08-30", *args)[1].splitlines()
        [row] = [line for line in lines if line.startswith("#1 Shorter queues")]
        assert row.endswith("60% ● on track       ⚠16"), row
        assert lines[-1] == "⚠N: a goal's highest open risk, its residual score (styr risks)"
