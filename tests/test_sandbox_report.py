"""Phase-1 health: the loss bound fails clearly, and the phase-1 report has every probe and baseline."""
import json
import math

import pytest

from stilts_utils.phases.phase1 import pretrain_model
from stilts_utils.phases.phase1_report import COLUMNS, phase1_report
from stilts_utils.phases.pretrain import UnhealthyEncoder
from stilts_utils.sandbox import ModelSize, WorldSettings, build_world, world_languages
from stilts_utils.sandbox.probes import overlap_features, rule_tag

TINY = dict(pretrain_sentences=1200, train_size=60, eval_size=24, bucc_pairs=6, bucc_distractors=4)
SIZE = ModelSize("tiny", hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64,
                 vocab_size=400, max_length=48, steps=30, eval_every=10, threads=1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    settings = WorldSettings(**TINY)
    return settings, build_world(settings, tmp_path_factory.mktemp("w") / "data")


def test_unhealthy_encoder_fails_and_keeps_no_model(world, tmp_path):
    settings, data = world
    strict = ModelSize(**{**SIZE.__dict__, "max_held_out_loss": 0.5})  # unreachable in 30 steps
    with pytest.raises(UnhealthyEncoder, match="above the bound 0.5.*plateau"):
        pretrain_model(settings, strict, data, tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_phase1_report_rows_files_and_ranges(world, tmp_path):
    settings, data = world
    model = pretrain_model(settings, SIZE, data, tmp_path / "model")
    df = phase1_report(settings, SIZE, data, model)
    assert list(df.language) == world_languages(settings)
    assert set(COLUMNS) <= set(df.columns)
    en = df.set_index("language").loc["en"]
    assert math.isnan(en.word_translation_acc) and math.isnan(en.tatoeba_acc)
    for col in COLUMNS[1:]:
        values = df[col].dropna()
        assert ((values >= 0) & (values <= 100)).all(), col
    assert (df.rule_tagger_udpos_acc > 20).all()  # punctuation alone is ~1 token in 8
    info = json.loads((model / "phase1_report.json").read_text())
    assert info["healthy"] and info["steps"] == 30 and len(info["languages"]) == len(df)
    assert (model / "phase1_report.csv").read_text().startswith("language,held_out_mlm_loss")
    curve = (model / "loss_curve.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in curve[1:]] == ["10", "20", "30"]


def test_anchor_baselines_see_only_strings():
    assert rule_tag(["Maria", "saw", "5", "dogs", "in", "Paris", "."]) == \
        ["NOUN", "NOUN", "NUM", "NOUN", "NOUN", "PROPN", "PUNCT"]
    # overlap features ignore which words are shared: renaming every word changes nothing
    a = overlap_features("The dog saw a cat.", "The dog did not see a cat.")
    b = overlap_features("Ka mo sel ti pu.", "Ka mo ro ne nis ti pu.")
    assert a == b
