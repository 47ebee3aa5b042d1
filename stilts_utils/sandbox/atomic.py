"""Build a directory once: write into a temp sibling, mark it COMPLETE, rename into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

MARKER = "COMPLETE"


def is_complete(path: Path, key: str) -> bool:
    """True when path was built for `key`; a directory built for other settings is an error,
    since silently reusing it would mix two worlds."""
    marker = path / MARKER
    if not marker.exists():
        return False
    found = marker.read_text().strip()
    if found != key:
        raise ValueError(f"{path} was built for {found}, not {key}; use another directory")
    return True


def build_once(path: Path, key: str, build: Callable[[Path], None]) -> Path:
    path = Path(path)
    if is_complete(path, key):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        build(tmp)
        (tmp / MARKER).write_text(key + "\n")
        if path.exists() and any(path.iterdir()) and not (path / MARKER).exists():
            # never delete what we did not write: builds only ever rename a finished tmp here
            raise ValueError(f"{path} exists, is not empty and has no {MARKER} marker")
        os.rename(tmp, path)
    except OSError:  # rename onto a non-empty directory
        if not is_complete(path, key):  # another process may have won the race
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return path
