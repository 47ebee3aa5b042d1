"""One seaborn style, figure/table export, and one plotting function per analysis table.

Plotting functions take the tables `effects.py` returns and give back a matplotlib Figure;
they raise ValueError on empty input rather than draw an empty plot.
"""

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from . import latex, style
from .effects import TIERS, average_seeds, correlate, one_row_per_unit
from .locate import in_repo
from .seeds import pooled

FORMATS = {"pdf": None, "png": 200, "svg": None}  # extension -> dpi (None: vector)


set_style = style.set_style  # notebooks call figures.set_style(); the style itself lives in style.py


def save_figure(fig, out_dir, name):
    """Write `name`.pdf, .png (200 dpi) and .svg under out_dir; returns the paths."""
    out_dir = in_repo(out_dir)  # relative: to the repository root, whatever the kernel's cwd
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.{ext}" for ext in FORMATS]
    for path in paths:
        fig.savefig(path, dpi=FORMATS[path.suffix[1:]] or "figure", bbox_inches="tight")
    return paths


def save_table(df, out_dir, name, caption=None):
    """Write `name`.csv (every column, full precision) and `name`.tex (latex.to_latex: booktabs table with
    caption and label, fixed decimals, CIs as [lo, hi], human headers); returns the paths."""
    _require(df, [], name)
    out_dir = in_repo(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv, tex = out_dir / f"{name}.csv", out_dir / f"{name}.tex"
    df.to_csv(csv, index=False)
    tex.write_text(latex.to_latex(df, name, caption))
    return [csv, tex]


def _require(df, columns, what):
    if df is None or len(df) == 0:
        raise ValueError(f"{what}: no data to plot or save")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {missing}")


def gain_heatmap(gains, value="gain"):
    """Intermediate x target heatmap of the mean gain over languages (seeds averaged first).

    Filter to one model, data variant and duration first; mixing them raises.
    """
    _require(gains, ["intermediate", "target", "language", value], "gain_heatmap")
    cells = average_seeds(gains, value)
    one_row_per_unit(cells, ["intermediate", "target", "language"])
    table = cells.pivot_table(index="intermediate", columns="target", values=value)
    sure = pooled(gains, value).pivot_table(index="intermediate", columns="target", values="distinguishable",
                                            aggfunc="any").reindex_like(table).fillna(False).astype(bool)
    text = table.map(lambda v: f"{v:.1f}") + sure.map(lambda s: "*" if s else "")
    fig, ax = plt.subplots(figsize=(1.5 + 0.8 * table.shape[1], 1 + 0.45 * table.shape[0]))
    sns.heatmap(table, annot=text, fmt="", center=0, cmap="RdBu_r", ax=ax,
                cbar_kws={"label": f"mean {value} (points of each target's metric)"})
    ax.set_xticklabels([style.task(t.get_text()) for t in ax.get_xticklabels()])
    ax.set_yticklabels([style.task(t.get_text()) for t in ax.get_yticklabels()], rotation=0)
    model = f" ({gains.model.iloc[0]})" if "model" in gains and gains.model.nunique() == 1 else ""
    ax.set(xlabel="target task", ylabel="intermediate task",
           title=f"Mean gain over languages{model}\n(* = 95 % CI over seeds and languages excludes 0)")
    return fig


def _facet_axes(n, width=3.6, height=3.0, ncols=3):
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                             layout="constrained")  # keeps panel titles clear of the row above
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat[:n]


def _rho_text(df, x, y):
    row = correlate(df, x, y, n_boot=0).iloc[0]
    return row.note if row.note else f"ρ={row.spearman:.2f}, n={row.n}"


def gain_vs_volume(df, x="log10_cc100_tokens", y="gain", facet="target", hue=None, ylabel=None):
    """Scatter + OLS line of y on pretraining volume, one panel per `facet`; Spearman rho in the title.

    With `hue` (e.g. "model") each level gets its own line and its rho goes in the legend.
    Pass seed-averaged rows (effects.average_seeds) to get one point per language.
    """
    _require(df, [x, y, facet, "language"] + ([hue] if hue else []), "gain_vs_volume")
    df = df.dropna(subset=[x, y])
    _require(df, [], f"gain_vs_volume (no rows with both {x} and {y})")
    panels = sorted(df[facet].unique())
    fig, axes = _facet_axes(len(panels))
    for ax, panel in zip(axes, panels):
        part = df[df[facet] == panel]
        levels = [(None, part)] if hue is None else list(part.groupby(hue, sort=True))
        for marker, (level, sub) in zip(style.markers(len(levels)), levels):
            label = None if level is None else f"{style.task(level)} ({_rho_text(sub, x, y)})"
            # the band: 95 % CI of the OLS line (bootstrap, fixed seed)
            sns.regplot(data=sub, x=x, y=y, ax=ax, label=label, ci=95, n_boot=500, seed=0, marker=marker,
                        scatter_kws={"s": 18})
            if {"ci_low", "ci_high"} <= set(sub.columns):  # 95 % CI over seeds of each language's value
                err = np.abs(sub[["ci_low", "ci_high"]].to_numpy().T - sub[y].to_numpy())
                ax.errorbar(sub[x], sub[y], yerr=np.nan_to_num(err), fmt="none", lw=0.7, alpha=0.6,
                            color=ax.lines[-1].get_color() if ax.lines else None)
        if part.language.nunique() == len(part):  # one point per language: name each, without overlaps
            style.label_points(ax, part[x], part[y], part.language)
        if y in ("gain", "diff"):
            style.zero_line(ax)  # no gain
        metric = part.metric.iloc[0] if "metric" in part and part.metric.nunique() == 1 else None
        title = f"{style.task(panel)}" + (f": {_rho_text(part, x, y)}" if hue is None else "")
        ax.set(title=title, xlabel=style.axis(x), ylabel=ylabel or (style.gain_label(metric) if y == "gain" else y))
        if hue is not None:
            style.legend_outside(ax, style.column(hue))
    return fig


def _labels(df, columns):
    cols = [c for c in columns if c in df.columns and df[c].nunique() > 1] or [c for c in columns if c in df][:1]
    shown = df[cols].apply(lambda c: c.map(style.task) if c.name in ("intermediate", "target") else c.astype(str))
    return shown.agg(" | ".join, axis=1)


def _forest(table, estimate, low, high, label_columns, xlabel, title):
    """Horizontal point + CI plot, one row per table row, zero line for reference."""
    table = table.dropna(subset=[estimate]).reset_index(drop=True)
    _require(table, [estimate, low, high], title)
    labels = _labels(table, label_columns)
    fig, ax = plt.subplots(figsize=(5.5, 0.9 + 0.32 * len(table)))
    err = np.abs(table[[low, high]].to_numpy().T - table[estimate].to_numpy())
    ax.errorbar(table[estimate], range(len(table)), xerr=np.nan_to_num(err), fmt="o", capsize=3)
    style.zero_line(ax, horizontal=False)
    ax.set_yticks(range(len(table)), labels)
    ax.invert_yaxis()
    ax.set(xlabel=xlabel, title=title)
    return fig


def gain_ci_figure(pooled):
    """Mean zero-shot gain per (intermediate, target) with its 95 % CI over seeds and languages."""
    table = pooled.sort_values(["target", "intermediate"]).reset_index(drop=True)
    model = table.model.iloc[0] if "model" in table and len(table) else ""
    return _forest(table, "mean", "ci_low", "ci_high", ["intermediate", "target"],
                   "zero-shot gain over no intermediate task (points, 0-100 scale)",
                   f"Gain with 95 % CI over seeds and languages ({model})")


def duration_figure(curve, facet=("model", "intermediate")):
    """RQ2: mean gain vs intermediate steps, one line per resource tier, CI as error bars."""
    _require(curve, ["tier", "intermediate_steps", "mean", "ci_low", "ci_high"], "duration_figure")
    curve = curve.assign(panel=_labels(curve, facet))
    panels = sorted(curve.panel.unique())
    fig, axes = _facet_axes(len(panels))
    for ax, panel in zip(axes, panels):
        tiers = [t for t in TIERS if t in set(curve.tier[curve.panel == panel])]
        for marker, tier in zip(style.markers(len(tiers)), tiers):
            part = curve[(curve.panel == panel) & (curve.tier == tier)].sort_values("intermediate_steps")
            err = np.abs(part[["ci_low", "ci_high"]].to_numpy().T - part["mean"].to_numpy())
            ax.errorbar(part.intermediate_steps, part["mean"], yerr=np.nan_to_num(err), marker=marker,
                        capsize=3, label=tier)
        style.zero_line(ax)
        ax.set(title=panel, xlabel=style.axis("intermediate_steps"), ylabel=style.gain_label())
        style.legend_outside(ax, "CC-100 tier (95% CI)")
    return fig


def paired_difference_figure(table):
    """RQ3: mean paired difference (a - b) with CI per group, e.g. translated minus English data."""
    _require(table, ["a", "b"], "paired_difference_figure")
    a, b = " / ".join(table.a.unique()), table.b.iloc[0]
    # `a` labels a row only where the table holds several data kinds (translated and translated:de, ...)
    return _forest(table, "mean_diff", "ci_low", "ci_high", ["model", "intermediate", "target", "a"],
                   f"{a} − {b} (points)", f"Paired difference: {a} − {b}")


def size_figure(table):
    """RQ4: gain of the largest minus the smallest model, per intermediate and target, with CI."""
    _require(table, ["a", "b"], "size_figure")
    return _forest(table, "mean_diff", "ci_low", "ci_high", ["intermediate", "target"],
                   f"gain({table.a.iloc[0]}) − gain({table.b.iloc[0]})", "Effect of model size on the gain")


def typology_figure(contrast, feature="morphology"):
    """RQ5: mean gain per typological group with CI, one row per (group, target, ...)."""
    _require(contrast, [feature, "mean", "ci_low", "ci_high"], "typology_figure")
    return _forest(contrast, "mean", "ci_low", "ci_high", ["model", "intermediate", "target", feature],
                   "mean gain (points)", f"Gain by {feature}")


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
                ax.errorbar(rows.mean_diff, rows.index, xerr=_errors(rows, "mean_diff"), capsize=3,
                            fmt="s" if changed else "o", color=colour, label=label)
        style.zero_line(ax, horizontal=False)
        ax.set_yticks(range(len(part)), part.language)
        ax.invert_yaxis()
        ax.set(xlabel=f"{quantity}: {variant} − {part.b.iloc[0] or 'default'} (points)", title=quantity)
        style.legend_outside(ax)
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
        groups = list(by_size[by_size.target == target].groupby("intermediate"))
        for marker, (inter, part) in zip(style.markers(len(groups)), groups):
            part = part.sort_values("log10_params")
            ax.errorbar(part.log10_params, part["mean"], yerr=_errors(part, "mean"), marker=marker, capsize=3,
                        label=style.task(inter))
        style.zero_line(ax)
        ax.set(title=style.task(target), xlabel=style.axis("log10_params"), ylabel=style.gain_label())
        style.legend_outside(ax, "intermediate task (95% CI)")
    return fig
