"""The steering commands of `styr`: goal moves, revisions, reviews, lessons
and their actions, risks and closing a period. Each passes intent to one
Wheel verb, which checks the rules; this module only parses and prints.
Like tui/cli.py it must not import Textual."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping
from typing import Any

from store import documents as d
from store.errors import Problem, ValidationError
from store.plain import plain
from store.service import GOAL, INDICATOR, LESSON, REVIEW, RISK, Kind, Wheel, refuse
from store.steering import ACCEPTANCE_THRESHOLD, check_outcome, parse_action, parse_pair
from tui.cli import found


def _json(records: Iterable[Mapping[str, Any]]) -> None:
    lines = [json.dumps(record) for record in records]
    print("[\n" + ",\n".join(lines) + "\n]" if lines else "[]")


def _id(wheel: Wheel, kind: Kind[Any], ref: str) -> int:
    return int(wheel.find(kind, ref).id)


def add_commands(commands: Any, store_option: Any) -> None:
    """Add the steering commands to the `styr` sub-command parsers."""

    def command(parent: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = parent.add_parser(name, help=text, description=text)
        store_option(parser)
        parser.set_defaults(handler=handler)
        return parser

    def group(name: str, text: str) -> Any:
        parser = commands.add_parser(name, help=text)
        store_option(parser)
        return parser.add_subparsers(dest="verb", metavar="VERB", required=True,
                                     parser_class=type(parser))  # fmt: skip

    goal = group("goal", "move a goal through draft, proposed, agreed, active, closed")
    for verb, to, text in (
        ("propose", "proposed", "propose a draft goal"),
        ("send-back", "draft", "send a proposed goal back to draft"),
        ("agree", "agreed", "record that a proposed goal is agreed, by whom and when"),
        ("activate", "active", "start work on an agreed goal"),
        ("close", "closed", "close an active goal with its outcome and a comment"),
        ("reopen", "active", "reopen a closed goal (needs a reason)"),
    ):
        p = command(goal, verb, text, move_goal)
        p.add_argument("goal", metavar="GOAL", help="goal id or name")
        p.set_defaults(to=to)
        p.add_argument("--reason", help="why (needed to reopen)")
        if verb == "agree":
            p.add_argument("--by", metavar="WHO", help="a person or a body (default: you)")
            p.add_argument("--on", metavar="DATE", help="the day it was agreed (default today)")
        if verb == "close":
            p.add_argument("--outcome", help="achieved, partly, missed or dropped")
            p.add_argument("--comment", help="how it went")

    p = command(commands, "revise", "change an indicator's plan, with a reason", revise)
    p.add_argument("indicator", metavar="INDICATOR", help="indicator id or name")
    p.add_argument("--baseline")
    p.add_argument("--target")
    p.add_argument("--due", metavar="DATE")
    p.add_argument("--milestones", metavar="D=V,...", help="'' removes them")
    p.add_argument("--reason", help="why the plan changes")
    p.add_argument("--lesson", metavar="N", type=int, help="the lesson it came from")
    p.add_argument("--review", metavar="N", type=int, help="the review it came from")

    p = command(commands, "review", "review an indicator or a goal", review)
    p.add_argument("indicator", metavar="INDICATOR", nargs="?", help="indicator id or name")
    p.add_argument("--goal", metavar="GOAL", help="review this goal instead")
    p.add_argument("--judgement", help="on_track, at_risk or off_track")
    p.add_argument("--confidence", help="0 to 10")
    p.add_argument("--comment")
    p.add_argument("--cause", help="internal, external or measurement")
    p.add_argument("--decision", help="continue, adjust_measure, adjust_target or escalate")
    p.add_argument("--at", metavar="DATE", help="the day of the review (default today)")

    p = command(commands, "reviews", "list reviews, newest first", list_reviews)
    p.add_argument("indicator", metavar="INDICATOR", nargs="?", help="indicator id or name")
    p.add_argument("--goal", metavar="GOAL", help="only this goal's own reviews")
    p.add_argument("--json", action="store_true")

    lesson = group("lesson", "write a lesson, or turn its improvement into a goal")
    p = command(lesson, "add", "write a lesson (after action review)", add_lesson)
    p.add_argument("--goal", metavar="GOAL")
    for name in d.LESSON_TEXTS:
        p.add_argument(f"--{name}", metavar="TEXT")
    p.add_argument("--action", action="append", default=[], metavar="'what|owner|due'")
    p.add_argument("--at", metavar="DATE", help="the lesson's date (default today)")
    p = command(lesson, "to-goal", "a lesson's improvement as a draft goal", lesson_to_goal)
    p.add_argument("lesson", metavar="LESSON", type=int)
    p.add_argument("--period", required=True, help="2026, 2026-Q3 or 2026-11")
    p.add_argument("--title")

    p = command(commands, "lessons", "list lessons, newest first", list_lessons)
    p.add_argument("--search", metavar="WORDS", help="only lessons holding every word")
    p.add_argument("--json", action="store_true")

    p = command(commands, "actions", "every lesson's actions, overdue first", list_actions)
    p.add_argument("--overdue", action="store_true", help="only those past due")
    p.add_argument("--owner", metavar="O|me", help="only this owner's (me: yours)")
    p.add_argument("--json", action="store_true")

    action = group("action", "mark a lesson's action done")
    p = command(action, "done", "mark a lesson's action done", action_done)
    p.add_argument("lesson", metavar="LESSON", type=int)
    p.add_argument("action", metavar="ACTION", type=int, help="its number in the lesson, from 1")

    risk = group("risk", "add or accept a risk")
    p = command(risk, "add", "add a risk to a goal", add_risk)
    p.add_argument("goal", metavar="GOAL")
    p.add_argument("title")
    p.add_argument("--probability", help="1-5")
    p.add_argument("--consequence", help="1-5")
    p.add_argument("--cause")
    p.add_argument("--mitigation")
    p.add_argument("--owner")
    p.add_argument("--due", metavar="DATE")
    p.add_argument("--residual", metavar="P,C", help="after mitigation, e.g. 2,3")
    p = command(risk, "accept", "a named person accepts a risk as it stands", accept_risk)
    p.add_argument("risk", metavar="RISK", help="risk id or title")
    p.add_argument("--by", metavar="WHO", help="a person or a body (default: you)")
    p.add_argument("--on", metavar="DATE", help="default today")

    p = command(commands, "risks", "the risk register, highest residual score first", list_risks)
    p.add_argument("--goal", metavar="GOAL")
    p.add_argument("--json", action="store_true")

    period = group("period", "close a period")
    p = command(period, "close", "close every goal due in a period; carry some on", close_period)
    p.add_argument("period", metavar="PERIOD", help="2026, 2026-Q3 or 2026-11")
    p.add_argument("--outcome", action="append", default=[], metavar="GOAL=OUTCOME")
    p.add_argument("--carry", action="append", default=[], metavar="GOAL")
    p.add_argument("--dry-run", action="store_true", help="say what it would do; write nothing")


# ---------------------------------------------------------------- goals


def move_goal(args: argparse.Namespace, wheel: Wheel) -> int:
    goal = wheel.move_goal(
        _id(wheel, GOAL, args.goal), args.to, by=getattr(args, "by", None),
        on=getattr(args, "on", None), reason=args.reason, outcome=getattr(args, "outcome", None),
        comment=getattr(args, "comment", None),
    )  # fmt: skip
    line = f"goal {goal.id} {plain(goal.title)}: {goal.moves[-1]['from']} -> {goal.state}"
    if goal.state == "agreed":
        line += f", agreed by {plain(goal.agreed_by)} on {goal.agreed_on}"
    if goal.outcome:
        line += f", outcome {goal.outcome}"
    print(line)
    return 0


def revise(args: argparse.Namespace, wheel: Wheel) -> int:
    ind = wheel.revise(
        _id(wheel, INDICATOR, args.indicator), reason=args.reason, baseline=args.baseline,
        target=args.target, due=args.due, milestones=args.milestones, lesson_id=args.lesson,
        review_id=args.review,
    )  # fmt: skip
    changes = ind.revisions[-1].changes
    shown = "; ".join(
        f"{name} {_value(old)} -> {_value(new)}" for name, (old, new) in changes.items()
    )
    print(f"revised indicator {ind.id} {plain(ind.name)}: {shown}")
    return 0


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ",".join(f"{when}={amount:g}" for when, amount in value) or "none"
    return str(value)


# -------------------------------------------------------------- reviews


def review(args: argparse.Namespace, wheel: Wheel) -> int:
    if (args.indicator is None) == (args.goal is None):
        raise ValidationError("review one INDICATOR or one --goal GOAL", "goal")
    problems: list[Problem] = []
    of_indicator = args.indicator is not None
    kind, ref, key = (INDICATOR, args.indicator, "indicator_id") if of_indicator else (
        GOAL, args.goal, "goal_id")  # fmt: skip
    subject = found(wheel, kind, ref, problems, kind.name)
    given = {"judgement": args.judgement, "confidence": args.confidence, "date": args.at,
             "comment": args.comment or "", "deviation": {"cause": args.cause,
                                                          "decision": args.decision}}  # fmt: skip
    # the review's own fields are checked too when its subject is not found
    # (id 1 stands in for it: no comparison is frozen, nothing is written)
    refuse(problems, lambda: REVIEW.validate(given | {key: 1}))
    done = wheel.record_review(
        judgement=args.judgement, confidence=args.confidence, when=args.at,
        comment=args.comment or "", cause=args.cause, decision=args.decision,
        indicator_id=subject if of_indicator else None, goal_id=None if of_indicator else subject,
    )  # fmt: skip
    status = str(done.comparison.get("status", "?")).replace("_", " ")
    print(f"review {done.id} on {done.date}: {done.judgement}, confidence {done.confidence}, "
          f"status {status}")  # fmt: skip
    return 0


def _review_record(r: d.Review) -> dict[str, Any]:
    return {
        "review_id": r.id, "date": r.date.isoformat(), "goal_id": r.goal_id,
        "indicator_id": r.indicator_id, "judgement": r.judgement, "confidence": r.confidence,
        "status": r.comparison.get("status"), "comment": r.comment, "cause": r.cause,
        "decision": r.decision, "by": r.stamp.updated_by,
    }  # fmt: skip


def list_reviews(args: argparse.Namespace, wheel: Wheel) -> int:
    if args.indicator is not None and args.goal is not None:
        raise ValidationError("list the reviews of one INDICATOR or one --goal GOAL", "goal")
    rows = wheel.reviews(
        indicator_id=_id(wheel, INDICATOR, args.indicator) if args.indicator else None,
        goal_id=_id(wheel, GOAL, args.goal) if args.goal else None,
    )
    if args.json:
        _json(_review_record(r) for r in rows)
        return 0
    for r in rows:
        of = f"indicator {r.indicator_id}" if r.indicator_id is not None else f"goal {r.goal_id}"
        status = str(r.comparison.get("status", "?")).replace("_", " ")
        line = f"#{r.id} {r.date} {of}: {r.judgement}, confidence {r.confidence}, {status}"
        if r.cause:
            line += f", cause {r.cause}, decision {r.decision}"
        print(line + (f": {plain(r.comment)}" if r.comment else ""))
    if not rows:
        print("no reviews")
    return 0


# -------------------------------------------------------------- lessons


def add_lesson(args: argparse.Namespace, wheel: Wheel) -> int:
    problems: list[Problem] = []
    fields: dict[str, Any] = {name: getattr(args, name) for name in d.LESSON_TEXTS}
    fields["actions"] = []
    for number, text in enumerate(args.action, 1):
        try:
            fields["actions"].append(parse_action(text))
        except ValidationError as exc:
            prefix = f"action {number}: " if len(args.action) > 1 else ""
            problems += [("actions", prefix + m) for _, m in exc.problems]
    fields["date"] = args.at
    if args.goal is not None:
        fields["goal_id"] = found(wheel, GOAL, args.goal, problems, "goal")
    refuse(problems, lambda: LESSON.validate(fields))
    lesson = wheel.add(LESSON, fields)
    print(f"added lesson {lesson.id}" + (f" with {len(lesson.actions)} actions"
                                         if lesson.actions else ""))  # fmt: skip
    return 0


def lesson_to_goal(args: argparse.Namespace, wheel: Wheel) -> int:
    goal = wheel.improvement_to_goal(args.lesson, args.period, title=args.title)
    print(f"added draft goal {goal.id}: {plain(goal.title)} ({goal.start} -> {goal.due}), "
          f"from lesson {args.lesson}")  # fmt: skip
    return 0


def _lesson_record(x: d.Lesson) -> dict[str, Any]:
    return {
        "lesson_id": x.id, "date": x.date.isoformat(), "goal_id": x.goal_id,
        **{name: getattr(x, name) for name in d.LESSON_TEXTS},
        "actions": [_action_record(x, n, a) for n, a in enumerate(x.actions, 1)],
        "links": [dict(link) for link in x.links],
    }  # fmt: skip


def _action_record(x: d.Lesson, number: int, a: d.Action) -> dict[str, Any]:
    return {"lesson_id": x.id, "action": number, "what": a.what, "owner": a.owner,
            "due": a.due.isoformat() if a.due else None, "done": a.done}  # fmt: skip


def list_lessons(args: argparse.Namespace, wheel: Wheel) -> int:
    rows = wheel.search_lessons(args.search) if args.search else wheel.lessons()
    if args.json:
        _json(_lesson_record(x) for x in rows)
        return 0
    for x in rows:
        goal = f" goal {x.goal_id}" if x.goal_id is not None else ""
        first = next((getattr(x, n) for n in d.LESSON_TEXTS if getattr(x, n)), "")
        print(f"#{x.id} {x.date}{goal}: {plain(first)}")
        if x.improve:
            print(f"    improve: {plain(x.improve)}")
        for link in x.links:
            where = "indicator" if link["kind"] == "revision" else "goal"
            print(f"    used in a {link['kind']} of {where} {link['id']}")
    if not rows:
        print("no lessons" + (" match" if args.search else ""))
    return 0


def list_actions(args: argparse.Namespace, wheel: Wheel) -> int:
    rows = wheel.actions(owner=args.owner, overdue=args.overdue)
    if args.json:
        _json(_action_record(x.lesson, x.number, x.action) | {"overdue": x.overdue} for x in rows)
        return 0
    for x in rows:
        a = x.action
        mark = "OVERDUE" if x.overdue else ("done" if a.done else "open")
        due = f" due {a.due}" if a.due else ""
        owner = f" ({plain(a.owner)})" if a.owner else ""
        print(f"{mark:<7} {x.lesson.id}.{x.number} {plain(a.what)}{owner}{due}")
    if not rows:
        print("no actions")
    return 0


def action_done(args: argparse.Namespace, wheel: Wheel) -> int:
    lesson = wheel.action_done(args.lesson, args.action)
    print(f"done: action {args.action} of lesson {lesson.id}: "
          f"{plain(lesson.actions[args.action - 1].what)}")  # fmt: skip
    return 0


# ---------------------------------------------------------------- risks


def add_risk(args: argparse.Namespace, wheel: Wheel) -> int:
    problems: list[Problem] = []
    fields: dict[str, Any] = {
        "goal_id": found(wheel, GOAL, args.goal, problems, "goal"), "title": args.title,
        "probability": args.probability, "consequence": args.consequence, "cause": args.cause,
        "mitigation": args.mitigation, "owner": args.owner, "due": args.due,
    }  # fmt: skip
    if args.residual is not None:
        try:
            p, c = parse_pair(args.residual)
            fields |= {"residual_probability": p, "residual_consequence": c}
        except ValidationError as exc:
            problems += exc.problems
    refuse(problems, lambda: RISK.validate(fields))
    risk = wheel.add(RISK, fields)
    line = f"added risk {risk.id}: {plain(risk.title)}, score {risk.score}"
    line += f", residual {risk.residual_score}"
    if risk.residual_score > ACCEPTANCE_THRESHOLD:
        line += f" (above {ACCEPTANCE_THRESHOLD}: mitigate it or have it accepted)"
    print(line)
    return 0


def accept_risk(args: argparse.Namespace, wheel: Wheel) -> int:
    risk = wheel.accept_risk(_id(wheel, RISK, args.risk), args.by, args.on)
    print(f"risk {risk.id} {plain(risk.title)} accepted by {plain(risk.accepted_by)} "
          f"on {risk.accepted_on}")  # fmt: skip
    return 0


def list_risks(args: argparse.Namespace, wheel: Wheel) -> int:
    rows = wheel.risk_register(_id(wheel, GOAL, args.goal) if args.goal else None)
    if args.json:
        _json(rows)
        return 0
    print(f"{'id':>4} {'score':>5} {'resid':>5}  {'state':<9} risk (goal)")
    for r in rows:
        flag = ""
        if r["needs_decision"]:
            flag = f"  ! above {ACCEPTANCE_THRESHOLD}: mitigate or accept"
        elif r["accepted_by"]:
            flag = f"  accepted by {plain(r['accepted_by'])} on {r['accepted_on']}"
        print(f"{r['risk_id']:>4} {r['score']:>5} {r['residual_score']:>5}  {r['state']:<9} "
              f"{plain(r['title'])} (goal {r['goal_id']}){flag}")  # fmt: skip
    waiting = len(wheel.undecided_risks())
    if waiting:
        print(f"{waiting} above {ACCEPTANCE_THRESHOLD} not mitigated or accepted")
    elif not rows:
        print("no risks")
    return 0


# --------------------------------------------------------------- period


def close_period(args: argparse.Namespace, wheel: Wheel) -> int:
    # every bad --outcome and --carry at once, with what the verb says of
    # the good ones (a dry run that writes nothing)
    problems: list[Problem] = []
    outcomes: dict[int, str] = {}
    for text in args.outcome:
        ref, sep, outcome = text.rpartition("=")
        if not sep or not ref.strip():
            problems.append(("outcome", f"--outcome {text!r} must look like GOAL=achieved"))
            continue
        goal_id = found(wheel, GOAL, ref, problems, "outcome")
        if goal_id is None:
            continue
        outcomes[goal_id] = outcome
        try:
            check_outcome(outcome)
        except ValidationError as exc:
            # worded as the verb words it, so it is told once
            problems.append(("outcome", f"goal {goal_id}: {exc}"))
    carry = [
        goal_id for ref in args.carry
        if (goal_id := found(wheel, GOAL, ref, problems, "carry")) is not None
    ]  # fmt: skip
    refuse(problems, lambda: wheel.close_period(args.period, outcomes=outcomes, carry=carry,
                                                dry_run=True))  # fmt: skip
    done = wheel.close_period(args.period, outcomes=outcomes, carry=carry, dry_run=args.dry_run)
    would = "would " if done.dry_run else ""
    print(f"{'dry run: ' if done.dry_run else ''}period {done.period.label} "
          f"({done.period.start} -> {done.period.end})")  # fmt: skip
    if done.ends_after is not None:
        print(f"  note: {done.period.label} ends on {done.ends_after}; outcomes are proposed "
              "from the status today")  # fmt: skip
    for c in done.closed:
        how = "as given" if c.given else f"proposed from status {c.status.replace('_', ' ')}"
        print(f"  {would}close goal {c.goal_id} {plain(c.title)}: {c.outcome} ({how})")
    for c in done.not_agreed:
        print(f"  {would}leave goal {c.goal_id} {plain(c.title)} open: {c.comment}")
    for k in done.carried:
        new = f" as goal {k.goal_id}" if k.goal_id is not None else ""
        print(f"  {would}carry goal {k.from_id} {plain(k.title)} into {done.next.label}{new} "
              f"({k.start} -> {k.due})")  # fmt: skip
        for name, baseline, target in k.indicators:
            print(f"    {plain(name)}: baseline {baseline:g}, target {target:g}")
        if k.lessons:
            print(f"    lessons kept: {', '.join(str(x) for x in k.lessons)}")
    if not (done.closed or done.carried or done.not_agreed):
        print("  no open goal is due in it")
    return 0
