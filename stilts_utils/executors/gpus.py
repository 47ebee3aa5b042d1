"""One GPU per warm kernel: with `--parallel N` on a machine with GPUs, kernel k sees only the k-th visible
device (round-robin when N exceeds the GPUs), so no run sees two GPUs (where the HF Trainer would wrap the
model in nn.DataParallel and multiply the batch) and parallel runs do not pile onto GPU 0."""
from __future__ import annotations

import os
from typing import Callable, Mapping


def visible_devices(environ: Mapping[str, str] | None = None,
                    count: Callable[[], int] | None = None) -> list[str]:
    """The CUDA device names this process may hand out: the entries of CUDA_VISIBLE_DEVICES when it is set
    (ordinals or GPU-UUIDs, kept as written), else "0".."n-1" for the n GPUs torch sees (none: [])."""
    environ = os.environ if environ is None else environ
    listed = environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        out = []
        for entry in (e.strip() for e in listed.split(",")):
            if not entry or entry.startswith("-"):  # CUDA stops at the first invalid entry ("-1": no device)
                break
            out.append(entry)
        return out
    return [str(k) for k in range((count or _torch_count)())]


def _torch_count() -> int:
    import torch  # lazy: torch (1 s) only when a kernel starts: after every CLI check, as the design asks

    return torch.cuda.device_count()


def kernel_env(index: int, devices: list[str], environ: Mapping[str, str] | None = None) -> dict | None:
    """The environment of worker `index`'s kernel: the runner's own with CUDA_VISIBLE_DEVICES narrowed to one
    device (round-robin over `devices`); None (inherit unchanged) when there is no GPU."""
    if not devices:
        return None
    env = dict(os.environ if environ is None else environ)
    env["CUDA_VISIBLE_DEVICES"] = devices[index % len(devices)]
    return env
