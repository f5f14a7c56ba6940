"""User text made safe for a terminal: control characters become visible.

Titles and notes are stored exactly as typed; whatever shows them (the CLI,
the TUI) passes them through here so an escape sequence in a goal's title
cannot move the cursor, change colours or retitle the terminal.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidirectional overrides that can make
# text read differently from what it is
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\n\r":
        return " "
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: str) -> str:
    """One line of user text, safe to print."""
    return _UNSAFE.sub(_visible, text)


def plain_lines(text: str) -> str:
    """Several lines of user text: newlines stay, other controls are shown."""
    return "\n".join(plain(line) for line in text.split("\n"))
