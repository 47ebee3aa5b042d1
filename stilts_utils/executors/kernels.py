"""Warm kernels (the local executor): each worker starts one Jupyter kernel and runs every notebook it is
given on it.

A cold papermill run pays 10-23 s of start-up per notebook (a kernel, then torch, transformers, datasets
and sklearn imports): at the sandbox's scale that was 44 % of a study's compute. Here the imports happen
once per worker, and each notebook is still executed by papermill (parameters injected, every cell's
output kept) into its own record under `outputs/`. Papermill's nbclient engine always makes a new
kernel client; the engine below is that engine on the worker's running kernel and its one client
(written by hand because papermill has no option for it). Results do not depend on what ran before on a
kernel: every phase call re-reads the study and re-seeds everything it draws from.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

from jupyter_core.utils import run_sync

KERNEL = "python3"
ENGINE = "stilts-warm"
# jupyter_client picks free TCP ports and writes them to the connection file; the kernel binds them a
# moment later, so a kernel starting at the same time in another process (two studies, tests in
# parallel, Slurm jobs sharing a node) can take one in between and the new kernel dies with "Address
# already in use" before it runs anything. Neither jupyter_client nor papermill retries, so a start that
# fails this way is tried again on new ports (nothing has run yet: a retry cannot repeat any work).
START_TRIES = 3
PORT_CLASH = "Address already in use"


def port_clash(text: str) -> bool:
    """Whether `text` (a kernel's log and the error) says the kernel died at start, before any cell ran,
    because another process had taken one of its ports (see START_TRIES)."""
    return PORT_CLASH in text and "died before replying to kernel_info" in text


class WarmKernel:
    """One running kernel (started in the calling thread, whose event loop its client then uses)."""

    def __init__(self, cwd: Path, log: Path, env: dict | None = None):
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(log, "a")  # the kernel's own stdout/stderr: library warnings, crashes
        extra = {} if env is None else {"env": env}  # env: the whole environment (gpus.kernel_env); None inherits
        for attempt in range(1, START_TRIES + 1):
            start = self.log.tell()
            try:
                self.km, self.kc = self._start(cwd, extra)
                return
            except RuntimeError as err:
                self.log.flush()
                said = log.read_bytes()[start:].decode(errors="replace") + str(err)
                if attempt == START_TRIES or not port_clash(said):
                    raise
                print(f"kernel start lost its port to another process; trying again ({attempt}/{START_TRIES})",
                      file=self.log, flush=True)

    def _start(self, cwd: Path, extra: dict):
        import nbformat  # lazy: nbclient (1.1 s); validation and --dry-run import the executors
        from nbclient import NotebookClient

        starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name=KERNEL)
        starter.km = starter.create_kernel_manager()
        starter.start_new_kernel(cwd=str(cwd), stdout=self.log, stderr=self.log, preexec_fn=die_with_parent(), **extra)
        starter.start_new_kernel_client()  # a kernel that dies here is cleaned up by nbclient, then raises
        return starter.km, starter.kc

    @property
    def pid(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        return bool(run_sync(self.km.is_alive)())

    def kill(self) -> None:
        """SIGKILL, for a kernel that did not stop when interrupted (its session has no other process)."""
        if self.pid:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def interrupt(self) -> None:
        """Ctrl-C for the cell now running (the kernel has a session of its own: the terminal's does not reach it)."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            self.log.close()


def die_with_parent():
    """A Popen `preexec_fn` that makes the child get SIGKILL the moment the thread that started it ends
    (Linux PR_SET_PDEATHSIG), so a killed runner leaves no kernel behind still writing; ipykernel's own
    parent poller would notice only a second or more later. None elsewhere (the poller remains)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork: nothing to import in the child

    def preexec():
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    return preexec


def _engine():
    from papermill.clientwrap import PapermillNotebookClient  # lazy: papermill (1.2 s), as in execute()
    from papermill.engines import NBClientEngine

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     kernel: WarmKernel | None = None, **kwargs):
            client = PapermillNotebookClient(nb_man, km=kernel.km, kernel_name=kernel_name, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file,
                                             timeout=execution_timeout)
            client.kc = kernel.kc  # reuse the kernel's client: no new channels per notebook
            return client.execute()

    return WarmEngine


def execute(kernel: WarmKernel, template: Path, out: Path, params: dict) -> None:
    """Run one notebook with papermill on a warm kernel; failures raise papermill's execution error."""
    import papermill as pm  # lazy: papermill (1.2 s); validation and --dry-run import the executors
    from papermill.engines import papermill_engines

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, _engine())
    out.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(template), str(out), parameters=params, engine_name=ENGINE, kernel_name=KERNEL,
                        kernel=kernel, progress_bar=False, log_output=False)
