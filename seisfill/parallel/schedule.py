"""Where streaming tasks run: in this process, on a LocalCluster, or on a running scheduler.

A task is ``(index, (function, args))``; the runners yield ``(index, result)``
as tasks complete.  The task arguments are made as tasks are submitted, so the
main process never holds them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Call", "open_client", "run_tasks"]

#: a task: its index, and the function with its arguments
Call = tuple[int, tuple[Callable[..., Any], tuple]]


@contextmanager
def open_client(workers: int, scheduler: str | None) -> Iterator[tuple[Any, str | None]]:
    """A ``dask.distributed`` client and its dashboard link, or ``(None, None)`` to run in this process.

    Parameters
    ----------
    workers : int
        Worker processes of a LocalCluster (one thread each; BLAS single-threaded).
    scheduler : str, optional
        Address of a running scheduler, used instead of a LocalCluster.
    """
    if workers <= 0 and not scheduler:
        yield None, None
        return
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        single = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
            silence_logs=40, env=single,
        )
        client = Client(cluster)
    try:
        yield client, getattr(client, "dashboard_link", None)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_tasks(calls: Iterable[Call], client: Any, in_flight: int) -> Iterator[tuple[int, Any]]:
    """Run the tasks one after another here (``client`` None), or on the client's workers.

    With a client at most ``in_flight`` tasks are outstanding; results come in
    the order tasks complete.
    """
    if client is None:
        for i, (fn, args) in calls:
            yield i, fn(*args)
        return
    from dask.distributed import as_completed

    queue = iter(calls)
    futures = {}

    def submit(n: int) -> list:
        new = []
        for i, (fn, args) in queue:
            fut = client.submit(fn, *args, pure=False)
            futures[fut.key] = i
            new.append(fut)
            if len(new) == n:
                break
        return new

    ac = as_completed(submit(in_flight))
    for fut in ac:
        result = fut.result()
        yield futures.pop(fut.key), result
        for nf in submit(1):
            ac.add(nf)
