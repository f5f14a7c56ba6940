"""A shared folder is hostile ground: what a colleague plants in it never
makes styr follow a link out of the store, hang, or change another file.

The attacks run twice where the machine allows it: with two real users in
one group and a setgid group-writable folder (made here as root, removed
after), and always with plain links planted by the test itself.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from store.backends import open_wheel
from store.service import GOAL
from tests.conftest import Seeded, seed_store
from tui.cli import main

TODAY = date.today().isoformat()


def _cli(root: Path, *args: str) -> int:
    return main(["--store", str(root), *args])


def _log(seeded: Seeded) -> int:
    return _cli(seeded.root, "log", str(seeded.indicator), "5", "--at", "2026-02-01")


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file of the user's own outside the store (their ~/.bashrc)."""
    path = tmp_path / "home" / ".bashrc"
    path.parent.mkdir()
    path.write_text("echo hello\n")
    path.chmod(0o600)
    return path


def _unchanged(path: Path, mode: int = 0o600, text: str = "echo hello\n") -> None:
    assert stat.S_IMODE(path.lstat().st_mode) == mode
    assert path.read_text() == text


# ------------------------------------------------------------- the lock
def test_a_lock_that_is_a_symlink_is_refused_and_its_target_untouched(
    seeded: Seeded, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seeded.root / ".lock").unlink()
    (seeded.root / ".lock").symlink_to(victim)
    assert _log(seeded) == 1
    err = capsys.readouterr().err
    assert ".lock is a symbolic link" in err and "Traceback" not in err
    _unchanged(victim)


def test_a_lock_that_is_a_hard_link_is_used_but_never_chmodded(
    tmp_path: Path, victim: Path
) -> None:
    root = tmp_path / "team"
    root.mkdir()
    root.chmod(0o2775)
    seeded = seed_store(root)
    (root / ".lock").unlink()
    os.link(victim, root / ".lock")
    assert _log(seeded) == 0
    _unchanged(victim)


# ---------------------------------------------------------- store files
@pytest.mark.parametrize(
    "name",
    ["wheel.json", "measurements-2026.json", "history-2026-01.json", "history-2026-01-recent.json"],
)
def test_a_store_file_that_is_a_symlink_is_refused_and_never_copied(
    seeded: Seeded, victim: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_wheel(seeded.root).log(seeded.indicator, 7, "2026-01-05")
    (seeded.root / name).unlink(missing_ok=True)
    (seeded.root / name).symlink_to(victim)
    shutil.rmtree(seeded.root / "backups")
    for command in (["status"], ["where"], ["log", str(seeded.indicator), "5"]):
        assert _cli(seeded.root, *command) == 1, command
        err = capsys.readouterr().err
        assert f"{name} is a symbolic link" in err and "Traceback" not in err
    assert not (seeded.root / "backups").exists()
    _unchanged(victim)


@pytest.mark.parametrize("command", [["where"], ["status"], ["log", "1", "5"], ["undo"]])
def test_a_fifo_in_the_store_hangs_nothing(seeded: Seeded, command: list[str]) -> None:
    fifo = seeded.root / "measurements-2031.json"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(seeded.root), *command],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1, done.stderr
    assert "measurements-2031.json is a named pipe (FIFO)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_or_a_fifo_in_the_place_of_wheel_json_is_refused(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    (seeded.root / "wheel.json").unlink()
    (seeded.root / "wheel.json").mkdir()
    assert _cli(seeded.root, "status") == 1
    assert "wheel.json is a folder" in capsys.readouterr().err
    (seeded.root / "wheel.json").rmdir()
    os.mkfifo(seeded.root / "wheel.json")
    assert _cli(seeded.root, "status") == 1
    assert "wheel.json is a named pipe" in capsys.readouterr().err


def test_a_planted_commit_marker_never_moves_a_link_into_the_store(
    seeded: Seeded, victim: Path
) -> None:
    (seeded.root / ".evil.tmp").symlink_to(victim)
    (seeded.root / ".commit-pending").write_text('[[".evil.tmp", "wheel.json"]]')
    assert _log(seeded) == 0
    assert (seeded.root / "wheel.json").is_file() and not (seeded.root / "wheel.json").is_symlink()
    _unchanged(victim)


# --------------------------------------------------------------- backups
def _first_write_of_the_day(seeded: Seeded) -> int:
    shutil.rmtree(seeded.root / "backups", ignore_errors=True)
    return _log(seeded)


def test_the_daily_backup_is_hard_links_of_the_files_as_they_were(seeded: Seeded) -> None:
    before = {p.name: p.stat().st_ino for p in seeded.root.glob("*.json")}
    assert _first_write_of_the_day(seeded) == 0
    daily = seeded.root / "backups" / f"daily-{TODAY}"
    assert {p.name: p.stat().st_ino for p in daily.iterdir()} == before
    # the write renamed new files into place; the links keep the old ones
    assert (seeded.root / "wheel.json").stat().st_ino == before["wheel.json"]
    assert not (seeded.root / "measurements-2026.json").stat().st_ino == before.get(
        "measurements-2026.json"
    )


def test_a_backups_link_is_never_written_through(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(seeded.root / "backups")
    (seeded.root / "backups").symlink_to(elsewhere)
    assert _log(seeded) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "backups is not a folder" in err
    assert list(elsewhere.iterdir()) == []
    assert len(open_wheel(seeded.root).series(seeded.indicator)) == 1


def test_todays_backup_planted_as_a_link_is_not_written_through(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(seeded.root / "backups")
    (seeded.root / "backups").mkdir()
    (seeded.root / "backups" / f"daily-{TODAY}").symlink_to(elsewhere)
    assert _log(seeded) == 0
    assert "no daily backup" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


def test_a_planted_partial_backup_is_never_written_through(seeded: Seeded, victim: Path) -> None:
    shutil.rmtree(seeded.root / "backups")
    planted = seeded.root / "backups" / f".daily-{TODAY}.partial"
    planted.mkdir(parents=True)
    (planted / "wheel.json").symlink_to(victim)
    assert _log(seeded) == 0
    _unchanged(victim)
    assert (seeded.root / "backups" / f"daily-{TODAY}" / "wheel.json").is_file()


def test_a_failed_backup_warns_and_the_write_lands(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(seeded.root / "backups")
    (seeded.root / "backups").write_text("not a folder")
    assert _log(seeded) == 0
    assert "warning:" in capsys.readouterr().err
    assert open_wheel(seeded.root).series(seeded.indicator) == [(date(2026, 2, 1), 5.0)]


def test_pruning_removes_only_old_dailies_that_styr_made(seeded: Seeded, tmp_path: Path) -> None:
    backups = seeded.root / "backups"
    shutil.rmtree(backups / f"daily-{TODAY}")
    for day in range(1, 11):
        (backups / f"daily-2020-01-{day:02d}").mkdir()
        (backups / f"daily-2020-01-{day:02d}" / "wheel.json").write_text("{}")
    foreign = backups / "daily-2019-12-31"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("keep")
    (backups / "daily-2019-12-30").symlink_to(outside)
    assert _log(seeded) == 0
    kept = sorted(p.name for p in backups.iterdir())
    assert kept == [
        "daily-2019-12-30",
        "daily-2019-12-31",
        *[f"daily-2020-01-{d:02d}" for d in range(5, 11)],
        f"daily-{TODAY}",
    ]
    assert (outside / "keep").read_text() == "keep" and (foreign / "notes.txt").exists()


# -------------------------------------------------------------- identity
def test_identity_comes_from_the_real_uid_not_from_user(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """seed_store wrote alice's changes through the API; the OS user of
    this test is someone else, whatever $USER says."""
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    assert me != "alice"
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    assert _cli(seeded.root, "add", "goal", "Mine") == 0
    assert _cli(seeded.root, "undo") == 0
    titles = [g.title for g in open_wheel(seeded.root).goals()]
    assert titles == ["Shorter queues"]  # my goal went, alice's stayed
    assert _cli(seeded.root, "undo") == 2
    assert f"{me} has no change left to undo" in capsys.readouterr().err
    history = open_wheel(seeded.root).history()
    assert {e["by"] for e in history} == {"alice", me}


# ------------------------------------------------- two real users, one group
@dataclass(frozen=True)
class Team:
    folder: Path
    gid: int
    uids: dict[str, int]

    def run_as(self, name: str, job: Callable[[], int]) -> int:
        """job() in a child process with the real and effective uid of name."""
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 99
            try:
                os.setgroups([self.gid])
                os.setgid(self.gid)
                os.setuid(self.uids[name])
                os.umask(0o002)
                code = job()
            finally:
                os._exit(code)
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _can_make_users() -> bool:
    return os.geteuid() == 0 and shutil.which("useradd") is not None


@pytest.fixture
def team() -> Iterator[Team]:
    if not _can_make_users():
        pytest.skip("needs root and useradd to make two users")
    suffix = os.urandom(3).hex()
    group, names = f"styrt{suffix}", [f"styra{suffix}", f"styrb{suffix}"]
    subprocess.run(["groupadd", group], check=True)
    try:
        for name in names:
            subprocess.run(
                ["useradd", "-M", "-N", "-g", group, "-s", "/usr/sbin/nologin", name], check=True
            )
        import grp
        import pwd

        base = Path(tempfile.mkdtemp(prefix="styr-team-", dir="/tmp"))
        base.chmod(0o755)
        folder = base / "store"
        folder.mkdir()
        gid = grp.getgrnam(group).gr_gid
        os.chown(folder, 0, gid)
        folder.chmod(0o2770)
        yield Team(folder, gid, {n[4]: pwd.getpwnam(n).pw_uid for n in names})
        shutil.rmtree(base)
    finally:
        for name in names:
            subprocess.run(["userdel", name], check=False, capture_output=True)
        subprocess.run(["groupdel", group], check=False, capture_output=True)


def _victims_file(team: Team, owner: str) -> Path:
    home = team.folder.parent / f"home-{owner}"
    home.mkdir()
    os.chown(home, team.uids[owner], team.gid)
    home.chmod(0o755)
    path = home / ".bashrc"
    path.write_text("echo hello\n")
    os.chown(path, team.uids[owner], team.gid)
    path.chmod(0o644)
    return path


def test_two_users_a_planted_lock_link_never_opens_the_victims_file(team: Team) -> None:
    folder = team.folder
    assert team.run_as("a", lambda: _cli(folder, "add", "goal", "Team goal")) == 0
    bashrc = _victims_file(team, "a")

    def plant() -> int:
        (folder / ".lock").unlink()
        (folder / ".lock").symlink_to(bashrc)
        return 0

    assert team.run_as("b", plant) == 0
    assert team.run_as("a", lambda: _cli(folder, "add", "goal", "Another")) == 1
    _unchanged(bashrc, 0o644)


def test_two_users_a_planted_partial_backup_never_writes_the_victims_file(team: Team) -> None:
    folder = team.folder
    assert team.run_as("a", lambda: _cli(folder, "add", "goal", "Team goal")) == 0
    assert team.run_as("a", lambda: _cli(folder, "add", "goal", "Backed up")) == 0
    bashrc = _victims_file(team, "a")

    def plant() -> int:
        backups = folder / "backups"
        shutil.rmtree(backups / f"daily-{TODAY}")
        partial = backups / f".daily-{TODAY}.partial"
        partial.mkdir()
        (partial / "wheel.json").symlink_to(bashrc)
        return 0

    assert team.run_as("b", plant) == 0
    assert team.run_as("a", lambda: _cli(folder, "add", "goal", "Another")) == 0
    _unchanged(bashrc, 0o644)
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    assert all(p.stat().st_gid == team.gid for p in files), files
    assert all(p.stat().st_mode & stat.S_IWGRP for p in files)
    # b can work on in what a made, and undo is per real user
    assert team.run_as("b", lambda: _cli(folder, "add", "goal", "B's goal")) == 0
    assert team.run_as("a", lambda: _cli(folder, "undo")) == 0
    titles = sorted(g.title for g in open_wheel(folder, user="root").goals())
    assert titles == ["B's goal", "Backed up", "Team goal"]


# ----------------------------------------------- no store made by reading
@pytest.mark.parametrize("command", [["status"], ["where"], ["undo"], ["status", "--json"]])
def test_reading_a_missing_store_says_so_and_creates_nothing(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "typo" / "path"
    assert _cli(root, *command) == 1
    assert f"there is no store at {root}" in capsys.readouterr().err
    assert not (tmp_path / "typo").exists()


def test_the_first_write_says_it_created_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "new"
    assert _cli(root, "add", "goal", "First") == 0
    assert f"created a new store at {root}" in capsys.readouterr().err
    assert _cli(root, "add", "goal", "Second") == 0
    assert "created" not in capsys.readouterr().err
    assert [g.title for g in open_wheel(root).goals()] == ["First", "Second"]


@pytest.mark.parametrize("url", ["https://example.org/store", "mysql://db/styr"])
def test_a_url_is_never_a_folder(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--store", url, "add", "goal", "X"]) == 2
    assert "server address, not a folder" in capsys.readouterr().err
    monkeypatch.setenv("STYR_STORE", url)
    assert main(["status"]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_is_a_server_never_a_folder(
    tmp_path: Path,
    scheme: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    # port 1 on loopback: nothing listens, the connection is refused at once
    url = f"{scheme}://someone:s3cret@127.0.0.1:1/styr"
    assert main(["--store", url, "add", "goal", "X"]) == 1
    err = capsys.readouterr().err
    refused = "cannot connect to postgresql://someone@127.0.0.1:1/styr: Connection refused"
    assert err == f"styr: {refused}\n"
    assert len(err.splitlines()) == 1 and "s3cret" not in err
    monkeypatch.setenv("STYR_STORE", url)
    assert main(["status"]) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_bad_relative_date_says_what_a_date_may_look_like(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], store_bytes: Callable[[Path], object]
) -> None:
    before = store_bytes(seeded.root)
    assert _cli(seeded.root, "log", str(seeded.indicator), "5", "--at", "-3x") == 2
    err = capsys.readouterr().err
    assert "-3x" in err and "YYYY-MM-DD" in err and "expected one argument" not in err
    assert store_bytes(seeded.root) == before


def test_the_lock_and_backups_of_a_group_folder_are_the_groups(tmp_path: Path) -> None:
    root = tmp_path / "team"
    root.mkdir()
    os.chown(root, -1, 4242)
    root.chmod(0o775)
    wheel = open_wheel(root)
    wheel.add(GOAL, {"title": "Shared"})
    wheel.add(GOAL, {"title": "Shared too"})  # the second write makes the daily backup
    for path in (root / ".lock", root / "backups", root / "backups" / f"daily-{TODAY}"):
        st = path.stat()
        assert st.st_mode & stat.S_IWGRP and st.st_gid == 4242, path
