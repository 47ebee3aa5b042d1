# %% [markdown]
# # RQ1: do gains follow the target language's pretraining volume?
#
# Reads only `<study_dir>/results.parquet` and `<study_dir>/languages.csv` (written by the runner) and writes every figure to `<study_dir>/figures/` (pdf, png, svg) and every table to `<study_dir>/tables/` (csv, tex). All the work is done by `stilts_utils.reports`; this notebook only displays it.
#
# Conventions: each target's headline metric (`REGISTRY[target].metric`) on the `test` split (`dev` for a target without test rows); gain = score(intermediate) − score(`none`) matched on model, variant, target, language, split, metric and seed; seeds are averaged before any statistic; English, the training language, is left out of every cross-lingual summary. Every statistic comes with n and a bootstrap 95% CI; where the study has too few points for one, its place holds a one-row "too few" table instead (and no figure is written).

# %% tags=["parameters"]
study_dir = "outputs/rq1_volume"

# %%
from stilts_utils.analysis import figures, reports

figures.set_style()

# %%
report = reports.rq1_volume(study_dir)
report["notes"]

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
# ## Intervention: one language's pretraining volume changed
#
# Sandbox world variants change one language's pretraining volume and keep the rest fixed, so a difference between variants for that language is caused by the volume. Table `intervention_difference`: per model and language, the mean difference (variant − reference) of the gain and of the score over (intermediate, target) units, with bootstrap CI, d_z and Wilcoxon p (`changed` marks the language whose volume changed).

# %%
report["intervention_difference"]

# %% [markdown]
# Table `intervention_did`: difference-in-differences, the changed language's difference minus the mean difference of the unchanged languages in the same (intermediate, target) unit, with CI.

# %%
report["intervention_did"]

# %% [markdown]
# Figure `intervention`: per language, mean difference (variant − reference) with 95% CI for the gain (left) and the score (right); the language whose volume changed is drawn in red.

# %%
report["intervention"]
