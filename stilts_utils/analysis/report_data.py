"""Shared steps of the analysis reports (`reports.py`): read one study folder, keep each
target's headline score, compute gains, pick slices, and export what a report shows.

A study folder is read through `results.parquet`, `languages.csv` and `models.csv` only (written by the
runner; a folder without `models.csv` counts every volume in CC-100); executed notebooks and anything outside
the folder are never read.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .. import reference
from ..tasks import REGISTRY
from . import effects, figures
from .locate import in_repo

SOURCE = "en"  # every model is fine-tuned on English: its scores are not zero-shot transfer
ENCODER = ["model", "variant", "intermediate", "intermediate_data", "mlm_weight", "seed"]  # one phase-2 run
EN_NOTE = f"'{SOURCE}' (the training language) is excluded from every cross-lingual gain summary"


@dataclass
class Study:
    """One study folder, prepared once per report."""

    dir: Path
    scores: pd.DataFrame  # headline rows (baseline included) with language metadata
    gains: pd.DataFrame  # intermediate rows with baseline_value, gain and language metadata
    languages: pd.DataFrame
    variants: list  # reference variant first
    data: str  # the intermediate data of the main slice ("en" when present)
    main_model: str  # the largest model: figures show it, tables hold every model
    mlm: float = 0.0  # the continued-MLM weight of the main slice (0 when present)
    corpora: dict = field(default_factory=dict)  # model -> the pretraining corpus its volumes are counted in
    n_boot: int = 2000
    seed: int = 0
    notes: list = field(default_factory=list)  # (topic, note) pairs

    @property
    def models(self):
        return sorted(self.scores.model.unique())

    def corpus(self, model: str | None = None) -> str:
        """The title of a model's pretraining corpus (the main model's by default), e.g. "mC4"."""
        return reference.corpus_title(self.corpora.get(model or self.main_model, reference.DEFAULT_CORPUS))


def load(study_dir) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The results table and the language table of one study folder."""
    study_dir = in_repo(study_dir)  # relative: to the repository root, whatever the kernel's cwd
    results = pd.read_parquet(study_dir / "results.parquet")
    languages = pd.read_csv(study_dir / "languages.csv")
    for df in (results, languages):  # "" is written as an empty CSV cell and read back as NaN
        df["variant"] = df["variant"].fillna("").astype(str) if "variant" in df else ""
    if "mlm_weight" not in results:  # results made before the column: no run continued MLM
        results.insert(results.columns.get_loc("intermediate_data") + 1, "mlm_weight", 0.0)
    return results, languages


def corpora(study_dir) -> dict:
    """{model: pretraining corpus} from the study folder's `models.csv` ({} where the run wrote none)."""
    path = in_repo(study_dir) / "models.csv"
    if not path.exists():
        return {}
    table = pd.read_csv(path)
    return dict(zip(table.model.astype(str), table.volume_corpus.astype(str)))


def headline(results: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Each target's headline metric on `test` (on `dev` for a target without test rows); `select` dropped."""
    unknown = sorted(set(results.target) - set(REGISTRY))
    if unknown:
        raise ValueError(f"targets {unknown} are not in the task registry: no headline metric known")
    df = results[(results.split != "select") & (results.metric == results.target.map(lambda t: REGISTRY[t].metric))]
    with_test = set(df.target[df.split == "test"])
    df = df[df.split == df.target.map(lambda t: "test" if t in with_test else "dev")]
    notes = [(f"target {t}", f"{part.metric.iloc[0]} on {part.split.iloc[0]} split, "
                             f"{part.language.nunique()} languages")
             for t, part in df.groupby("target")]
    return df.reset_index(drop=True), notes


def variant_order(languages: pd.DataFrame, scores: pd.DataFrame) -> list[str]:
    """The study's world variants that have scores, the reference first: the default world ("") when
    there is one, else the first variant the study names (its `{}`, as in params/rq1_volume.yaml)."""
    variants = [v for v in dict.fromkeys(languages.variant) if v in set(scores.variant)]
    return sorted(variants, key=lambda v: v != "")


def prepare(study_dir, n_boot=2000, seed=0) -> Study:
    """Load a study folder, keep headline scores, compute gains and join the language metadata."""
    results, languages = load(study_dir)
    scores, notes = headline(results)
    if scores.empty:
        raise ValueError(f"{study_dir}: no headline test/dev rows in results.parquet")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gains = effects.gains(scores)
    notes += [("gains", str(w.message)) for w in caught if issubclass(w.category, UserWarning)]
    variants = variant_order(languages, scores)
    data = SOURCE if SOURCE in set(gains.intermediate_data) else (
        gains.intermediate_data.mode().iloc[0] if len(gains) else SOURCE)
    sizes = (gains if len(gains) else scores).groupby("model").model_params.max().sort_values(kind="stable")
    weights = set(gains.mlm_weight) if len(gains) else {0.0}
    mlm = 0.0 if 0.0 in weights else min(weights)
    used = corpora(study_dir)
    study = Study(in_repo(study_dir), reference.join_languages(scores, languages, used),
                  reference.join_languages(gains, languages, used), languages, variants, data, sizes.index[-1],
                  mlm, used, n_boot, seed, notes)
    study.notes += [("languages", EN_NOTE),
                    ("main slice", f"variant {variants[0]!r}, intermediate data {data!r}, continued-MLM weight "
                                   f"{mlm:g}, last checkpoint of each phase-2 run; figures show "
                                   f"{study.main_model!r}"),
                    ("volume", "log10 tokens of each language in the model's own pretraining corpus: "
                               + ", ".join(f"{m}: {study.corpus(m)}" for m in study.models)
                               + "; a language the corpus lacks has no volume (tier 'no volume')"),
                    ("seeds", "seeds are averaged first: one unit per (configuration, language)")]
    return study


def last_checkpoint(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of each phase-2 run's last checkpoint (largest `intermediate_steps`; 0 for the baseline)."""
    last = df.groupby(ENCODER, dropna=False).intermediate_steps.transform("max")
    return df[df.intermediate_steps == last]


def main_slice(study: Study, df: pd.DataFrame, variant=True, data=True, steps=True, mlm=True) -> pd.DataFrame:
    """Reference variant, main intermediate data, main MLM weight and last checkpoint (each can be left free)."""
    if variant:
        df = df[df.variant == study.variants[0]]
    if data:
        df = df[(df.intermediate_data == study.data) | (df.intermediate == effects.BASELINE)]
    if mlm:
        df = df[(df.mlm_weight == study.mlm) | (df.intermediate == effects.BASELINE)]
    return last_checkpoint(df) if steps else df


def cross_lingual(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of the zero-shot target languages (the training language dropped); seeds kept."""
    return df[df.language != SOURCE]


def too_few(analysis_name: str, n: int, reason: str) -> pd.DataFrame:
    """The one-row table shown instead of a statistic (or a figure) that the study cannot support."""
    return pd.DataFrame([{"analysis": analysis_name, "n": n, "note": f"too few: {reason}"}])


def add_table(study: Study, out: dict, name: str, df: pd.DataFrame) -> None:
    """Save `df` as tables/<name>.csv/.tex and keep it under `name`."""
    figures.save_table(df, study.dir / "tables", name)
    out[name] = df


def add_figure(study: Study, out: dict, name: str, fig) -> None:
    """Save `fig` as figures/<name>.pdf/.png/.svg, keep it under `name` and close it (no double display)."""
    figures.save_figure(fig, study.dir / "figures", name)
    plt.close(fig)
    out[name] = fig


def add_main_model(study: Study, out: dict, name: str, df: pd.DataFrame, make, needs=()) -> None:
    """`make(rows of the main model)`: per-language figures show one model; the tables hold every model.

    Rows lacking a value in `needs` (e.g. a volume) are dropped first; with none left the figure is skipped.
    """
    part = df[df.model == study.main_model].dropna(subset=list(needs))
    if part.empty:
        skip(study, out, name, too_few(name, 0, f"no rows of {study.main_model!r} with {', '.join(needs)}"))
    else:
        add_figure(study, out, name, make(part))


def skip(study: Study, out: dict, name: str, table: pd.DataFrame) -> None:
    """A figure the study cannot support: its key holds the 'too few' table, no file is written."""
    out[name] = table
    for stale in (study.dir / "figures").glob(f"{name}.*"):  # left by an earlier run with more data
        if stale.suffix[1:] in figures.FORMATS:
            stale.unlink()
    study.notes.append((f"figure {name}", table.note.iloc[0]))


def finish(study: Study, out: dict, report: str) -> dict:
    """Save the notes table (`<report>_notes`) and return the report with `notes` first."""
    notes = pd.DataFrame(study.notes, columns=["topic", "note"]).drop_duplicates()
    figures.save_table(notes, study.dir / "tables", f"{report}_notes")
    return {"notes": notes, **out}
