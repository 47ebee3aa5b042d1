"""The two report figures that `stilts_utils.figures` has no function for (RQ1 intervention, RQ4 size).

Like `figures`, they take a table and return a matplotlib Figure, and raise on an empty table.
"""
import matplotlib.pyplot as plt
import numpy as np

from .figures import _require


def _errors(part, estimate):
    """Error-bar lengths (2, n) from a CI; NaN bounds (too few points) draw no bar."""
    return np.nan_to_num(np.abs(part[["ci_low", "ci_high"]].to_numpy().T - part[estimate].to_numpy()))


def intervention_figure(table):
    """RQ1: per language, mean difference (variant - reference) with CI; changed languages in red."""
    _require(table, ["a", "b", "quantity", "language", "changed", "mean_diff", "ci_low", "ci_high"],
             "intervention_figure")
    panels = list(table.groupby(["a", "quantity"], sort=False))
    n_rows = table.language.nunique()
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 1.2 + 0.3 * n_rows), squeeze=False)
    for ax, ((variant, quantity), part) in zip(axes.flat, panels):
        part = part.sort_values("language").reset_index(drop=True)
        for changed, colour, label in ((False, "C0", "volume unchanged"), (True, "C3", "volume changed")):
            rows = part[part.changed == changed]
            if len(rows):
                ax.errorbar(rows.mean_diff, rows.index, xerr=_errors(rows, "mean_diff"), fmt="o", capsize=3,
                            color=colour, label=label)
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_yticks(range(len(part)), part.language)
        ax.invert_yaxis()
        ax.set(xlabel=f"{quantity}: {variant} − {part.b.iloc[0] or 'default'} (points)", title=quantity)
        ax.legend(fontsize=7)
    return fig


def params_figure(by_size):
    """RQ4: mean gain (CI over languages) vs log10 parameters, one panel per target, a line per intermediate."""
    _require(by_size, ["target", "intermediate", "log10_params", "mean", "ci_low", "ci_high"], "params_figure")
    targets = sorted(by_size.target.unique())
    ncols = min(3, len(targets))
    nrows = int(np.ceil(len(targets) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False)
    for ax in axes.flat[len(targets):]:
        ax.set_visible(False)
    for ax, target in zip(axes.flat, targets):
        for inter, part in by_size[by_size.target == target].groupby("intermediate"):
            part = part.sort_values("log10_params")
            ax.errorbar(part.log10_params, part["mean"], yerr=_errors(part, "mean"), marker="o", capsize=3,
                        label=inter)
        ax.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set(title=target, xlabel="log10 encoder parameters", ylabel="mean gain")
        ax.legend(title="intermediate", fontsize=7, title_fontsize=7)
    return fig
