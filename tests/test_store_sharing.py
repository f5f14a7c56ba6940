"""A store in a group-writable folder stays writable for the whole group."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from store.backends import open_wheel
from store.service import GOAL

TEAM_GID = 4242  # any group: the tests run as root, who may hand files to it


def _fill(root: Path) -> list[Path]:
    wheel = open_wheel(root, user="alice")
    goal = wheel.add(GOAL, {"title": "Shared"})
    wheel.update(GOAL, goal.id, {"title": "Shared goal"})
    files = [p for p in root.rglob("*") if p != root]
    names = {p.name for p in files}
    assert {"wheel.json", ".lock", "backups"} <= names
    assert any(n.startswith("history-") for n in names)
    return files


def test_new_files_in_a_group_writable_folder_are_group_writable(tmp_path: Path) -> None:
    root = tmp_path / "team"
    root.mkdir()
    os.chown(root, -1, TEAM_GID)
    # no setgid bit: the store itself hands new files to the folder's group
    root.chmod(0o775)
    for path in _fill(root):
        mode = path.stat().st_mode
        assert mode & stat.S_IWGRP, f"{path.name} is {stat.filemode(mode)}"
        assert path.stat().st_gid == TEAM_GID, path.name


def test_a_private_folder_keeps_files_private_to_their_owner(tmp_path: Path) -> None:
    root = tmp_path / "mine"
    root.mkdir()
    root.chmod(0o755)
    for path in _fill(root):
        if path.is_file():
            assert not path.stat().st_mode & stat.S_IWGRP, path.name
