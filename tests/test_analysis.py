"""Statistics layer and figure export: hand-checkable numbers on tiny tables, notes, errors, files."""
import itertools

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from stilts_utils import reference as langmeta  # noqa: E402
from stilts_utils.analysis import effects as analysis  # noqa: E402
from stilts_utils.analysis import figures  # noqa: E402


def results(values, seeds=(1, 2)):
    """A design-§1 results table: `values[(intermediate, data, language, seed)] -> value`, xnli accuracy."""
    rows = [{"study": "t", "model": "xlm-roberta-base", "model_params": 277450752, "intermediate": inter,
             "intermediate_data": data, "intermediate_steps": 0 if inter == "none" else 100, "target": "xnli",
             "language": lang, "split": "test", "metric": "accuracy", "value": value, "seed": seed,
             "target_steps": 10, "run_id": "r", "wall_time_s": 1.0, "variant": ""}
            for (inter, data, lang, seed), value in values.items() if seed in seeds]
    return pd.DataFrame(rows)


def test_spearman_of_published_xnli_vs_cc100_matches_the_rank_formula():
    pub = langmeta.join_languages(langmeta.published_results(["xnli"]).query("model == 'xlm-roberta-large'"))
    acc, tokens = list(pub.value), list(pub.cc100_tokens_m)

    def ranks(v):  # no ties in either column, so rank = position in sorted order
        return [sorted(v).index(a) + 1 for a in v]

    n, d2 = len(acc), sum((a - b) ** 2 for a, b in zip(ranks(acc), ranks(tokens)))
    assert (n, d2) == (15, 130)  # checked by hand from the two CSVs
    rho = 1 - 6 * d2 / (n * (n * n - 1))  # = 0.768
    out = analysis.correlate(pub, "cc100_tokens_m", "value", n_boot=200).iloc[0]
    assert out.spearman == pytest.approx(rho, abs=5e-4)
    assert out.n == 15 and out.note == ""
    assert out.spearman_ci_low < rho < out.spearman_ci_high <= 1


def test_gains_match_the_baseline_of_the_same_seed_only():
    values = {("none", "en", "de", 1): 70.0, ("none", "en", "de", 2): 80.0,
              ("mnli", "en", "de", 1): 75.0, ("mnli", "en", "de", 2): 81.0,
              ("mnli", "translated", "de", 1): 72.0}
    out = analysis.gains(results(values)).set_index(["intermediate_data", "seed"]).gain
    assert out.to_dict() == {("en", 1): 5.0, ("en", 2): 1.0, ("translated", 1): 2.0}


def test_gains_drop_rows_without_a_baseline_and_refuse_duplicate_baselines():
    values = {("none", "en", "de", 1): 70.0, ("mnli", "en", "de", 1): 75.0, ("mnli", "en", "fr", 1): 60.0}
    with pytest.warns(UserWarning, match="1 rows have no matching"):
        assert list(analysis.gains(results(values)).language) == ["de"]
    doubled = pd.concat([results(values), results(values).head(1)])
    with pytest.raises(ValueError, match="baseline rows share a match key"):
        analysis.gains(doubled)


def test_correlate_notes_too_few_points_and_constant_input_per_group():
    df = pd.DataFrame({"g": list("aaabbbbbccccc"), "x": [1, 2, 3] + [1, 2, 3, 4, 5] * 2,
                       "y": [1, 2, 3] + [2, 1, 4, 3, 5] + [7] * 5})
    out = analysis.correlate(df, "x", "y", by="g", n_boot=100).set_index("g")
    assert out.loc["a", "note"] == "too few points (n=3 < 4)" and np.isnan(out.loc["a", "spearman"])
    assert "constant" in out.loc["c", "note"]
    assert out.loc["b", "note"] == "" and out.loc["b", "spearman"] == pytest.approx(0.8)
    # only group b was tested, so Holm leaves its p-value unchanged
    assert out.loc["b", "spearman_p_holm"] == pytest.approx(out.loc["b", "spearman_p"])


def test_regress_recovers_a_slope_and_says_when_it_cannot_fit():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": np.tile(np.arange(10.0), 3), "target": np.repeat(list("abc"), 10)})
    df["gain"] = 2 * df.x + df.target.map({"a": 0, "b": 5, "c": 10}) + rng.normal(0, 0.1, len(df))
    out = analysis.regress(df, "gain ~ x", group="target").set_index(["model", "term"])
    assert set(out.index.get_level_values("model")) == {"ols_hc3", "mixedlm"}
    assert out.loc[("mixedlm", "x"), "coef"] == pytest.approx(2, abs=0.05)
    assert out.loc[("mixedlm", "x"), "ci_low"] < 2 < out.loc[("mixedlm", "x"), "ci_high"]
    tiny = analysis.regress(df.head(2), "gain ~ x", group="target")
    assert tiny.note.str.contains("cannot fit").any() and tiny.note.str.contains("needs >= 2 levels").any()


def test_paired_difference_of_translated_minus_english():
    langs = ["de", "fr", "sw", "ur", "hi"]
    values = {("none", "en", lang, 1): 50.0 for lang in langs}
    values.update({("mnli", "en", lang, 1): 52.0 + i for i, lang in enumerate(langs)})
    values.update({("mnli", "translated", lang, 1): 53.0 + i for i, lang in enumerate(langs)})
    out = analysis.paired_difference(analysis.gains(results(values)), "intermediate_data", "translated", "en")
    row = out.iloc[0]
    assert (row.n, row.mean_diff, row.ci_low, row.ci_high) == (5, 1.0, 1.0, 1.0)
    assert (row.mean_a, row.mean_b) == (5.0, 4.0)  # mean gains: translated 3..7, en 2..6


def test_typology_contrast_and_duration_curve_on_known_groups():
    langs = ["th", "vi", "yo", "de", "fr", "ru", "ja", "sw"]  # isolating x3, suffixing x4, prefixing x1
    values = {("none", "en", lang, 1): 50.0 for lang in langs}
    values.update({("mnli", "en", lang, 1): 50.0 + (3 if lang in ("th", "vi", "yo") else 1) for lang in langs})
    g = langmeta.join_languages(analysis.gains(results(values)))
    out = analysis.typology_contrast(g, n_boot=100).set_index("morphology")
    assert out.reference.iloc[0] == "suffixing"
    assert out.loc["isolating", ["n", "mean", "diff_vs_ref"]].tolist() == [3, 3.0, 2.0]
    assert out.loc["isolating", "rank_biserial"] == 1.0
    assert "too few" in out.loc["prefixing_or_equal", "contrast_note"]
    curve = analysis.duration_curve(g, n_boot=100)
    assert curve.n.sum() == 8  # every language kept: yo has no CC-100 volume and is its own tier
    assert set(curve.tier) == {"low", "mid", "high", "no volume"}
    assert curve[curve.tier == "no volume"].n.tolist() == [1]


def test_the_volume_axis_follows_each_model_s_pretraining_corpus():
    """mT5 counts volume in mC4, mBERT in Wikipedia, XLM-R (and a model not named) in CC-100; a language
    a corpus lacks keeps its rows with no volume and lands in the tier 'no volume'."""
    langs = ["de", "sw", "yo", "ht"]
    rows = []
    for model in ("mt5-base", "mbert", "xlmr"):
        vals = {(i, "en", lang, 1): 50.0 + (i == "mnli") for i in ("none", "mnli") for lang in langs}
        rows.append(results(vals).assign(model=model))
    corpora = {"mt5-base": "mc4", "mbert": "wikipedia"}
    g = langmeta.join_languages(analysis.gains(pd.concat(rows, ignore_index=True)), corpora=corpora)
    table = langmeta.language_table().set_index("language")
    one = g.drop_duplicates(["model", "language"]).set_index(["model", "language"])
    assert one.loc[("mt5-base", "de"), "volume_corpus"] == "mc4"
    assert one.loc[("mt5-base", "de"), "volume_tokens"] == table.at["de", "mc4_tokens_b"] * 1e9
    assert one.loc[("mbert", "sw"), "volume_tokens"] == table.at["sw", "wiki_tokens"]
    assert one.loc[("xlmr", "de"), "volume_tokens"] == table.at["de", "cc100_tokens_m"] * 1e6
    assert pd.isna(one.loc[("xlmr", "yo"), "volume_tokens"])  # CC-100 has no Yoruba
    tiers = analysis.language_tiers(g).drop_duplicates(["model", "language"]).set_index(["model", "language"]).tier
    assert tiers[("xlmr", "yo")] == "no volume"
    assert tiers[("mt5-base", "yo")] != "no volume"  # mC4 has Yoruba
    with pytest.raises(ValueError, match="unknown pretraining corpora"):
        langmeta.join_languages(g, corpora={"xlmr": "oscar"})


def test_size_interaction_compares_the_largest_with_the_smallest_model():
    langs = ["de", "fr", "sw", "ur"]
    base = results({(i, "en", lang, 1): 50.0 + (i == "squad") * 2 for i in ("none", "squad") for lang in langs})
    large = base.assign(model="xlm-roberta-large", model_params=558837760,
                        value=base.value + np.where(base.intermediate == "squad", 3.0, 0.0))
    df = pd.concat([base, large]).assign(target="mlqa", metric="f1")
    row = analysis.size_interaction(analysis.gains(df), n_boot=100).iloc[0]
    assert (row.a, row.b, row.n, row.mean_diff) == ("xlm-roberta-large", "xlm-roberta-base", 4, 3.0)


def test_analyses_refuse_to_pool_two_metrics_of_one_target():
    values = {(i, "en", lang, 1): 50.0 for i, lang in itertools.product(("none", "mnli"), ("de", "fr"))}
    df = pd.concat([results(values), results(values).assign(metric="f1")])
    with pytest.raises(ValueError, match="mix metrics"):
        analysis.typology_contrast(langmeta.join_languages(analysis.gains(df)))


def test_figure_and_table_export_write_every_format(tmp_path):
    values = {(i, "en", lang, 1): 50.0 + (i == "mnli") for i in ("none", "mnli") for lang in ("de", "fr")}
    fig = figures.gain_heatmap(analysis.gains(results(values)))
    paths = figures.save_figure(fig, tmp_path / "figs", "heat")
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["heat.pdf", "heat.png", "heat.svg"]
    assert all(p.stat().st_size > 0 for p in paths)
    figures.save_table(pd.DataFrame({"a_b": [1.23456]}), tmp_path, "t")
    assert "a\\_b" in (tmp_path / "t.tex").read_text() and (tmp_path / "t.csv").exists()


EMPTY = pd.DataFrame(columns=["intermediate", "target", "language", "gain", "log10_cc100_tokens", "tier",
                              "intermediate_steps", "mean", "ci_low", "ci_high", "mean_diff", "a", "b",
                              "morphology"])


@pytest.mark.parametrize("plot", [figures.gain_heatmap, figures.gain_vs_volume, figures.duration_figure,
                                  figures.paired_difference_figure, figures.size_figure,
                                  figures.typology_figure])
def test_plots_raise_on_empty_data(plot):
    with pytest.raises(ValueError, match="no data"):
        plot(EMPTY)


def test_gain_vs_volume_raises_when_no_language_has_a_volume():
    values = {(i, "en", "yo", 1): 50.0 + (i == "mnli") for i in ("none", "mnli")}
    with pytest.raises(ValueError, match="no rows with both"):
        figures.gain_vs_volume(langmeta.join_languages(analysis.gains(results(values))))
