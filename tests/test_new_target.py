"""Adding a target is one task module, one registry line and fixture files, and nothing else: a toy
target written here is listed by `tasks`, trains through both phases, is scored and is written in
submission format without any other file of the package knowing its name."""
import importlib.util
import json

import pytest
import yaml

from stilts_utils.tasks import REGISTRY
from tiny_models import FIXTURES

TOY_MODULE = '''
from stilts_utils.tasks.base import Source, Task
from stilts_utils.tasks.mapping import pair

TASK = Task(
    name="toyrte", kind="classification", role="target", metric="accuracy",
    source=Source("example/toy-rte", "{lang}", {"train": "train", "dev": "validation", "test": "test"}),
    to_canonical=pair("sentence1", "sentence2"), labels=("entailment", "not_entailment"),
    languages=("en", "de"), xtreme_format="lines",  # a toy two-way entailment target
)
'''
ROWS = {
    "en": [("A dog runs in the park.", "An animal is outside.", 0), ("The shop is closed.", "The shop is open.", 1),
           ("She reads a book.", "Someone is reading.", 0), ("It rains all day.", "The sky is clear.", 1)],
    "de": [("Ein Hund rennt im Park.", "Ein Tier ist draußen.", 0), ("Der Laden ist zu.", "Der Laden ist offen.", 1),
           ("Sie liest ein Buch.", "Jemand liest.", 0)],
}
TINY = {"max_steps": 2, "batch_size": 2, "lr": 0.001, "max_seq_len": 48, "eval_every": 1, "eval_subset": 4,
        "eval_batch_size": 4}


def _write_fixtures(root):
    for lang, rows in ROWS.items():
        for split in (("train", "dev", "test") if lang == "en" else ("dev", "test")):
            path = root / "toyrte" / lang / f"{split}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps({"sentence1": a, "sentence2": b, "label": y}) + "\n"
                                    for a, b, y in rows))


@pytest.fixture
def toy_target(tmp_path, monkeypatch):
    """The task module (written to tmp) and its registry line (`REGISTRY["toyrte"] = toyrte.TASK`)."""
    module_path = tmp_path / "toyrte.py"
    module_path.write_text(TOY_MODULE)
    spec = importlib.util.spec_from_file_location("toyrte", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(REGISTRY, "toyrte", module.TASK)
    _write_fixtures(tmp_path / "data")
    return tmp_path


@pytest.mark.slow
def test_a_toy_target_runs_end_to_end(toy_target, tiny_model_dirs):
    from stilts_utils.cli.tasklist import task_table
    from stilts_utils.evaluation.submission import read_lines
    from stilts_utils.phases import pipeline
    from stilts_utils.study.config import load_study
    from stilts_utils.study.identity import Pair, StudyPaths

    assert "toyrte" in set(task_table().task)
    model = str(tiny_model_dirs["xlm-roberta"])
    data = {"world": "xtreme", "models": [model], "intermediate": ["none", "mnli"], "targets": ["toyrte"],
            "data_dirs": {"toyrte": str(toy_target / "data"), "mnli": str(FIXTURES)},
            "phase2": TINY, "phase3": TINY, "output_root": str(toy_target / "outputs")}
    path = toy_target / "toy.yaml"
    path.write_text(yaml.safe_dump(data))
    pipeline.train_intermediate(str(path), model, "", "mnli", "en", 0)
    study = load_study(path)
    for intermediate in ("none", "mnli"):
        rows = pipeline.run_pair(str(path), model, "", intermediate, "en", 1.0, "toyrte", 0)
        scored = rows[rows.metric == "accuracy"]
        assert set(scored.language) == {"en", "de"} and set(scored.split) == {"dev", "test"}
        assert scored.value.between(0, 100).all()
        pair = Pair(model, "", intermediate, "en", 1.0, "toyrte", 0)
        written = StudyPaths(study).predictions(pair) / "toyrte" / "test-de.tsv"
        assert len(read_lines(written)) == len(ROWS["de"])
        assert set(read_lines(written)) <= {"entailment", "not_entailment"}
