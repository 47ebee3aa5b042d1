# %% [markdown]
# # Results explorer
#
# Pick a study folder (siblings of `study_dir` with a `results.parquet`), a model, a target task and a language; the table shows the seed-mean headline score of every configuration (variant, intermediate task, intermediate data, steps) and the plot its gain over the `none` baseline. Needs JupyterLab with ipywidgets; the wiring lives in `stilts_utils/explorer.py`.

# %% tags=["parameters"]
study_dir = "outputs/sandbox"

# %%
from stilts_utils.analysis import explorer, figures

figures.set_style()

# %%
explorer.show(study_dir)
