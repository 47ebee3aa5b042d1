"""Where a notebook's path parameters point: the repository root, found from the package, never the kernel's
working directory (JupyterLab starts kernels in notebooks/, papermill in the root: the same default
`study_dir = "outputs/sandbox"` must mean the same folder in both)."""
from __future__ import annotations

from pathlib import Path

from ..study.config import REPO_ROOT

OUTPUTS = REPO_ROOT / "outputs"  # the default output root of every study (config.Study.output_root)


def in_repo(path) -> Path:
    """`path` made absolute: a relative path is relative to the repository root, as in the study files."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def shown(path) -> str:
    """A path as a reader wants it: relative to the repository root when inside it (no temp prefixes)."""
    path = Path(path)
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)
