"""A terminal that hangs up (an SSH session dropped, a tmux server killed)
ends the TUI at once, and `styr --demo` removes its folder."""

from __future__ import annotations

import array
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import time
from pathlib import Path

# Linux keeps this many bytes of a pty's output unread before a write blocks
PTY_HOLDS = 4095


def _unread(master: int) -> int:
    count = array.array("i", [0])
    fcntl.ioctl(master, termios.FIONREAD, count)
    return count[0]


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _quiet(pid: int) -> object:
    """A check that holds once the process has used no CPU over ten checks
    in a row: it has done all it can (here: it is stuck on the terminal)."""
    seen = [-1, 0]

    def check() -> bool:
        ticks = _cpu_ticks(pid)
        seen[:] = [ticks, seen[1] + 1 if ticks == seen[0] else 0]
        return seen[1] >= 10

    return check


def _until(done: object, what: str, seconds: float = 20) -> None:
    """Poll `done()` (a bound, not a pause: the test waits for the event)."""
    deadline = time.monotonic() + seconds
    while not done():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_a_hangup_ends_the_tui_at_once_and_takes_the_demo_folder_with_it(
    tmp_path: Path,
) -> None:
    """Textual's orderly end waited on the terminal: with its output stuck
    (here: nobody reads it) the app never ended, and in tmux the hang-up's
    SIGCONT deadlocked it, until a SIGKILL left the demo's folder behind."""
    env = dict(os.environ, TMPDIR=str(tmp_path), TERM="xterm-256color", LANG="C.UTF-8")
    pid, master = pty.fork()
    if pid == 0:  # the child: a terminal of 80x24, then styr
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execve(sys.executable, [sys.executable, "-m", "tui.cli", "--demo"], env)
    ended: list[int] = []

    def exited() -> bool:
        if not ended:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                ended.append(status)
        return bool(ended)

    try:
        seen = b""
        while b"(goal " not in seen:
            seen += os.read(master, 65536)
        assert len(list(tmp_path.glob("styr-demo-*"))) == 1
        # the terminal stops taking output; keys make the app draw until it is full
        os.write(master, b"jk" * 200)
        _until(lambda: _unread(master) >= PTY_HOLDS, "the app's output never filled the terminal")
        _until(_quiet(pid), "the app kept working")
        os.kill(pid, signal.SIGHUP)
        _until(exited, "styr still runs after the hang-up")
        assert os.waitstatus_to_exitcode(ended[0]) == 1
        assert list(tmp_path.glob("styr-demo-*")) == []
    finally:
        os.close(master)
        if not ended:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
