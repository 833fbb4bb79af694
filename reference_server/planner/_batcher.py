"""Micro-batcher: coalesce concurrent single requests into one batched search.

Callers (server threads or an event loop via `asyncio.wrap_future`) get a `Future[Plan]`; one worker
thread takes the first waiting request, gathers more for at most `max_wait_s` or until `max_batch`,
and runs them through `Planner.plan_batch` (on the GPU when the batch is large enough).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from reference_server.planner._types import Plan

__all__ = ["MicroBatcher"]

_Item = tuple[str, str, "Future[Plan]"]


class MicroBatcher:
    def __init__(
        self,
        run: Callable[[list[tuple[str, str]]], list[Plan]],
        max_batch: int = 256,
        max_wait_s: float = 0.001,
    ) -> None:
        self._run = run
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._closed = False
        self.batches = 0
        """Number of batches run so far (for tests and metrics)."""
        self._thread = threading.Thread(target=self._loop, name="stratus-planner-batcher", daemon=True)
        self._thread.start()

    def submit(self, state: str, goal: str) -> Future[Plan]:
        if self._closed:
            raise RuntimeError("micro-batcher is closed")
        fut: Future[Plan] = Future()
        self._queue.put((state, goal, fut))
        return fut

    def close(self) -> None:
        """Stop the worker after the requests already queued."""
        self._closed = True
        self._queue.put(None)
        self._thread.join()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.perf_counter() + self.max_wait_s
            stop = False
            while len(batch) < self.max_batch:
                left = deadline - time.perf_counter()
                try:
                    item = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            live = [it for it in batch if it[2].set_running_or_notify_cancel()]
            if live:
                try:
                    plans = self._run([(s, g) for s, g, _ in live])
                except BaseException as exc:  # hand the failure to every waiting caller
                    for _, _, fut in live:
                        fut.set_exception(exc)
                else:
                    for (_, _, fut), plan in zip(live, plans, strict=True):
                        fut.set_result(plan)
                self.batches += 1
            if stop:
                return
