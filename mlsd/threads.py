"""Background threads that leave Ctrl-C to the main thread."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator


def start_background(target: Callable[[], None], name: str) -> threading.Thread:
    """Start `target` on a daemon thread that blocks SIGINT.

    The kernel hands a process-wide signal to any thread that does not block it.
    Delivered to a worker, Ctrl-C would not interrupt the main thread's blocking call
    (input(), a join): the interrupt would wait for the user's next Enter.
    """

    def run() -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGUSR1})
        target()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def ctrl_c_reaches_input() -> Iterator[None]:
    """Make every Ctrl-C interrupt the main thread's `input()`, however late it arrives.

    CPython's readline waits in select() and looks at signals only when select() fails
    with EINTR. A SIGINT that lands just before select() (the prompt being printed, a typed
    character being redisplayed, readline briefly blocking SIGINT) or in another thread
    sets Python's flag but interrupts nothing: the screen shows `^C> ` and input() waits
    for the next key. Here a watcher thread learns of every SIGINT from the wakeup fd and,
    until the main thread's handler has run, pokes the main thread with a harmless
    SIGUSR1 every 20 ms: the poke makes select() fail with EINTR, Python then runs the
    pending SIGINT handler and input() raises KeyboardInterrupt. The poke's handler does
    nothing, so a SIGINT already handled is never raised twice. A no-op outside the main
    thread or where pthread_kill/SIGUSR1 do not exist (Windows).
    """
    import os
    import select

    if (
        threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "pthread_kill")
        or not hasattr(signal, "SIGUSR1")
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    main_id = threading.main_thread().ident
    handled = [0]
    stop = threading.Event()

    def on_sigint(signum: int, frame: object) -> None:
        handled[0] += 1
        signal.default_int_handler(signum, frame)

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    os.set_blocking(read_fd, False)
    old_usr1 = signal.signal(signal.SIGUSR1, lambda signum, frame: None)
    signal.signal(signal.SIGINT, on_sigint)
    old_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)

    def watch() -> None:
        seen = 0
        while not stop.is_set():
            waiting = seen > handled[0]
            ready, _, _ = select.select([read_fd], [], [], 0.02 if waiting else 0.2)
            if ready:
                try:
                    data = os.read(read_fd, 512)
                except BlockingIOError:
                    data = b""
                seen += data.count(bytes([signal.SIGINT]))
            if seen > handled[0] and not stop.is_set():
                try:
                    signal.pthread_kill(main_id, signal.SIGUSR1)
                except (OSError, ProcessLookupError):  # the main thread is gone
                    return

    watcher = start_background(watch, "mlsd-ctrl-c")
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=1)
        signal.set_wakeup_fd(old_wakeup)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGUSR1, old_usr1)
        os.close(read_fd)
        os.close(write_fd)
