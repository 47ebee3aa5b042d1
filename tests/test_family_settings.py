"""Per-family settings (issue 22): the corpus a model's volumes are counted in (models.csv, named in tables
and figure axes), a model's own optimizer/lr/schedule (entering run identity only when not the default), the
retrieval layer (a fraction of the depth by default; an absolute one checked only for retrieval targets),
and continued MLM as a grid axis and a results column."""
import json
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from stilts_utils import reference  # noqa: E402
from stilts_utils.analysis import reports  # noqa: E402
from stilts_utils.cli.runner import write_language_table  # noqa: E402
from stilts_utils.executors.notebooks import parameters  # noqa: E402
from stilts_utils.families import CORPORA, FAMILIES, FINE_TUNING  # noqa: E402
from stilts_utils.phases.results import COLUMNS, read_rows, rows_damage  # noqa: E402
from stilts_utils.study import identity  # noqa: E402
from stilts_utils.study.config import load_study, study_from_dict  # noqa: E402
from stilts_utils.study.errors import StudyError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {"mt5": {"model_type": "mt5", "num_layers": 12, "d_model": 768},
           "mbert": {"model_type": "bert", "num_hidden_layers": 12, "hidden_size": 768},
           "xlmr": {"model_type": "xlm-roberta", "num_hidden_layers": 12, "hidden_size": 768}}


def model_dir(root: Path, name: str) -> str:
    """A local model folder with config.json only: validation and models.csv read no weights."""
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(CONFIGS[name]))
    return str(path)


def hub_study(tmp_path, models, **extra):
    data = {"world": "xtreme", "models": models, "targets": ["xnli"], "output_root": str(tmp_path / "out"),
            **extra}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the mT5 recipe note
        return study_from_dict(data, extra.pop("name", "fam"))


def test_the_corpora_of_the_families_are_the_analysis_corpora():
    assert set(CORPORA) == set(reference.CORPORA)
    assert {name: f["corpus"] for name, f in FAMILIES.items()} == {
        "xlm-roberta": "cc100", "bert": "wikipedia", "deberta-v2": "cc100", "t5": "mc4"}


# ---- (a) the volume axis follows the family -------------------------------------------------------------

def _results(model: str, languages) -> pd.DataFrame:
    """Baseline and mnli rows on xnli whose gain falls with the language's CC-100 volume."""
    rows = []
    for seed, inter, lang in [(s, i, lg) for s in (0, 1) for i in ("none", "mnli") for lg in languages]:
        gain = 0 if inter == "none" else 3 - 0.5 * np.log10(languages[lang]) + 0.01 * seed
        rows.append({"study": "fam", "model": model, "model_params": 1000, "intermediate": inter,
                     "intermediate_data": "en", "mlm_weight": 0.0, "intermediate_steps": 0 if inter == "none" else 10,
                     "target": "xnli", "language": lang, "split": "test", "metric": "accuracy",
                     "value": 60 + gain, "seed": seed, "target_steps": 5, "run_id": f"{inter}-{seed}",
                     "wall_time_s": 1.0, "variant": ""})
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.mark.parametrize("name, corpus, title", [("mt5", "mc4", "mC4"), ("mbert", "wikipedia", "Wikipedia")])
def test_the_volume_axis_of_an_mt5_and_an_mbert_study(tmp_path, name, corpus, title):
    study = hub_study(tmp_path, [model_dir(tmp_path, name)], name=f"tiny-{name}")
    paths = identity.StudyPaths(study)
    paths.dir.mkdir(parents=True)
    write_language_table(study, paths)  # what every run writes beside its results
    table = pd.read_csv(paths.models)
    assert table.to_dict("records") == [{"model": study.models[0], "family": "t5" if name == "mt5" else "bert",
                                         "volume_corpus": corpus}]
    langs = {lang: 0 for lang in ("en", "de", "fr", "ru", "hi", "ar", "sw")}
    langs = dict(reference.language_table().set_index("language").cc100_tokens_m.loc[list(langs)])
    _results(study.models[0], langs).to_parquet(paths.results(), index=False)
    out = reports.default_report(paths.dir, n_boot=50)
    assert set(out["volume_correlation"].volume_corpus) == {title}
    assert title in out["gain_vs_volume"].axes[0].get_xlabel()  # the figure says which corpus
    assert any(title in note for note in out["notes"].note)


def test_a_study_names_a_models_corpus_and_the_sandbox_counts_in_its_own(tmp_path):
    mt5 = model_dir(tmp_path, "mt5")
    study = hub_study(tmp_path, [mt5], model_settings={mt5: {"volume_corpus": "cc100"}})
    assert study.world_impl.model_table().volume_corpus.tolist() == ["cc100"]
    sandbox = load_study(ROOT / "params" / "sandbox.yaml", check_data=False)
    assert set(sandbox.world_impl.model_table().volume_corpus) == {"cc100"}


# ---- (b) a model's own optimizer, rate and schedule -------------------------------------------------------

def test_the_shipped_mt5_study_trains_mt5_as_its_authors_and_compares_size_matched_models():
    study = load_study(ROOT / "params" / "xtreme_r_mt5.yaml", check_data=False)
    assert study.models == ["google/mt5-base", "xlm-roberta-base"]
    mt5 = study.settings_of("google/mt5-base")
    assert {k: getattr(mt5, k) for k in FINE_TUNING["t5"]} == FINE_TUNING["t5"]
    assert study.settings_of("xlm-roberta-base").training() == {}
    assert study.for_model(study.phase2, "google/mt5-base").lr == 1e-3
    assert study.target_settings("udpos", "xlm-roberta-base").lr == study.phase3.lr


def test_the_optimizer_enters_the_identity_only_when_not_the_default(tmp_path):
    xlmr = model_dir(tmp_path, "xlmr")
    base = {"intermediate": ["none", "mnli"]}
    plain = hub_study(tmp_path, [xlmr], **base)
    default = hub_study(tmp_path, [xlmr], model_settings={xlmr: {"optimizer": "adamw", "schedule": "linear"}},
                        **base)
    own = hub_study(tmp_path, [xlmr], model_settings={xlmr: {"optimizer": "adafactor"}}, **base)

    def dirs(study):
        paths = identity.StudyPaths(study)
        return ([paths.encoder_dir(e).name for e in identity.encoders(study)]
                + [paths.run_dir(p).name for p in identity.pairs(study)])
    assert dirs(default) == dirs(plain)
    assert not set(dirs(own)) & set(dirs(plain))


def test_the_trainer_gets_transformers_adafactor_and_a_constant_rate():
    from stilts_utils.phases.training import _args
    from stilts_utils.study.config import TrainSettings

    settings = TrainSettings(lr=1e-3, warmup_ratio=0.1)
    args = _args(settings, 100, 0, "/tmp/unused", ["labels"], optimizer="adafactor", schedule="constant")
    assert args.optim == "adafactor" and args.lr_scheduler_type == "constant" and args.warmup_steps == 0
    assert args.learning_rate == 1e-3
    args = _args(settings, 100, 0, "/tmp/unused", ["labels"])
    assert args.optim == "adamw_torch" and args.lr_scheduler_type == "linear" and args.warmup_steps == 10


def test_a_bad_model_setting_is_one_line_naming_file_line_value_and_allowed(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("world: sandbox\nmodels: [sandbox-small]\ntargets: [xnli]\nmodel_settings:\n"
                    "  sandbox-small: {optimizer: sgd}\n")
    with pytest.raises(StudyError) as err:
        load_study(path)
    assert str(err.value) == (f"{path}, line 5: model_settings.sandbox-small.optimizer: 'sgd' is not allowed; "
                              "allowed: adamw | adafactor")


# ---- (c) the retrieval layer ----------------------------------------------------------------------------

def test_an_absolute_layer_is_checked_only_where_a_retrieval_target_reads_it(tmp_path):
    """The failure of issue 22: a 12-layer model whose config is on disk (here a local folder, as a cached hub
    config) with layer 14 failed every load, whatever the targets."""
    xlmr = model_dir(tmp_path, "xlmr")
    assert hub_study(tmp_path, [xlmr], retrieval={"layer": 14}).retrieval.layer == 14  # xnli reads no layer
    with pytest.raises(StudyError, match=r"14 is beyond .*12 layers; allowed: -1 \(the default: 14/24 of each "
                                         r"model's depth, here 7 of 12\) or 0..12"):
        hub_study(tmp_path, [xlmr], retrieval={"layer": 14}, targets=["xnli", "tatoeba"])
    assert hub_study(tmp_path, [xlmr], targets=["tatoeba"]).retrieval.layer == -1


def test_the_shipped_xtreme_files_use_the_fraction_default_and_xlmr_large_keeps_14():
    base = load_study(ROOT / "params" / "xtreme_model_size.yaml", check_data=False)
    assert base.retrieval.layer == -1
    large = load_study(ROOT / "params" / "xtreme_xlmr_large.yaml", check_data=False)
    from stilts_utils.families import default_retrieval_layer
    assert large.retrieval.layer == 14 == default_retrieval_layer(24)


# ---- (4) continued MLM as a grid axis and a results column ---------------------------------------------

def test_mlm_weight_levels_are_a_grid_axis_keeping_the_ids_of_the_plain_runs():
    one = {"world": "sandbox", "models": ["sandbox-small"], "intermediate": ["none", "mnli"], "targets": ["xnli"]}
    plain = study_from_dict(one, "mlm")
    both = study_from_dict({**one, "mlm_weight": [0.0, 0.5]}, "mlm")
    number = study_from_dict({**one, "mlm_weight": 0.5}, "mlm")  # one number: one level, as before
    assert number.mlm_weight == [0.5]
    assert [e.id for e in identity.encoders(plain)] == ["sandbox-small__mnli__s0"]
    assert [e.id for e in identity.encoders(both)] == ["sandbox-small__mnli__s0", "sandbox-small__mnli.mlm0.5__s0"]
    plain_keys, both_keys = ({p.id: identity.pair_key(s, p) for p in identity.pairs(s)} for s in (plain, both))
    assert {k: v for k, v in both_keys.items() if k in plain_keys} == plain_keys
    assert "sandbox-small__mnli.mlm0.5__xnli__s0" in both_keys and len(both_keys) == 3
    mlm_pair = next(p for p in identity.pairs(both) if p.mlm_weight)
    assert parameters("s.yaml", mlm_pair, 1, 0)["mlm_weight"] == 0.5
    assert "mlm_weight" not in parameters("s.yaml", identity.pairs(plain)[1], 1, 0)


def test_rows_carry_mlm_weight_and_rows_written_before_it_read_as_zero(tmp_path):
    assert COLUMNS[COLUMNS.index("intermediate_data") + 1] == "mlm_weight"
    old = {c: 1 for c in COLUMNS if c != "mlm_weight"}
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([old]))
    assert rows_damage(path) is None  # intact: its pair is not run again
    assert read_rows(path)[0]["mlm_weight"] == 0.0
