"""The one place slow work runs beside the candidate: loading the speech model, fitting the
scorer and preparing a question while the interviewer speaks, refining a transcript after
the feedback.

One `concurrent.futures` executor per command. Its workers are not daemon threads, and
`close()` (called when the command ends, whatever the ending) waits for whatever is running:
a thread still inside native code (CTranslate2, numpy) when the interpreter exits can abort
it ("FATAL: exception not rethrown").
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
WORKERS = 4  # model, scorer, a question's preparation and a refinement can overlap
# the signals that stop a command; only the main thread may receive them
STOPPING = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
            if hasattr(signal, name)}


def _leave_signals_to_the_main_thread() -> None:
    """A signal the kernel delivers to a worker only sets Python's flag: the main thread,
    waiting in select() for a typed line, would never wake to act on it. Blocked here (and in
    the native threads a worker starts), they reach the main thread."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)


class BackgroundWork:
    def __init__(self, workers: int = WORKERS):
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="work",
                                            initializer=_leave_signals_to_the_main_thread)

    def submit(self, function: Callable[..., T], *args) -> Future[T]:
        return self._executor.submit(function, *args)

    def close(self) -> None:
        """Drop what has not started and wait for what has."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def done(value: T) -> Future[T]:
    """A future that already holds `value` (for work that needed no thread)."""
    future: Future[T] = Future()
    future.set_result(value)
    return future
