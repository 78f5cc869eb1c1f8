"""Background threads that leave Ctrl-C to the main thread."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable


def start_background(target: Callable[[], None], name: str) -> threading.Thread:
    """Start `target` on a daemon thread that blocks SIGINT.

    The kernel hands a process-wide signal to any thread that does not block it.
    Delivered to a worker, Ctrl-C would not interrupt the main thread's blocking call
    (input(), a join): the interrupt would wait for the user's next Enter.
    """

    def run() -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        target()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
