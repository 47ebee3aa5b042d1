"""One seaborn style, figure/table export, and one plotting function per analysis table.

Plotting functions take the tables `effects.py` returns and give back a matplotlib Figure;
they raise ValueError on empty input rather than draw an empty plot.
"""

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from . import latex, style
from .effects import TIER_ORDER, average_seeds, correlate, one_row_per_unit
from .locate import in_repo
from .seeds import pooled
from .stats import MIN_POINTS

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


def _facet_axes(n, width=3.4, height=2.6, sharex=False, title_lines=1):
    """n panels of a usable aspect in a grid (1-3 in a row, 4 as 2 x 2, more in rows of 3), the figure
    growing with the grid; constrained layout keeps titles, labels and a shared legend clear of each other.
    With sharex every panel keeps its own tick labels (rows of different length)."""
    ncols = n if n <= 3 else 2 if n == 4 else 3
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, (height + 0.2 * (title_lines - 1)) * nrows + 0.8), squeeze=False,
                             sharex=sharex, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes.flat[:n]:
        ax.tick_params(labelbottom=True)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    fig.get_layout_engine().set(w_pad=0.06, h_pad=0.06, wspace=0.04, hspace=0.06)
    return fig, list(axes.flat[:n])


def _x_label(fig, axes, label):
    """The x label once under the grid when panels share x, else on the one panel."""
    if len(axes) > 1:
        fig.supxlabel(label, fontsize="medium")
    else:
        axes[0].set_xlabel(label)


def _rho_text(df, x, y):
    row = correlate(df, x, y, n_boot=0).iloc[0]
    return row.note if row.note else f"ρ={row.spearman:.2f}, n={row.n}"


def _ols_band(x, y, n_boot=500, seed=0, grid=50):
    """OLS line of y on x and its 95 % bootstrap CI (resampling points, as seaborn's regplot): grid, fit,
    low, high."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xs = np.linspace(x.min(), x.max(), grid)
    fit = np.polyval(np.polyfit(x, y, 1), xs)
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n_boot):
        i = rng.integers(0, len(x), len(x))
        if np.ptp(x[i]) > 0:  # a resample with one x value has no slope
            lines.append(np.polyval(np.polyfit(x[i], y[i], 1), xs))
    low, high = np.percentile(lines, [2.5, 97.5], axis=0) if lines else (fit, fit)
    return xs, fit, low, high


def _fits(sub, x):
    """Whether a line (and its band) says anything: enough points (stats.MIN_POINTS) at >= 2 x values."""
    return len(sub) >= MIN_POINTS and sub[x].nunique() >= 2


def gain_vs_volume(df, x="log10_volume_tokens", y="gain", facet="target", hue=None, ylabel=None, limits=None,
                   corpus=None):
    """Scatter + OLS line (95 % bootstrap CI band) of y on pretraining volume, one panel per `facet`;
    Spearman rho and n in the panel title (one line per `hue` level, e.g. "intermediate" or "model").

    One legend for the figure names the hue levels (same colour and marker in every panel). Bands and
    error bars are clipped to `limits` (default: style.value_range(y): [0, 100] for a score, [-100, 100]
    for a gain or difference); with fewer than stats.MIN_POINTS points a series gets no line and no band,
    and its title line says so. Pass seed-averaged rows (effects.average_seeds) to get one point per
    language. `corpus` names the pretraining corpus the volume is counted in (the x label says it).
    """
    _require(df, [x, y, facet, "language"] + ([hue] if hue else []), "gain_vs_volume")
    df = df.dropna(subset=[x, y])
    _require(df, [], f"gain_vs_volume (no rows with both {x} and {y})")
    limits = limits or style.value_range(y)
    panels = sorted(df[facet].unique())
    levels = [None] if hue is None else sorted(df[hue].unique())
    colours = dict(zip(levels, sns.color_palette(n_colors=len(levels))))
    markers = dict(zip(levels, style.markers(len(levels))))
    fig, axes = _facet_axes(len(panels), sharex=True, title_lines=1 + (hue is not None) * len(levels))
    to_label = []
    for ax, panel in zip(axes, panels):
        part = df[df[facet] == panel]
        lines = []
        for level in levels:
            sub = part if level is None else part[part[hue] == level]
            if sub.empty:
                continue
            colour = colours[level]
            ax.scatter(sub[x], sub[y], s=18, marker=markers[level], color=colour, zorder=3,
                       label=None if level is None else style.task(level))
            if {"ci_low", "ci_high"} <= set(sub.columns):  # 95 % CI over seeds of each language's value
                bounds = style.clip(sub[["ci_low", "ci_high"]].to_numpy().T, limits)
                err = np.abs(bounds - sub[y].to_numpy())
                ax.errorbar(sub[x], sub[y], yerr=np.nan_to_num(err), fmt="none", lw=0.7, alpha=0.6, color=colour)
            if _fits(sub, x):
                xs, fit, low, high = _ols_band(sub[x], sub[y])
                ax.plot(xs, fit, color=colour, lw=1.5, zorder=2)
                ax.fill_between(xs, style.clip(low, limits), style.clip(high, limits), color=colour, alpha=0.15,
                                lw=0, zorder=1)
            rho = _rho_text(sub, x, y) + ("" if _fits(sub, x) else ", no line")
            lines.append((None if level is None else style.task(level), rho))
        if part.language.nunique() == len(part):  # one point per language: name each, without overlaps
            to_label.append((ax, part))
        if y in ("gain", "diff"):
            style.zero_line(ax)  # no gain
        metric = part.metric.iloc[0] if "metric" in part and part.metric.nunique() == 1 else None
        title = style.task(panel)
        if len({rho for _, rho in lines}) == 1 and not lines[0][1].startswith("ρ"):  # one note for all
            lines = [(None, lines[0][1])]
        ax.set_title("\n".join([title, *(rho if name is None else f"{name}: {rho}" for name, rho in lines)])
                     if hue is not None else f"{title}: {lines[0][1]}")
        ax.set_ylabel(ylabel or (style.gain_label(metric) if y == "gain" else y))
    _x_label(fig, axes, style.volume_axis(corpus) if corpus else style.axis(x))
    if hue is not None:
        style.shared_legend(fig, axes, f"{style.column(hue)}; line: OLS fit, band: 95 % CI")
    for ax, part in to_label:  # last: the layout (legend included) is final
        fig.canvas.draw()
        style.label_points(ax, part[x], part[y], part.language)
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
    bounds = style.clip(table[[low, high]].to_numpy().T, style.DIFF_RANGE)  # gains and differences
    err = np.abs(bounds - table[estimate].to_numpy())
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


def duration_figure(curve, facet=("model", "intermediate"), corpus="CC-100"):
    """RQ2: mean gain vs intermediate steps, one line per resource tier of `corpus` (languages it lacks: the
    tier 'no volume'), CI as error bars (clipped to the range of a gain); one legend for the figure."""
    _require(curve, ["tier", "intermediate_steps", "mean", "ci_low", "ci_high"], "duration_figure")
    curve = curve.assign(panel=_labels(curve, facet))
    panels = sorted(curve.panel.unique())
    tiers = [t for t in TIER_ORDER if t in set(curve.tier)]
    colours = dict(zip(tiers, sns.color_palette(n_colors=len(tiers))))
    fig, axes = _facet_axes(len(panels), sharex=True)
    for ax, panel in zip(axes, panels):
        for marker, tier in zip(style.markers(len(tiers)), tiers):
            part = curve[(curve.panel == panel) & (curve.tier == tier)].sort_values("intermediate_steps")
            if len(part):
                ax.errorbar(part.intermediate_steps, part["mean"], yerr=_errors(part, "mean"), marker=marker,
                            capsize=3, label=tier, color=colours[tier])
        style.zero_line(ax)
        ax.set(title=panel, ylabel=style.gain_label())
    _x_label(fig, axes, style.axis("intermediate_steps"))
    style.shared_legend(fig, axes, f"{corpus} volume tier (error bars: 95 % CI)")
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


def _errors(part, estimate, limits=style.DIFF_RANGE):
    """Error-bar lengths (2, n) from a CI clipped to `limits`; NaN bounds (too few points) draw no bar."""
    bounds = style.clip(part[["ci_low", "ci_high"]].to_numpy().T, limits)
    return np.nan_to_num(np.abs(bounds - part[estimate].to_numpy()))


def intervention_figure(table):
    """RQ1: per language, mean difference (variant - reference) with CI; changed languages in red.
    One panel per (variant, quantity), languages shared down the rows; one legend for the figure."""
    _require(table, ["a", "b", "quantity", "language", "changed", "mean_diff", "ci_low", "ci_high"],
             "intervention_figure")
    panels = list(table.groupby(["a", "quantity"], sort=False))
    languages = sorted(table.language.unique())
    rows = {lang: i for i, lang in enumerate(languages)}
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels) + 0.6, 1.6 + 0.28 * len(languages)),
                             squeeze=False, sharey=True, layout="constrained")
    axes = list(axes.flat)
    for ax, ((variant, quantity), part) in zip(axes, panels):
        for changed, colour, label in ((False, "C0", "volume unchanged"), (True, "C3", "volume changed")):
            sub = part[part.changed == changed]
            if len(sub):
                ax.errorbar(sub.mean_diff, sub.language.map(rows), xerr=_errors(sub, "mean_diff"), capsize=3,
                            fmt="s" if changed else "o", color=colour, label=label)
        style.zero_line(ax, horizontal=False)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set(xlabel=f"{variant} − {part.b.iloc[0] or 'default'} (points)", title=quantity)
    axes[0].set_yticks(range(len(languages)), languages)
    axes[0].set_ylim(len(languages) - 0.5, -0.5)  # first language on top
    style.shared_legend(fig, axes, "CC-100 volume of the language (error bars: 95 % CI)")
    return fig


def params_figure(by_size):
    """RQ4: mean gain (CI over languages) vs log10 parameters, one panel per target, a line per intermediate;
    one legend for the figure."""
    _require(by_size, ["target", "intermediate", "log10_params", "mean", "ci_low", "ci_high"], "params_figure")
    targets = sorted(by_size.target.unique())
    inters = sorted(by_size.intermediate.unique())
    colours = dict(zip(inters, sns.color_palette(n_colors=len(inters))))
    markers = dict(zip(inters, style.markers(len(inters))))
    fig, axes = _facet_axes(len(targets), sharex=True)
    for ax, target in zip(axes, targets):
        for inter, part in by_size[by_size.target == target].groupby("intermediate"):
            part = part.sort_values("log10_params")
            ax.errorbar(part.log10_params, part["mean"], yerr=_errors(part, "mean"), marker=markers[inter],
                        capsize=3, label=style.task(inter), color=colours[inter])
        style.zero_line(ax)
        ax.set(title=style.task(target), ylabel=style.gain_label())
    _x_label(fig, axes, style.axis("log10_params"))
    style.shared_legend(fig, axes, "intermediate task (error bars: 95 % CI over languages)")
    return fig
