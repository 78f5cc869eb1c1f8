"""Background threads block SIGINT, so Ctrl-C always reaches the main thread's input() or join()."""

from __future__ import annotations

import signal

import pytest

from mlsd.threads import start_background


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no per-thread signal masks here")
def test_background_thread_blocks_sigint_and_the_main_thread_does_not():
    seen: list[set] = []
    start_background(lambda: seen.append(signal.pthread_sigmask(signal.SIG_BLOCK, [])), "test").join(5)
    assert seen and signal.SIGINT in seen[0]
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_ctrl_c_landing_in_another_thread_still_interrupts_the_main_thread():
    """The `^C> ` race: SIGINT trips Python's flag but the main thread sits in a select()
    that no EINTR wakes. Inside ctrl_c_reaches_input() the main thread is interrupted anyway.

    The SIGINT is sent to a thread that does not block it, so the main thread's select()
    is never interrupted by it; before the fix this waited the full 60 s and failed.
    """
    import os
    import select
    import signal
    import threading

    from mlsd.threads import ctrl_c_reaches_input

    main = threading.main_thread().native_id
    if not os.path.exists(f"/proc/self/task/{main}/syscall"):
        pytest.skip("needs Linux /proc to see the main thread waiting in select()")

    def interrupt_once_main_waits() -> None:
        # Send only once the main thread sleeps in select()/poll(), so the signal
        # cannot be handled by the main thread's Python code instead (no fixed sleep).
        waits = {"7", "23", "270", "271", "72", "73"}  # poll/select/pselect6/ppoll, x86-64 and arm64
        while True:
            with open(f"/proc/self/task/{main}/syscall") as fh:
                if fh.read().split(" ")[0] in waits:
                    break
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    read_fd, write_fd = os.pipe()
    done = threading.Event()
    released: list[bool] = []

    def release_after_a_minute() -> None:
        # Without the fix the select() below would wait forever: free it, and say so.
        if not done.wait(60):
            released.append(True)
            os.write(write_fd, b"x")

    watchdog = threading.Thread(target=release_after_a_minute)
    watchdog.start()
    try:
        with ctrl_c_reaches_input(), pytest.raises(KeyboardInterrupt):
            other = threading.Thread(target=interrupt_once_main_waits)
            other.start()
            select.select([read_fd], [], [])  # only the Ctrl-C (or the watchdog) ends this
        done.set()
        other.join()
        watchdog.join()
        assert not released, "the SIGINT did not interrupt the main thread's select()"
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_one_ctrl_c_is_one_keyboard_interrupt():
    """The pokes never raise a second KeyboardInterrupt for a Ctrl-C already handled."""
    import os
    import select
    import signal
    import threading

    from mlsd.threads import ctrl_c_reaches_input

    read_fd, write_fd = os.pipe()
    try:
        with ctrl_c_reaches_input():
            with pytest.raises(KeyboardInterrupt):
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
                select.select([read_fd], [], [], 60)
            select.select([read_fd], [], [], 0.5)  # pokes still in flight land here, harmlessly
    finally:
        os.close(read_fd)
        os.close(write_fd)
