"""Every review of one indicator or goal, newest first, from the Compare pane.

A table (date, who, judgement, confidence, deviation) that scrolls, the
confidence over time as a block sparkline above it, and under it the
selected review in full: the comparison it froze and its comment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from store.documents import Review
from store.plain import plain
from tui.dialogs.list_keys import ListKeys
from widgets.block_spark import BlockSpark

COLUMNS = ("date", "by", "judgement", "conf.", "deviation")


def words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def deviation_words(review: Review) -> str:
    """`external, adjust target`, or '' within tolerance."""
    if not review.deviation:
        return ""
    return ", ".join(part for part in (words(review.cause), words(review.decision)) if part)


def review_line(review: Review) -> str:
    """One review on one line: `2026-11-30 alice: at risk 6/10, external, adjust target`."""
    line = (
        f"{review.date.isoformat()} {plain(review.stamp.updated_by) or '?'}: "
        f"{words(review.judgement)} {review.confidence}/10"
    )
    deviation = deviation_words(review)
    return line + (f", {deviation}" if deviation else "")


class ReviewsDialog(ListKeys[Any]):
    """The reviews of `label`, newest first; Esc closes."""

    DEFAULT_CSS = """
    ReviewsDialog #reviews-table {
        height: auto;
        max-height: 12;
    }
    ReviewsDialog #reviews-detail {
        height: auto;
        max-height: 5;
        margin-top: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v,q", "close", "Close", id="reviews.close"),
    ]

    def __init__(
        self,
        label: str,
        reviews: Sequence[Review],
        summary: Callable[[dict[str, Any]], str],
    ) -> None:
        super().__init__(classes="dialog")
        self._label = label
        self._reviews = list(reviews)
        self._summary = summary

    def compose(self) -> ComposeResult:
        count = len(self._reviews)
        title = Text(f"Reviews of {plain(self._label)}", style="bold")
        title.append(f"  {count}, newest first" if count else "  none yet", style="dim")
        with Vertical(classes="dialog-box reviews-box"):
            yield Static(title, classes="dialog-title")
            spark = BlockSpark("confidence (0-10), oldest first", 0, 10, id="reviews-spark")
            spark.values = tuple(float(r.confidence) for r in reversed(self._reviews))
            yield spark
            table: DataTable[str | Text] = DataTable(
                id="reviews-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns(*COLUMNS)
            for review in self._reviews:
                table.add_row(
                    review.date.isoformat(),
                    Text(plain(review.stamp.updated_by)),
                    words(review.judgement),
                    f"{review.confidence}/10",
                    deviation_words(review),
                    key=str(review.id),
                )
            yield table
            yield Static("", id="reviews-detail")
            yield Static("↑↓ move   Esc closes", classes="dialog-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#reviews-table", DataTable))
        self._show(0)

    @on(DataTable.RowHighlighted, "#reviews-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, index: int) -> None:
        detail = self.query_one("#reviews-detail", Static)
        if not 0 <= index < len(self._reviews):
            detail.update(Text("No review yet: r in Compare records one.", style="italic"))
            return
        review = self._reviews[index]
        text = Text(f"review {review.id}: ", style="bold")
        text.append(plain(self._summary(dict(review.comparison))) if review.comparison else "")
        if review.comment:
            text.append("\n“" + plain(review.comment) + "”", style="italic")
        detail.update(text)

    def action_close(self) -> None:
        self.dismiss(None)
