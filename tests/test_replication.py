"""The replication check (analysis/replication.py): a real study's baseline against the published XLM-R
numbers packaged in stilts_utils/reference, in `summary` and in the default analysis. The results folder
is a fixture in the layout of docs/design.md §1 (results.parquet + languages.csv): xlm-roberta-large on
XNLI (published, values near and far from it), PAN-X (published for some languages only) and Tatoeba
(nothing published); a sandbox study compares nothing and says so in one line."""
import pandas as pd
import pytest
import yaml

from stilts_utils import reference
from stilts_utils.analysis import replication
from stilts_utils.cli import main as cli_main
from stilts_utils.study.config import load_study
from stilts_utils.study.identity import StudyPaths

PUB = reference.published_results().query("model == 'xlm-roberta-large' and split == 'test'")
# language -> offset from the published score (points): near, at the edge, far above, far below
XNLI = {"de": 0.4, "en": -1.0, "fr": 2.0, "sw": -6.2, "ur": 3.5}
PANX = {"en": -0.5, "hi": 1.0, "de": 0.0}  # de: nothing published for PAN-X in the packaged subset
TATOEBA = ("de", "fr")  # nothing published at all
COLUMNS = ["study", "model", "model_params", "intermediate", "intermediate_data", "intermediate_steps", "target",
           "language", "split", "metric", "value", "seed", "target_steps", "run_id", "wall_time_s", "variant"]


def _published(target, lang, metric):
    row = PUB[(PUB.target == target) & (PUB.language == lang) & (PUB.metric == metric)]
    return float(row.value.iloc[0]) if len(row) else 60.0


def results_rows(model, targets):
    """Baseline and one intermediate task, two seeds (the baseline's seed mean = published + offset)."""
    rows = []
    for target, (metric, offsets) in targets.items():
        for seed, inter, lang in ((s, i, lg) for s in (0, 1) for i in ("none", "mnli") for lg in offsets):
            value = _published(target, lang, metric) + offsets[lang] + (0.3 if seed else -0.3) + (inter == "mnli")
            rows.append({"study": "replic", "model": model, "model_params": 558837760, "intermediate": inter,
                         "intermediate_data": "en", "intermediate_steps": 0 if inter == "none" else 100,
                         "target": target, "language": lang, "split": "test", "metric": metric, "value": value,
                         "seed": seed, "target_steps": 10, "run_id": f"{inter}-{target}-{seed}",
                         "wall_time_s": 1.0, "variant": ""})
    return pd.DataFrame(rows)[COLUMNS]


@pytest.fixture
def real_study(tmp_path):
    """A hub-world study file and its results folder, as the runner leaves them."""
    path = tmp_path / "replic.yaml"
    path.write_text(yaml.safe_dump({"world": "xtreme", "models": ["FacebookAI/xlm-roberta-large"],
                                    "intermediate": ["none", "mnli"], "targets": ["xnli", "panx", "tatoeba"],
                                    "seeds": [0, 1], "output_root": str(tmp_path / "out")}))
    folder = StudyPaths(load_study(path)).dir
    folder.mkdir(parents=True)
    targets = {"xnli": ("accuracy", XNLI), "panx": ("f1", PANX), "tatoeba": ("accuracy", dict.fromkeys(TATOEBA, 0))}
    results_rows("FacebookAI/xlm-roberta-large", targets).to_parquet(folder / "results.parquet")
    reference.language_table().assign(variant="").to_csv(folder / "languages.csv", index=False)
    return path, folder


def summary(capsys, *args):
    code = cli_main.main(["summary", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_replication_table_appears_in_a_real_study_summary(real_study, capsys):
    path, _ = real_study
    code, out, _ = summary(capsys, path)
    assert code == 0
    section = out.split("## Replication of the baseline", 1)[1]
    assert "tolerance ±2 points (`--tolerance`): 5 of 7 compared (model, target, language) within, 2 beyond" in section
    # per target: languages compared of those run, within, mean and largest deviation, source footnote
    assert "| FacebookAI/xlm-roberta-large | panx | f1 | 2 of 3 | 2 | +0.2 | +1.0 (hi) | [1] |" in section
    assert "| FacebookAI/xlm-roberta-large | xnli | accuracy | 5 of 5 | 3 | -0.3 | -6.2 (sw) | [2] |" in section
    assert "| FacebookAI/xlm-roberta-large | tatoeba | accuracy | 0 of 2 | - | - | - | nothing published |" in section
    xnli_sw = _published("xnli", "sw", "accuracy")
    assert f"- FacebookAI/xlm-roberta-large xnli sw: {xnli_sw - 6.2:.1f} vs {xnli_sw:.1f} published (-6.2)" in section
    assert "xnli ur:" in section and "xnli fr:" not in section  # fr is 2.0 off: at the tolerance, within
    assert "[1] MuRIL-large model card" in section and "[2] Conneau et al. 2020, XLM-R (ACL 2020) Table 1." in section


def test_the_tolerance_is_settable_and_checked(real_study, capsys):
    path, _ = real_study
    code, out, _ = summary(capsys, path, "--tolerance", "10")
    assert code == 0 and "7 of 7 compared (model, target, language) within, 0 beyond." in out
    with pytest.raises(SystemExit) as stop:  # argparse's one line (tests/test_bad_input.py times it)
        summary(capsys, path, "--tolerance", "-1")
    assert stop.value.code == 2 and "'-1' is not a tolerance" in capsys.readouterr().err
    with pytest.raises(ValueError, match="tolerance -1 is not allowed"):
        replication.compare(pd.DataFrame(), -1)


def test_per_language_table_says_what_is_not_published(real_study):
    from stilts_utils.analysis import summary as summary_module

    table = summary_module.replication_table(real_study[1])
    assert list(table.columns) == replication.COLUMNS
    assert set(table.published_model) == {"xlm-roberta-large"}
    status = table.set_index(["target", "language"]).status
    assert status["xnli", "sw"] == "beyond" and status["xnli", "de"] == "within"
    assert status["panx", "de"] == status["tatoeba", "fr"] == "not published"
    assert table.query("status == 'not published'").published.isna().all()
    assert table.n_seeds.eq(2).all() and table.tolerance.eq(2.0).all()


def test_the_default_analysis_saves_the_table(real_study):
    from stilts_utils.analysis import reports

    folder = real_study[1]
    report = reports.default_report(folder, n_boot=50)
    saved = pd.read_csv(folder / "tables" / "replication.csv")
    assert len(saved) == len(report["replication"]) == 10
    assert saved.set_index(["target", "language"]).status["xnli", "sw"] == "beyond"


def test_a_sandbox_study_says_one_line(tmp_path, capsys):
    path = tmp_path / "sand.yaml"
    path.write_text(yaml.safe_dump({"world": "sandbox", "models": ["sandbox-small"], "intermediate": ["none", "mnli"],
                                    "targets": ["xnli"], "seeds": [0, 1], "output_root": str(tmp_path / "out")}))
    folder = StudyPaths(load_study(path)).dir
    folder.mkdir(parents=True)
    results_rows("sandbox-small", {"xnli": ("accuracy", {"xa": 0, "en": 0})}).to_parquet(folder / "results.parquet")
    pd.DataFrame([{"language": lg, "name": lg, "family": "sandbox", "script": "Latn", "cc100_tokens_m": 10.0,
                   "word_order": "SVO", "morphology": "suffixing", "variant": ""} for lg in ("en", "xa")]
                 ).to_csv(folder / "languages.csv", index=False)
    code, out, _ = summary(capsys, path)
    assert code == 0 and "## Replication" not in out
    lines = [line for line in out.splitlines() if "Replication" in line or "published" in line]
    assert lines == ["Replication check: nothing published for sandbox-small (published baselines: "
                     "xlm-roberta-large, xlm-roberta-base, bert-base-multilingual-cased); nothing compared."]


@pytest.mark.parametrize("model, expected", [("xlm-roberta-large", "xlm-roberta-large"),
                                             ("FacebookAI/xlm-roberta-base", "xlm-roberta-base"),
                                             ("/scratch/models/bert-base-multilingual-cased/", "bert-base-multilingual-cased"),
                                             ("sandbox-small", "sandbox-small")])
def test_models_match_published_names_by_the_last_part_of_their_id(model, expected):
    assert replication.published_id(model) == expected


def test_every_published_row_is_one_per_key_and_names_its_source():
    pub = reference.published_results()
    assert not pub.duplicated(["model", "target", "language", "split", "metric"]).any()
    assert pub.source.notna().all() and set(pub.split) == {"test"}
    assert {"xnli", "mlqa", "pawsx", "panx", "udpos", "xquad", "tydiqa"} <= set(pub.target)
