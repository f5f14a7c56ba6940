"""The TUI on a PostgreSQL wheel: another session's write shows up with who
made it, heard through LISTEN/NOTIFY (needs a server, tests/pghelp.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tuihelp import screen_text, settle

from store.backends import open_wheel
from store.service import GOAL, Wheel
from tui.app import StyrApp
from tui.cli import main
from widgets.wheel_bar import WheelBar


async def test_a_cli_write_by_another_role_shows_up_in_the_open_tui(
    pg_server: Any, make: Callable[[Wheel], StyrApp]
) -> None:
    schema = pg_server.new_schema()
    wheel = open_wheel(pg_server.url("alice", schema))
    wheel.add(GOAL, {"title": "Shorter queues"})
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Shorter queues" in screen_text(app)
        bob = pg_server.url("bob", schema)
        assert main(["--store", bob, "add", "goal", "Faster replies"]) == 0
        app.poll_store()  # the 1 s timer's work, without waiting for it
        await settle(pilot)
        assert "Faster replies" in screen_text(app)
        assert "updated by bob" in str(app.screen.query_one(WheelBar).render())
