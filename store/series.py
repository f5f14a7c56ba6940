"""Measurements as compact columns, the shape the comparison rules read fast.

A store of 200,000 measurements as (date, id, value) tuples costs hundreds
of megabytes and a pass of Python per measurement before anything is
compared; as arrays of day numbers and values it costs a few megabytes, is
sliced and searched in C, and is what the series cache of the folder
backend stores as it is.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from itertools import pairwise
from operator import itemgetter
from typing import overload

from store.backend import Point

_DAY_ID = itemgetter(0, 1)


class DaySeries(Sequence[tuple[date, float]]):
    """One indicator's measurements, oldest first (of two on one day the
    later-logged last): `days` are date ordinals, `values` beside them.
    Reads as a sequence of (date, value) pairs where a list of them would do."""

    __slots__ = ("days", "values")

    def __init__(self, days: array[int], values: array[float]) -> None:
        self.days = days
        self.values = values

    @classmethod
    def of_pairs(cls, pairs: Iterable[tuple[date, float]]) -> DaySeries:
        """From (date, value) pairs in any order; of one day's values the
        one listed last stays last (a stable sort by date)."""
        ordered = sorted(pairs, key=itemgetter(0))
        return cls(
            array("i", [day.toordinal() for day, _ in ordered]),
            array("d", [value for _, value in ordered]),
        )

    def __len__(self) -> int:
        return len(self.days)

    @overload
    def __getitem__(self, index: int) -> tuple[date, float]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[date, float]]: ...

    def __getitem__(self, index: int | slice) -> tuple[date, float] | list[tuple[date, float]]:
        if isinstance(index, slice):
            days = map(date.fromordinal, self.days[index])
            return list(zip(days, self.values[index], strict=True))
        return date.fromordinal(self.days[index]), self.values[index]

    def __iter__(self) -> Iterator[tuple[date, float]]:
        return zip(map(date.fromordinal, self.days), self.values, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DaySeries):
            return self.days == other.days and self.values == other.values
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DaySeries({list(self)!r})"


class FileSeries:
    """The measurements of one file by indicator: three columns sorted by
    (indicator, date, id), and where each indicator's run lies in them."""

    __slots__ = ("days", "ids", "runs", "values")

    def __init__(
        self,
        runs: dict[int, tuple[int, int]],
        days: array[int],
        ids: array[int],
        values: array[float],
    ) -> None:
        self.runs = runs
        self.days = days
        self.ids = ids
        self.values = values

    @classmethod
    def of_points(cls, groups: Mapping[int, Iterable[Point]]) -> FileSeries:
        days: array[int] = array("i")
        ids: array[int] = array("q")
        values: array[float] = array("d")
        runs: dict[int, tuple[int, int]] = {}
        for ind in sorted(groups):
            ordered = sorted(groups[ind], key=_DAY_ID)
            start = len(days)
            days.extend([day.toordinal() for day, _, _ in ordered])
            ids.extend([key for _, key, _ in ordered])
            values.extend([value for _, _, value in ordered])
            runs[ind] = (start, len(days))
        return cls(runs, days, ids, values)

    def points(self, ind: int) -> list[Point]:
        start, end = self.runs.get(ind, (0, 0))
        return list(
            zip(
                map(date.fromordinal, self.days[start:end]),
                self.ids[start:end],
                self.values[start:end],
                strict=True,
            )
        )


def merged(files: Sequence[FileSeries]) -> dict[int, DaySeries]:
    """Every indicator's series over several files (a year file and its
    recent file may both hold some of one day's values: ordered by id then)."""
    found: dict[int, list[tuple[FileSeries, int, int]]] = {}
    for file in files:
        for ind, (start, end) in file.runs.items():
            found.setdefault(ind, []).append((file, start, end))
    result: dict[int, DaySeries] = {}
    for ind, parts in found.items():
        if len(parts) == 1:
            file, start, end = parts[0]
            result[ind] = DaySeries(file.days[start:end], file.values[start:end])
            continue
        in_order = all(
            a.days[a_end - 1] < b.days[b_start]
            or (a.days[a_end - 1] == b.days[b_start] and a.ids[a_end - 1] < b.ids[b_start])
            for (a, _, a_end), (b, b_start, _) in pairwise(parts)
        )
        if in_order:
            days: array[int] = array("i")
            values: array[float] = array("d")
            for file, start, end in parts:
                days += file.days[start:end]
                values += file.values[start:end]
            result[ind] = DaySeries(days, values)
            continue
        rows = sorted(
            (file.days[n], file.ids[n], file.values[n])
            for file, start, end in parts
            for n in range(start, end)
        )
        result[ind] = DaySeries(
            array("i", [day for day, _, _ in rows]), array("d", [value for _, _, value in rows])
        )
    return result
