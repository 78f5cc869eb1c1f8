"""Where mlsd's files are: the shipped `scenarios/` and `templates/`, and the user's own.

A wheel carries the shipped folders inside the package (`mlsd/_data/…`, see pyproject's
force-include); a source checkout or editable install uses the repo folders
beside the package. One function, tested both ways. The user's files (the
practice store, the caches) live in `user_data_dir()`.
"""

from __future__ import annotations

import os
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


def user_data_dir() -> Path:
    """$MLSD_HOME, else $XDG_DATA_HOME/mlsd, else ~/.local/share/mlsd: the store and the caches."""
    home = os.environ.get("MLSD_HOME")
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "mlsd"
