"""A framework step named for the reader in sentences and tables.

In English a step is named by its id ("requirements", "ml-task"): short, and what `--stages`
and an answers file take. In another language the id is an English word in the middle of a
translated sentence ("已跳过 model。"), so there the step's translated title is shown instead
("已跳过模型。"). `--json` and saved sessions keep the ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlsd.i18n import SOURCE_LANGUAGE, _, language


def step_name(step_id: str) -> str:
    """The id in English; the step's title in the interface language otherwise (an unknown id as it is)."""
    if language() == SOURCE_LANGUAGE:
        return step_id
    from mlsd.content.overlays import shown_step
    from mlsd.errors import BadInputError

    try:
        return str(shown_step(step_id).title)
    except BadInputError:
        return step_id


def step_names(step_ids: Iterable[str]) -> str:
    """Several steps as one list: "model, maintenance" in English, "模型、维护" in Chinese."""
    return _(", ").join(step_name(s) for s in step_ids)
