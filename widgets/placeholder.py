"""The words an empty input shows, so it cannot be taken for a typed value.

Textual tells a placeholder from a value only by a dimmer colour, which
NO_COLOR and monochrome terminals take away; a placeholder that reads
`Milestones  2026-06-30=20` or `Agreed by  alice` then looks filled in.
So every placeholder starts with a word no value starts with: `default:`
(left empty, this is used), `one of:` (the words it takes) or `e.g.` (an
example). Their look (italic, besides the dim colour) is one rule in
tui/app.tcss, for every input.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT = "default: "
ONE_OF = "one of: "
EXAMPLE = "e.g. "
MARKERS = (DEFAULT, ONE_OF, EXAMPLE)


def hint(example: str = "", *, default: str = "", choices: Sequence[str] = ()) -> str:
    """`default: monthly; or daily, weekly`, `one of: a, b`, `e.g. 12.5`,
    or nothing when there is nothing to say (an empty input then shows
    nothing, which cannot be mistaken either)."""
    parts = []
    if default:
        others = [choice for choice in choices if choice != default]
        parts.append(DEFAULT + default + ("; or " + ", ".join(others) if others else ""))
    elif choices:
        parts.append(ONE_OF + ", ".join(choices))
    if example:
        parts.append(EXAMPLE + example)
    return "; ".join(parts)
