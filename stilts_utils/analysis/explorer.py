"""Results explorer for JupyterLab: dropdowns for study folder, model, target and language, and the
matching table and plot. `view` does the work (testable without a browser); `show` wires the widgets.
"""
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from . import effects
from .reports import explorer_data

ALL = "(all languages)"
CONFIG = ["variant", "intermediate", "intermediate_data", "intermediate_steps"]


def study_dirs(study_dir) -> list[str]:
    """The given study folder and its sibling folders that hold a results table."""
    study_dir = Path(study_dir)
    siblings = sorted(str(p.parent) for p in study_dir.parent.glob("*/results.parquet"))
    return list(dict.fromkeys([str(study_dir), *siblings]))


def view(data: pd.DataFrame, model: str, target: str, language: str = ALL):
    """(table, figure or None): seed-mean score, baseline and gain per configuration of one model/target.

    All languages: one row per configuration, a column per language, and a bar plot of the gain per
    language; one language: one row per configuration and a bar plot of its gain.
    """
    df = data[(data.model == model) & (data.target == target)]
    if language != ALL:
        df = df[df.language == language]
    if df.empty:
        return pd.DataFrame({"note": [f"no rows for {model} / {target} / {language}"]}), None
    means = effects.average_seeds(df[[*CONFIG, "language", "metric", "split", "seed", "value",
                                       "baseline_value", "gain"]], "value")
    if language == ALL:
        table = means.pivot_table(index=CONFIG, columns="language", values="value").reset_index()
        table.columns.name = None
    else:
        table = means[[*CONFIG, "metric", "split", "value", "baseline_value", "gain", "n_seeds"]]
    gains = means.dropna(subset=["gain"])
    if gains.empty:  # baseline only: nothing to compare
        return table, None
    gains = gains.assign(config=gains[CONFIG].astype(str).agg(" | ".join, axis=1))
    fig, ax = plt.subplots(figsize=(7, 3.2))
    sns.barplot(data=gains, x="language", y="gain", hue="config", ax=ax)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(title=f"{model} / {target}: gain over the baseline ({gains.metric.iloc[0]}, {gains.split.iloc[0]})",
           ylabel="gain (points)")
    ax.legend(fontsize=6, title="variant | intermediate | data | steps", title_fontsize=6)
    return table, fig


def show(study_dir):
    """The explorer widget: pick a study folder, model, target and language; shows table and plot."""
    import ipywidgets as widgets
    from IPython.display import display

    study = widgets.Dropdown(options=study_dirs(study_dir), value=str(Path(study_dir)), description="study")
    model, target = widgets.Dropdown(description="model"), widgets.Dropdown(description="target")
    language = widgets.Dropdown(description="language")
    output = widgets.Output()
    state = {}

    def load(_=None):
        state["data"] = data = explorer_data(study.value)
        for box, options in ((model, sorted(data.model.unique())), (target, sorted(data.target.unique())),
                             (language, [ALL, *sorted(data.language.unique())])):
            keep = box.value if box.value in options else options[0]
            box.options = options  # ipywidgets 8 resets the value to None here
            box.value = keep
        refresh()

    def refresh(_=None):
        if None in (model.value, target.value, language.value):
            return
        table, fig = view(state["data"], model.value, target.value, language.value)
        output.clear_output(wait=True)
        with output:
            display(table)
            if fig is not None:
                display(fig)
                plt.close(fig)

    study.observe(load, names="value")
    for box in (model, target, language):
        box.observe(refresh, names="value")
    load()
    return widgets.VBox([widgets.HBox([study, model]), widgets.HBox([target, language]), output])
