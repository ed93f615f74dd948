"""Whole chunks of work on forked worker processes, results in input order.

Shipping spaCy Docs between processes costs more than making them: workers take plain records
and return plain records."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends when the process that made it dies (a `kill -9` of `komo
    update`, a timeout), instead of running on as an orphan holding CPU and memory."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _pool(n_process: int, context: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=n_process, mp_context=context, initializer=_die_with_parent,
                               initargs=(os.getpid(),))


def parallel_chunks(work: Callable[[list[Any]], list[Any]], items: list[Any], n_process: int,
                    chunk: int = 200) -> Iterator[Any]:
    """Results of `work(chunk)` over chunks of `items`, in order, from `n_process` forked workers."""
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    context = multiprocessing.get_context("fork")
    with _pool(n_process, context) as pool:
        for results in pool.map(work, chunks):
            yield from results


def isolated_map(work: Callable[[Any], Any], items: Iterable[Any], n_process: int,
                 crashed: Callable[[Any, BaseException], Any], in_flight: int | None = None) -> Iterator[Any]:
    """`work(item)` for every item on `n_process` forked workers, results in input order.

    For work on untrusted input in native code (PDFium on a council's files): a worker that dies
    (a segfault, the OOM killer) takes down the whole pool, so the items that were in flight are
    run again one at a time, each in a fresh worker, and the one that kills its worker again
    yields `crashed(item, error)` instead of a result; the rest carry on in a new pool. At most
    `in_flight` items are submitted at once (8 per worker by default: small items keep the workers
    busy while the caller writes), so `items` may be a lazy iterable and memory stays bounded by
    that many results.
    """
    limit = in_flight or 8 * n_process
    source = iter(items)
    context = multiprocessing.get_context("fork")
    queue: deque[tuple[Any, Future]] = deque()
    pool = _pool(n_process, context)
    try:
        while True:
            while len(queue) < limit:
                try:
                    item = next(source)
                except StopIteration:
                    break
                queue.append((item, pool.submit(work, item)))
            if not queue:
                return
            item, future = queue.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                rest = list(queue)
                queue.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                yield _alone(work, item, context, crashed)
                for other, done in rest:
                    # Results that arrived before the pool broke stand; the others are suspects.
                    if done.done() and not done.cancelled() and done.exception() is None:
                        yield done.result()
                    else:
                        yield _alone(work, other, context, crashed)
                pool = _pool(n_process, context)
                continue
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _alone(work: Callable[[Any], Any], item: Any, context: Any, crashed: Callable[[Any, BaseException], Any]) -> Any:
    with _pool(1, context) as single:
        try:
            return single.submit(work, item).result()
        except BrokenProcessPool as problem:
            return crashed(item, problem)
