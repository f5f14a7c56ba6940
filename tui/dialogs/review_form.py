"""Record a review (a check-in) of one indicator or goal from the Compare pane.

The comparison the user is looking at is frozen into the review. When it is
outside tolerance the form also asks for the deviation's cause and the
decision taken; the store enforces that rule, the form shows its message
under the cause and stays open.
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
    comparison: Mapping[str, Any]
    """The comparison as JSON-ready values; stored with the review."""
    day: date
    """The day compared at, which is the review's date."""
    goal_id: int | None = None
    indicator_id: int | None = None

    @property
    def outside_tolerance(self) -> bool:
        return self.comparison.get("status") in OUTSIDE_TOLERANCE


def suggested_judgement(status: str) -> str:
    """The judgement the numbers suggest; the person may well know better."""
    if status in ("off_track", "missed"):
        return "off_track"
    if status == "at_risk":
        return "at_risk"
    return "on_track"


def review_fields(subject: ReviewSubject) -> list[FormField]:
    status = str(subject.comparison.get("status", ""))
    fields = [
        FormField(
            "judgement",
            "Judgement",
            suggested_judgement(status),
            " / ".join(JUDGEMENTS),
            JUDGEMENTS,
        ),
        FormField("confidence", "Confidence", "", "0-10: how sure you are of the judgement"),
        FormField("comment", "Comment", "", "what you see, what you will do"),
    ]
    if subject.outside_tolerance:
        fields += [
            FormField(
                "cause", "Deviation cause", "", " / ".join(CAUSES), CAUSES, aliases=("deviation",)
            ),
            FormField("decision", "Decision", "", " / ".join(DECISIONS), DECISIONS),
        ]
    return fields


def review_values(subject: ReviewSubject, values: Mapping[str, str]) -> dict[str, Any]:
    """The review as the store takes it, from what was typed."""
    data: dict[str, Any] = {
        "date": subject.day.isoformat(),
        "goal_id": subject.goal_id,
        "indicator_id": subject.indicator_id,
        "comparison": dict(subject.comparison),
        "judgement": values["judgement"].strip(),
        "confidence": values["confidence"].strip(),
        "comment": values["comment"].strip(),
    }
    cause = values.get("cause", "").strip()
    decision = values.get("decision", "").strip()
    # no deviation at all when nothing was typed: the store then says
    # whether one is needed
    data["deviation"] = {"cause": cause, "decision": decision} if cause or decision else None
    return data


class ReviewForm(FormDialog):
    """Judgement, confidence and comment, plus the deviation when outside tolerance.

    `save` gets the review's fields and returns the stored review or raises
    ValidationError; the form stays open and shows why.
    """

    def __init__(self, subject: ReviewSubject, save: Callable[[dict[str, Any]], Review]) -> None:
        self.subject = subject
        title = f"Review: {plain(subject.label)}\n{plain(subject.summary)}"
        if subject.outside_tolerance:
            title += "\nOutside tolerance: give the deviation's cause and your decision."
        super().__init__(
            title,
            review_fields(subject),
            lambda values, _overwrite: save(review_values(subject, values)),
        )
