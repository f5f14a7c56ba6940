"""Open the revision form of an indicator from where the change came from: a
review decided `adjust_target` (Compare) or a lesson's improvement (Learn).

With one indicator to choose from the form opens at once; with several a
list asks which. The form is the Goals pane's indicator form, citing the
review or lesson, so the revision is saved by Wheel.revise with the
reference (and a cited lesson links back to the indicator).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from store import documents as d
from store.errors import StoreError
from tui.dialogs.goal_forms import indicator_form
from tui.dialogs.pick import PickDialog
from tui.screens.stage import StageScreen


def open_revision(
    screen: StageScreen,
    indicators: Sequence[d.Indicator],
    *,
    reason: str = "",
    lesson_id: int | None = None,
    review_id: int | None = None,
    on_done: Callable[[d.Indicator], None] | None = None,
) -> None:
    """Ask which of `indicators` (if more than one), then open its form."""
    if not indicators:
        screen.notify("No indicator to revise: add one to the goal in 1 Goals.", markup=False)
        return

    def revise(indicator_id: int | None) -> None:
        if indicator_id is None:
            return
        try:
            ind = screen.wheel.indicator(indicator_id)
            goal = screen.wheel.goal(ind.goal_id)
        except StoreError as exc:
            screen.show_error(exc)
            return
        form = indicator_form(
            screen.wheel, goal, ind, reason=reason, lesson_id=lesson_id, review_id=review_id
        )
        screen.open_form(form, on_done)

    if len(indicators) == 1:
        revise(indicators[0].id)
        return
    choices = [(f"{ind.name} (indicator {ind.id})", ind.id) for ind in indicators]
    screen.app.push_screen(PickDialog("Revise the plan of which indicator?", choices), revise)
