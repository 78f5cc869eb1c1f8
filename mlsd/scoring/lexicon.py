"""The scorer's word lists (`mlsd/data/lexicon.yaml`): stop words, negations, spellings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from mlsd.errors import MlsdError

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicon.yaml"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    import yaml

    try:
        data = yaml.load(LEXICON_PATH.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise MlsdError(f"{LEXICON_PATH}: cannot read the scorer's word lists ({exc}); reinstall mlsd") from exc
    if not isinstance(data, dict):
        raise MlsdError(f"{LEXICON_PATH}: must be a mapping of list names; reinstall mlsd")
    return data


def words(name: str) -> list[str]:
    """A word list: a YAML list of phrases, or one string of space-separated words."""
    value = _data().get(name)
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    raise MlsdError(f"{LEXICON_PATH}: {name}: expected a list of words; reinstall mlsd")


def pairs(name: str) -> list[tuple[str, str]]:
    """A list of [from, to] pairs."""
    value = _data().get(name)
    if not isinstance(value, list) or not all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in value
    ):
        raise MlsdError(f"{LEXICON_PATH}: {name}: expected a list of [from, to] pairs; reinstall mlsd")
    return [(a, b) for a, b in value]
