"""Atomic writes: a file via a temp sibling and a rename, a directory built once and marked COMPLETE.

A leaf: every layer (and the sandbox) writes its results through these two, so a crash never leaves a
half-written file or directory that counts."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

MARKER = "COMPLETE"


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write to a temp file in the same folder, then rename: a reader sees all of it or nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
