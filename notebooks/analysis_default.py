# %% [markdown]
# # Default analysis of one study
#
# Reads only `<study_dir>/results.parquet` and `<study_dir>/languages.csv` (written by the runner) and writes every figure to `<study_dir>/figures/` (pdf, png, svg) and every table to `<study_dir>/tables/` (csv, tex). All the work is done by `stilts_utils.reports`; this notebook only displays it.
#
# Conventions: each target's headline metric (`REGISTRY[target].metric`) on the `test` split (`dev` for a target without test rows); gain = score(intermediate) − score(`none`) matched on model, variant, target, language, split, metric and seed; seeds are averaged before any statistic; English, the training language, is left out of every cross-lingual summary. Every statistic comes with n and a bootstrap 95% CI; where the study has too few points for one, its place holds a one-row "too few" table instead (and no figure is written).

# %% tags=["parameters"]
study_dir = "outputs/sandbox"

# %%
from stilts_utils.analysis import figures, reports

figures.set_style()

# %%
report = reports.default_report(study_dir)
report["notes"]

# %% [markdown]
# ## Phase 1: what the encoder learned before any task
#
# Table `phase1_report` (sandbox studies): per model and language, held-out MLM loss, word-translation accuracy against the world's gold lexicon (nearest neighbour of mean-pooled word embeddings), Tatoeba-style sentence retrieval (raw and centred per language), and the anchor-only baselines that need no learning (a rule tagger that knows punctuation, digits and capitals; overlap-only NLI; retrieval with untrained weights), so transfer beyond string matching is visible. A real-hub study has no such table.

# %%
report.get("phase1_report", "no phase-1 report (not a sandbox study)")

# %% [markdown]
# ## Does the baseline reproduce the published numbers?
#
# Table `replication`: per model, target and language, the baseline's (no intermediate task) seed-mean score against the published zero-shot test score packaged in `stilts_utils/reference/published/` (matched on model, target, language, split and metric), its deviation, and `within` / `beyond` the tolerance (2 points by default: `default_report(..., tolerance=...)`) or `not published`; `source` names the paper or repository of each published number. A study whose models have no published numbers (the sandbox) gets a one-row "too few" table. Check this before trusting a gain.

# %%
report["replication"]

# %% [markdown]
# ## Gains with their uncertainty
#
# Table `gain_ci`: the mean zero-shot gain per (model, intermediate, target), pooled over seeds and the non-English languages, with a 95 % Student-t CI over both; `distinguishable` marks a CI that excludes 0. Figure `gain_ci_figure` shows the same for the main model. Table `gain_ci_per_language` gives each language's gain with its CI over seeds.

# %%
report["gain_ci"]

# %%
report["gain_ci_figure"]

# %%
report["gain_ci_per_language"]

# %% [markdown]
# Table `seed_noise`: the seed-to-seed SD of each score, averaged (and maximal) over languages: the noise floor a gain has to clear.

# %%
report["seed_noise"]

# %% [markdown]
# Table `transfer_ratio`: (score - chance) / (en - chance) per language, seed mean with CI: 1 = as good as English, 0 = chance (chance: uniform over labels or choices; 0 for F1 and retrieval).

# %%
report["transfer_ratio"]

# %% [markdown]
# ## Mean gain per intermediate and target task
#
# Figure `gain_heatmap`: for the main slice (reference variant, English intermediate data, last checkpoint, largest model) the mean gain over the non-English target languages, one cell per (intermediate task, target task). Red: the intermediate task helps.

# %%
report["gain_heatmap"]

# %% [markdown]
# ## Gain vs pretraining volume
#
# Figure `gain_vs_volume`: gain of each non-English language against log10 of its CC-100 pretraining tokens, one panel per target task and one colour per intermediate task, with an OLS line (95 % CI band, clipped to the range of a gain), Spearman ρ (and n) per intermediate task in each panel's title and one legend for the figure.

# %%
report["gain_vs_volume"]

# %% [markdown]
# Table `volume_correlation`: Spearman and Pearson of gain on log10 volume per (model, intermediate, target), languages as units, bootstrap 95% CIs, p and Holm-adjusted p across the rows.

# %%
report["volume_correlation"]

# %% [markdown]
# Table `volume_regression`: `gain ~ log10_volume_tokens` (each model's own pretraining corpus: CC-100 for XLM-R and the sandbox, mC4 for mT5, Wikipedia for mBERT) per (model, intermediate), pooled over targets: OLS with HC3 errors and a MixedLM with a random intercept per target task.

# %%
report["volume_regression"]

# %% [markdown]
# ## Scores
#
# Table `scores`: seed-mean headline score per (model, intermediate, target) and language in the main slice, the `none` baseline included.

# %%
report["scores"]

# %% [markdown]
# ## Continued MLM against none
#
# Table `mlm_difference` (where the study ran `mlm_weight: [0.0, w]`): the gain with continued multilingual MLM in phase 2 (a share w of its batches) minus the gain without, matched on (model, intermediate, target, language), seeds averaged, with bootstrap 95 % CIs, Wilcoxon and Holm p; figure `mlm_minus_none` shows it. Every analysis above keeps to the runs without MLM. A study with one level says "too few".

# %%
report["mlm_difference"]

# %%
report["mlm_minus_none"]
