"""JSON in and out of the folder store's files, as orjson reads and writes it.

orjson parses a big file twice as fast as the standard library, but its
import takes datetime, uuid, dataclasses and inspect with it: a fifth of a
`styr log`, which only parses the wheel and writes a few small documents.
So until something has imported orjson anyway (a read of the measurements,
an import, the TUI), the standard parser reads what it reads exactly as
orjson would, and orjson is imported only where the two could differ:

- small text from the shared folder is parsed by the standard library with
  orjson's rules where the two differ: NaN, the infinities and a number too
  big for a double are refused, a whole number too big for 64 bits becomes
  a float; text with an escaped surrogate goes to orjson. The checks that
  rely on those refusals (store.checks) hold whichever parsed it;
- bytes this user's styr wrote or checked whole (`ours`, checks.trusted)
  came from a writer or a parse that admits none of those;
- anything else goes to orjson.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Final

# orjson's is a subclass: catching this catches both
JSONDecodeError = json.JSONDecodeError

# up to this many bytes, shared text is parsed with orjson's rules (a scan
# and a call for every number cost more than orjson's import on a big file)
SCANNED_UP_TO: Final = 64 * 1024
# above this, orjson's parse pays for its import
STANDARD_UP_TO: Final = 4 * 1024 * 1024

# an escaped surrogate: orjson refuses a lone one, where the standard
# parser makes text that no file can hold
_SURROGATE: Final = re.compile(rb"\\u[dD][89a-fA-F]")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    number = float(text)
    if number - number != 0:
        raise ValueError(f"{text[:20]} is too big for a number")
    return number


def _whole(text: str) -> int | float:
    number = int(text)
    return number if -(2**63) <= number < 2**64 else _finite(text)


def loads(raw: bytes, *, ours: bool = False) -> Any:
    """The JSON value of `raw`, or JSONDecodeError. `ours`: the bytes are
    ones this user's styr wrote or checked whole (store.checks.trusted)."""
    if "orjson" not in sys.modules and standard_reads(raw, ours=ours):
        return standard_loads(raw, ours=ours)
    import orjson

    return orjson.loads(raw)


def standard_reads(raw: bytes, *, ours: bool = False) -> bool:
    """Whether `loads` gives `raw` to the standard parser while orjson is
    not imported."""
    if ours:
        return len(raw) <= STANDARD_UP_TO
    return len(raw) <= SCANNED_UP_TO and _SURROGATE.search(raw) is None


def standard_loads(raw: bytes, *, ours: bool = False) -> Any:
    """What `loads` reads without orjson: the standard parser with orjson's
    rules for numbers (bytes of ours hold no number the rules would change)."""
    try:
        text = raw.decode()
        if ours:
            return json.loads(text, parse_constant=_refuse_constant)
        return json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite, parse_int=_whole
        )
    except JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:  # a refused number, bad UTF-8, too deep
        raise JSONDecodeError(str(exc), "", 0) from None


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """`value` as compact JSON (two-space indented with `indent`) in UTF-8,
    TypeError for what is not JSON. Keys must be text and numbers finite,
    as in every checked document: the standard writer would turn a number
    key into text where orjson refuses it, and orjson writes NaN as null."""
    if "orjson" in sys.modules:
        import orjson

        return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    return standard_dumps(value, indent=indent)


def standard_dumps(value: Any, *, indent: bool = False) -> bytes:
    """What `dumps` writes without orjson: the same layout, and the same
    values when read back (a float may be spelled otherwise: 1e+16, 1e16)."""
    try:
        text = json.dumps(
            value,
            ensure_ascii=False,
            allow_nan=False,
            indent=2 if indent else None,
            separators=(",", ": ") if indent else (",", ":"),
            default=_refuse_type,
        )
        return text.encode()
    except ValueError as exc:  # a NaN, a surrogate that UTF-8 cannot hold
        raise TypeError(str(exc)) from None


def _refuse_type(value: Any) -> Any:
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
