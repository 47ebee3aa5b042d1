"""Report functions and analysis notebooks on synthetic study folders (tests only: no numbers are real).

The synthetic gains follow a known formula, so the reports' numbers can be checked by hand:
gain = BASE_GAIN[intermediate] + 0.5 * (5 - log10 volume_m) * checkpoint fraction
       + 1 (translated data) + 2 (large model on xquad) + N(0, 0.02) noise.
"""
import itertools
import json
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from stilts_utils.analysis import explorer, reports  # noqa: E402
from synthetic import run_meta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LANGS = {  # code: (volume in millions of tokens, word order, morphology), like the sandbox's table
    "en": (55608, "SVO", "analytic"), "xa": (10297, "SVO", "fusional"), "xb": (24757, "SVO", "isolating"),
    "xc": (6730, "SVO", "agglutinative"), "xe": (2736, "SOV", "agglutinative"),
    "xf": (1715, "SOV", "fusional"), "xg": (275, "SVO", "agglutinative"), "xi": (175, "SOV", "isolating")}
VARIANTS = {"": {}, "xc-x0.1": {"xc": 0.1}}  # the intervention: xc's volume x 0.1, the rest unchanged
MODELS = {"small": 1_000_000, "large": 10_000_000}
BASE_GAIN = {"mnli": 2.0, "squad": 1.0}
STEPS = {"en": 100, "translated": 160}  # steps of a full phase-2 run (more data, more steps)
# target: (metric, splits); udpos has dev rows only here, to exercise the dev fallback
TARGETS = {"xnli": ("accuracy", ("dev", "test")), "udpos": ("f1", ("dev",)), "xquad": ("f1", ("test",)),
           "tatoeba": ("accuracy", ("test",))}


def volume(lang, variant):
    return LANGS[lang][0] * VARIANTS[variant].get(lang, 1.0)


def gain(inter, lang, variant, data, fraction, model, target):
    return (BASE_GAIN[inter] + 0.5 * (5 - np.log10(volume(lang, variant))) * fraction
            + (data == "translated") + 2.0 * (model == "large" and target == "xquad"))


def languages_csv(langs):
    return pd.DataFrame([{"language": lang, "name": lang.upper(), "family": "sandbox", "script": "Latn",
                          "cc100_tokens_m": volume(lang, v), "word_order": LANGS[lang][1],
                          "morphology": LANGS[lang][2], "variant": v} for v in VARIANTS for lang in langs])


def results_table(models=MODELS, variants=VARIANTS, intermediates=("mnli", "squad"), datas=("en", "translated"),
                  fractions=(0.5, 1.0), targets=TARGETS, langs=LANGS, seeds=(1, 2)):
    """Rows in the schema of docs/design.md §1 (plus select, dev and em rows that the reports must drop)."""
    rng = np.random.default_rng(0)
    rows = []
    configs = [("none", "en", 1.0)] + list(itertools.product(intermediates, datas, fractions))
    for model, variant, seed, target in itertools.product(models, variants, seeds, targets):
        metric, splits = targets[target]
        noise = {lang: rng.normal(0, 1) for lang in langs}  # per (model, variant, seed, target, language)
        for inter, data, fraction in configs:
            steps = 0 if inter == "none" else int(STEPS[data] * fraction)
            meta = run_meta("synthetic", model, models[model], inter, data, steps, target, seed, variant)
            rows.append({**meta, "language": "en", "split": "select", "metric": "selection_" + metric,
                         "value": 99.0})
            for lang in [lg for lg in langs if not (target == "tatoeba" and lg == "en")]:
                score = 40 + 5 * np.log10(volume(lang, variant)) + 5 * (model == "large") + noise[lang]
                if inter != "none":  # small run-to-run noise, so no two paired differences tie exactly
                    score += gain(inter, lang, variant, data, fraction, model, target) + rng.normal(0, 0.02)
                for split in splits:
                    value = score - 3 * (split == "dev")  # dev differs: it must not leak into test numbers
                    rows.append({**meta, "language": lang, "split": split, "metric": metric, "value": value})
                    if target == "xquad":
                        rows.append({**meta, "language": lang, "split": split, "metric": "em", "value": value - 10})
    columns = ["study", "model", "model_params", "intermediate", "intermediate_data", "intermediate_steps",
               "target", "language", "split", "metric", "value", "seed", "target_steps", "run_id",
               "wall_time_s", "variant"]
    return pd.DataFrame(rows)[columns]


def write_study(path, results, langs=LANGS):
    path.mkdir(parents=True, exist_ok=True)
    results.to_parquet(path / "results.parquet", index=False)
    languages_csv(langs).query("variant in @results.variant.unique()").to_csv(path / "languages.csv", index=False)
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return write_study(tmp_path_factory.mktemp("study") / "synthetic", results_table())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """One model, one variant, one checkpoint, English data, one target, three languages."""
    results = results_table(models={"small": 1_000_000}, variants={"": {}}, intermediates=("mnli",),
                            datas=("en",), fractions=(1.0,), targets={"xnli": TARGETS["xnli"]},
                            langs={k: LANGS[k] for k in ("en", "xa", "xg")}, seeds=(1,))
    return write_study(tmp_path_factory.mktemp("tiny") / "tiny", results, ["en", "xa", "xg"])


def figure_files(study_dir, name):
    return sorted(p.name for p in (Path(study_dir) / "figures").glob(f"{name}.*"))


def assert_saved(study_dir, name):
    assert figure_files(study_dir, name) == [f"{name}.pdf", f"{name}.png", f"{name}.svg"]
    assert all(p.stat().st_size > 0 for p in (Path(study_dir) / "figures").glob(f"{name}.*"))


def assert_stats(table):
    assert {"n", "note"} <= set(table.columns)
    assert any(c.endswith("ci_low") for c in table.columns) and any(c.endswith("ci_high") for c in table.columns)
    assert (table.n > 0).all()


def raw_value(results, **where):
    rows = results.loc[np.logical_and.reduce([results[k] == v for k, v in where.items()])]
    assert len(rows) == 1, where
    return rows.value.iloc[0]


def test_default_report_tables_figures_and_hand_checked_numbers(study):
    out = reports.default_report(study, n_boot=200)
    assert list(out) == ["notes", "gain_ci", "gain_ci_per_language", "seed_noise", "transfer_ratio",
                         "gain_ci_figure", "gain_heatmap", "gain_vs_volume", "volume_correlation",
                         "volume_regression", "scores", "mlm_difference", "mlm_minus_none", "replication"]
    assert out["replication"].note.iloc[0] == "too few: nothing published for large, small"  # no real model
    assert out["mlm_difference"].note.iloc[0].startswith("too few")  # no run continued MLM here
    pooled = out["gain_ci"]
    assert (pooled.n_seeds == 2).all() and (pooled.ci_low <= pooled["mean"]).all()
    assert (pooled["mean"] <= pooled.ci_high).all() and pooled.distinguishable.dtype == bool
    notes = " ".join(out["notes"].note)
    assert "f1 on dev split" in notes and "excluded" in notes  # udpos falls back to dev; en is left out
    corr = out["volume_correlation"]
    assert_stats(corr)
    assert len(corr) == 2 * 2 * 4 and (corr.n == 7).all()  # model x intermediate x target; 7 languages, no en
    # gain falls with volume by construction: every Spearman is -1
    assert np.allclose(corr.spearman, -1) and (corr.spearman_ci_high < 0).all()
    fit = out["volume_regression"].set_index(["model", "intermediate", "fit", "term"])
    slope = fit.loc[("large", "mnli", "mixedlm", "log10_volume_tokens")]
    assert slope.coef == pytest.approx(-0.5, abs=0.02) and slope.n == 28 and slope.ci_low < slope.ci_high
    # the score table holds seed means of the test rows (not dev, not em) of the main slice
    results = results_table()
    scores = out["scores"].set_index(["model", "intermediate", "target"])
    expected = np.mean([raw_value(results, model="small", variant="", intermediate="none", target="xquad",
                                  language="xa", split="test", metric="f1", seed=s) for s in (1, 2)])
    assert scores.loc[("small", "none", "xquad"), "xa"] == pytest.approx(expected)
    assert scores.loc[("small", "mnli", "udpos"), "split"] == "dev"
    for name in ("gain_heatmap", "gain_vs_volume", "gain_ci_figure"):
        assert_saved(study, name)
    for name in ("volume_correlation", "volume_regression", "scores", "default_notes", "gain_ci", "seed_noise",
                 "transfer_ratio"):
        assert (study / "tables" / f"{name}.csv").exists() and (study / "tables" / f"{name}.tex").exists()


def test_continued_mlm_is_a_column_and_the_default_report_shows_its_difference(tmp_path):
    """Runs with and without continued MLM in one results table: mlm_minus_none is their paired gain
    difference with CIs (built here as +1.5 points for every configuration and language)."""
    plain = results_table(models={"large": MODELS["large"]}, variants={"": {}}, datas=("en",), fractions=(1.0,))
    plain.insert(plain.columns.get_loc("intermediate_data") + 1, "mlm_weight", 0.0)
    rng = np.random.default_rng(1)
    mlm = plain[plain.intermediate != "none"].assign(mlm_weight=0.5, run_id=lambda d: d.run_id + "-mlm")
    mlm = mlm.assign(value=mlm.value + 1.5 + rng.normal(0, 0.02, len(mlm)))
    study = write_study(tmp_path / "mlm", pd.concat([plain, mlm], ignore_index=True))
    out = reports.default_report(study, n_boot=200)
    table = out["mlm_difference"]
    assert_stats(table)
    assert set(table.a) == {0.5} and set(table.b) == {0.0}
    assert len(table) == 2 * 4 and np.allclose(table.mean_diff, 1.5, atol=0.05)  # intermediate x target
    assert (table.ci_low > 0).all() and (table.ci_low <= 1.5).all() and (table.ci_high >= 1.5).all()
    assert_saved(study, "mlm_minus_none")
    # the other analyses keep to the main slice (no MLM): the same gains as the study without MLM rows
    assert out["gain_ci"]["mean"].tolist() == pytest.approx(
        reports.default_report(write_study(tmp_path / "plain", plain), n_boot=200)["gain_ci"]["mean"].tolist())


def test_explorer_data_gain_is_the_same_seed_baseline_difference(study):
    data = reports.explorer_data(study)
    assert not data.split.eq("select").any() and not data.metric.eq("em").any()
    where = dict(model="small", variant="xc-x0.1", target="xnli", language="xg", split="test", seed=2)
    results = results_table()
    hand = (raw_value(results, intermediate="mnli", intermediate_data="translated", intermediate_steps=80, **where)
            - raw_value(results, intermediate="none", **where))
    row = data.loc[np.logical_and.reduce([data[k] == v for k, v in where.items()])
                   & (data.intermediate == "mnli") & (data.intermediate_data == "translated")
                   & (data.intermediate_steps == 80)]
    assert row.gain.tolist() == [pytest.approx(hand)]
    table, fig = explorer.view(data, "small", "xnli", "xg")
    assert fig is not None and table.gain.notna().sum() == 2 * 2 * 2 * 2  # variant x inter x data x steps
    assert table.n_seeds.eq(2).all()
    assert explorer.view(data, "small", "nope")[1] is None
    assert type(explorer.show(study)).__name__ == "VBox"


def test_rq1_intervention_finds_the_changed_language(study):
    out = reports.rq1_volume(study, n_boot=200)
    assert {"gain_heatmap", "volume_correlation", "intervention_difference", "intervention_did",
            "intervention"} <= set(out)
    diff = out["intervention_difference"]
    assert_stats(diff)
    gains = diff[diff.quantity == "gain"].set_index(["model", "language"])
    xc = gains.loc[("large", "xc")]
    # xc's volume x 0.1 -> gain + 0.5 * log10(10) at the last checkpoint; other languages unchanged
    assert xc.changed and (xc.volume_a, xc.volume_b) == (673.0, 6730.0)
    assert xc.mean_diff == pytest.approx(0.5, abs=0.03) and xc.ci_low <= xc.mean_diff <= xc.ci_high
    assert xc.n == 8  # (mnli, squad) x 4 targets
    unchanged = gains[~gains.changed]
    assert unchanged.mean_diff.abs().max() < 0.05 and len(unchanged) == 2 * 7
    did = out["intervention_did"].set_index(["quantity", "model"])
    assert did.loc[("gain", "large"), "mean"] == pytest.approx(0.5, abs=0.03)
    assert did.loc[("score", "large"), "mean"] < -3  # the score itself falls by ~ 5 * log10(10)
    assert_saved(study, "intervention")


def test_rq2_duration_grows_most_for_low_resource_languages(study):
    out = reports.rq2_duration(study, n_boot=200)
    assert_stats(out["duration_curve"])
    assert set(out["duration_curve"].intermediate_steps) == {50, 100}
    change = out["duration_change"].set_index(["model", "intermediate", "tier"])
    assert_stats(change)
    tiers = {"low": ("xf", "xg", "xi"), "mid": ("xc", "xe"), "high": ("xa", "xb")}  # tertiles of 7 volumes
    for tier, langs in tiers.items():  # last - first checkpoint = 0.5 * (5 - log10 v) * (1 - 0.5)
        expected = np.mean([0.25 * (5 - np.log10(LANGS[lang][0])) for lang in langs])
        row = change.loc[("small", "mnli", tier)]
        assert row["mean"] == pytest.approx(expected, abs=0.03) and row.n == 4 * len(langs)
    assert_saved(study, "duration")


def test_rq3_translated_minus_english(study):
    out = reports.rq3_translated(study, n_boot=200)
    table = out["translated_difference"]
    assert_stats(table)
    assert np.allclose(table.mean_diff, 1.0, atol=0.03) and (table.n == 7).all() and set(table.a) == {"translated"}
    assert_saved(study, "translated_minus_en")
    # no en+translated runs: a "too few" table in place of that figure, and no file
    assert out["en_translated_minus_en"].note.iloc[0].startswith("too few")
    assert figure_files(study, "en_translated_minus_en") == []
    assert "spearman_ci_low" in out["translated_vs_volume"]


def test_rq3_each_translated_data_kind_is_its_own_row(tmp_path):
    """Real-model RQ3 kinds: translated into one language (`translated:<lang>`) and English + translated, each
    compared with English in rows of its own; one figure per family."""
    base = results_table(models={"small": 1_000_000}, variants={"": {}}, fractions=(1.0,))
    translated = base[base.intermediate_data == "translated"]
    extra = [translated.assign(intermediate_data=kind, value=translated.value + shift)
             for kind, shift in (("translated:xa", 1.0), ("en+translated", 0.5), ("en+translated:xa", -0.5))]
    out = reports.rq3_translated(write_study(tmp_path / "rq3", pd.concat([base, *extra])), n_boot=200)
    table = out["translated_difference"]
    assert_stats(table)
    means = table.groupby("a").mean_diff.mean()
    assert means.round(1).to_dict() == {"translated": 1.0, "translated:xa": 2.0, "en+translated": 1.5,
                                        "en+translated:xa": 0.5}
    assert (table.b == "en").all() and set(out["translated_vs_volume"].a) == set(means.index)
    assert_saved(tmp_path / "rq3", "translated_minus_en")
    assert_saved(tmp_path / "rq3", "en_translated_minus_en")


def test_rq4_size_interaction_on_qa(study):
    out = reports.rq4_model_size(study, n_boot=200)
    size = out["size_interaction"]
    assert_stats(size)
    assert set(size.target) == {"xquad"} and np.allclose(size.mean_diff, 2.0, atol=0.03)
    assert (size.a.iloc[0], size.b.iloc[0], size.n.iloc[0]) == ("large", "small", 7)
    by_size = out["gain_by_size"]
    assert_stats(by_size)
    assert sorted(by_size.log10_params.unique()) == [6.0, 7.0] and by_size.qa.eq(by_size.target == "xquad").all()
    assert_saved(study, "size_effect")
    assert_saved(study, "gain_vs_params")


def test_rq5_typology_groups(study):
    out = reports.rq5_typology(study, n_boot=200)
    for feature, levels in (("morphology", {"agglutinative": 3, "fusional": 2, "isolating": 2}),
                            ("word_order", {"SVO": 4, "SOV": 3})):
        table = out[f"typology_{feature}"]
        assert_stats(table)
        one = table[(table.model == "large") & (table.intermediate == "mnli") & (table.target == "xnli")]
        assert dict(zip(one[feature], one.n)) == levels
        assert {"diff_vs_ref", "diff_ci_low", "diff_ci_high"} <= set(table.columns)
        within = out[f"volume_within_{feature}"]
        assert "mean over targets" in set(within.target) and "spearman_ci_low" in within
        assert_saved(study, f"gain_by_{feature}")
        assert_saved(study, f"gain_vs_volume_by_{feature}")


def test_a_too_small_study_says_too_few_and_saves_no_figure_for_it(tiny):
    out = {fn.__name__: fn(tiny, n_boot=50) for fn in (reports.default_report, reports.rq1_volume,
                                                       reports.rq2_duration, reports.rq3_translated,
                                                       reports.rq4_model_size, reports.rq5_typology)}
    assert out["default_report"]["volume_correlation"].note.iloc[0] == "too few points (n=2 < 4)"
    skipped = {"rq1_volume": "intervention", "rq2_duration": "duration", "rq3_translated": "translated_minus_en",
               "rq4_model_size": "size_effect", "rq5_typology": "gain_by_word_order"}
    for report, figure in skipped.items():
        note = out[report][figure]
        assert isinstance(note, pd.DataFrame) and len(note) == 1 and note.note.iloc[0].startswith("too few")
        assert figure_files(tiny, figure) == []
    assert out["rq4_model_size"]["size_interaction"].n.iloc[0] == 1  # one model
    assert (tiny / "tables" / "duration_curve.csv").exists()  # the note is exported as the table
    assert_saved(tiny, "gain_heatmap")


def test_summary_reads_a_named_reference_variant_as_the_default_world(study, tmp_path):
    """params/rq1_volume.yaml names its own world `reference: {}`: the summary (the run's end-of-run
    headline and the README block) must take that variant as the main slice, not look for ""."""
    from stilts_utils.analysis import summary

    named = tmp_path / "named"
    named.mkdir()
    rename = {"": "reference"}
    pd.read_parquet(study / "results.parquet").replace({"variant": rename}).to_parquet(named / "results.parquet")
    pd.read_csv(study / "languages.csv", keep_default_na=False).replace({"variant": rename}).to_csv(
        named / "languages.csv", index=False)
    expected, got = summary.summary_table(study), summary.summary_table(named)
    assert got.gain.notna().any()
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(summary.by_language(named), summary.by_language(study))


NOTEBOOKS = {"analysis_default": "outputs/sandbox", "rq1_volume": "outputs/rq1_volume",
             "rq2_duration": "outputs/rq2_duration", "rq3_translated": "outputs/rq3_translated",
             "rq4_model_size": "outputs/rq4_model_size", "rq5_typology": "outputs/rq5_typology",
             "explorer": "outputs/sandbox"}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_hold_parameters_calls_and_display_only(name):
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1 and "".join(params[0]["source"]) == f'study_dir = "{NOTEBOOKS[name]}"'
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    for cell in code:
        lines = "".join(cell["source"]).splitlines()
        assert not any(line.lstrip().startswith(("def ", "class ", "for ", "if ")) for line in lines)
        assert len(lines) <= 3
    shown = {"".join(c["source"]).split('"')[1] for c in code if "".join(c["source"]).startswith("report[")}
    markdown = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert all(f"`{key}`" in markdown for key in shown - {"notes"})  # every figure/table is explained


@pytest.mark.slow
def test_notebooks_run_under_papermill_and_show_their_figures(tmp_path):
    """analysis_default and rq4_model_size, run side by side (two kernels) on a fresh synthetic study."""
    expected = {"analysis_default": ["gain_ci_figure", "gain_heatmap", "gain_vs_volume"], "rq4_model_size": ["size_effect",
                                                                                          "gain_vs_params"]}
    study_dir = write_study(tmp_path / "fresh", results_table())
    runs = {name: subprocess.Popen([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / f"{name}.ipynb"),
                                    str(tmp_path / f"{name}.ipynb"), "-p", "study_dir", str(study_dir),
                                    "-k", "python3", "--cwd", str(ROOT)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for name in expected}
    for name, run in runs.items():
        log = run.communicate(timeout=120)[0]
        assert run.returncode == 0, log[-3000:]
        cells = json.loads((tmp_path / f"{name}.ipynb").read_text())["cells"]
        images = [c for c in cells if c["cell_type"] == "code"
                  and any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
        assert ["".join(c["source"]).split('"')[1] for c in images] == expected[name]
        for figure in expected[name]:
            assert_saved(study_dir, figure)
