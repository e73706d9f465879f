"""The journal of a streaming fill: which tasks and brick seams are on disk.

Its first line is a fingerprint of the input file and of every option that
shapes the output; each further line names a task (``i``) or a brick seam
(``s<i>``: between bricks ``i`` and ``i + 1``) whose traces were made durable
(fsync'ed) before the line was written.  ``--resume`` reads it and redoes the
rest; a journal written for another input or other options is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from seisfill.errors import SeisfillError

__all__ = ["fingerprint", "start_journal", "read_journal", "append_journal"]


def fingerprint(path: Path, options: Mapping[str, Any]) -> dict[str, Any]:
    """Identity of a run: the input file (path, size, mtime) and a hash of ``options``."""
    st = path.stat()
    return {
        "input": str(path.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "options": hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()).hexdigest(),
    }


def start_journal(journal: Path, identity: Mapping[str, Any]) -> None:
    """A new journal holding only the fingerprint."""
    journal.write_text(json.dumps(identity) + "\n")


def read_journal(journal: Path, identity: Mapping[str, Any]) -> tuple[set[int], set[int]]:
    """The tasks and the brick seams already on disk.

    Raises
    ------
    SeisfillError
        An empty or unreadable journal, or one written for another run.
    """
    lines = journal.read_text().splitlines()
    if not lines:
        raise SeisfillError(f"{journal}: empty journal; delete it and run without --resume")
    try:
        head = json.loads(lines[0])
    except json.JSONDecodeError as exc:
        raise SeisfillError(f"{journal}: unreadable journal; delete it and run without --resume") from exc
    if head != dict(identity):
        raise SeisfillError(
            f"cannot resume: {journal.name} was written for another input or other options; "
            "run without --resume to start again"
        )
    done, seams = set(), set()
    for line in lines[1:]:
        line = line.strip()
        if line.isdigit():
            done.add(int(line))
        elif line.startswith("s") and line[1:].isdigit():
            seams.add(int(line[1:]))
    return done, seams


def append_journal(journal: Path, entries: Iterable[str]) -> None:
    """Record tasks (``"i"``) and seams (``"s<i>"``) as done, durably."""
    with open(journal, "a") as fh:
        fh.write("".join(f"{e}\n" for e in entries))
        fh.flush()
        os.fsync(fh.fileno())
