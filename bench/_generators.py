"""Load-generator processes: started together, released at one common start time."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import AsyncIterator, Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from _errors import BenchError

__all__ = ["generators", "receive"]

_START_DELAY_S = 1.0


@contextlib.asynccontextmanager
async def generators(
    target: Callable[[Any, Connection], None], plans: Sequence[Any]
) -> AsyncIterator[tuple[list[Connection], float]]:
    """Run ``target(plan, pipe)`` in one process per plan; once all report ready, send them
    a common start (monotonic time, one clock for every process) and yield the pipes."""
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    try:
        for plan in plans:
            ours, theirs = context.Pipe()
            process = context.Process(target=target, args=(plan, theirs), daemon=True)
            process.start()
            pipes.append(ours)
            processes.append(process)
        for pipe in pipes:
            await receive(pipe)
        start = time.monotonic() + _START_DELAY_S
        for pipe in pipes:
            pipe.send(start)
        yield pipes, start
    finally:
        for process in processes:
            await asyncio.to_thread(process.join, 5)
            if process.is_alive():
                process.terminate()


async def receive(pipe: Connection) -> Any:
    """A generator's next report; its failure as a ``BenchError``."""
    try:
        status, detail = await asyncio.to_thread(pipe.recv)
    except EOFError as exc:
        raise BenchError("a generator process died; see its traceback above") from exc
    if status == "failed":
        raise BenchError(f"a generator process failed: {detail}")
    return detail
