"""The executor seam (stilts_utils/executors): every registered executor provides the interface, the study
file's names agree with the registry, and a third executor is one module plus one registry line: a fake one
(defined here: each run as a cold papermill notebook, one after another) gives the rows of `local`."""
import shutil
import types

import pytest
import yaml

from stilts_utils.cli import runner
from stilts_utils.cli.main import main
from stilts_utils.executors import EXECUTORS, base, notebooks
from stilts_utils.study import executor as study_executor
from stilts_utils.study.errors import StudyError
from stilts_utils.study.identity import Pair
from test_faults import SMALL, rows

# one encoder, a trained and a retrieval pair: three notebooks per executor
STUDY = {**SMALL, "intermediate": ["mnli"], "targets": ["xnli", "tatoeba"], "checkpoints": [1.0], "parallel": 1}


def _fake_run(todo: base.Todo, outcome: base.Outcome) -> None:
    """Each run as its own cold papermill notebook, encoders first; a pair of a failed encoder is blocked."""
    failed = set()
    for job in todo.encoders + todo.pairs:
        if isinstance(job, Pair) and job.encoder is not None and job.encoder.id in failed:
            outcome.blocked.append(job.id)
            continue
        params = notebooks.parameters(todo.study_file, job, todo.study.threads, todo.study.checkpoint_every)
        try:
            notebooks.papermill(notebooks.template(job), todo.paths.notebook(job), params)
            outcome.done.append(job.id)
        except notebooks.RunFailed as err:
            failed.add(job.id)
            outcome.failed.append((job.id, str(todo.paths.notebook(job)), str(err)))


def _fake_module() -> types.ModuleType:
    fake = types.ModuleType("fake_executor")
    fake.run = _fake_run
    fake.dry_run = lambda study_file, study: f"fake: {study.name} would run here"
    fake.status = lambda study, paths: {}
    return fake


def write(folder, **extra):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "seam.yaml"  # one file name: one study name, the same run ids in every folder
    path.write_text(yaml.safe_dump({**STUDY, **extra, "output_root": str(folder / "outputs")}))
    return path


@pytest.mark.parametrize("name", sorted(EXECUTORS))
def test_every_executor_provides_the_interface(name):
    for function in ("run", "dry_run", "status"):
        assert callable(getattr(EXECUTORS[name], function, None)), f"{name} lacks {function}"


def test_the_study_file_names_the_registered_executors():
    assert tuple(EXECUTORS) == study_executor.EXECUTORS


def test_an_unregistered_executor_is_one_clear_error_before_compute(tmp_path):
    with pytest.raises(StudyError, match=r"executor: unknown value 'cluster'; allowed: local, slurm"):
        runner.run(str(write(tmp_path)), executor="cluster")
    assert not (tmp_path / "outputs").exists()


def test_a_registered_executor_is_offered_by_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(EXECUTORS, "fake", _fake_module())
    assert main(["run", str(write(tmp_path)), "--dry-run", "--executor", "fake"]) == 0
    assert capsys.readouterr().out.strip() == "fake: seam would run here"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*baseline:UserWarning")  # the headline table of a study without `none`
def test_a_fake_executor_gives_the_rows_of_local(tmp_path, monkeypatch, capsys):
    local = write(tmp_path / "local")
    outcome = runner.run(str(local), analysis=False, executor="local")
    assert not outcome.failed and len(outcome.done) == 3, outcome
    fake = write(tmp_path / "fake")
    cache = "outputs/cache/sandbox"  # phase 1 built once
    shutil.copytree(tmp_path / "local" / cache, tmp_path / "fake" / cache)
    monkeypatch.setitem(EXECUTORS, "fake", _fake_module())
    assert main(["run", str(fake), "--no-analysis", "--executor", "fake"]) == 0
    assert "3 run now, 0 already done, 0 failed" in capsys.readouterr().out
    assert rows(fake).equals(rows(local)), "the fake executor gives the local executor's rows"
    again = runner.run(str(fake), analysis=False, executor="fake")
    assert again.done == [] and len(again.skipped) == 3, "finished runs are skipped before any executor"
