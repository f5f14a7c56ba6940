"""The TUI on a PostgreSQL wheel: another session's write shows up with who
made it, heard through LISTEN/NOTIFY (needs a server, tests/pghelp.py)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from tuihelp import press, screen_text, settle

from store.backends import open_wheel
from store.postgres import PostgresBackend
from store.service import GOAL, INDICATOR, Wheel
from tui.app import StyrApp
from tui.cli import main
from tui.dialogs.conflict import ConflictDialog
from tui.dialogs.form import FormDialog
from tui.screens.goals import GoalsScreen
from tui.screens.measure import MeasureScreen
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


async def test_two_roles_editing_one_goal_get_the_conflict_dialog(
    pg_server: Any, make: Callable[[Wheel], StyrApp]
) -> None:
    schema = pg_server.new_schema()
    goal = open_wheel(pg_server.url("alice", schema)).add(GOAL, {"title": "Grow revenue"})
    app = make(open_wheel(pg_server.url("alice", schema)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, FormDialog)
        bob = open_wheel(pg_server.url("bob", schema))
        bob.update(GOAL, goal.id, {"title": "Bob's title"})
        await press(pilot, "end", *" (mine)", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        shown = screen_text(app)
        assert "Grow revenue (mine)" in shown and "Bob's title" in shown
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
    assert open_wheel(pg_server.url("carol", schema)).goal(goal.id).title == "Bob's title"


async def test_a_server_away_is_said_once_in_the_bar_and_the_tui_reconnects(
    own_pg_server: Any, make: Callable[[Wheel], StyrApp]
) -> None:
    server = own_pg_server
    schema = server.new_schema()
    wheel = open_wheel(server.url("alice", schema))
    wheel.add(GOAL, {"title": "Shorter queues"})
    app = make(wheel)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        server.crash()
        for _ in range(3):  # three seconds of the timer's work
            app.poll_store()
            await settle(pilot)
        bar = app.screen.query_one(WheelBar)
        assert "server away — reconnecting" in str(bar.render())
        assert [n.message for n in app._notifications] == []
        assert "Shorter queues" in screen_text(app)
        # stages whose first look reads what was not fetched yet: said in
        # the bar, not a traceback that ends the app
        for stage in ("3", "4", "2", "1"):
            await press(pilot, stage)
            await settle(pilot)
            assert app.is_running and app._exception is None
            assert "server away — reconnecting" in str(app.screen.query_one(WheelBar).render())
        assert [n.message for n in app._notifications] == []
        server.restart()
        # someone wrote while this TUI was cut off: it is read afresh
        assert main(["--store", server.url("bob", schema), "add", "goal", "Faster replies"]) == 0
        app.poll_store()
        await settle(pilot)
        bar = app.screen.query_one(WheelBar)
        assert "Faster replies" in screen_text(app)
        assert "server back" in str(bar.render()) and "away" not in str(bar.render())
        assert [n.message for n in app._notifications] == []


async def test_keys_work_while_a_reconnect_waits_for_the_server(
    pg_server: Any, make: Callable[[Wheel], StyrApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = pg_server.new_schema()
    wheel = open_wheel(pg_server.url("alice", schema))
    goal = wheel.add(GOAL, {"title": "Shorter queues"})
    wheel.add(INDICATOR, {
        "goal_id": goal.id, "name": "Queue length", "baseline": "0", "target": "5",
        "start": "2026-01-01", "due": "2026-12-31",
    })  # fmt: skip
    app = make(wheel)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        pg_server.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'"
        )
        app.poll_store()
        await settle(pilot)
        bar = app.screen.query_one(WheelBar)
        assert "server away — reconnecting" in str(bar.render())
        # the next connect waits as one to an address that drops packets does
        waiting, answer = threading.Event(), threading.Event()
        connect = PostgresBackend._connect

        def slow_connect(url: str) -> Any:
            waiting.set()
            answer.wait(30)
            return connect(url)

        monkeypatch.setattr(PostgresBackend, "_connect", staticmethod(slow_connect))
        bob = pg_server.url("bob", schema)
        added = [
            "add",
            "indicator",
            str(goal.id),
            "Reply time",
            "--baseline",
            "0",
            "--target",
            "3",
            "--due",
            "2026-12-31",
        ]
        assert main(["--store", bob, *added]) == 0
        app.poll_store()
        assert await asyncio.to_thread(waiting.wait, 10)
        await pilot.press("2")
        assert isinstance(app.screen, MeasureScreen)
        assert "Queue length" in screen_text(app) and "Reply time" not in screen_text(app)
        app.poll_store()  # a second check waits for the first
        assert not answer.is_set()
        assert [w.group for w in app.workers if w.is_running] == ["news"]
        # quitting now would not wait for the connect: the process may end under it
        assert [t.daemon for t in threading.enumerate() if t.name == "styr-news"] == [True]
        answer.set()
        await settle(pilot)
        bar = app.screen.query_one(WheelBar)
        assert "server back" in str(bar.render())
        assert "Reply time" in screen_text(app)  # read afresh once back
        assert [n.message for n in app._notifications] == []
