"""The command palette's wheel entries: jump to any goal or indicator by a
fuzzy match on its name. Actions by name come from
StyrApp.get_system_commands (every stage, undo, keys, the active stage's own
actions) and are listed by the same palette."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from store.plain import plain
from store.service import GOAL, INDICATOR, Kind

if TYPE_CHECKING:
    from tui.app import StyrApp


def _highlight(matcher: Matcher, label: str) -> Content:
    """Matcher.highlight parses its argument as markup; user text must stay
    literal, so the matched letters are styled on a plain Content."""
    content = Content(label)
    _, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        if not label[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class WheelCommands(Provider):
    """Goals and indicators by name: choosing one shows it in its stage."""

    def _targets(self) -> list[tuple[str, str, Kind[Any], int]]:
        app: StyrApp = self.app  # type: ignore[assignment]
        wheel = app.wheel
        targets: list[tuple[str, str, Kind[Any], int]] = []
        for goal in wheel.goals():
            targets.append((f"goal: {plain(goal.title)}", "show in Goals", GOAL, goal.id))
        for ind in wheel.indicators():
            targets.append((f"indicator: {plain(ind.name)}", "show in Measure", INDICATOR, ind.id))
        return targets

    def _jump(self, kind: Kind[Any], doc_id: int) -> None:
        app: StyrApp = self.app  # type: ignore[assignment]
        app.jump_to(kind, doc_id)

    async def discover(self) -> Hits:
        for label, help_text, kind, doc_id in self._targets()[:20]:
            yield DiscoveryHit(Text(label), partial(self._jump, kind, doc_id), label, help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, kind, doc_id in self._targets():
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    _highlight(matcher, label),
                    partial(self._jump, kind, doc_id),
                    label,
                    help_text,
                )
