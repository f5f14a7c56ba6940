"""What the Goals pane shows on an empty store: the wheel in a few lines and
the two ways to start (a first goal, or the demo to look around)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

STAGES = (
    ("1 Goals", "agree what to reach by when, and the indicators that show it"),
    ("2 Measure", "log what happened, value by value (or import a CSV with I)"),
    ("3 Compare", "see actual against plan: ahead, on track or behind"),
    ("4 Learn", "review the deviations, decide, keep the lessons for next turn"),
)
STARTS = (
    ("a", "create the first goal"),
    ("styr --demo", "a sample wheel to look around in (q quits this one first)"),
    ("?", "every key;  ctrl+p  every command"),
)


def welcome_text() -> Text:
    text = Text()
    text.append("This wheel is empty.", style="bold")
    text.append(" styr steers by goals and results, one turn a period:\n\n")
    for stage, what in STAGES:
        text.append(f"  {stage:<10}", style="bold")
        text.append(f" {what}\n")
    text.append("\nTo start:\n", style="bold")
    for key, what in STARTS:
        text.append(f"  {key:<12}", style="bold reverse" if key == "a" else "bold")
        text.append(f" {what}\n")
    return text


class Welcome(Static):
    """Shown instead of the tree and detail while the store has no goal."""

    def __init__(self) -> None:
        super().__init__(welcome_text(), id="goals-welcome")
