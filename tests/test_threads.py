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
