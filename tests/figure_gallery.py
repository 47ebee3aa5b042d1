"""Every figure of the default, RQ and published-numbers analyses, without a study run.

A synthetic study folder shaped like the default sandbox study (en + 11 ladder languages, four targets of
each kind, three intermediate tasks, three seeds), widened so that every report has something to draw
(two models, two world variants, three kinds of intermediate data, two checkpoints); scores sit in each
target's realistic range (Tatoeba near 0, so CI bands would cross the metric's floor). The published
figures use the packaged published numbers, as notebooks/published_numbers.py does.

    python tests/figure_gallery.py [out_dir]     # writes <name>.png of every figure, to look at

tests/test_figures_layout.py checks the same figures' geometry. Numbers are synthetic: never real results.
"""
from __future__ import annotations

import itertools
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from stilts_utils import reference  # noqa: E402
from stilts_utils.analysis import effects, figures, reports  # noqa: E402
from synthetic import run_meta  # noqa: E402

# code: (CC-100 volume in millions of tokens, word order, morphology): the ladder's three volume levels
LANGS = {"en": (55608, "SVO", "analytic"), "xa": (10297, "SVO", "fusional"), "xb": (275, "SVO", "fusional"),
         "xc": (10297, "SVO", "fusional"), "xd": (275, "SVO", "fusional"), "xe": (2736, "SVO", "fusional"),
         "xf": (2736, "SVO", "fusional"), "xg": (2736, "SVO", "agglutinative"),
         "xh": (2736, "SOV", "agglutinative"), "xi": (2736, "VSO", "fusional"),
         "xj": (2736, "reversed", "fusional"), "xk": (10297, "SVO", "fusional")}
VARIANTS = {"": {}, "xb-x10": {"xb": 10.0}}
MODELS = {"sandbox-small": 3_000_000, "sandbox-large": 30_000_000}
TARGETS = {"xnli": ("accuracy", 35, 70), "udpos": ("f1", 20, 80), "xquad": ("f1", 3, 30),
           "tatoeba": ("accuracy", 0.5, 8)}  # metric, score of the lowest and of the highest volume
INTERMEDIATES = {"mnli": 2.0, "squad": 1.0, "qqp": -0.5}
DATAS = {"en": 100, "translated": 160, "en+translated": 260}  # steps of a full phase-2 run


def results_table(seeds=(0, 1, 2)) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    configs = [("none", "en", 1.0)] + list(itertools.product(INTERMEDIATES, DATAS, (0.5, 1.0)))
    for model, variant, seed, target in itertools.product(MODELS, VARIANTS, seeds, TARGETS):
        metric, low, high = TARGETS[target]
        for inter, data, fraction in configs:
            steps = 0 if inter == "none" else int(DATAS[data] * fraction)
            meta = run_meta("gallery", model, MODELS[model], inter, data, steps, target, seed, variant)
            for lang in LANGS:
                if target == "tatoeba" and lang == "en":
                    continue
                v = np.log10(LANGS[lang][0] * VARIANTS[variant].get(lang, 1.0))
                share = (v - np.log10(275)) / (np.log10(55608) - np.log10(275))
                score = low + (high - low) * share + 4 * (model == "sandbox-large")
                if inter != "none":
                    score += (INTERMEDIATES[inter] + 0.8 * (5 - v)) * fraction + (data != "en")
                score = float(np.clip(score + rng.normal(0, 1.5 if target != "tatoeba" else 0.6), 0, 100))
                rows.append({**meta, "language": lang, "split": "test", "metric": metric, "value": score})
    return pd.DataFrame(rows)


def write_study(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    results_table().to_parquet(path / "results.parquet", index=False)
    pd.DataFrame([{"language": lang, "name": lang.upper(), "family": "sandbox", "script": "Latn",
                   "cc100_tokens_m": LANGS[lang][0] * VARIANTS[v].get(lang, 1.0), "word_order": LANGS[lang][1],
                   "morphology": LANGS[lang][2], "variant": v} for v in VARIANTS for lang in LANGS]
                 ).to_csv(path / "languages.csv", index=False)
    return path


def published_figures(n_boot=0) -> dict:
    """The two figures of notebooks/published_numbers.py, with the notebook's calls and parameters."""
    published = reference.published_results()
    zero_shot = reference.join_languages(
        published[published.metric.isin(["accuracy", "f1"]) & (published.language != "en")])
    size_pairs = reference.join_languages(
        effects.pair_up(zero_shot, "model", "xlm-roberta-large", "xlm-roberta-base", value="value"))
    return {"score_vs_cc100": figures.gain_vs_volume(zero_shot, x="log10_cc100_tokens", y="value", facet="target", hue="model",
                                                     ylabel="zero-shot score"),
            "large_minus_base_vs_cc100": figures.gain_vs_volume(size_pairs, x="log10_cc100_tokens", y="diff", facet="target",
                                                                ylabel="Large − Base (points)")}


REPORTS = (reports.default_report, reports.rq1_volume, reports.rq2_duration, reports.rq3_translated,
           reports.rq4_model_size, reports.rq5_typology)


def render(study_dir: Path, n_boot=50, out_dir: Path | None = None, tables=True) -> dict:
    """{"<report>/<figure>": Figure} of every report on the gallery study and the published figures;
    with out_dir, each is also written as <out_dir>/<report>__<figure>.png. tables=False skips writing the
    reports' tables (faster)."""
    study_dir = write_study(Path(study_dir))
    found = {}
    original, original_table = figures.save_figure, figures.save_table

    def keep(fig, _dir, name):
        found[f"{report.__name__}/{name}"] = fig
        if out_dir is not None:
            fig.savefig(Path(out_dir) / f"{report.__name__}__{name}.png", dpi=110, bbox_inches="tight")
        return []

    figures.save_figure = keep
    if not tables:
        figures.save_table = lambda *args, **kwargs: []
    try:
        for report in REPORTS:
            report(study_dir, n_boot=n_boot)
    finally:
        figures.save_figure, figures.save_table = original, original_table
    for name, fig in published_figures().items():
        found[f"published/{name}"] = fig
        if out_dir is not None:
            fig.savefig(Path(out_dir) / f"published__{name}.png", dpi=110, bbox_inches="tight")
    return found


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "gallery")
    out.mkdir(parents=True, exist_ok=True)
    figures.set_style()
    for name in render(out / "study", out_dir=out):
        print(name)
