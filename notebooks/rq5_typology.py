# %% [markdown]
# # RQ5: morphology and word order
#
# Reads only `<study_dir>/results.parquet` and `<study_dir>/languages.csv` (written by the runner) and writes every figure to `<study_dir>/figures/` (pdf, png, svg) and every table to `<study_dir>/tables/` (csv, tex). All the work is done by `stilts_utils.reports`; this notebook only displays it.
#
# Conventions: each target's headline metric (`REGISTRY[target].metric`) on the `test` split (`dev` for a target without test rows); gain = score(intermediate) − score(`none`) matched on model, variant, target, language, split, metric and seed; seeds are averaged before any statistic; English, the training language, is left out of every cross-lingual summary. Every statistic comes with n and a bootstrap 95% CI; where the study has too few points for one, its place holds a one-row "too few" table instead (and no figure is written).

# %% tags=["parameters"]
study_dir = "outputs/rq5_typology"

# %%
from stilts_utils.analysis import figures, reports

figures.set_style()

# %%
report = reports.rq5_typology(study_dir)
report["notes"]

# %% [markdown]
# ## Morphology
#
# Table `typology_morphology`: mean gain per morphology type with CI (languages as units), and each type minus the commonest type with a two-sample bootstrap CI, rank-biserial correlation, Mann-Whitney p and Holm p.

# %%
report["typology_morphology"]

# %% [markdown]
# Figure `gain_by_morphology`: mean gain with 95% CI per (intermediate, target, morphology type).

# %%
report["gain_by_morphology"]

# %% [markdown]
# Table `volume_within_morphology`: Spearman/Pearson of gain on log10 volume within each morphology type, per target and pooled over targets (mean gain per language).

# %%
report["volume_within_morphology"]

# %% [markdown]
# Figure `gain_vs_volume_by_morphology`: mean gain over targets against log10 volume, one panel per morphology type, one colour per intermediate task (largest model).

# %%
report["gain_vs_volume_by_morphology"]

# %% [markdown]
# ## Word order
#
# Table `typology_word_order`: as above for the basic word order.

# %%
report["typology_word_order"]

# %% [markdown]
# Figure `gain_by_word_order`: mean gain with 95% CI per (intermediate, target, word order).

# %%
report["gain_by_word_order"]

# %% [markdown]
# Table `volume_within_word_order`: gain vs log10 volume within each word order.

# %%
report["volume_within_word_order"]

# %% [markdown]
# Figure `gain_vs_volume_by_word_order`: mean gain over targets against log10 volume, one panel per word order.

# %%
report["gain_vs_volume_by_word_order"]
