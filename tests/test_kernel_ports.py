"""A kernel that loses one of its ports to another process while it starts (two studies, tests in
parallel, Slurm jobs sharing a node: "Address already in use") is started again on new ports, in both
the warm-kernel path (local runner) and the papermill-command path (Slurm jobs); other start failures
are not retried."""
import socket
import subprocess
from pathlib import Path

import nbclient
import pytest

from stilts_utils.executors import kernels, notebooks


def _busy_port():
    """A port held (bound and listening) by this process for the whole test."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_warm_kernel_whose_port_is_taken_starts_again_on_new_ports(tmp_path, monkeypatch):
    busy = _busy_port()
    made = []
    original = nbclient.NotebookClient.create_kernel_manager

    def first_one_on_the_busy_port(self):
        km = original(self)
        if not made:  # as if another process had bound this port after jupyter_client picked it
            km.cache_ports = False  # else the provisioner picks the ports itself
            km.shell_port = busy.getsockname()[1]
        made.append(km)
        return km

    monkeypatch.setattr(nbclient.NotebookClient, "create_kernel_manager", first_one_on_the_busy_port)
    log = tmp_path / "kernel.log"
    kernel = kernels.WarmKernel(tmp_path, log)
    try:
        assert len(made) == 2 and kernel.alive()
        assert kernel.km is made[1] and kernel.km.shell_port != busy.getsockname()[1]
        text = log.read_text()
        assert kernels.PORT_CLASH in text and "trying again (1/3)" in text
    finally:
        kernel.shutdown()
        busy.close()


def test_a_kernel_that_dies_for_another_reason_is_not_started_again(tmp_path, monkeypatch):
    calls = []

    def dies(self, cwd, extra):
        calls.append(cwd)
        raise RuntimeError("Kernel died before replying to kernel_info")  # and its log names no port

    monkeypatch.setattr(kernels.WarmKernel, "_start", dies)
    with pytest.raises(RuntimeError, match="died before replying"):
        kernels.WarmKernel(tmp_path, tmp_path / "kernel.log")
    assert len(calls) == 1


@pytest.mark.parametrize("logs, runs, fails", [
    (["x\nzmq.error.ZMQError: Address already in use\nKernel died before replying to kernel_info", "ok"], 2, False),
    (["ValueError: bad cell"], 1, True),  # a notebook error: never rerun
    ([f"{kernels.PORT_CLASH} / died before replying to kernel_info"] * 3, 3, True),  # gives up after 3 tries
])
def test_the_papermill_command_is_rerun_only_when_its_kernel_lost_a_port(tmp_path, monkeypatch, logs, runs, fails):
    seen = []

    def fake_run(cmd, stdout, **kwargs):
        text = logs[len(seen)]
        seen.append(cmd)
        stdout.write(text)
        return subprocess.CompletedProcess(cmd, 0 if text == "ok" else 1)

    monkeypatch.setattr(notebooks.subprocess, "run", fake_run)
    out = tmp_path / "nb" / "pair.ipynb"
    if fails:
        with pytest.raises(notebooks.RunFailed):
            notebooks.papermill(Path("notebooks/pair.ipynb"), out, {"seed": 0})
    else:
        notebooks.papermill(Path("notebooks/pair.ipynb"), out, {"seed": 0})
    assert len(seen) == runs
