"""docs/make_screenshots.py: the README's pictures are the app's own SVG
screenshots of each pane on the demo, the same on every run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

# the wheel bar marks the pane shown (a space is &#160; in the SVG)
MARKS = ("▶[1&#160;Goals]", "▶[2&#160;Measure]", "▶[3&#160;Compare]", "▶[4&#160;Learn]")
SCRIPT = Path(__file__).parents[2] / "docs" / "make_screenshots.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_picture_per_pane_on_the_demo_the_same_each_run(tmp_path: Path) -> None:
    script = load()
    first = script.make(tmp_path / "a")
    second = script.make(tmp_path / "b")
    assert [p.name for p in first] == ["goals.svg", "measure.svg", "compare.svg", "learn.svg"]
    for path, again in zip(first, second, strict=True):
        assert path.read_bytes() == again.read_bytes()
    for path, marked in zip(first, MARKS, strict=True):
        picture = path.read_text()
        assert picture.startswith("<svg") and marked in picture
        assert "~/styr-demo" in picture  # the demo, not an empty store
    assert "Gode&#160;og&#160;likeverdige" in first[0].read_text()  # a goal of the demo
    assert {p.name for p in SCRIPT.parent.glob("*.svg")} >= {p.name for p in first}
