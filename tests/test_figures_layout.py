"""Every figure of the default, RQ and published-numbers analyses is readable, checked by matplotlib's own
geometry (the renderer's window extents) on the gallery study (tests/figure_gallery.py):

- no two visible texts overlap (titles, axis and figure labels, drawn tick labels, legend entries and
  titles, point labels, heatmap cells);
- no legend covers a panel's data area, and no panel is narrower than a legend of its own; faceted
  panels have a usable width and aspect;
- every CI band (fill_between) lies within its metric's range: [0, 100] for a score, [-100, 100] for a
  gain or difference.

Look at the figures themselves with `python tests/figure_gallery.py <dir>`.
"""
import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from stilts_utils.analysis import figures, style  # noqa: E402

import figure_gallery  # noqa: E402

SCORES = {"published/score_vs_cc100"}  # figures whose y is a score in [0, 100]; the rest plot gains
EXPECTED = {f"{report}/{name}" for report, names in {
    "default_report": ("gain_ci_figure", "gain_heatmap", "gain_vs_volume"),
    "rq1_volume": ("gain_heatmap", "gain_vs_volume", "intervention"),
    "rq2_duration": ("duration",),
    "rq3_translated": ("translated_minus_en", "en_translated_minus_en"),
    "rq4_model_size": ("size_effect", "gain_vs_params"),
    "rq5_typology": ("gain_by_morphology", "gain_vs_volume_by_morphology", "gain_by_word_order",
                     "gain_vs_volume_by_word_order"),
    "published": ("score_vs_cc100", "large_minus_base_vs_cc100")}.items() for name in names}


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    figures.set_style()
    found = figure_gallery.render(tmp_path_factory.mktemp("gallery") / "study", n_boot=20, tables=False)
    for fig in found.values():
        FigureCanvasAgg(fig).draw()  # the reports close their figures: draw each on a canvas of its own
    return found


def _drawn_tick_labels(axis):
    low, high = sorted(axis.get_view_interval())
    pad = 1e-9 * max(1.0, abs(high - low))
    return [t.label1 for t in axis.get_major_ticks() if low - pad <= t.get_loc() <= high + pad]


def _legends(fig):
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


def visible_texts(fig):
    """(what, Text) of every text a reader sees."""
    found = [("figure text", t) for t in fig.texts]
    found += [("figure label", t) for t in (fig._supxlabel, fig._supylabel, fig._suptitle) if t is not None]
    for i, ax in enumerate(a for a in fig.axes if a.get_visible()):
        found += [(f"panel {i} title", t) for t in (ax.title, ax._left_title, ax._right_title)]
        found += [(f"panel {i} x label", ax.xaxis.label), (f"panel {i} y label", ax.yaxis.label)]
        found += [(f"panel {i} x tick", t) for t in _drawn_tick_labels(ax.xaxis)]
        found += [(f"panel {i} y tick", t) for t in _drawn_tick_labels(ax.yaxis)]
        found += [(f"panel {i} text", t) for t in ax.texts]
    for j, legend in enumerate(_legends(fig)):
        found += [(f"legend {j}", t) for t in (legend.get_title(), *legend.get_texts())]
    unique = {id(t): (what, t) for what, t in reversed(found)}  # suptitles are figure texts too: once each
    return [(what, t) for what, t in unique.values() if t.get_visible() and t.get_text().strip()]


def _shrunk(bbox, px=1.0):
    return Bbox.from_extents(bbox.x0 + px, bbox.y0 + px, bbox.x1 - px, bbox.y1 - px)


def overlapping_texts(fig):
    renderer = fig.canvas.get_renderer()
    boxes = [(what, t.get_text(), _shrunk(t.get_window_extent(renderer))) for what, t in visible_texts(fig)]
    return [(a[:2], b[:2]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a[2].overlaps(b[2])]


def bands(ax):
    """y data of every CI band (fill_between) of a panel."""
    return [np.concatenate([p.vertices[:, 1] for p in c.get_paths()]) for c in ax.collections
            if isinstance(c, PolyCollection) and c.get_paths()]


def test_the_gallery_holds_every_figure_of_the_analyses(gallery):
    assert set(gallery) == EXPECTED


def test_no_two_texts_overlap(gallery):
    clashes = {name: overlapping_texts(fig)[:3] for name, fig in gallery.items()}
    clashes = {name: c for name, c in clashes.items() if c}
    assert not clashes, "\n".join(f"{name}: {c}" for name, c in clashes.items())


def test_legends_stay_off_the_panels_and_panels_are_not_slivers(gallery):
    for name, fig in gallery.items():
        renderer = fig.canvas.get_renderer()
        panels = [ax for ax in fig.axes if ax.get_visible()]
        for legend in _legends(fig):
            box = _shrunk(legend.get_window_extent(renderer))
            covered = [i for i, ax in enumerate(panels) if box.overlaps(ax.get_window_extent(renderer))]
            assert covered == [], f"{name}: a legend covers panel(s) {covered}"
        for ax in panels:
            if ax.get_legend() is not None:
                assert ax.get_window_extent(renderer).width >= ax.get_legend().get_window_extent(renderer).width, \
                    f"{name}: a panel is narrower than its legend"
        facets = [ax for ax in panels if ax.get_label() != "<colorbar>"]
        if len(facets) > 1:
            for ax in facets:
                box = ax.get_window_extent(renderer)
                width_in, height_in = box.width / fig.dpi, box.height / fig.dpi
                assert width_in >= 1.8 and 0.6 <= width_in / height_in <= 3, \
                    f"{name}: a {width_in:.1f} x {height_in:.1f} in panel"


def test_every_band_lies_within_its_metrics_range(gallery):
    for name, fig in gallery.items():
        low, high = style.SCORE_RANGE if name in SCORES else style.DIFF_RANGE
        for ax in fig.axes:
            for y in bands(ax):
                assert low <= np.nanmin(y) and np.nanmax(y) <= high, f"{name}: band {np.nanmin(y):.1f}..{np.nanmax(y):.1f}"
    # the published PAWS-X band would reach below 0 % accuracy unclipped: it must touch 0, not cross it
    paws = next(ax for ax in gallery["published/score_vs_cc100"].axes if ax.get_title().startswith("PAWS-X"))
    assert min(np.nanmin(y) for y in bands(paws)) == 0


def _scores(values, xs=None):
    xs = np.linspace(8.5, 10.5, len(values)) if xs is None else xs
    return pd.DataFrame({"target": "tatoeba", "language": [f"l{i}" for i in range(len(values))],
                         "log10_volume_tokens": xs, "value": values, "metric": "accuracy"})


def test_a_band_near_the_floor_is_clipped_and_too_few_points_get_no_band():
    fig = figures.gain_vs_volume(_scores([0.2, 6.0, 0.1, 0.3, 0.2]), y="value")
    (y,) = bands(fig.axes[0])
    assert y.min() == 0 and y.max() <= 100
    fig = figures.gain_vs_volume(_scores([1.0, 2.0, 3.0]), y="value")
    assert bands(fig.axes[0]) == [] and "too few points" in fig.axes[0].get_title()
    assert len(fig.axes[0].lines) == 0  # no OLS line either


def test_faceted_figures_share_one_legend_with_one_colour_per_series():
    rows = [{"target": t, "language": f"l{i}", "log10_volume_tokens": 8.5 + 0.3 * i, "intermediate": inter,
             "gain": i * (1 + k), "metric": "accuracy"}
            for t in ("xnli", "udpos", "xquad", "tatoeba", "mlqa") for k, inter in enumerate(("mnli", "qqp"))
            for i in range(6) if not (t == "udpos" and inter == "mnli")]  # a level missing from one panel
    fig = figures.gain_vs_volume(pd.DataFrame(rows), hue="intermediate")
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["MNLI", "QQP"]
    qqp = {tuple(ax.collections[-1].get_facecolor()[0][:3]) for ax in fig.axes if ax.get_visible()}
    assert len(qqp) == 1  # QQP has the same colour in every panel, udpos (QQP only) included
