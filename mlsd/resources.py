"""Find the shipped `scenarios/` and `templates/` folders.

A wheel carries them inside the package (`mlsd/_data/…`, see pyproject's
force-include); a source checkout or editable install uses the repo folders
beside the package. One function, tested both ways.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mlsd.errors import MlsdError

ResourceName = Literal["scenarios", "templates"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: ResourceName) -> Path:
    """The folder holding the shipped `name` files."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise MlsdError(
        f"mlsd is installed without its {name}/ folder (looked in {_PACKAGE_DIR / '_data'} "
        f"and {_PACKAGE_DIR.parent}); reinstall with `pip install .` from the repo"
    )
