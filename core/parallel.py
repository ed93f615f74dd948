"""Whole chunks of work on forked worker processes, results in input order.

Shipping spaCy Docs between processes costs more than making them: workers take plain records
and return plain records."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def parallel_chunks(work: Callable[[list[Any]], list[Any]], items: list[Any], n_process: int,
                    chunk: int = 200) -> Iterator[Any]:
    """Results of `work(chunk)` over chunks of `items`, in order, from `n_process` forked workers."""
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=n_process, mp_context=context) as pool:
        for results in pool.map(work, chunks):
            yield from results
