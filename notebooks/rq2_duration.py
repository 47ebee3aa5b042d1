# %% [markdown]
# # RQ2: how long to train on the intermediate task?
#
# Reads only `<study_dir>/results.parquet` and `<study_dir>/languages.csv` (written by the runner) and writes every figure to `<study_dir>/figures/` (pdf, png, svg) and every table to `<study_dir>/tables/` (csv, tex). All the work is done by `stilts_utils.reports`; this notebook only displays it.
#
# Conventions: each target's headline metric (`REGISTRY[target].metric`) on the `test` split (`dev` for a target without test rows); gain = score(intermediate) − score(`none`) matched on model, variant, target, language, split, metric and seed; seeds are averaged before any statistic; English, the training language, is left out of every cross-lingual summary. Every statistic comes with n and a bootstrap 95% CI; where the study has too few points for one, its place holds a one-row "too few" table instead (and no figure is written).

# %% tags=["parameters"]
study_dir = "outputs/rq2_duration"

# %%
from stilts_utils.analysis import figures, reports

figures.set_style()

# %%
report = reports.rq2_duration(study_dir)
report["notes"]

# %% [markdown]
# ## Gain along phase-2 training
#
# Figure `duration`: mean gain (95% CI over target languages and targets) at each phase-2 duration (`phase2_budgets`: a run of its own per duration, each with its own warm-up and decay; `checkpoints`: saves of one run, confounded with where in its schedule they were taken), one line per CC-100 volume tier (tertiles of the non-English languages), one panel per (model, intermediate task).

# %%
report["duration"]

# %% [markdown]
# Table `duration_curve`: the numbers behind the figure (n, mean, CI, sd, d).

# %%
report["duration_curve"]

# %% [markdown]
# Table `duration_change`: gain at the longest minus gain at the shortest duration per tier, matched on (target, language), with CI: do low-resource languages gain more from longer training?

# %%
report["duration_change"]
