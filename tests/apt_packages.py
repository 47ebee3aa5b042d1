"""apt-get for the tests that need a Debian package (Slurm, chromium). The suite runs on two workers
(pyproject addopts), and two apt-get runs at once fail on dpkg's lock, so an install holds a file lock
of its own for the whole update + install."""
from __future__ import annotations

import fcntl
import os
import subprocess

LOCK = "/tmp/stilts-tests-apt.lock"


def apt_install(packages: list[str], check: bool = True, timeout: float = 900) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "timeout": timeout, "check": check}
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        subprocess.run(["apt-get", "update", "-qq"], **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], **quiet)
