"""Writing user-visible files safely: never half a file, never an unasked overwrite."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mlsd.errors import OutputExistsError
from mlsd.i18n import _


def writable_target(path: Path | str, display: str) -> Path:
    """The file a write to `path` replaces, or BadInputError when that is not a regular file.

    A symlink is written through to its target, as editors do: the link stays a link.
    A directory, device, FIFO or socket is never replaced (as root, `-o /dev/full --force`
    once turned the device into a regular file)."""
    import stat

    from mlsd.errors import BadInputError

    real = Path(os.path.realpath(path))
    try:
        info = real.stat()
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise BadInputError(_("{path}: cannot use this path ({reason}); choose another file").format(
            path=display, reason=exc.strerror or exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise BadInputError(_("{path}: is a directory; give a file name").format(path=display))
    if not stat.S_ISREG(info.st_mode):
        raise BadInputError(
            _("{path}: is not a regular file (a device, pipe or socket); refusing to replace it, choose a file").format(
                path=display)
        )
    return real


def atomic_write(path: Path | str, text: str, *, force: bool, display: str | None = None) -> None:
    """Write via a temp file in the same folder and rename, so an interruption leaves no half file.

    An existing file keeps its permission bits (a 0600 file stays 0600); a new one gets
    0666 minus the umask. A symlink is written through to its target; anything that is not a
    regular file is refused (see `writable_target`)."""
    import stat

    path = Path(path)
    target = writable_target(path, display or str(path))
    if path.exists() and not force:
        raise OutputExistsError(_("{path} already exists; pass --force to overwrite it or choose another file").format(
            path=path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # mkstemp makes 0600; a new doc is meant to be shared
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _size(n: int) -> str:
    return (_("{n} MB").format(n=n // (1024 * 1024)) if n >= 1024 * 1024
            else _("{n} bytes").format(n=f"{n:,}"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_user_bytes(path: Path | str, display: str, max_bytes: int, error_cls: type[Exception] | None = None) -> bytes:
    """Read a file the user named: only a regular file (never a FIFO or device), at most `max_bytes`."""
    import stat

    from mlsd.errors import BadInputError

    error_cls = error_cls or BadInputError
    path = Path(path)
    try:
        info = path.stat()  # follows symlinks: a link to /dev/zero is a device
    except FileNotFoundError:
        raise error_cls(_("{path}: no such file; check the path").format(path=display)) from None
    except PermissionError:
        raise error_cls(_("{path}: permission denied; check the file's permissions").format(path=display)) from None
    except OSError as exc:
        raise error_cls(_("{path}: cannot read the file ({reason})").format(path=display, reason=exc.strerror or exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise error_cls(_("{path}: is a directory, not a file").format(path=display))
    if not stat.S_ISREG(info.st_mode):
        raise error_cls(_("{path}: is not a regular file (a device, pipe or socket); give a file").format(path=display))
    if info.st_size > max_bytes:
        raise error_cls(_("{path}: file is {size} bytes, larger than {limit}; the limit is {max_bytes}").format(
            path=display, size=f"{info.st_size:,}", limit=_size(max_bytes), max_bytes=f"{max_bytes:,}"))
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except PermissionError:
        raise error_cls(_("{path}: permission denied; check the file's permissions").format(path=display)) from None
    except OSError as exc:
        raise error_cls(_("{path}: cannot read the file ({reason})").format(path=display, reason=exc.strerror or exc)) from None
    if len(raw) > max_bytes:
        raise error_cls(_("{path}: file is larger than {limit}; the limit is {max_bytes} bytes").format(
            path=display, limit=_size(max_bytes), max_bytes=f"{max_bytes:,}"))
    return raw


def read_user_text(path: Path | str, display: str, max_bytes: int) -> str:
    """`read_user_bytes` decoded as UTF-8 (a BOM is dropped); anything else is one error line."""
    from mlsd.errors import BadInputError

    raw = read_user_bytes(path, display, max_bytes)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError(_("{path}: not a UTF-8 text file").format(path=display)) from None
