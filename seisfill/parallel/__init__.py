"""Fill a SEG-Y file of any size with Dask workers, streaming, resumable.

:func:`fill_file` is ``seisfill fill --workers N``.  The main process reads the
file once (no samples kept), finds the gathers that hold dead traces and cuts
them into tasks of ``gathers_per_task`` gathers.  A file whose gathers are
contiguous -- the usual pre-stack sort -- is planned gather by gather
(:mod:`seisfill.io.gather_runs`: 32 bytes per gather, nothing per trace, so
the main process's memory does not grow with the file); cubes, 3-D bricks,
regularisation and interleaved gathers are planned on the whole grid of
:func:`seisfill.read_segy` (``lazy=True, headers="geometry"``: ~12 bytes per
trace).  Each task, on a Dask worker, reads its
gathers from the input file itself (``pread``), fills them with the chosen
method and returns only the bytes of the traces it filled (header with
TraceIdentificationCode and the flag word set, samples encoded in the file's
own format) -- exactly the bytes :func:`seisfill.write_segy` writes for them.

The output is a copy of the input in which the filled traces are overwritten
in place as tasks complete, so memory stays bounded whatever the file size:
the main process holds the plan, each worker one task.  The copy is named
``.<output>.seisfill-part`` beside the output until the end, and a journal
``.<output>.seisfill-journal`` records every task whose traces are on disk
(data fsync'ed before the journal line).  A killed run restarted with
``resume=True`` redoes only the tasks not in the journal; the final file is
renamed into place only when every task is written, so it equals an
uninterrupted run byte for byte.

The task decomposition depends only on the input and the options, never on the
number of workers, so 1, 2 or N workers -- or none (``workers=0``: tasks run
one after another in this process) -- give the same bytes.

Scheduler: ``dask.distributed.LocalCluster(n_workers=workers,
threads_per_worker=1)`` by default, or any running scheduler (``scheduler=
"tcp://host:8786"``); workers must see the input and output paths.  Model
weights are loaded once per worker process (:func:`seisfill.models.resolve_model`
caches them).

3-D methods (a 3-D network, ``pocs`` with ``ndim=3``) work on bricks
(:mod:`seisfill.bricks`): blocks of ``gathers_per_task`` inlines read with
``halo`` inlines of context on each side.  Slots near a seam get the blend of
the two neighbouring bricks' estimates: the main process holds each brick's
seam-zone samples until the other brick's arrive, then writes the blend; the
journal records seams (``s<i>``) as well as tasks, and a task counts as done
only once its seams are written.  The bytes equal those of
``seisfill.fill`` on the same cube chunked by ``gathers_per_task`` inlines.

The pieces, each readable on its own: :mod:`.plan` (tasks), :mod:`.tasks`
(what a worker runs: the fill core, :func:`seisfill.core.fill_block`, on its
gathers), :mod:`.writer` (in-place writes, seams, the final ordered pass),
:mod:`.journal` (resume), :mod:`.schedule` (here, LocalCluster or a running
scheduler) and :mod:`.run` (:func:`fill_file`, which puts them together).
"""

from seisfill.parallel.run import FillFileSummary, fill_file, partial_paths

__all__ = ["fill_file", "FillFileSummary", "partial_paths"]
