"""Results explorer for JupyterLab: pickers for study, model, target and language, and the matching table
and plot. `view` does the work (testable without a browser); `show` wires the widgets.

The plot is a PNG in an `Image` widget and the table HTML in an `HTML` widget, both replaced on every
change: a matplotlib figure displayed into an `Output` widget from a callback can stay blank in JupyterLab
(the inline backend shows figures when a cell ends, and a callback is no cell), an image value cannot.
"""
from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from . import effects, style
from .locate import OUTPUTS, in_repo, shown
from .reports import explorer_data

ALL = "(all languages)"
CONFIG = ["variant", "intermediate", "intermediate_data", "intermediate_steps"]
SCORES = ["value", "baseline_value"]  # points, one decimal; gains signed


def study_dirs(study_dir) -> list[str]:
    """Every study folder with a results table under the repository's outputs/ and beside `study_dir`
    (a study with its own output_root), `study_dir` first when it has results."""
    study_dir = in_repo(study_dir)
    found = sorted({str(p.parent) for root in (OUTPUTS, study_dir.parent) for p in root.glob("*/results.parquet")})
    first = [str(study_dir)] if (study_dir / "results.parquet").is_file() else []
    return list(dict.fromkeys(first + found))


def view(data: pd.DataFrame, model: str, target: str, language: str = ALL):
    """(table, figure or None): seed-mean score, baseline and gain per configuration of one model/target.

    All languages: one row per configuration, a column per language, and the gain per language; one
    language: one row per configuration and its gain. Bars are seed means with 95 % CIs over seeds.
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
    per_seed = df.dropna(subset=["gain"])
    if per_seed.empty:  # baseline only: nothing to compare
        return table, None
    return table, _gain_figure(per_seed, model, target)


def _gain_figure(per_seed: pd.DataFrame, model: str, target: str):
    per_seed = per_seed.assign(config=per_seed[CONFIG].astype(str).agg(" | ".join, axis=1))
    fig, ax = plt.subplots(figsize=(8, 3.4))
    sns.pointplot(data=per_seed, x="language", y="gain", hue="config", errorbar=("ci", 95), seed=0,
                  markers=style.markers(per_seed.config.nunique()), linestyles="none", dodge=0.4,
                  capsize=0.1, ax=ax)
    style.zero_line(ax)
    metric, split = per_seed.metric.iloc[0], per_seed.split.iloc[0]
    ax.set(title=f"{model}: {style.task(target)}, gain over the baseline ({split}; mean, 95% CI over seeds)",
           xlabel="language", ylabel=style.gain_label(metric))
    style.legend_outside(ax, "variant | intermediate | data | steps")
    return fig


def table_html(table: pd.DataFrame) -> str:
    """The table as HTML a reader can scan: human headers, scores to one decimal, gains signed, steps and
    counts as integers, in a box that scrolls sideways instead of cutting columns off."""
    formats = {}
    for name in table.columns:
        if name in ("gain",):
            formats[name] = "{:+.1f}"
        elif name in ("intermediate_steps", "n_seeds"):
            formats[name] = "{:.0f}"
        elif pd.api.types.is_float_dtype(table[name]):
            formats[name] = "{:.1f}"
    styled = (table.style.set_uuid("explorer").format(formats, na_rep="–").hide(axis="index")
              .format_index(style.column, axis=1)
              .format(lambda v: style.task(v), subset=[c for c in ("intermediate",) if c in table]))
    return f'<div style="overflow-x:auto; max-width:100%">{styled.to_html()}</div>'


def figure_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def show(study_dir):
    """The explorer widget: pick a study, model, target and language; shows table and plot."""
    options = study_dirs(study_dir)
    if not options:
        return widgets.HTML(f"<b>No study has results yet</b> (no {shown(OUTPUTS)}/*/results.parquet). "
                            "Run one first: <code>python -m stilts_utils run sandbox</code>")
    study = widgets.Dropdown(options=[(shown(p), p) for p in options], value=options[0], description="study")
    model, target = widgets.Dropdown(description="model"), widgets.Dropdown(description="target")
    language = widgets.Dropdown(description="language")
    table, plot = widgets.HTML(), widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    state = {}

    def load(_=None):
        state["data"] = data = explorer_data(study.value)
        state["busy"] = True  # one redraw per study change, not one per dropdown reset
        for box, choices in ((model, sorted(data.model.unique())), (target, sorted(data.target.unique())),
                             (language, [ALL, *sorted(data.language.unique())])):
            keep = box.value if box.value in choices else choices[0]
            box.options = [(style.task(c), c) for c in choices] if box is target else choices
            box.value = keep  # ipywidgets 8 resets the value to None when the options change
        state["busy"] = False
        refresh()

    def refresh(_=None):
        if state.get("busy") or None in (model.value, target.value, language.value):
            return
        shown_table, fig = view(state["data"], model.value, target.value, language.value)
        table.value = table_html(shown_table)
        plot.value = figure_png(fig) if fig is not None else b""
        plot.layout.display = None if fig is not None else "none"

    study.observe(load, names="value")
    for box in (model, target, language):
        box.observe(refresh, names="value")
    load()
    return widgets.VBox([widgets.HBox([study, model]), widgets.HBox([target, language]), plot, table])

