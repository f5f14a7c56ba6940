"""The private series cache (store/seriescache.py): a reader that finds a
measurement file as it was noted takes its series from the user's cache
without parsing it; anything else (an edit, a forged or damaged entry) is a
miss, and the file is parsed and checked as if there were no cache.

Most tests note files as soon as they are read (RACY_NS = 0); one keeps the
guard that a file changed moments ago is never noted.
"""

from __future__ import annotations

import os
import stat
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import store.comparecache as comparecache
import store.seriescache as seriescache
import store.storage
from store.backends import open_wheel
from store.compare import compare
from store.documents import Indicator
from store.errors import StoreCorrupt
from store.paths import digest
from store.series import DaySeries, FileSeries, merged
from store.service import INDICATOR

YEAR = "measurements-2026.json"
AT = date(2026, 3, 1)


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seriescache, "RACY_NS", 0)
    monkeypatch.setattr(comparecache, "RACY_NS", 0)


def _logged(seeded: Any) -> Path:
    wheel = open_wheel(seeded.root, user="alice")
    for day, value in (("2026-01-05", 10), ("2026-02-01", 20), ("2026-02-01", 25)):
        wheel.log(seeded.indicator, value, day)
    return Path(seeded.root) / YEAR


def _record(root: Path, indicator: int) -> dict[str, Any]:
    return dict(open_wheel(root).view(AT).indicator_record(indicator))


def _no_parsing_of_measurements(monkeypatch: pytest.MonkeyPatch) -> None:
    parse = store.storage.parse

    def refuse(path: Path, raw: bytes) -> Any:
        assert not path.name.startswith("measurements-"), f"{path.name} was parsed"
        return parse(path, raw)

    monkeypatch.setattr(store.storage, "parse", refuse)


def test_a_second_reader_takes_the_series_from_the_cache_without_parsing(
    seeded: Any, eager: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = _logged(seeded)
    first = _record(seeded.root, seeded.indicator)
    assert first["actual"] == 25.0 and first["last_date"] == "2026-02-01"
    entry = seriescache.entry_path(year)
    assert entry.is_file()
    _no_parsing_of_measurements(monkeypatch)
    assert _record(seeded.root, seeded.indicator) == first


def test_the_cache_is_private_and_never_in_the_store(seeded: Any, eager: None) -> None:
    year = _logged(seeded)
    before = sorted(p.name for p in Path(seeded.root).iterdir())
    _record(seeded.root, seeded.indicator)
    assert sorted(p.name for p in Path(seeded.root).iterdir()) == before
    entry = seriescache.entry_path(year)
    assert not entry.is_relative_to(seeded.root)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700


def test_a_hand_broken_file_is_refused_though_the_cache_knew_it(seeded: Any, eager: None) -> None:
    year = _logged(seeded)
    _record(seeded.root, seeded.indicator)
    assert seriescache.entry_path(year).is_file()
    # the same length, a value that is not a number; the old file stays
    # linked (as in a backup), so the new one cannot reuse its inode
    os.link(year, year.with_name("kept"))
    raw = year.read_bytes()
    broken = raw.replace(b'"value":25.0', b'"value":"x5"')
    assert len(broken) == len(raw) and broken != raw
    year.with_name("new").write_bytes(broken)
    os.replace(year.with_name("new"), year)
    with pytest.raises(StoreCorrupt, match=r"measurements-2026\.json.*value"):
        _record(seeded.root, seeded.indicator)


def test_a_file_changed_moments_ago_is_not_noted(seeded: Any) -> None:
    year = _logged(seeded)
    _record(seeded.root, seeded.indicator)
    assert not seriescache.entry_path(year).exists()
    # so an edit in place within the same tick of the clock is read as well
    raw = year.read_bytes()
    with open(year, "r+b") as stream:
        stream.write(raw.replace(b'"value":25.0', b'"value":"x5"'))
    with pytest.raises(StoreCorrupt, match="value"):
        _record(seeded.root, seeded.indicator)


@pytest.mark.parametrize(
    "damage",
    ["truncated", "a flipped byte", "another file's entry", "columns cut short", "empty"],
)
def test_a_damaged_or_forged_entry_is_a_miss(seeded: Any, eager: None, damage: str) -> None:
    year = _logged(seeded)
    good = _record(seeded.root, seeded.indicator)
    entry = seriescache.entry_path(year)
    raw = entry.read_bytes()
    if damage == "truncated":
        raw = raw[:-5]
    elif damage == "a flipped byte":
        raw = raw[:-3] + bytes([raw[-3] ^ 1]) + raw[-2:]
    elif damage == "another file's entry":
        other = year.with_name("measurements-2025.json")
        open_wheel(seeded.root, user="alice").log(seeded.indicator, 99, "2025-06-01")
        _record(seeded.root, seeded.indicator)
        raw = seriescache.entry_path(other).read_bytes()
    elif damage == "columns cut short":
        # whole by its hash, but its columns do not add up to its header
        body = raw[len(comparecache.MAGIC) + 32 : -8]
        raw = comparecache.MAGIC + digest(body) + body
    else:
        raw = b""
    entry.write_bytes(raw)
    assert seriescache.load(year) is None
    assert _record(seeded.root, seeded.indicator)["actual"] == good["actual"]


def test_a_long_lived_reader_sees_another_process_write_a_file_it_took_from_the_cache(
    seeded: Any, eager: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _logged(seeded)
    _record(seeded.root, seeded.indicator)
    reader = open_wheel(seeded.root)
    assert reader.view(AT).indicator_record(seeded.indicator)["actual"] == 25.0
    open_wheel(seeded.root, user="bob").log(seeded.indicator, 30, "2026-02-20")
    changes = reader.refresh()
    assert [c.file for c in changes] == [YEAR]
    assert reader.view(AT).indicator_record(seeded.indicator)["actual"] == 30.0


def test_racing_writers_of_one_entry_leave_a_whole_one(tmp_path: Path, eager: None) -> None:
    year = tmp_path / YEAR
    year.write_bytes(b"{}")
    st = os.lstat(year)
    series = FileSeries.of_points({3: [(date(2026, 1, n), n, n / 2) for n in range(1, 29)]})
    seen: list[object] = []

    def work() -> None:
        for _ in range(20):
            seriescache.save(year, st, series)
            seen.append(seriescache.load(year))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen and all(found is not None for found in seen)
    last = seriescache.load(year)
    assert last is not None and last[0].points(3) == series.points(3)
    assert not [p for p in seriescache.entry_path(year).parent.iterdir() if p.suffix == ".tmp"]


def test_series_of_a_year_and_its_recent_file_merge_by_day_then_id() -> None:
    year = FileSeries.of_points({1: [(date(2026, 1, 2), 5, 1.0), (date(2026, 1, 9), 7, 3.0)]})
    recent = FileSeries.of_points({1: [(date(2026, 1, 2), 9, 2.0), (date(2026, 1, 10), 8, 4.0)]})
    assert list(merged([year, recent])[1]) == [
        (date(2026, 1, 2), 1.0),
        (date(2026, 1, 2), 2.0),
        (date(2026, 1, 9), 3.0),
        (date(2026, 1, 10), 4.0),
    ]


def test_compare_reads_columns_as_it_reads_pairs() -> None:
    indicator = Indicator.from_doc(
        1,
        {
            "goal_id": 1,
            "name": "n",
            "baseline": 0.0,
            "target": 100.0,
            "start": "2026-01-01",
            "due": "2026-12-31",
            "aggregation": "sum",
        },
    )
    pairs = [(date(2026, 1, n % 27 + 1), float(n * 7 % 11)) for n in range(40)]
    columns = DaySeries.of_pairs(pairs)
    assert compare(indicator, pairs, AT) == compare(indicator, columns, AT)
    assert list(columns) == sorted(pairs, key=lambda pair: pair[0])


def test_showing_measurements_keeps_no_year_parsed_and_changes_no_version(
    seeded: Any, eager: None
) -> None:
    from store.store import storage_of

    _logged(seeded)
    expected = [(m.id, m.value, m.note) for m in open_wheel(seeded.root).measurements(1)]
    _record(seeded.root, seeded.indicator)  # noted in the cache
    wheel = open_wheel(seeded.root)
    view = wheel.view(AT)
    version = wheel.version
    assert [(m.id, m.value, m.note) for m in wheel.measurements(seeded.indicator)] == expected
    files = [storage_of(db) for _, db in wheel.backend.store.measurement_files()]
    assert files and not any(storage.loaded for storage in files)
    # the bytes read were those the cache knew: nothing readable changed
    assert wheel.version == version and wheel.view(AT) is view


def test_a_bad_measurement_is_refused_where_it_is_shown(seeded: Any) -> None:
    year = _logged(seeded)
    raw = year.read_bytes()
    year.write_bytes(raw.replace(b'"source":""', b'"source":7', 1))
    wheel = open_wheel(seeded.root)
    with pytest.raises(StoreCorrupt, match="source"):
        wheel.measurements(seeded.indicator)


def _no_comparing(monkeypatch: pytest.MonkeyPatch) -> None:
    import store.compare

    def refuse(*args: object) -> None:
        raise AssertionError("the wheel was compared again")

    monkeypatch.setattr(store.compare, "compare_wheel", refuse)


def test_the_comparison_of_an_unchanged_wheel_is_kept_for_the_next_reader(
    seeded: Any, eager: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _logged(seeded)
    first = _record(seeded.root, seeded.indicator)
    goal = dict(open_wheel(seeded.root).view(AT).goal_record(seeded.goal))
    with monkeypatch.context() as patched:
        _no_comparing(patched)
        _no_parsing_of_measurements(patched)
        wheel = open_wheel(seeded.root)
        assert dict(wheel.view(AT).indicator_record(seeded.indicator)) == first
        assert dict(wheel.view(AT).goal_record(seeded.goal)) == goal
        # another day is compared afresh
        with pytest.raises(AssertionError, match="compared again"):
            open_wheel(seeded.root).view(date(2026, 3, 2))


def test_a_kept_comparison_is_not_used_once_anything_it_was_made_from_changed(
    seeded: Any, eager: None
) -> None:
    _logged(seeded)
    _record(seeded.root, seeded.indicator)
    open_wheel(seeded.root, user="bob").log(seeded.indicator, 30, "2026-02-20")
    assert _record(seeded.root, seeded.indicator)["actual"] == 30.0
    wheel = open_wheel(seeded.root, user="bob")
    wheel.update(INDICATOR, seeded.indicator, {"target": "200"})
    assert _record(seeded.root, seeded.indicator)["target"] == 200.0


def test_a_kept_comparison_made_by_other_rules_is_not_used(
    seeded: Any, eager: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _logged(seeded)
    _record(seeded.root, seeded.indicator)
    rules = comparecache._rules()
    monkeypatch.setattr(comparecache, "_rules", lambda: [*rules, ["compare.py", 1, 2]])
    _no_comparing(monkeypatch)
    with pytest.raises(AssertionError, match="compared again"):
        _record(seeded.root, seeded.indicator)


def test_a_reader_with_a_kept_comparison_sees_another_process_write(
    seeded: Any, eager: None
) -> None:
    _logged(seeded)
    _record(seeded.root, seeded.indicator)
    reader = open_wheel(seeded.root)
    assert reader.view(AT).indicator_record(seeded.indicator)["actual"] == 25.0
    open_wheel(seeded.root, user="bob").log(seeded.indicator, 30, "2026-02-20")
    assert [c.file for c in reader.refresh()] == [YEAR]
    assert reader.view(AT).indicator_record(seeded.indicator)["actual"] == 30.0


def test_a_comparison_read_past_a_broken_file_is_not_kept(seeded: Any, eager: None) -> None:
    year = _logged(seeded)
    year.write_bytes(year.read_bytes().replace(b'"source":""', b'"source":7', 1))
    wheel = open_wheel(seeded.root)
    wheel.tolerant = True
    assert wheel.view(AT).indicator_record(seeded.indicator)["actual"] is None
    assert wheel.broken is not None
    assert not comparecache.comparison_path(os.path.realpath(seeded.root)).exists()


@pytest.mark.parametrize("xdg", [None, "/somewhere/cache", "relative/cache"])
def test_the_private_cache_folder_is_where_platformdirs_puts_it(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None
) -> None:
    from platformdirs import user_cache_path

    from store.paths import user_cache_folder

    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert user_cache_folder() == user_cache_path("styr")


def test_after_a_log_only_the_indicator_logged_is_compared_again(
    seeded: Any, eager: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.compare

    _logged(seeded)
    wheel = open_wheel(seeded.root, user="alice")
    other = wheel.add(
        INDICATOR,
        {"goal_id": seeded.goal, "name": "Waiting", "baseline": "9", "target": "3",
         "direction": "decrease", "start": "2025-01-01", "due": "2026-12-31"},
    )  # fmt: skip
    wheel.log(other.id, 8, "2026-01-10")
    before = _record(seeded.root, other.id)
    open_wheel(seeded.root, user="bob").log(seeded.indicator, 30, "2026-02-20")
    compared: list[int] = []
    compare = store.compare.compare

    def counted(indicator: Any, series: Any, at: date) -> Any:
        compared.append(indicator.id)
        return compare(indicator, series, at)

    monkeypatch.setattr(store.compare, "compare", counted)
    wheel = open_wheel(seeded.root)
    assert wheel.view(AT).indicator_record(seeded.indicator)["actual"] == 30.0
    assert dict(wheel.view(AT).indicator_record(other.id)) == before
    assert compared == [seeded.indicator]


def test_a_link_in_place_of_an_entry_is_not_followed(seeded: Any, eager: None) -> None:
    year = _logged(seeded)
    _record(seeded.root, seeded.indicator)
    entry = seriescache.entry_path(year)
    assert seriescache.load(year) is not None
    os.replace(entry, entry.with_name("elsewhere"))
    entry.symlink_to(entry.with_name("elsewhere"))
    assert seriescache.load(year) is None
    assert _record(seeded.root, seeded.indicator)["actual"] == 25.0
