# %% [markdown]
# # RQ4: does model size change the effect on QA targets?
#
# Reads only `<study_dir>/results.parquet` and `<study_dir>/languages.csv` (written by the runner) and writes every figure to `<study_dir>/figures/` (pdf, png, svg) and every table to `<study_dir>/tables/` (csv, tex). All the work is done by `stilts_utils.reports`; this notebook only displays it.
#
# Conventions: each target's headline metric (`REGISTRY[target].metric`) on the `test` split (`dev` for a target without test rows); gain = score(intermediate) − score(`none`) matched on model, variant, target, language, split, metric and seed; seeds are averaged before any statistic; English, the training language, is left out of every cross-lingual summary. Every statistic comes with n and a bootstrap 95% CI; where the study has too few points for one, its place holds a one-row "too few" table instead (and no figure is written).

# %% tags=["parameters"]
study_dir = "outputs/rq4_model_size"

# %%
from stilts_utils.analysis import figures, reports

figures.set_style()

# %%
report = reports.rq4_model_size(study_dir)
report["notes"]

# %% [markdown]
# ## Size interaction on QA targets
#
# Table `size_interaction`: gain of the largest minus gain of the smallest model on the QA targets (xquad, mlqa, tydiqa) per (intermediate, target), matched on language, with bootstrap CI and Wilcoxon p.

# %%
report["size_interaction"]

# %% [markdown]
# Figure `size_effect`: that difference with its 95% CI; right of the dashed line the intermediate task helps the larger model more.

# %%
report["size_effect"]

# %% [markdown]
# ## Gain vs model size
#
# Table `gain_by_size`: mean gain over languages per (target, intermediate, model) with CI and log10 parameters; `qa` marks QA targets.

# %%
report["gain_by_size"]

# %% [markdown]
# Figure `gain_vs_params`: mean gain (95% CI) against log10 encoder parameters, one panel per target, one line per intermediate task.

# %%
report["gain_vs_params"]
