"""Run one function over many inputs in worker processes that are allowed to die.

A native reader that aborts, a file that eats memory past the limit or one that hangs takes
down only the worker holding it: that input gets a `Failure` and a fresh worker carries on.
Each worker holds one input at a time, so a dead worker always names the input that killed it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from generator.errors import WorkerError

logger = logging.getLogger(__name__)

#: Address space per worker: far above what one workbook needs, far below the machine.
DEFAULT_MEMORY_LIMIT = 2 * 1024**3
#: Seconds one input may take before its worker is killed.
DEFAULT_TIMEOUT = 60.0
#: What a worker sends once it has started, before any result.
_READY = "ready"


@dataclass(frozen=True)
class Failure:
    """An input whose worker crashed, ran out of memory or took too long."""

    reason: str


def run(
    func: Callable[[Any, Any], Any],
    context: Any,
    inputs: Sequence[Any],
    *,
    workers: int = 2,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> Iterator[tuple[int, Any]]:
    """Yield (index, func(context, input)) in completion order, or (index, Failure).

    `func` and `context` must pickle; `func` runs in fresh ("spawn") processes.
    """
    pool = _Pool(func, context, max(1, min(workers, len(inputs))), memory_limit)
    pending = deque(enumerate(inputs))
    try:
        while pending or pool.busy():
            pool.assign(pending)
            yield from pool.collect(timeout)
    finally:
        pool.close()


class _Worker:
    """One process, its pipe, and the input it holds (index, start time)."""

    def __init__(self, ctx, func, context, memory_limit):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, daemon=True, args=(child, func, context, memory_limit)
        )
        self.process.start()
        child.close()
        self.task: tuple[int, float] | None = None
        #: Set when the worker says it started; one that dies before that is no file's fault.
        self.ready = False

    def give(self, index: int, item: Any) -> None:
        self.conn.send((index, item))
        self.task = (index, time.monotonic())

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class _Pool:
    def __init__(self, func, context, size: int, memory_limit: int | None):
        self._args = (multiprocessing.get_context("spawn"), func, context, memory_limit)
        self.workers = [_Worker(*self._args) for _ in range(size)]

    def busy(self) -> bool:
        return any(w.task for w in self.workers)

    def assign(self, pending: deque) -> None:
        for worker in self.workers:
            if worker.task is None and pending:
                worker.give(*pending.popleft())

    def collect(self, timeout: float) -> Iterator[tuple[int, Any]]:
        """Wait for the first worker to answer, die or time out; handle all that did."""
        busy = [w for w in self.workers if w.task]
        soonest = min(w.task[1] for w in busy) + timeout
        ready = set(
            wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy],
                max(0.0, soonest - time.monotonic()),
            )
        )
        for worker in busy:
            index = worker.task[0]
            if worker.conn in ready:
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    result = _died(worker)
                else:
                    if result == _READY:
                        # The clock starts once the worker is up, not while it starts.
                        worker.ready, worker.task = True, (index, time.monotonic())
                    else:
                        worker.task = None
                        yield result
                    continue
            elif worker.process.sentinel in ready:
                result = _died(worker)
            elif time.monotonic() - worker.task[1] >= timeout:
                result = Failure(f"took longer than {timeout:g} s to read; stopped")
            else:
                continue
            self._replace(worker)
            yield index, result

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        self.workers[self.workers.index(worker)] = _Worker(*self._args)

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive() and worker.task is None:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
        for worker in self.workers:
            worker.process.join(2)
            worker.stop()


def _died(worker: _Worker) -> Failure:
    worker.process.join(5)
    code = worker.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    logger.info("worker %s died (%s)", worker.process.pid, how)
    if not worker.ready:
        raise WorkerError(
            f"a worker process failed to start ({how}); if a script calls the import, "
            'put the call under `if __name__ == "__main__":`'
        )
    return Failure(
        f"the reader crashed on this file ({how}): it is damaged or built to "
        "exhaust memory, such as a cell far outside the sheet's area"
    )


def _worker_main(conn: Connection, func, context, memory_limit: int | None) -> None:
    if memory_limit:
        _limit_memory(memory_limit)
    conn.send(_READY)
    while True:
        message = conn.recv()
        if message is None:
            return
        index, item = message
        try:
            result = func(context, item)
        except MemoryError:
            result = Failure(
                "ran out of memory reading this file; it is built to exhaust "
                "memory or far larger than a workbook of ours"
            )
        except Exception as exc:  # noqa: BLE001 - a bug must cost one file, not the run
            result = Failure(f"internal error reading this file: {type(exc).__name__}: {exc}")
        conn.send((index, result))


def _limit_memory(limit: int) -> None:
    """Cap this process's address space; Windows has no such limit, only the time limit."""
    try:
        import resource
    except ImportError:
        logger.info("no memory limit for workers on this system")
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
