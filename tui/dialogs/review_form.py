"""Record a review (a check-in) of one indicator or goal from the Compare pane.

The form passes what was typed to `Wheel.record_review`, which computes and
freezes the comparison of that day itself. When the comparison shown is
outside tolerance the form also asks for the deviation's cause and the
decision taken; the verb enforces that rule, and the form shows each of its
refusals under the field concerned and stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from store.documents import CAUSES, DECISIONS, JUDGEMENTS, OUTSIDE_TOLERANCE, Review
from store.plain import plain
from tui.dialogs.form import FormDialog, FormField


@dataclass(frozen=True, slots=True)
class ReviewSubject:
    """What is being reviewed, as the Compare pane saw it."""

    label: str
    """The goal, or `goal > indicator`; user text."""
    summary: str
    """One line about the comparison: status, actual against expected, progress."""
    status: str
    """The status shown, which suggests the judgement."""
    day: date
    """The day compared at, which is the review's date."""
    goal_id: int | None = None
    indicator_id: int | None = None

    @property
    def outside_tolerance(self) -> bool:
        return self.status in OUTSIDE_TOLERANCE


def suggested_judgement(status: str) -> str:
    """The judgement the numbers suggest; the person may well know better."""
    if status in ("off_track", "missed"):
        return "off_track"
    if status == "at_risk":
        return "at_risk"
    return "on_track"


def review_fields(subject: ReviewSubject) -> list[FormField]:
    status = subject.status
    fields = [
        FormField(
            "judgement",
            "Judgement",
            suggested_judgement(status),
            choices=JUDGEMENTS,
        ),
        FormField("confidence", "Confidence", "", "7 (0-10: how sure you are of the judgement)"),
        FormField("comment", "Comment", "", "queues grow, so we add staff"),
    ]
    if subject.outside_tolerance:
        fields += [
            FormField("cause", "Deviation cause", "", choices=CAUSES, aliases=("deviation",)),
            FormField("decision", "Decision", "", choices=DECISIONS),
        ]
    return fields


def review_arguments(subject: ReviewSubject, values: Mapping[str, str]) -> dict[str, Any]:
    """The keyword arguments of `Wheel.record_review`, from what was typed;
    a cause or decision left empty is none, and the verb says if one is needed."""
    return {
        "indicator_id": subject.indicator_id,
        "goal_id": subject.goal_id,
        "when": subject.day,
        "judgement": values["judgement"].strip(),
        "confidence": values["confidence"].strip(),
        "comment": values["comment"].strip(),
        "cause": values.get("cause", "").strip() or None,
        "decision": values.get("decision", "").strip() or None,
    }


class ReviewForm(FormDialog):
    """Judgement, confidence and comment, plus the deviation when outside tolerance.

    `record` is `Wheel.record_review` (or one that takes the same keyword
    arguments); it returns the stored review or raises ValidationError, and
    the form stays open and shows every problem.
    """

    def __init__(self, subject: ReviewSubject, record: Callable[..., Review]) -> None:
        self.subject = subject
        title = f"Review: {plain(subject.label)}\n{plain(subject.summary)}"
        if subject.outside_tolerance:
            title += "\nOutside tolerance: give the deviation's cause and your decision."
        super().__init__(
            title,
            review_fields(subject),
            lambda values, _overwrite: record(**review_arguments(subject, values)),
        )
