"""`pip install -e .` into a fresh virtual environment (after torch and the stack) gives a working `stilts`.

The new venv reuses the installed stack (a .pth line to this interpreter's site-packages: no downloads),
and installs a copy of the package (pyproject, package, README, LICENSE) with --no-deps --no-build-isolation,
as a fresh clone would; nothing is written to the repository."""
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_editable_install_gives_the_stilts_command(tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "stilts_utils", clone / "stilts_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, clone / name)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)  # pip, setuptools and the stack come from the installed stack
    python = env_dir / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # A plain path line: the stack's own .pth files (e.g. the repository's editable install) are not run.
    Path(site, "stack.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1", "PYTHONPATH": ""}
    install = subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e",
                              str(clone)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert install.returncode == 0, install.stderr[-3000:]
    stilts = env_dir / "bin" / "stilts"
    assert stilts.is_file(), "no console script"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    proc = subprocess.run([stilts, "--version"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"stilts {version}"
    where = subprocess.run([python, "-c", "import stilts_utils; print(stilts_utils.__file__)"], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=60).stdout.strip()
    assert Path(where).is_relative_to(clone), f"imports {where}, not the installed copy"
    bad = subprocess.run([stilts, "summary", "no-such-study"], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr


def test_the_wheel_ships_published_encoders_and_no_build_in_progress(tmp_path):
    """pyproject's package-data holds every file of a published sandbox encoder (phases/published.py), and
    no dot folder (a build in progress, or the copy it replaced)."""
    import zipfile

    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "stilts_utils", clone / "stilts_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, clone / name)
    published = clone / "stilts_utils" / "sandbox" / "published"
    files = ["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "loss_curve.csv",
             "pretrain_metrics.json", "pretrain_time.json", "phase1_report.csv", "phase1_report.json",
             "PUBLISHED.json"]
    for folder, name in [("tiny", f) for f in files] + [(".tiny.build-1", "model.safetensors")]:
        (published / folder).mkdir(parents=True, exist_ok=True)
        (published / folder / name).write_text("x")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"}
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                            str(tmp_path / "dist"), str(clone)], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if "/sandbox/published/" in n}
    assert shipped == {f"stilts_utils/sandbox/published/tiny/{f}" for f in files}
