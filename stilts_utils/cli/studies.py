"""Which study a command means: a file path, or a name in params/ (`sandbox` = params/sandbox.yaml), with
the command line's `--set key.sub=value` overrides.

Overrides are validated by the same code as the file (`config.load_study(path, overrides)`). A run with
overrides reads an effective study file written beside its outputs (`<study>/overrides/<hash>.yaml`): the
notebooks load that file, so every phase sees the same settings, and the settings enter the run identity
(`identity.encoder_key` / `pair_key` hash them) like settings written in the file.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from ..atomic import atomic_write_text
from ..study.config import NAME, load_study
from ..study.errors import StudyError
from ..study.hashing import short_hash
from ..study.loading import PARAMS, study_data


def study_file(arg: str) -> Path:
    """The study file `arg` names: an existing path, else params/<arg>.yaml."""
    path = Path(arg)
    if path.is_file() or path.suffix in (".yaml", ".yml") or "/" in arg:
        return path  # load_study says what is wrong with a path that is not a study file
    named = PARAMS / f"{arg}.yaml"
    if NAME.fullmatch(arg) and named.is_file():
        return named
    names = ", ".join(sorted(p.stem for p in PARAMS.glob("*.yaml")))
    raise StudyError(f"study {arg!r}: no such file and no params/{arg}.yaml; allowed: a study file, or one of "
                     f"{names}")


def effective_file(path: Path, overrides: list[str], write: bool) -> Path:
    """The study file a run with `overrides` reads: written (once; content-addressed) when `write`, else it
    must exist already, i.e. the study ran with these overrides before."""
    study = load_study(path, tuple(overrides))  # validation first: nothing is written for a bad override
    data = {**study_data(path, overrides), "name": study.name}  # `extends` resolved: the file stands alone
    out = study.output_dir / study.name / "overrides" / f"{short_hash(data)}.yaml"
    if not out.is_file():
        if not write:
            raise StudyError(f"study {study.name!r} never ran with --set {' --set '.join(overrides)} ({out} does "
                             f"not exist); run it first with the same --set")
        out.parent.mkdir(parents=True, exist_ok=True)
        head = f"# {path} with --set {' --set '.join(overrides)} (written by the CLI; this run's notebooks read it)\n"
        atomic_write_text(out, head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return out


def resolve(arg: str, overrides: list[str] | None = None, write: bool = True) -> str:
    """The path a command passes on: the named study file, or its effective file under `overrides`."""
    path = study_file(arg)
    if not overrides:
        return str(path)
    return str(effective_file(path, overrides, write))
