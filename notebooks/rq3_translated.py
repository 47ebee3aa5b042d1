# %% [markdown]
# # RQ3: English vs translated intermediate data
#
# Reads only `<study_dir>/results.parquet` and `<study_dir>/languages.csv` (written by the runner) and writes every figure to `<study_dir>/figures/` (pdf, png, svg) and every table to `<study_dir>/tables/` (csv, tex). All the work is done by `stilts_utils.reports`; this notebook only displays it.
#
# Conventions: each target's headline metric (`REGISTRY[target].metric`) on the `test` split (`dev` for a target without test rows); gain = score(intermediate) − score(`none`) matched on model, variant, target, language, split, metric and seed; seeds are averaged before any statistic; English, the training language, is left out of every cross-lingual summary. Every statistic comes with n and a bootstrap 95% CI; where the study has too few points for one, its place holds a one-row "too few" table instead (and no figure is written).

# %% tags=["parameters"]
study_dir = "outputs/rq3_translated"

# %%
from stilts_utils.analysis import figures, reports

figures.set_style()

# %%
report = reports.rq3_translated(study_dir)
report["notes"]

# %% [markdown]
# ## Paired differences
#
# Table `translated_difference`: mean paired gain difference (translated − en and en+translated − en) per (model, intermediate, target), matched on language and seed-averaged, with bootstrap CI, d_z, Wilcoxon p and Holm p. Last checkpoint of each run. Each data kind of the study is its own rows (column `a`): `translated` (spread over the translation languages), `translated:<lang>` (one language's translation), `en+translated`, `en+translated:<lang>`.

# %%
report["translated_difference"]

# %% [markdown]
# Figure `translated_minus_en`: the mean difference translated − en with its 95% CI, one row per (model, intermediate, target) and data kind (`translated`, `translated:<lang>`); right of the dashed line, translated data helps more.

# %%
report["translated_minus_en"]

# %% [markdown]
# Figure `en_translated_minus_en`: the same for en+translated − en.

# %%
report["en_translated_minus_en"]

# %% [markdown]
# Table `translated_vs_volume`: does the benefit of translated data shrink with pretraining volume? Spearman/Pearson of the per-language difference on log10 volume.

# %%
report["translated_vs_volume"]
