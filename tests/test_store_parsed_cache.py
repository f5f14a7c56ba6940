"""The private cache of the parsed wheel (store/parsedcache.py): bytes of the
wheel this user's styr checked are read back from the user's cache instead
of being parsed; anything else (an edit, a damaged, forged or linked entry,
another Python's entry) is a miss, and the wheel is parsed and checked as
if there were no cache."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

import store.parsedcache as parsedcache
import store.storage
from store.backends import open_wheel
from store.errors import StoreCorrupt
from store.service import GOAL


def _wheel(seeded: Any) -> Path:
    return Path(seeded.root) / "wheel.json"


def _titles(root: Path) -> list[str]:
    return [goal.title for goal in open_wheel(root).goals()]


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files parsed from JSON from now on."""
    parsed: list[str] = []
    loads = store.storage.loads

    def counting(raw: bytes, *, ours: bool = False) -> Any:
        parsed.append("wheel.json" if raw.startswith(b'{\n  "meta"') else "other")
        return loads(raw, ours=ours)

    monkeypatch.setattr(store.storage, "loads", counting)
    return parsed


def _entry(seeded: Any) -> Path:
    # the first open after the seeding parses the wheel and keeps it
    _titles(seeded.root)
    entry = parsedcache.entry_path(_wheel(seeded))
    assert entry.is_file()
    return entry


def test_a_checked_wheel_is_read_from_the_cache_without_parsing(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _entry(seeded)
    first = _titles(seeded.root)
    parsed = _parses(monkeypatch)
    assert _titles(seeded.root) == first == ["Shorter queues"]
    assert "wheel.json" not in parsed


def test_the_cache_is_private_and_never_in_the_store(seeded: Any) -> None:
    before = sorted(p.name for p in Path(seeded.root).iterdir())
    entry = _entry(seeded)
    assert sorted(p.name for p in Path(seeded.root).iterdir()) == before
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700


def test_a_change_by_this_user_is_seen_and_kept_anew(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _entry(seeded)
    open_wheel(seeded.root, user="alice").add(GOAL, {"title": "Cook faster"})
    assert _titles(seeded.root) == ["Shorter queues", "Cook faster"]
    parsed = _parses(monkeypatch)
    assert _titles(seeded.root) == ["Shorter queues", "Cook faster"]
    assert "wheel.json" not in parsed


def test_a_wheel_edited_by_a_colleague_is_parsed_and_checked(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _entry(seeded)
    wheel = _wheel(seeded)
    wheel.write_bytes(wheel.read_bytes().replace(b"Shorter queues", b"Longer queues"))
    parsed = _parses(monkeypatch)
    assert _titles(seeded.root) == ["Longer queues"]
    assert "wheel.json" in parsed
    wheel.write_bytes(wheel.read_bytes().replace(b'"Longer queues"', b"17"))
    with pytest.raises(StoreCorrupt, match="title"):
        _titles(seeded.root)


@pytest.mark.parametrize("damage", ["altered", "truncated", "other python", "empty"])
def test_a_damaged_entry_is_a_miss_and_is_made_again(
    seeded: Any, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    entry = _entry(seeded)
    whole = entry.read_bytes()
    if damage == "altered":  # still marshal's format: only its hash tells
        entry.write_bytes(whole.replace(b"Shorter queues", b"Shorter queuez"))
    elif damage == "truncated":
        entry.write_bytes(whole[: len(whole) // 2])
    elif damage == "other python":
        entry.write_bytes(whole.replace(b"styr-parsed 1 ", b"styr-parsed 1 x", 1))
    else:
        entry.write_bytes(b"")
    parsed = _parses(monkeypatch)
    assert _titles(seeded.root) == ["Shorter queues"]
    assert "wheel.json" in parsed
    assert entry.read_bytes() == whole


def test_an_entry_that_is_a_link_is_not_followed(
    seeded: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    entry = _entry(seeded)
    elsewhere = tmp_path / "elsewhere"
    entry.rename(elsewhere)
    os.symlink(elsewhere, entry)
    parsed = _parses(monkeypatch)
    assert _titles(seeded.root) == ["Shorter queues"]
    assert "wheel.json" in parsed
    # the link was replaced by an entry of its own; its target is untouched
    assert not entry.is_symlink() and elsewhere.read_bytes() == entry.read_bytes()


def test_an_entry_is_used_only_for_the_bytes_it_was_made_from(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _entry(seeded)
    kept = entry.read_bytes()
    wheel = _wheel(seeded)
    wheel.write_bytes(wheel.read_bytes().replace(b"Shorter queues", b"Longer queues"))
    assert _titles(seeded.root) == ["Longer queues"]
    # an entry of the old bytes put back does not stand for the new ones
    entry.write_bytes(kept)
    parsed = _parses(monkeypatch)
    assert _titles(seeded.root) == ["Longer queues"]
    assert "wheel.json" in parsed
