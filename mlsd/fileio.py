"""Writing user-visible files safely: never half a file, never an unasked overwrite."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mlsd.errors import OutputExistsError


def atomic_write(path: Path | str, text: str, *, force: bool) -> None:
    """Write via a temp file in the same folder and rename, so an interruption leaves no half file."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(f"{path} already exists; pass --force to overwrite it or choose another file")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
