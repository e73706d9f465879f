"""Permissions of what seisfill writes, under a given umask (the tests of every path that writes)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: a shared machine's usual umask, and a private one (parameters of the tests)
UMASKS = [pytest.param(0o022, id="umask022"), pytest.param(0o077, id="umask077")]


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """Run the block under ``mask`` (the process's umask, restored after)."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def expected(mask: int) -> dict[str, int]:
    """The modes of a normal write under ``mask``: files 0o666, folders 0o777, less the mask."""
    return {"file": 0o666 & ~mask, "folder": 0o777 & ~mask}


def modes(*paths: Path) -> dict[str, set[int]]:
    """The permission bits of ``paths`` and everything under them, by kind ("file", "folder")."""
    found: dict[str, set[int]] = {"file": set(), "folder": set()}
    for path in paths:
        for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
            found["folder" if item.is_dir() else "file"].add(stat.S_IMODE(item.stat().st_mode))
    return {kind: bits for kind, bits in found.items() if bits}
