"""XTREME-R's trained targets on fixture files in their real schemas and a tiny random XLM-R: Mewsli-X and LAReQA
(a dual encoder fine-tuned with in-batch negatives), XCOPA by XTREME-R's SIQA-then-COPA recipe, and SIQA as an
intermediate task, through the pair notebook like every other pair; their test predictions are XTREME-R
submission files that the scorer reads."""
import json

import pandas as pd
import pytest
import torch
import yaml

from stilts_utils.study import identity as grid
from stilts_utils.study.config import load_study
from stilts_utils.study.errors import StudyError
from stilts_utils.study.identity import StudyPaths
from stilts_utils.tasks import REGISTRY
from tiny_models import FIXTURES

TARGETS = {"mewslix": ["de", "es"], "lareqa": ["de", "en"], "xcopa": ["it", "zh"]}
TINY = {"max_steps": 2, "batch_size": 3, "lr": 0.001, "max_seq_len": 48, "max_query_len": 24, "eval_every": 1,
        "eval_subset": 8, "eval_batch_size": 4}


def _study(tmp_path, tiny_model_dirs, **extra):
    data = {"world": "xtreme", "models": [str(tiny_model_dirs["xlm-roberta"])], "intermediate": ["none"],
            "targets": list(TARGETS), "target_languages": TARGETS, "seeds": [0],
            "data_dirs": {t: str(FIXTURES) for t in [*TARGETS, "siqa", "copa"]},
            "phase2": TINY, "phase3": TINY, "output_root": str(tmp_path / "outputs"), "threads": 2, **extra}
    path = tmp_path / "xtreme_r.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.slow
def test_xtreme_r_targets_through_the_pair_notebook_write_scorable_submissions(tmp_path, tiny_model_dirs):
    from stilts_utils.cli import runner
    from stilts_utils.data.loading import load_split
    from stilts_utils.evaluation.submission import prediction_path, score_file, write_predictions
    from stilts_utils.model.kinds import kind_of

    path = _study(tmp_path, tiny_model_dirs)
    outcome = runner.run(path, analysis=False)
    assert not outcome.failed, outcome.failed
    study = load_study(path)
    df = pd.read_parquet(StudyPaths(study).results())
    for target, langs in TARGETS.items():
        part = df[(df.target == target) & (df.split == "test")]
        metric = REGISTRY[target].metric
        assert set(part.language) == set(langs) and part[part.metric == metric].value.between(0, 100).all(), target
    xcopa = df[(df.target == "xcopa") & (df.split == "select")]
    assert (xcopa.target_steps == 4).all()  # SIQA's 2 steps, then COPA's 2 (the recipe's two stages)
    pair = next(p for p in grid.pairs(study) if p.target == "mewslix")
    assert all(StudyPaths(study).notebook(p).exists() for p in grid.pairs(study))
    labels = tmp_path / "labels"
    for target, langs in TARGETS.items():
        task = REGISTRY[target]
        for lang in langs:  # the gold of the fixture rows, in the same format: the scorer reads both
            rows = load_split(target, lang, "test", study)
            write_predictions(labels, target, lang, kind_of(task).gold(rows, task))
            pred = prediction_path(StudyPaths(study).predictions(pair.__class__(**{**pair.__dict__, "target": target})),
                                   target, lang)
            got = score_file(pred, prediction_path(labels, target, lang), target, lang)
            row = df[(df.target == target) & (df.language == lang) & (df.split == "test") & (df.metric == task.metric)]
            assert got[task.metric] == pytest.approx(row.value.iloc[0]), (target, lang)
    ranked = json.loads(prediction_path(StudyPaths(study).predictions(pair), "mewslix", "de").read_text())
    assert set(ranked) == {"dewn-1-0", "dewn-1-1", "dewn-2-0"} and all(len(ids) == 8 for ids in ranked.values())


@pytest.mark.slow
def test_siqa_trains_an_intermediate_encoder(tmp_path, tiny_model_dirs):
    from stilts_utils.phases import pipeline

    path = _study(tmp_path, tiny_model_dirs, intermediate=["siqa"])
    table = pipeline.train_intermediate(path, str(tiny_model_dirs["xlm-roberta"]), "", "siqa", "en", 0)
    assert list(table.steps) == [2]
    summary = json.loads((StudyPaths(load_study(path)).encoder_dir(grid.encoders(load_study(path))[0])
                          / "summary.json").read_text())
    assert 0 <= summary["dev_after_training"]["siqa"]["accuracy"] <= 100


def test_dual_encoder_loss_uses_in_batch_negatives_and_ranks_the_pool():
    from stilts_utils.model.kinds import dual_encoder

    head = dual_encoder.make_head(4, 0, "cls")
    hidden = torch.randn(6, 5, 4)  # 3 pairs (query, candidate) flattened: (B*2, L, H)
    out = head(hidden, torch.ones(6, 5), n_choices=2)
    assert out["logits"].shape == (3, 3) and out["loss"] > 0
    assert head(hidden, torch.ones(6, 5))["embeddings"].norm(dim=-1).allclose(torch.ones(6))
    rows = {"id": ["q1", "q1", "q2", ""], "candidate_id": ["a", "b", "c", "d"]}
    assert dual_encoder.gold(rows, REGISTRY["lareqa"]) == {"q1": ["a", "b"], "q2": ["c"]}


def test_fixture_readers_build_queries_and_pools_as_xtreme_r(fixture_rows):
    mention = fixture_rows("mewslix", "de", "test")
    assert mention[0]["query"] == "Berlin: Die Regierung tagte in { Berlin } ."  # utils_mewslix.preprocess_mention
    assert len(set(mention["candidate_id"])) == 8  # the whole entity pool, each entity once
    escaped = fixture_rows("mewslix", "en", "train")[3]["query"]
    assert "(Spain)" in escaped and "{ Madrid }" in escaped  # braces in the text are escaped to parentheses
    test = fixture_rows("lareqa", "de", "test")
    ids = [i for i in test["id"] if i]
    assert set(ids) == {"q1", "q2", "q3"} and ids.count("q1") == 3  # its answer sentence in every language
    assert len(set(test["candidate_id"])) == 15  # 5 sentences in each of 3 languages, one pool
    train = fixture_rows("lareqa", "en", "train")
    assert dict(zip(train["id"], train["candidate_id"]))["s2"] == "en_1_2"  # the sentence holding the answer


def test_xcopa_recipe_is_a_setting_that_only_xcopa_pairs_key_on(tmp_path, tiny_model_dirs):
    default = load_study(_study(tmp_path, tiny_model_dirs))
    plain = load_study(_study(tmp_path, tiny_model_dirs, protocol={"recipes": {"xcopa": "copa"}}))
    assert default.protocol.training_stages(REGISTRY["xcopa"]) == ("siqa", "copa")
    assert plain.protocol.training_stages(REGISTRY["xcopa"]) == ("copa",)
    for a, b in zip(grid.pairs(default), grid.pairs(plain)):
        same = grid.pair_key(default, a) == grid.pair_key(plain, b)
        assert same == (a.target != "xcopa"), a.id
    for bad in ({"xnli": "copa"}, {"xcopa": "siqa"}):
        with pytest.raises(StudyError, match="protocol.recipes"):
            load_study(_study(tmp_path, tiny_model_dirs, protocol={"recipes": bad}))
