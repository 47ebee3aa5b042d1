"""One runner per study: a lock file in the study's folder that names its owner.

The lock is an `flock` on `<study>/runner.lock`, which the kernel releases when its owner dies however
it dies (SIGKILL included), so a stale lock is never a problem: the next runner takes it over and says
whose it was. The file holds the owner's PID, host and start time for the message a second runner gets.
Two runners on one study would train the same encoders twice and race on their rows and analysis.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from ..study.errors import StudyError

LOCK = "runner.lock"


class StudyBusy(StudyError):
    """Another runner holds the study's lock."""


def _owner(path: Path) -> dict:
    try:
        owner = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return owner if isinstance(owner, dict) else {}


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@contextmanager
def study_lock(study_dir: Path, what: str = "run"):
    """Hold the study's lock for the block; StudyBusy (exit code 2) when another runner holds it."""
    study_dir = Path(study_dir)
    study_dir.mkdir(parents=True, exist_ok=True)
    path = study_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by kernels (O_CLOEXEC by default)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        owner = _owner(path)
        raise StudyBusy(f"study {study_dir.name!r} is being run by PID {owner.get('pid', '?')} on host "
                        f"{owner.get('host', '?')} (`{owner.get('command', '?')}` since {owner.get('since', '?')}; "
                        f"lock {path}); wait for it to finish or stop it, then run again") from None
    previous = _owner(path)
    if previous.get("pid") and previous.get("host") == socket.gethostname() and not _alive(previous["pid"]):
        print(f"note: took over the lock of PID {previous['pid']} (no longer running) on {study_dir.name}",
              file=sys.stderr)
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "command": what,
             "since": time.strftime("%Y-%m-%d %H:%M:%S")}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(owner).encode(), 0)
    try:
        yield owner
    finally:
        os.ftruncate(fd, 0)  # an empty lock file: nobody runs the study
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
