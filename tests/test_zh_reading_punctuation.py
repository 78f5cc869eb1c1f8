"""A simulation's reading in Chinese ends its sentences with a Chinese full stop.

The monitor's last reading line is glued from fragments plus a full stop; the stop goes
through the catalog too, so a zh run never ends a Chinese sentence with an English '.'.
"""

from mlsd import i18n
from mlsd.sims import monitor


def _reading(lang: str) -> list[str]:
    i18n.set_language(lang)
    try:
        return monitor.simulate_monitor(minutes=80, incident=["none"], seed=2).reading()
    finally:
        i18n.set_language("en")


def test_monitor_reading_ends_chinese_sentences_with_a_chinese_full_stop():
    lines = _reading("zh")
    assert lines
    assert all(line.endswith("。") for line in lines), [line[-20:] for line in lines]


def test_monitor_reading_keeps_the_english_full_stop_in_english():
    lines = _reading("en")
    assert lines and all(line.endswith(".") for line in lines)
