"""The one figure and table style: human names of tasks, metrics and columns (with units), the seaborn
theme, markers per series, legends outside the data, and labels that do not overlap (adjustText).

Names are presentation only: a task's display name is its `title` (data on the Task), an id without one
is shown as it is, and nothing computes on them.
"""
from __future__ import annotations

import numpy as np
import seaborn as sns
from adjustText import adjust_text

from ..tasks import REGISTRY

# Display names that are not tasks; a task's own comes from its `title` (tasks/<name>.py).
NOT_TASKS = {"multitask": "multi-task", "none": "no intermediate task"}
METRICS = {"accuracy": "accuracy (%)", "f1": "F1 (%)", "em": "exact match (%)",
           "token_accuracy": "token accuracy (%)", "precision": "precision (%)", "recall": "recall (%)"}
COLUMNS = {  # table headers: the column ids reports return -> what a reader sees
    "model": "Model", "variant": "World variant", "intermediate": "Intermediate task", "target": "Target task",
    "intermediate_data": "Intermediate data", "intermediate_steps": "Intermediate steps", "language": "Language",
    "metric": "Metric", "split": "Split", "value": "Score (points)", "baseline_value": "Baseline (points)",
    "gain": "Gain (points)", "mean": "Mean", "median": "Median", "sd": "SD", "n": "n", "n_seeds": "Seeds",
    "n_languages": "Languages", "ci": "95% CI", "rho": "Spearman ρ", "r": "Pearson r", "spearman": "Spearman ρ", "pearson": "Pearson r", "p": "p",
    "p_holm": "p (Holm)", "slope": "Slope", "d_z": "d_z", "note": "Note", "en": "English",
    "mean_other": "Mean other languages", "transfer_ratio": "Transfer ratio", "sd_seeds": "SD over seeds",
    "log10_cc100_tokens": "log₁₀ CC-100 tokens", "log10_params": "log₁₀ parameters",
    "log10_volume_tokens": "log₁₀ pretraining tokens", "volume_corpus": "Pretraining corpus",
    "volume_tokens": "Pretraining tokens",
}
AXES = {"log10_cc100_tokens": "pretraining data (log₁₀ CC-100 tokens)",
        "log10_params": "encoder size (log₁₀ parameters)", "intermediate_steps": "intermediate-task steps"}
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">"]  # one per series, so colour is never alone
SCORE_RANGE = (0.0, 100.0)  # every headline metric is a percentage (accuracy, F1, EM, ...)
DIFF_RANGE = (-100.0, 100.0)  # a gain or a paired difference of two such scores


def markers(n: int) -> list[str]:
    """n markers, cycling when there are more series than shapes."""
    return [MARKERS[i % len(MARKERS)] for i in range(n)]


def task(name) -> str:
    found = REGISTRY.get(str(name))
    return (found.title or found.name) if found is not None else NOT_TASKS.get(str(name), str(name))


def metric(name) -> str:
    return METRICS.get(str(name), str(name))


def column(name) -> str:
    return COLUMNS.get(str(name), str(name))


def axis(name) -> str:
    return AXES.get(str(name), column(name))


def volume_axis(corpus: str) -> str:
    """The x label of a volume axis, naming the corpus it is counted in (e.g. mC4 for mT5)."""
    return f"pretraining data (log₁₀ {corpus} tokens)"


def gain_label(metric_name: str | None = None) -> str:
    """The y label of a gain over the no-intermediate baseline: in points of which metric (short enough
    for a panel's height)."""
    name = metric(metric_name).replace(" (%)", "") if metric_name else ""
    return f"gain ({name} points)" if name else "gain (points)"


def value_range(y: str) -> tuple[float, float]:
    """The range a plotted quantity can take: a score (`value`) lies in [0, 100], a gain or a difference of
    two scores in [-100, 100]. CI bands and error bars are clipped to it (a CI below 0 % accuracy says
    nothing a reader can use)."""
    return SCORE_RANGE if y in ("value", "score") else DIFF_RANGE


def clip(values, limits):
    """values clipped to limits = (low, high); NaN stays NaN."""
    return np.clip(np.asarray(values, dtype=float), *limits)


def set_style():
    """The house style: paper context, white grid, colour-blind palette, embeddable fonts."""
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=1.1,
                  rc={"savefig.bbox": "tight", "pdf.fonttype": 42, "svg.fonttype": "none",
                      "axes.titlesize": "medium", "legend.frameon": False})


def zero_line(ax, horizontal: bool = True) -> None:
    """The y = 0 (or x = 0) reference every gain plot carries: above it the intermediate task helped."""
    (ax.axhline if horizontal else ax.axvline)(0, color="0.3", lw=0.9, ls="--", zorder=1)


def shared_legend(fig, axes, title: str | None = None) -> None:
    """One legend for the whole figure, above the panels (constrained layout keeps it clear of them):
    the series of every panel, each label once, in first-seen order. Per-panel legends are removed.

    The figure must use layout="constrained" (figures._facet_axes); entries go in as many columns as the
    figure's width holds.
    """
    entries = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label and not label.startswith("_"):
                entries.setdefault(label, handle)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    if not entries:
        return
    width_in = fig.get_figwidth()
    longest = max(len(label) for label in entries)
    per_column = 0.45 + 0.075 * longest  # inches: marker, gap and the label at the legend's font size
    ncols = max(1, min(len(entries), int(width_in // per_column)))
    fig.legend(list(entries.values()), list(entries), title=title, loc="outside upper center", ncols=ncols,
               fontsize="small", title_fontsize="small")


def legend_outside(ax, title: str | None = None) -> None:
    """The legend to the right of the axes, never over the data (single-panel figures; faceted ones
    use shared_legend)."""
    handles, labels = ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    if handles:
        ax.legend(handles, labels, title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
                  fontsize="small", title_fontsize="small")


def label_points(ax, xs, ys, texts) -> None:
    """Point labels moved apart until they do not overlap (adjustText), kept inside the panel, with a
    thin leader line. Call it last, once the panel's limits are final."""
    labels = [ax.text(x, y, str(t), fontsize="x-small") for x, y, t in zip(xs, ys, texts)]
    if labels:
        adjust_text(labels, ax=ax, ensure_inside_axes=True, expand_axes=False,
                    arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.5})
