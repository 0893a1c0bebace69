"""Writing files safely: to a temporary file in the same folder, then a rename.

A crash or an error while writing leaves the previous file untouched and no
temporary file behind, so a good checkpoint, image or figure is never replaced
by a partial one. ``os.replace`` is atomic on POSIX and Windows when both paths
are on the same file system, which a temporary file next to the target is.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[str], Any]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file next to ``path``, then rename.

    The file gets the mode a plain ``open(path, "w")`` would give (``0666``
    less the umask).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = atomic_write(folder / "a.txt", lambda tmp: Path(tmp).write_text("hi"))
    >>> path.read_text()
    'hi'
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; use the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write JSON atomically (indent 1)."""

    def write(tmp: str) -> None:
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=1)

    return atomic_write(path, write)
