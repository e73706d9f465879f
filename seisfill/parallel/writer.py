"""The main process's side of a streaming fill: write results in place, blend seams, journal, finish.

The output is a copy of the input (``.<output>.seisfill-part``) in which the
filled traces are overwritten in place as tasks complete; new traces (absent
slots) go to a side file with one row each until the final ordered pass
(:func:`assemble_output`).  For 3-D bricks, slots near a seam are held until
both neighbouring bricks have sent their estimates, then written blended
(:func:`seisfill.bricks.blend`).  Every few seconds the data are fsync'ed and
the tasks and seams now durable are appended to the journal.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from seisfill.bricks import blend
from seisfill.errors import SeisfillError
from seisfill.io.formats import encode_samples
from seisfill.io.layout import SegyLayout, TraceReader, open_layout
from seisfill.io.write import INSERTED_FLAG, atomic_output, mark_new_traces
from seisfill.parallel.journal import append_journal
from seisfill.parallel.tasks import TaskResult, set_filled

__all__ = ["StreamWriter", "assemble_output", "write_sidecar_streamed"]


class StreamWriter:
    """Writes task results into the partial output and keeps the journal.

    Parameters
    ----------
    plan : seisfill.parallel.plan.Plan
    layout : SegyLayout
        The input's layout (the partial output has the same).
    part, side, journal : Path
        The partial output, the side file of new traces, the journal.
    flag, trace_id
        Flag word and TraceIdentificationCode of filled traces.
    done, seams_done : set of int
        Tasks and seams on disk already (resume); updated as the run goes.
    sync_every : float
        Seconds between fsyncs of data and journal.
    """

    def __init__(self, plan: Any, layout: SegyLayout, part: Path, side: Path, journal: Path, flag: str | None,
                 trace_id: int, done: set[int], seams_done: set[int], sync_every: float):
        self.plan, self.layout, self.journal = plan, layout, journal
        self.flag, self.trace_id = flag, trace_id
        self.done, self.seams_done = done, seams_done
        self.sync_every = sync_every
        self.pending: list[str] = []  # journal entries whose data are written but not yet fsync'ed
        self.own_written: set[int] = set()  # tasks whose own traces are written
        # each seam's contributions (global flat slots, float32 samples) until both bricks are in
        self.seam_parts: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        self.last_sync = time.perf_counter()
        self.fd = os.open(part, os.O_RDWR)
        self.side_fd = os.open(side, os.O_RDWR) if plan.absent_slots.size else -1
        self.header_reader = TraceReader(layout) if plan.bricks else None

    def record(self, idx: int, result: TaskResult) -> None:
        """Write task ``idx``'s result; journal it once it and its seams are written."""
        traces, raw, new_at, new_values, zone_at, zone_values = result
        _pwrite_traces(self.fd, self.layout, traces, raw)
        if new_at.size:
            self._write_inserted(self._to_global(idx, new_at), new_values)
        self.own_written.add(idx)
        if self.plan.bricks:
            brick = self.plan.bricks[idx]
            flat = self._to_global(idx, zone_at)
            left = flat // self.plan.n_slots < brick.a + brick.left
            if brick.left:
                self._add_seam_part(idx - 1, "right", flat[left], zone_values[left])
            if brick.right:
                self._add_seam_part(idx, "left", flat[~left], zone_values[~left])
        self._mark_if_complete(idx)
        if time.perf_counter() - self.last_sync > self.sync_every:
            self.sync()

    def sync(self) -> None:
        """Make the written traces durable, then record their tasks and seams as done."""
        if self.pending:
            os.fsync(self.fd)
            if self.side_fd >= 0:
                os.fsync(self.side_fd)
            append_journal(self.journal, self.pending)
            self.pending.clear()
        self.last_sync = time.perf_counter()

    def check_complete(self) -> None:
        """After the last task: every seam blended and every task journaled."""
        if self.seam_parts or len(self.done) != len(self.plan.tasks):  # pragma: no cover
            raise SeisfillError("internal error: some brick seams were never completed")

    def close(self) -> None:
        for fd in (self.fd, self.side_fd):
            if fd >= 0:
                os.close(fd)
        self.fd = self.side_fd = -1
        if self.header_reader is not None:
            self.header_reader.close()
            self.header_reader = None

    def _to_global(self, idx: int, at: np.ndarray) -> np.ndarray:
        """Flat slots of task ``idx``'s rows -> flat slots of the grid."""
        n = self.plan.n_slots
        return self.plan.tasks[idx][at // n] * n + at % n

    def _complete(self, idx: int) -> bool:
        brick = self.plan.bricks[idx] if self.plan.bricks else None
        return idx in self.own_written and (
            brick is None
            or ((not brick.left or idx - 1 in self.seams_done) and (not brick.right or idx in self.seams_done))
        )

    def _mark_if_complete(self, idx: int) -> None:
        if idx not in self.done and self._complete(idx):
            self.done.add(idx)
            self.pending.append(str(idx))

    def _add_seam_part(self, seam: int, side_name: str, flat: np.ndarray, values: np.ndarray) -> None:
        if seam in self.seams_done:  # written by an earlier run (resume)
            return
        parts = self.seam_parts.setdefault(seam, {})
        parts[side_name] = (flat, values)
        if len(parts) < 2:
            return
        (fl, vl), (fr, vr) = parts.pop("left"), parts.pop("right")
        del self.seam_parts[seam]
        if not np.array_equal(fl, fr):  # pragma: no cover - both bricks see the same targets
            raise SeisfillError("internal error: the two bricks of a seam disagree on its slots")
        brick = self.plan.bricks[seam]
        zone_row = fl // self.plan.n_slots - (brick.b - brick.right)
        self._write_slots(fl, blend(vl, vr, zone_row, brick.right))
        self.seams_done.add(seam)
        self.pending.append(f"s{seam}")
        for j in (seam, seam + 1):
            self._mark_if_complete(j)

    def _write_slots(self, flat: np.ndarray, values: np.ndarray) -> None:
        """Filled slots given by flat grid index: in-file traces in place, absent ones to the side file."""
        traces = self.plan.slot_trace.ravel()[flat]
        here = traces >= 0
        if here.any():
            raw = self.header_reader.read_raw(traces[here])
            set_filled(raw, values[here], self.layout, self.flag, self.trace_id)
            _pwrite_traces(self.fd, self.layout, traces[here], raw)
        if (~here).any():
            self._write_inserted(flat[~here], values[~here])

    def _write_inserted(self, flat: np.ndarray, values: np.ndarray) -> None:
        """New traces (header from the regularised layout, trid, flag 2, encoded samples) into the side file."""
        layout, absent = self.layout, self.plan.absent_slots
        rows = np.searchsorted(absent, flat)
        raw = np.empty((flat.size, layout.trace_size), dtype=np.uint8)
        raw[:, : layout.header_size] = self.plan.headers_new[rows]
        raw[:, layout.header_size :] = encode_samples(values, layout.format, layout.endian)
        mark_new_traces(raw, INSERTED_FLAG, layout.endian, self.flag, self.trace_id)
        for r, row in zip(rows, raw, strict=True):
            os.pwrite(self.side_fd, row.tobytes(), int(r) * layout.trace_size)


def _pwrite_traces(fd: int, layout: SegyLayout, traces: np.ndarray, raw: np.ndarray) -> None:
    """Overwrite file traces ``traces`` (m,) of the output in place with ``raw`` (m, trace_size)."""
    for off, row in zip(layout.data_offset + traces * layout.trace_size, raw, strict=True):
        os.pwrite(fd, row.tobytes(), int(off))


def assemble_output(
    part: Path, side: Path, out: Path, source: Path, layout: SegyLayout, source_trace: np.ndarray, slot: np.ndarray,
    kind: np.ndarray, absent_slots: np.ndarray, chunk: int = 2048,
) -> None:
    """Write the final file in output order: traces of the in-place copy, inserted ones from the side file."""
    side_map = np.memmap(side, dtype=np.uint8, mode="r", shape=(absent_slots.size, layout.trace_size))
    part_layout = open_layout(part)
    with TraceReader(part_layout) as reader, atomic_output(out, (source,)) as tmp, open(tmp, "wb") as fh:
        with open(part, "rb") as src:
            fh.write(src.read(layout.data_offset))
        for a in range(0, kind.size, chunk):
            k = kind[a : a + chunk]
            buf = np.empty((k.size, layout.trace_size), dtype=np.uint8)
            from_file = k != 2
            if from_file.any():
                buf[from_file] = reader.read_raw(source_trace[a : a + chunk][from_file])
            if (~from_file).any():
                buf[~from_file] = side_map[np.searchsorted(absent_slots, slot[a : a + chunk][~from_file])]
            fh.write(buf)
        fh.flush()
        os.fsync(fh.fileno())
    del side_map


def write_sidecar_streamed(sidecar: str, source: Path, head: dict, filled_list: Path, n_filled: int,
                           chunk: int = 1 << 16) -> None:
    """The JSON record of :func:`seisfill.write_segy`, its trace lists streamed from ``filled_list`` (int64).

    Byte for byte what ``json.dumps(record, indent=1)`` gives, without holding the lists.
    """
    marker = "\x00filled\x00"
    text = json.dumps(dict(head, filled_output_traces=marker, filled_source_traces=marker,
                           inserted_output_traces=[]), indent=1)
    pieces = text.split(json.dumps(marker))
    traces = np.memmap(filled_list, dtype=np.int64, mode="r", shape=(n_filled,)) if n_filled else None
    with atomic_output(sidecar, (source,)) as tmp, open(tmp, "w") as fh:
        fh.write(pieces[0])
        for piece in pieces[1:]:
            if traces is None:
                fh.write("[]")
            else:
                fh.write("[\n  ")
                for a in range(0, n_filled, chunk):
                    fh.write(",\n  ".join(map(str, traces[a : a + chunk].tolist())))
                    fh.write(",\n  " if a + chunk < n_filled else "\n ]")
            fh.write(piece)
    del traces
