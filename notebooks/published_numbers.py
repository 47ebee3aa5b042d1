# %% [markdown]
# # Published zero-shot numbers vs pretraining volume (no training)
#
# Runs on the numbers packaged in `stilts_utils/reference/published/` and the CC-100 volumes in
# `stilts_utils/reference/languages.csv`; nothing is trained or downloaded. It asks two questions of published
# baselines, as a real-data check of the analysis layer before any X-STILTs run exists:
#
# 1. Does the zero-shot score of a language track how much of it the encoder saw in pretraining
#    (log10 CC-100 tokens)? XNLI, MLQA (F1) and PAWS-X; Spearman and Pearson with bootstrap 95% CIs.
# 2. Does the bigger model (XLM-R Large minus XLM-R Base) help low-resource languages more?
#
# The source language (English) is left out: its score is not zero-shot transfer.

# %% tags=["parameters"]
out_dir = "outputs/published"  # figures (pdf/png/svg) and tables (csv/tex) go here
n_boot = 2000  # bootstrap resamples for every CI
seed = 0
source_language = "en"  # fine-tuning language, excluded from the zero-shot correlations
targets = ["xnli", "mlqa", "pawsx"]  # the targets with per-language tables for several models
metrics = ["accuracy", "f1"]  # headline metrics: accuracy (XNLI, PAWS-X), F1 (MLQA)
large_model = "xlm-roberta-large"
base_model = "xlm-roberta-base"

# %%
from stilts_utils import reference
from stilts_utils.analysis import effects, figures

figures.set_style()

# %% [markdown]
# ## Sources of the published numbers
#
# - **XNLI** (`published/xnli.csv`): accuracy on the XNLI test sets, zero-shot from English, for mBERT,
#   XLM-R Base and XLM-R Large, from the XLM-R paper (Conneau et al. 2020, ACL) Table 1; the mBERT row is as
#   reported there. XLM-R rows are means over five seeds. These are *not* the XTREME paper's XNLI numbers.
# - **MLQA** (`published/mlqa.csv`): F1 (and EM) on the MLQA test sets, zero-shot from English, for mBERT
#   (from the MLQA paper, as reported in the XLM-R paper), XLM-R Base and Large: XLM-R paper Table 3.
# - **PAWS-X** (`published/pawsx.csv`): accuracy, zero-shot from English, for mBERT and XLM-R Large from the
#   XTREME paper (Hu et al. 2020) baselines, as tabulated in the ERNIE-M README (github:PaddlePaddle/ERNIE
#   `ernie-m/README.md` @69b452f). No per-language XLM-R Base PAWS-X numbers were found, so PAWS-X is absent
#   from the Large-minus-Base comparison.
# - **CC-100 volume** (`languages.csv`, `cc100_tokens_m`): XLM-R paper Appendix A Table 6 with the
#   author-corrected uk value; zh is the Simplified row; zh/ja/th counts were made without word segmentation.
#   Note that mBERT was trained on Wikipedia, not CC-100: for mBERT the CC-100 volume is only a proxy.
#
# Details and commits: `stilts_utils/reference/SOURCES.md`.

# %%
published = reference.published_results(targets)
zero_shot = reference.join_languages(
    published[published.metric.isin(metrics) & (published.language != source_language)])
zero_shot.groupby(["target", "model", "metric"]).language.agg(["count", list])

# %% [markdown]
# ## 1. Zero-shot score vs log10 CC-100 tokens

# %%
score_corr = effects.correlate(zero_shot, "log10_cc100_tokens", "value", by=["target", "model"],
                               n_boot=n_boot, seed=seed)
figures.save_table(score_corr, out_dir, "score_vs_cc100")
score_corr

# %%
fig = figures.gain_vs_volume(zero_shot, x="log10_cc100_tokens", y="value", facet="target", hue="model",
                             ylabel="zero-shot score")
figures.save_figure(fig, out_dir, "score_vs_cc100")

# %% [markdown]
# ## 2. XLM-R Large minus XLM-R Base, per language
#
# `pair_up` matches the two models on (target, language, metric); `paired_difference` gives the mean
# difference with a bootstrap CI, d_z and a Wilcoxon test; `correlate` asks whether the difference shrinks
# with pretraining volume.

# %%
size_pairs = reference.join_languages(
    effects.pair_up(zero_shot, "model", large_model, base_model, value="value"))
size_summary = effects.paired_difference(zero_shot, "model", large_model, base_model, value="value",
                                          by=["target"], n_boot=n_boot, seed=seed)
figures.save_table(size_summary, out_dir, "large_minus_base")
size_summary

# %%
size_corr = effects.correlate(size_pairs, "log10_cc100_tokens", "diff", by="target", n_boot=n_boot, seed=seed)
figures.save_table(size_corr, out_dir, "large_minus_base_vs_cc100")
size_corr

# %%
fig = figures.gain_vs_volume(size_pairs, x="log10_cc100_tokens", y="diff", facet="target",
                             ylabel="Large − Base (points)")
figures.save_figure(fig, out_dir, "large_minus_base_vs_cc100")
