"""A quiet terminal (stilts_utils/progress.py): library chatter goes to the run's log file, a training run
shows one bar with its loss, and the runner's final summary shows the headline table and where things are."""
import logging
import warnings
from types import SimpleNamespace

import yaml

from stilts_utils import progress
from stilts_utils.cli import runner
from stilts_utils.study.config import load_study
from stilts_utils.study.identity import StudyPaths

from test_reports import results_table, write_study


def test_library_logging_and_warnings_go_to_the_log_file(tmp_path, capfd):
    log = tmp_path / "run" / "phase1.log"
    hf = logging.getLogger("transformers")
    before = (hf.handlers[:], hf.propagate)
    with progress.quiet_libraries(log):
        logging.getLogger("transformers.modeling_utils").warning("Some weights were not initialized")
        logging.getLogger("datasets").info("Map: 100%")
        warnings.warn("a library's FutureWarning", FutureWarning)
    out, err = capfd.readouterr()
    text = log.read_text()
    assert "Some weights were not initialized" in text and "Map: 100%" in text and "FutureWarning" in text
    assert "Some weights" not in out + err and "FutureWarning" not in out + err
    assert (hf.handlers, hf.propagate) == before, "restored on exit"
    logging.getLogger("transformers.x").warning("after")
    assert "after" not in log.read_text()


def test_one_bar_per_run_with_its_loss(capsys):
    bar = progress.loss_bar("phase 1: sandbox-small")
    state = SimpleNamespace(max_steps=4, global_step=0)
    bar.on_train_begin(None, state, None)
    for step in range(1, 5):
        state.global_step = step
        bar.on_step_end(None, state, None)
        bar.on_log(None, state, None, logs={"loss": 2.0 / step, "learning_rate": 1e-3})
    bar.on_log(None, state, None, logs={"eval_loss": 0.75})
    bar.on_train_end(None, state, None)
    out = capsys.readouterr().out
    assert "phase 1: sandbox-small" in out and "4/4" in out and "eval_loss=0.750" in out
    assert "{'loss'" not in out and "learning_rate" not in out


def test_quiet_trainer_replaces_the_printer():
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    class Trainer:
        def __init__(self):
            self.callbacks = [PrinterCallback, ProgressCallback, "other"]

        def remove_callback(self, cb):
            self.callbacks = [c for c in self.callbacks if c is not cb]

        def add_callback(self, cb):
            self.callbacks.append(cb)

    trainer = progress.quiet_trainer(Trainer(), "x")
    assert trainer.callbacks[0] == "other" and type(trainer.callbacks[1]).__name__ == "LossBar"
    assert len(trainer.callbacks) == 2


def test_training_summary_is_compact():
    history = [{"loss": 3.14159, "step": 100}, {"eval_loss": 2.5, "step": 100}, {"loss": 1.23456, "step": 200},
               {"eval_loss": 2.1, "step": 200}, {"train_runtime": 9.0, "step": 200}]
    assert progress.training_summary(history) == {"steps": 200, "first loss": 3.142, "last loss": 1.235,
                                                  "best held-out loss": 2.1}


def test_final_summary_shows_the_headline_and_where_things_are(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump({"world": "sandbox", "targets": ["xnli", "xquad"], "intermediate": ["none", "mnli"],
                                    "output_root": str(tmp_path / "out"), "analysis": ["notebooks/analysis_default.ipynb"]}))
    study = load_study(path)
    paths = StudyPaths(study)
    df = results_table(models={"small": 1_000_000}, variants={"": {}}, intermediates=("mnli",), datas=("en",),
                       fractions=(1.0,), seeds=(1, 2))
    write_study(paths.dir, df)
    text = runner.summary(study, paths, runner.Outcome(done=["a"]), df)
    lines = text.splitlines()
    assert f"figures: {paths.figures}" in lines and f"tables: {paths.tables}" in lines
    assert f"notebooks: {paths.dir / 'notebooks'}" in lines
    header = next(i for i, line in enumerate(lines) if line.startswith("| model | target"))
    assert any(line.startswith("| small | xnli | accuracy | mnli |") for line in lines[header:])
    assert lines[-1] == "again: python -m stilts_utils summary STUDY.yaml"
    assert len(lines) < 40, "fits on a screen"
