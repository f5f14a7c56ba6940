"""Open the risk register from a stage (Goals, Compare: `R` and the palette);
Enter on a risk there comes back to the stage showing the risk's goal."""

from __future__ import annotations

from store.service import GOAL
from tui.screens.stage import StageScreen


def open_register(screen: StageScreen) -> None:
    # imported when first opened: the Goals stage (the first frame) needs it not
    from tui.dialogs.risk_register import RiskRegister

    def back(goal_id: int | None) -> None:
        # an acceptance made there is shown here too
        screen.reload()
        if goal_id is not None and not screen.select(GOAL, goal_id):
            screen.notify(f"goal {goal_id} is not shown here", markup=False)

    screen.app.push_screen(RiskRegister(screen.wheel, screen.can_edit), back)
