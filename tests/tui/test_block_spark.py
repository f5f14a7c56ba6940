"""The block sparkline: a fixed scale, so a height means the same figure."""

from __future__ import annotations

from widgets.block_spark import spark, spark_text


def test_blocks_stand_on_a_fixed_scale_not_on_the_values_shown() -> None:
    assert spark([0, 5, 10], 0, 10) == "▁▅█"
    assert spark([7, 7], 0, 10) == "▆▆"  # not stretched to the top
    assert spark([-3, 14], 0, 10) == "▁█"  # clamped


def test_the_text_keeps_the_newest_values_that_fit_and_says_the_figures() -> None:
    assert spark_text("confidence", [3, 8], 0, 10, 40).plain == "confidence 3 ▃▇ 8"
    narrow = spark_text("confidence", list(range(11)) * 3, 0, 10, 24).plain
    assert len(narrow) <= 24 and narrow.endswith("█ 10") and "…" in narrow
    assert spark_text("confidence", [], 0, 10, 40).plain == "confidence: none yet"
