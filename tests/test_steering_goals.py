"""Agreement as a dialog and target revisions: goal moves and `revise`
check their own rules, write their own history and undo; plain updates
cannot do what they do."""

from __future__ import annotations

from pathlib import Path

import pytest
from steerhelp import StoreBytes, agreed, build, cli, documents, refuses

from store.backends import open_wheel
from store.documents import Indicator
from store.errors import NotFound, ValidationError
from store.service import GOAL, INDICATOR, LESSON, REVIEW, RISK, Kind


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build(path)
    return path


# ------------------------------------------------------------- goal moves


def test_a_goal_moves_draft_proposed_agreed_active_closed_and_reopens(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    goal = wheel.goal(1)
    assert (goal.state, goal.agreed_by, str(goal.agreed_on)) == (
        "agreed", "Kommunestyret", "2026-06-20",
    )  # fmt: skip
    wheel.move_goal(1, "active")
    closed = wheel.move_goal(1, "closed", outcome="partly", comment="half the wait")
    assert (closed.state, closed.outcome, closed.closing_comment) == (
        "closed", "partly", "half the wait",
    )  # fmt: skip
    reopened = wheel.move_goal(1, "active", reason="the board wants another quarter")
    assert (reopened.state, reopened.outcome, reopened.closing_comment) == ("active", None, "")
    trail = [(m["from"], m["to"], m["by"]) for m in reopened.moves]
    assert trail == [
        ("draft", "proposed", "alice"), ("proposed", "agreed", "alice"),
        ("agreed", "active", "alice"), ("active", "closed", "alice"),
        ("closed", "active", "alice"),
    ]  # fmt: skip
    assert reopened.moves[-1]["why"] == "the board wants another quarter"


def test_agreeing_defaults_to_the_current_user_and_today(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    wheel.move_goal(1, "proposed")
    goal = wheel.move_goal(1, "agreed")
    assert goal.agreed_by == "alice"
    assert goal.agreed_on is not None and goal.agreed_on.isoformat() == goal.moves[-1]["at"][:10]


def test_a_proposed_goal_can_be_sent_back_to_draft(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    wheel.move_goal(1, "proposed")
    assert wheel.move_goal(1, "draft", reason="rework the target").state == "draft"


@pytest.mark.parametrize(("moves", "to", "message"), [
    ([], "agreed", "goal 1 is draft; it cannot move to agreed: it can propose (to proposed)"),
    ([], "closed", "goal 1 is draft; it cannot move to closed: it can propose (to proposed)"),
    (["proposed"], "active",
     "goal 1 is proposed; it cannot move to active: it can send-back (to draft) or agree "
     "(to agreed)"),
    (["proposed", "agreed"], "closed",
     "goal 1 is agreed; it cannot move to closed: it can activate (to active)"),
    (["proposed", "agreed", "active"], "active",
     "goal 1 is already active; it can close (to closed)"),
])  # fmt: skip
def test_any_other_move_is_refused_naming_the_allowed_ones(
    root: Path, store_bytes: StoreBytes, moves: list[str], to: str, message: str
) -> None:
    wheel = open_wheel(root, user="alice")
    for state in moves:
        wheel.move_goal(1, state)
    before = store_bytes(root)
    with pytest.raises(ValidationError) as caught:
        wheel.move_goal(1, to, outcome="achieved", comment="x")
    assert str(caught.value) == message
    assert store_bytes(root) == before


def test_closing_needs_an_outcome_and_a_comment_and_reopening_a_reason(
    root: Path, store_bytes: StoreBytes
) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    wheel.move_goal(1, "active")
    before = store_bytes(root)
    for kwargs, message in [
        ({}, "closing needs an outcome: one of achieved, partly, missed, dropped"),
        ({"outcome": "great", "comment": "x"},
         "outcome 'great' is not one of: achieved, partly, missed, dropped"),
        ({"outcome": "achieved"}, "closing needs a comment: say how it went"),
    ]:  # fmt: skip
        with pytest.raises(ValidationError, match=f"^{message}$"):
            wheel.move_goal(1, "closed", **kwargs)
    assert store_bytes(root) == before
    wheel.move_goal(1, "closed", outcome="achieved", comment="done")
    before = store_bytes(root)
    with pytest.raises(ValidationError, match=r"^reopening a closed goal needs a reason$"):
        wheel.move_goal(1, "active")
    assert store_bytes(root) == before


@pytest.mark.parametrize("fields", [
    {"state": "agreed"}, {"agreed_by": "me"}, {"agreed_on": "2026-01-01"},
    {"state": "closed", "outcome": "achieved"},
    {"moves": [{"from": "draft", "to": "agreed", "at": "2026-01-01", "by": "me", "why": ""}]},
])  # fmt: skip
def test_a_plain_update_cannot_move_a_goal(
    root: Path, store_bytes: StoreBytes, fields: dict[str, object]
) -> None:
    wheel = open_wheel(root, user="alice")
    before = store_bytes(root)
    with pytest.raises(ValidationError, match="changes only as the goal moves: styr goal propose"):
        wheel.update(GOAL, 1, fields)
    assert store_bytes(root) == before
    assert wheel.update(GOAL, 1, {"title": "Short queues", "state": "draft"}).title == (
        "Short queues"
    )


def test_a_move_is_undone_and_its_history_says_who_and_when(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    before = documents(root)
    wheel.move_goal(1, "proposed")
    entry = wheel.history(1)[0]
    assert (entry["by"], entry["table"], entry["id"]) == ("alice", "goals", 1)
    assert entry["after"]["state"] == "proposed" and entry["at"].startswith("20")
    assert wheel.undo().startswith("undid: goal 1 'Shorter queues' changed")
    assert documents(root) == before


def test_the_cli_moves_a_goal(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(root, capsys, "goal", "propose", "Shorter")[1] == (
        "goal 1 Shorter queues: draft -> proposed\n"
    )
    code, out, _ = cli(root, capsys, "goal", "agree", "1", "--by", "Kommunestyret", "--on",
                       "2026-06-20")  # fmt: skip
    assert (code, out) == (
        0, "goal 1 Shorter queues: proposed -> agreed, agreed by Kommunestyret on 2026-06-20\n",
    )  # fmt: skip
    assert cli(root, capsys, "goal", "activate", "1")[0] == 0
    code, out, _ = cli(root, capsys, "goal", "close", "1", "--outcome", "missed", "--comment",
                       "staff left")  # fmt: skip
    assert out == "goal 1 Shorter queues: active -> closed, outcome missed\n"
    code, out, _ = cli(root, capsys, "goal", "reopen", "1", "--reason", "new money")
    assert out == "goal 1 Shorter queues: closed -> active\n"
    code, out, _ = cli(root, capsys, "undo")
    assert out.startswith("undid: goal 1 'Shorter queues' changed")
    assert open_wheel(root).goal(1).state == "closed"


@pytest.mark.parametrize(("argv", "message"), [
    (["goal", "agree", "1"],
     "goal 1 is draft; it cannot move to agreed: it can propose (to proposed)"),
    (["goal", "activate", "1"],
     "goal 1 is draft; it cannot move to active: it can propose (to proposed)"),
    (["goal", "reopen", "1", "--reason", "x"],
     "goal 1 is draft; it cannot move to active: it can propose (to proposed)"),
    (["goal", "propose", "9"], "there is no goal 9"),
    (["goal", "finish", "1"], "argument VERB: invalid choice: 'finish'"),
    (["add", "goal", "X", "--state", "agreed"],
     "a new goal starts as draft or proposed, not agreed; then move it: "
     "styr goal propose|agree|activate|close"),
])  # fmt: skip
def test_the_cli_refuses_a_bad_move_with_exit_2_and_writes_nothing(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:  # fmt: skip
    assert refuses(root, store_bytes, capsys, *argv).startswith(message)


def test_the_cli_sends_a_proposal_back(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(root, capsys, "goal", "propose", "1")[0] == 0
    code, out, _ = cli(root, capsys, "goal", "send-back", "1", "--reason", "target too vague")
    assert (code, out) == (0, "goal 1 Shorter queues: proposed -> draft\n")
    assert open_wheel(root).goal(1).moves[-1]["why"] == "target too vague"


def test_the_cli_adds_a_goal_as_proposed(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(root, capsys, "add", "goal", "Next", "--state", "proposed")[0] == 0
    assert open_wheel(root).goal(2).state == "proposed"


# -------------------------------------------------------------- revisions


def test_a_draft_goals_indicators_are_edited_freely(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    changed = wheel.update(INDICATOR, 1, {"target": 12, "milestones": ""})
    assert (changed.target, changed.milestones, changed.revisions) == (12, (), ())


@pytest.mark.parametrize("fields", [
    {"target": 12}, {"baseline": 28}, {"due": "2026-09-15"}, {"milestones": "2026-08-01=22"},
])  # fmt: skip
def test_an_agreed_goals_plan_changes_only_by_revision(
    root: Path, store_bytes: StoreBytes, fields: dict[str, object]
) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    before = store_bytes(root)
    with pytest.raises(ValidationError) as caught:
        wheel.update(INDICATOR, 1, fields)
    name = next(iter(fields))
    assert str(caught.value) == (
        f"goal 1 is agreed: changing an indicator's {name} is a revision with a reason: "
        "styr revise INDICATOR --reason ..."
    )
    assert store_bytes(root) == before
    assert wheel.update(INDICATOR, 1, {"name": "Waiting days"}).name == "Waiting days"


def test_a_revision_records_old_and_new_who_when_why_and_leaves_the_past(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    review = wheel.record_review(
        indicator_id=1, judgement="at_risk", confidence=5, when="2026-08-21", cause="external",
        decision="adjust_target",
    )  # fmt: skip
    measured = wheel.measurements(1)
    revised = wheel.revise(1, target=14, due="2026-09-15", milestones="", reason="flu season",
                           review_id=review.id)  # fmt: skip
    assert (revised.target, revised.due.isoformat(), revised.milestones) == (14, "2026-09-15", ())
    rev = revised.revisions[-1]
    assert (rev.old, rev.new, rev.by, rev.why, rev.review_id, rev.lesson_id) == (
        10, 14, "alice", "flu season", review.id, None,
    )  # fmt: skip
    assert dict(rev.changes) == {
        "target": (10.0, 14.0), "due": ("2026-09-30", "2026-09-15"),
        "milestones": ([["2026-08-15", 20.0]], []),
    }  # fmt: skip
    assert rev.at[:2] == "20"
    assert wheel.measurements(1) == measured
    assert wheel.get(REVIEW, review.id) == review


def test_a_revision_needs_a_reason_and_a_change(root: Path, store_bytes: StoreBytes) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    before = store_bytes(root)
    for kwargs, message in [
        ({"target": 14, "reason": " "}, "a revision needs a reason: say why the plan changes"),
        ({"reason": "x"}, "name what to revise: baseline, target, due or milestones"),
        ({"target": 10, "reason": "x"}, "the revision changes nothing"),
        ({"target": 40, "reason": "x"}, "target 40 is above baseline 30; use direction increase"),
        ({"target": 14, "reason": "x", "lesson_id": 7}, "there is no lesson 7"),
    ]:
        with pytest.raises((ValidationError, NotFound), match=f"^{message}$"):
            wheel.revise(1, **kwargs)  # type: ignore[arg-type]
    assert store_bytes(root) == before


def test_a_revision_is_undone(root: Path) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    before = documents(root)
    wheel.revise(1, target=14, reason="flu season")
    assert wheel.history(1)[0]["by"] == "alice"
    assert wheel.undo().startswith("undid: indicator 1 'Wait time' changed")
    assert documents(root) == before


def test_revisions_of_an_older_store_still_read() -> None:
    old = {"old": 60, "new": 50, "at": "2026-03-01", "by": "kari", "why": "late hire",
           "lesson_id": 2}  # fmt: skip
    doc = {"goal_id": 1, "name": "Cases", "baseline": 0, "target": 50, "start": "2026-01-01",
           "due": "2026-12-31", "revisions": [old]}  # fmt: skip
    rev = Indicator.from_doc(1, doc).revisions[0]
    assert (rev.old, rev.new, rev.lesson_id, rev.review_id) == (60, 50, 2, None)
    assert dict(rev.changes) == {"target": (60, 50)}


def test_the_cli_revises_and_cites_a_lesson_both_ways(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(root, user="alice")
    agreed(wheel)
    lesson = wheel.add(LESSON, {"goal_id": 1, "improve": "Aim for 14 days"})
    code, out, err = cli(
        root, capsys, "revise", "Wait", "--target", "14", "--milestones", "2026-08-15=22",
        "--reason", "flu season", "--lesson", str(lesson.id),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "revised indicator 1 Wait time: target 10 -> 14; milestones 2026-08-15=20 -> "
        "2026-08-15=22\n"
    )
    wheel = open_wheel(root)
    assert wheel.indicator(1).revisions[-1].lesson_id == lesson.id
    links = wheel.get(LESSON, lesson.id).links
    assert [(x["kind"], x["id"]) for x in links] == [("revision", 1)]


@pytest.mark.parametrize(("argv", "message"), [
    (["revise", "1", "--target", "14"], "a revision needs a reason: say why the plan changes"),
    (["revise", "1", "--reason", "x"], "name what to revise: baseline, target, due or milestones"),
    (["revise", "1", "--target", "abc", "--reason", "x"], "target 'abc' is not a number"),
    (["revise", "1", "--due", "2026-02-30", "--reason", "x"],
     "due '2026-02-30' is not a real date"),
    (["revise", "1", "--target", "14", "--reason", "x", "--review", "5"], "there is no review 5"),
    (["revise", "9", "--target", "14", "--reason", "x"], "there is no indicator 9"),
])  # fmt: skip
def test_the_cli_refuses_a_bad_revision(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:  # fmt: skip
    agreed(open_wheel(root, user="alice"))
    assert refuses(root, store_bytes, capsys, *argv) == message


# ------------------------------------------------- the shapes the verbs write


@pytest.mark.parametrize(("kind", "fields", "message"), [
    (GOAL, {"moves": "x"}, "moves must be a list of records"),
    (GOAL, {"moves": [{"from": "draft", "when": "now"}]}, "an entry of moves has no field 'when'"),
    (GOAL, {"lessons": 3}, "lessons must be a list of ids"),
    (GOAL, {"lessons": ["first"]}, "lessons"),
    (LESSON, {"links": [{"kind": "note", "id": 1}]}, "link kind 'note' is not one of"),
    (LESSON, {"links": "x"}, "links must be a list of records"),
    (INDICATOR, {"revisions": [{"old": 1, "new": 2, "at": "2026-01-01", "why": "x",
                                "changes": {"name": ["a", "b"]}}]},
     "a revision's changes map baseline, target, due or milestones to [old, new]"),
    (RISK, {"accepted_on": "someday"}, "accepted_on 'someday' is not a date"),
])  # fmt: skip
def test_what_the_verbs_write_is_checked_like_any_input(
    root: Path, kind: Kind[object], fields: dict[str, object], message: str
) -> None:
    wheel = open_wheel(root, user="alice")
    bases: dict[str, dict[str, object]] = {
        "goal": {"title": "X"}, "lesson": {"happened": "x"},
        "risk": {"goal_id": 1, "title": "R", "probability": 1, "consequence": 1},
        "indicator": {"goal_id": 1, "name": "N", "baseline": 0, "target": 5,
                      "start": "2026-01-01", "due": "2026-12-31"},
    }  # fmt: skip
    base = bases[kind.name]
    with pytest.raises(ValidationError) as caught:
        wheel.add(kind, base | fields)
    assert str(caught.value).startswith(message)
