"""store.jsonio: before orjson is imported, the store's files are read and
written by the standard library exactly as orjson would read them."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.jsonio import JSONDecodeError, loads, standard_dumps, standard_loads, standard_reads


def _orjson(raw: bytes) -> tuple[bool, str]:
    try:
        return True, repr(orjson.loads(raw))
    except orjson.JSONDecodeError:
        return False, ""


def _standard(raw: bytes, ours: bool = False) -> tuple[bool, str]:
    try:
        return True, repr(standard_loads(raw, ours=ours))
    except JSONDecodeError:
        return False, ""


# the repr tells 1 from 1.0, -0.0 from 0.0 and keeps the order of keys
def _same_as_orjson(raw: bytes) -> None:
    if standard_reads(raw):  # else orjson reads it
        assert _standard(raw) == _orjson(raw), raw[:120]


WHAT_DIFFERS = [
    b"NaN",
    b"[Infinity]",
    b'{"value": -Infinity}',
    b"[1e400]",
    b"[-1.8e308]",
    b"[1.7976931348623157e308]",
    b"[1e-400]",
    b"[" + b"1" * 400 + b"]",
    b"[" + b"1" * 5000 + b"]",
    b"[18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809]",
    b'["\\ud83d\\ude00"]',
    b'["\\ud800"]',
    b'["\xed\xa0\x80"]',
    b'["\xff"]',
    b"\xef\xbb\xbf{}",
    b'{"a": "\x01"}',
    b"{}\x00",
    b"[" * 2000 + b"]" * 2000,
    b'{"a": 1, "b": 2, "a": 3}',
    b"[1,]",
    b"",
    b"  ",
    b'{"a": [1, 2.5, -0.0, 0, 1E2, "x"]} ',
    b'"\\u0000 e123 3e400 1234567890123456789012"',
]


@pytest.mark.parametrize("raw", WHAT_DIFFERS, ids=range(len(WHAT_DIFFERS)))
def test_the_standard_parser_reads_what_orjson_reads_and_refuses_what_it_refuses(
    raw: bytes,
) -> None:
    # only an escaped surrogate is left to orjson (the standard parser
    # would let a lone one by)
    assert standard_reads(raw) is (b"\\ud" not in raw)
    _same_as_orjson(raw)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=())),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values, st.booleans(), st.booleans())
def test_any_text_of_json_reads_as_orjson_reads_it(
    value: Any, ascii_only: bool, spaced: bool
) -> None:
    # the standard writer also writes what orjson refuses: NaN, infinities,
    # lone surrogates (escaped, or as bytes UTF-8 cannot hold)
    text = json.dumps(value, ensure_ascii=ascii_only, indent=1 if spaced else None)
    _same_as_orjson(text.encode("utf-8", "surrogatepass"))


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(map(_finite, value))
    if isinstance(value, dict):
        return all(map(_finite, value.values()))
    return not isinstance(value, int) or -(2**63) <= value < 2**64


stored_values = json_values.filter(_finite)


@given(stored_values, st.booleans())
def test_what_the_standard_writer_writes_reads_back_as_orjson_writes_it(
    value: Any, indent: bool
) -> None:
    try:
        written = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    except orjson.JSONEncodeError:  # a lone surrogate
        with pytest.raises(TypeError):
            standard_dumps(value, indent=indent)
        return
    ours = standard_dumps(value, indent=indent)
    assert repr(orjson.loads(ours)) == repr(orjson.loads(written))
    # bytes of ours are read without the number rules, to the same values
    assert _standard(ours, ours=True) == _orjson(written)
    # the layout is orjson's; only a float may be spelled otherwise
    if not any(isinstance(leaf, float) for leaf in _leaves(value)):
        assert ours == written


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    return [value]


def test_the_standard_writer_refuses_what_orjson_cannot_write() -> None:
    for value in (float("nan"), float("inf"), "\ud800", {"a": object()}, b"bytes"):
        with pytest.raises(TypeError):
            standard_dumps(value)


ROUTE_PROBE = """
import sys
from store.jsonio import loads
print(loads(sys.argv[1].encode(), ours=sys.argv[2] == "ours"), "orjson" in sys.modules)
"""


def _route(text: str, whose: str = "shared") -> str:
    done = subprocess.run(
        [sys.executable, "-c", ROUTE_PROBE, text, whose], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_small_text_and_bytes_of_ours_are_read_without_importing_orjson() -> None:
    assert _route('{"a": [1, 2.5]}') == "{'a': [1, 2.5]} False"
    assert _route('{"a": [1, 2.5]}', "ours") == "{'a': [1, 2.5]} False"


def test_an_escaped_surrogate_and_big_shared_text_go_to_orjson() -> None:
    assert _route('["\\ud83d\\ude00"]') == "['\U0001f600'] True"
    big = '["' + "x" * 70_000 + '"]'
    assert _route(big).endswith("] True")
    assert _route(big, "ours").endswith("] False")


def test_loads_uses_orjson_once_it_is_imported() -> None:
    assert "orjson" in sys.modules
    with pytest.raises(JSONDecodeError):
        loads(b'["\\ud800"]', ours=True)
