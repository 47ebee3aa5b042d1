"""One function per analysis notebook. Each reads one study folder (results.parquet, languages.csv),
saves its figures under <study_dir>/figures (pdf/png/svg) and its tables under <study_dir>/tables
(csv/tex), and returns a dict of what the notebook displays.

Each report has fixed keys. A key whose statistic or figure the study cannot support (one model, one
checkpoint, ...) holds a one-row table saying "too few: ..." instead; no empty figure is ever saved.
Gains are summarised over target languages other than English (the training language).
"""
import numpy as np
import pandas as pd

from .. import reference
from . import effects, figures, replication, seeds
from . import report_data as rd

VOLUME = "log10_volume_tokens"  # in each model's own pretraining corpus (reference.add_volume)
BY = ["model", "intermediate", "target"]


def default_report(study_dir, n_boot=2000, seed=0, tolerance=replication.TOLERANCE) -> dict:
    """Gains with CIs over seeds, the noise floor, transfer ratios, gain heatmap, gain vs CC-100 volume
    (figure, correlations, OLS + MixedLM), the score table, the baseline against the published numbers
    (`replication`), continued MLM against none (where the study ran both) and, for the sandbox, the
    phase-1 report."""
    study = rd.prepare(study_dir, n_boot, seed)
    out = {**_uncertainty(study), **_volume(study), **_mlm(study)}
    check = replication.compare(rd.main_slice(study, study.scores), tolerance)
    rd.add_table(study, out, "replication", check if (check.status != replication.NOT_PUBLISHED).any() else
                 rd.too_few("replication", 0, f"nothing published for {', '.join(study.models)}"))
    phase1 = study.dir / "phase1_report.csv"
    if phase1.exists():
        rd.add_table(study, out, "phase1_report", pd.read_csv(phase1, keep_default_na=False, na_values=[""]))
    return rd.finish(study, out, "default")


def _uncertainty(study) -> dict:
    """Every gain with its 95 % CI over seeds (pooled: over seeds and languages), the seed-to-seed SD and
    the transfer ratio (score - chance) / (en - chance) per language."""
    out = {}
    gains = rd.cross_lingual(rd.main_slice(study, study.gains))
    scores = rd.main_slice(study, study.scores)
    pooled = seeds.pooled(gains) if len(gains) else rd.too_few("gain CI", 0, "no intermediate rows")
    rd.add_table(study, out, "gain_ci", pooled)
    rd.add_table(study, out, "gain_ci_per_language", seeds.per_language(gains) if len(gains) else pooled)
    rd.add_table(study, out, "seed_noise", seeds.noise_floor(rd.cross_lingual(scores)))
    ratio = seeds.transfer_ratio(scores).dropna(subset=["transfer_ratio"])
    rd.add_table(study, out, "transfer_ratio", seeds.per_language(ratio, "transfer_ratio") if len(ratio)
                 else rd.too_few("transfer ratio", 0, "no target with an English score above chance"))
    if len(gains) and "ci_low" in pooled:
        rd.add_main_model(study, out, "gain_ci_figure", pooled, figures.gain_ci_figure)
    else:
        rd.skip(study, out, "gain_ci_figure", pooled)
    study.notes.append(("uncertainty", "CIs are 95 % Student-t intervals over seeds (pooled gains: over seeds "
                                       "and languages); * / distinguishable = CI excludes 0"))
    return out


def _volume(study) -> dict:
    out = {}
    gains = rd.cross_lingual(rd.main_slice(study, study.gains))
    units = _with_seed_ci(effects.average_seeds(gains), gains) if len(gains) else gains
    if units.empty:
        none = rd.too_few("gain vs volume", 0, "no intermediate rows outside en with a matching baseline")
        for name in ("gain_heatmap", "gain_vs_volume"):
            rd.skip(study, out, name, none)
        rd.add_table(study, out, "volume_correlation", none)
        rd.add_table(study, out, "volume_regression", none)
    else:
        rd.add_main_model(study, out, "gain_heatmap", gains, figures.gain_heatmap)
        rd.add_main_model(study, out, "gain_vs_volume", units,
                          lambda part: figures.gain_vs_volume(part, hue="intermediate", corpus=study.corpus()),
                          needs=[VOLUME])
        corr = effects.correlate(units, VOLUME, "gain", by=BY, n_boot=study.n_boot, seed=study.seed)
        rd.add_table(study, out, "volume_correlation", _with_corpus(study, corr))
        rd.add_table(study, out, "volume_regression", _with_corpus(study, _regressions(units)))
    rd.add_table(study, out, "scores", score_table(study))
    return out


def _mlm(study) -> dict:
    """The paper's alternative, continued multilingual MLM in phase 2 (`mlm_weight`), against none: the paired
    gain difference (MLM weight w minus 0) per (model, intermediate, target) with bootstrap CIs, as RQ3's
    translated minus en; units are (configuration, language), seeds averaged, last checkpoints."""
    out = {}
    gains = rd.cross_lingual(rd.main_slice(study, study.gains, mlm=False)).drop(columns="intermediate_steps")
    weights = sorted(w for w in set(gains.mlm_weight) if w != 0) if len(gains) else []
    tables = [effects.paired_difference(gains, "mlm_weight", w, 0.0, by=BY, n_boot=study.n_boot, seed=study.seed)
              for w in weights if not effects.pair_up(gains, "mlm_weight", w, 0.0).empty]
    if not tables:
        none = rd.too_few("continued MLM vs none", 0, "no configuration ran with mlm_weight > 0 and with 0 "
                                                     "(study `mlm_weight: [0.0, w]`)")
        rd.add_table(study, out, "mlm_difference", none)
        rd.skip(study, out, "mlm_minus_none", none)
        return out
    table = pd.concat(tables, ignore_index=True)
    rd.add_table(study, out, "mlm_difference", table)
    labels = table.assign(a=[f"MLM {w:g}" for w in table.a], b="no MLM")  # axis text, not 0.5 − 0.0
    rd.add_figure(study, out, "mlm_minus_none", figures.paired_difference_figure(labels))
    study.notes.append(("continued MLM", "mlm_difference: gain with continued MLM (share mlm_weight of the "
                                         "phase-2 batches) minus gain without, matched on (model, intermediate, "
                                         "target, language), seeds averaged; bootstrap 95 % CI, Wilcoxon + Holm"))
    return out


def _with_corpus(study, table) -> pd.DataFrame:
    """A per-model table with the pretraining corpus its volumes are counted in, beside the model."""
    if "model" not in table:
        return table
    out = table.assign(volume_corpus=table.model.map(study.corpus))
    cols = list(out.columns)
    cols.insert(cols.index("model") + 1, cols.pop(cols.index("volume_corpus")))
    return out[cols]


def _with_seed_ci(units, gains) -> pd.DataFrame:
    """Seed-mean units with the 95 % CI over seeds of each (configuration, language) gain."""
    ci = seeds.per_language(gains)
    keys = [c for c in [*seeds.CONFIG, "language"] if c in units.columns and c in ci.columns]
    return units.merge(ci[[*keys, "ci_low", "ci_high"]], on=keys, how="left", validate="1:1")


def _regressions(units) -> pd.DataFrame:
    """gain ~ log10 volume per (model, intermediate): OLS (HC3) and MixedLM with a target intercept."""
    # regress calls the fit kind (ols_hc3 / mixedlm) "model": renamed to `fit`, "model" is the encoder
    fits = [effects.regress(part, f"gain ~ {VOLUME}", group="target").rename(columns={"model": "fit"})
            .assign(**key) for key, part in effects.groups(units, ["model", "intermediate"])]
    out = pd.concat(fits, ignore_index=True)
    return out[["model", "intermediate", *[c for c in out.columns if c not in ("model", "intermediate")]]]


def score_table(study) -> pd.DataFrame:
    """Seed-mean headline score per (model, intermediate, target) and language, baseline included."""
    df = effects.average_seeds(rd.main_slice(study, study.scores), "value")
    keys = ["model", "intermediate", "target", "metric", "split"]
    wide = df.pivot_table(index=keys, columns="language", values="value").reset_index()
    wide.columns.name = None
    others = [c for c in wide.columns if c not in keys and c != rd.SOURCE]
    return wide.assign(mean_without_en=wide[others].mean(axis=1))


def rq1_volume(study_dir, n_boot=2000, seed=0) -> dict:
    """RQ1: the default volume analysis plus the variant intervention (one language's volume changed)."""
    study = rd.prepare(study_dir, n_boot, seed)
    out = _volume(study)
    names = ("intervention_difference", "intervention_did")
    if len(study.variants) < 2:
        none = rd.too_few("intervention", len(study.variants),
                          "one world variant; the intervention compares >= 2 variants")
        for name in names:
            rd.add_table(study, out, name, none)
        rd.skip(study, out, "intervention", none)
    else:
        diff, did = _intervention(study)
        rd.add_table(study, out, names[0], diff)
        rd.add_table(study, out, names[1], did)
        if "mean_diff" not in diff:  # the "too few" table
            rd.skip(study, out, "intervention", diff)
        else:
            main = diff[diff.model == study.main_model]
            rd.add_figure(study, out, "intervention", figures.intervention_figure(main if len(main) else diff))
    return rd.finish(study, out, "rq1")


def _intervention(study):
    """Each variant minus the reference, per language (gain and score), and the difference-in-differences."""
    ref = study.variants[0]
    volume = study.languages.set_index(["language", "variant"]).cc100_tokens_m.unstack()
    diffs, dids = [], []
    for variant in study.variants[1:]:
        changed = [lang for lang in volume.index if not np.isclose(volume.at[lang, variant],
                                                                   volume.at[lang, ref], equal_nan=True)]
        for quantity, df, value in (("gain", study.gains, "gain"), ("score", study.scores, "value")):
            df = rd.main_slice(study, df, variant=False)
            pairs = effects.pair_up(df, "variant", variant, ref, value) if len(df) else pd.DataFrame()
            if pairs.empty:
                study.notes.append(("intervention", f"{quantity}: no configuration ran in both {variant!r} "
                                                    f"and {ref!r}"))
                continue
            table = effects.paired_difference(df, "variant", variant, ref, value, by=("model", "language"),
                                               n_boot=study.n_boot, seed=study.seed)
            diffs.append(table.assign(quantity=quantity, changed=table.language.isin(changed),
                                      volume_a=table.language.map(volume[variant]),
                                      volume_b=table.language.map(volume[ref])))
            dids += [_did(pairs, lang, changed, study).assign(a=variant, b=ref, quantity=quantity)
                     for lang in changed]
    study.notes.append(("intervention", f"reference variant {ref!r}; units are (intermediate, target) "
                                        "configurations; did = changed-language difference minus the mean "
                                        "difference of the unchanged languages (en excluded) of the same unit"))
    none = rd.too_few("intervention", 0, "no configuration ran in two variants")
    return (pd.concat(diffs, ignore_index=True) if diffs else none,
            pd.concat(dids, ignore_index=True) if dids else none)


def _did(pairs, language, changed, study) -> pd.DataFrame:
    unit = [c for c in pairs.columns if c not in ("language", "value_a", "value_b", "diff", "a", "b")]
    control = pairs[~pairs.language.isin(changed) & (pairs.language != rd.SOURCE)]
    control = control.groupby(unit, dropna=False)["diff"].agg(["mean", "size"])
    treated = pairs[pairs.language == language].set_index(unit)["diff"]
    both = control.join(treated.rename("treated"), how="inner").reset_index()
    both = both.assign(did=both.treated - both["mean"])
    out = effects.summarize(both, ["model"], "did", study.n_boot, study.seed)
    return out.assign(language=language, n_control_languages=int(both["size"].max()) if len(both) else 0)


def rq2_duration(study_dir, n_boot=2000, seed=0) -> dict:
    """RQ2: gain vs intermediate steps per volume tier (each model's own pretraining corpus; languages it
    lacks form the tier 'no volume'), and last minus first checkpoint per tier."""
    study = rd.prepare(study_dir, n_boot, seed)
    out = {}
    gains = rd.cross_lingual(rd.main_slice(study, study.gains, steps=False))
    n_steps = gains.groupby(["model", "intermediate"]).intermediate_steps.transform("nunique")
    gains = gains[n_steps >= 2]
    if gains.empty:
        none = rd.too_few("duration", int(n_steps.max()) if len(n_steps) else 0,
                          "one phase-2 duration per configuration; a duration curve needs >= 2 (study "
                          "`phase2_budgets`, or the cheaper `checkpoints`)")
        rd.add_table(study, out, "duration_curve", none)
        rd.add_table(study, out, "duration_change", none)
        rd.skip(study, out, "duration", none)
        return rd.finish(study, out, "rq2")
    curve = effects.duration_curve(gains, by=("model", "intermediate"), n_boot=n_boot, seed=seed)
    rd.add_table(study, out, "duration_curve", _with_corpus(study, curve))
    rd.add_table(study, out, "duration_change", _with_corpus(study, _duration_change(study, gains)))
    rd.add_figure(study, out, "duration", figures.duration_figure(curve, corpus=study.corpus()))
    study.notes.append(("tiers", "low/mid/high = tertiles of each model's pretraining-corpus volume over the "
                                 "non-English languages; 'no volume' = languages that corpus lacks"))
    return rd.finish(study, out, "rq2")


def _duration_change(study, gains) -> pd.DataFrame:
    tiers = effects.language_tiers(gains).groupby(["model", "language"]).tier.first()
    parts = []
    for key, part in effects.groups(gains, ["model", "intermediate"]):
        first, last = part.intermediate_steps.min(), part.intermediate_steps.max()
        pairs = effects.pair_up(part, "intermediate_steps", last, first)
        pairs = pairs.assign(tier=[tiers.get((m, lang)) for m, lang in zip(pairs.model, pairs.language)])
        summary = effects.summarize(pairs, ["model", "intermediate", "tier"], "diff", study.n_boot, study.seed)
        parts.append(summary.assign(steps_first=first, steps_last=last))
    return pd.concat(parts, ignore_index=True)


def rq3_translated(study_dir, n_boot=2000, seed=0) -> dict:
    """RQ3: paired gain differences of each translated data kind minus en (`translated`, `translated:<lang>`,
    `en+translated`, ...: each its own rows), and their link to volume."""
    study = rd.prepare(study_dir, n_boot, seed)
    out, tables, pairs = {}, [], []
    # steps differ between data sources (more data, more steps): compare last checkpoints, not steps
    gains = rd.cross_lingual(rd.main_slice(study, study.gains, data=False)).drop(columns="intermediate_steps")
    kinds = sorted(set(gains.intermediate_data) - {"en"}, key=lambda d: (d.partition(":")[2] != "", d))
    # one figure per family: translated (into all, or into one language) and English + translated
    for family, figure in (("translated", "translated_minus_en"), ("en+translated", "en_translated_minus_en")):
        found = []
        for a in [d for d in kinds if d.partition(":")[0] == family]:
            matched = effects.pair_up(gains, "intermediate_data", a, "en")
            if matched.empty:
                continue
            found.append(effects.paired_difference(gains, "intermediate_data", a, "en", by=BY, n_boot=n_boot,
                                                   seed=seed))
            pairs.append(matched)
        if not found:
            rd.skip(study, out, figure, rd.too_few(f"{family} - en", 0,
                                                   f"no configuration has both {family!r} and 'en'"))
            continue
        tables += found
        rd.add_figure(study, out, figure, figures.paired_difference_figure(pd.concat(found, ignore_index=True)))
    if not tables:
        none = rd.too_few("translated vs en", 0, "intermediate data has no 'translated'/'en+translated' "
                                                 "level next to 'en'")
        rd.add_table(study, out, "translated_difference", none)
        rd.add_table(study, out, "translated_vs_volume", none)
        return rd.finish(study, out, "rq3")
    rd.add_table(study, out, "translated_difference", pd.concat(tables, ignore_index=True))
    pairs = reference.join_languages(pd.concat(pairs, ignore_index=True), study.languages, study.corpora)
    corr = effects.correlate(pairs, VOLUME, "diff", by=["a", *BY], n_boot=n_boot, seed=seed)
    rd.add_table(study, out, "translated_vs_volume", _with_corpus(study, corr))
    return rd.finish(study, out, "rq3")


def rq4_model_size(study_dir, n_boot=2000, seed=0) -> dict:
    """RQ4: largest minus smallest model gain on QA targets, and mean gain vs log10 parameters."""
    study = rd.prepare(study_dir, n_boot, seed)
    out = {}
    gains = rd.cross_lingual(rd.main_slice(study, study.gains)).drop(columns="intermediate_steps")
    sizes = gains.groupby("model").model_params.first()
    qa = [t for t in effects.QA_TARGETS if t in set(gains.target)]
    if len(sizes) < 2:
        none = rd.too_few("model size", len(sizes), "one model; RQ4 needs >= 2 model sizes")
        for name in ("size_interaction", "gain_by_size"):
            rd.add_table(study, out, name, none)
        for name in ("size_effect", "gain_vs_params"):
            rd.skip(study, out, name, none)
        return rd.finish(study, out, "rq4")
    if qa:
        table = effects.size_interaction(gains, qa, ("intermediate", "target"), n_boot, seed)
        rd.add_table(study, out, "size_interaction", table)
        rd.add_figure(study, out, "size_effect", figures.size_figure(table))
    else:
        none = rd.too_few("size interaction", 0, f"no QA target ({', '.join(effects.QA_TARGETS)})")
        rd.add_table(study, out, "size_interaction", none)
        rd.skip(study, out, "size_effect", none)
    by_size = effects.summarize(effects.average_seeds(gains), ["target", "intermediate", "model", "model_params"],
                                 "gain", n_boot, seed)
    by_size.insert(4, "log10_params", np.log10(by_size.model_params.astype(float)))
    rd.add_table(study, out, "gain_by_size", by_size.assign(qa=by_size.target.isin(effects.QA_TARGETS)))
    rd.add_figure(study, out, "gain_vs_params", figures.params_figure(by_size))
    study.notes.append(("model size", f"size_interaction compares the largest with the smallest of "
                                      f"{len(sizes)} models, matched on (intermediate, target, language)"))
    return rd.finish(study, out, "rq4")


def rq5_typology(study_dir, n_boot=2000, seed=0) -> dict:
    """RQ5: gain by morphology and word order (contrast with the commonest level), and volume within groups."""
    study = rd.prepare(study_dir, n_boot, seed)
    out = {}
    gains = rd.cross_lingual(rd.main_slice(study, study.gains))
    for feature in ("morphology", "word_order"):
        levels = gains[feature].dropna().nunique() if feature in gains else 0
        if levels < 2:
            none = rd.too_few(feature, levels, f"{levels} {feature} level(s) among the target languages")
            for name in (f"typology_{feature}", f"volume_within_{feature}"):
                rd.add_table(study, out, name, none)
            for name in (f"gain_by_{feature}", f"gain_vs_volume_by_{feature}"):
                rd.skip(study, out, name, none)
            continue
        contrast = effects.typology_contrast(gains, feature, by=BY, n_boot=n_boot, seed=seed)
        rd.add_table(study, out, f"typology_{feature}", contrast)
        rd.add_figure(study, out, f"gain_by_{feature}", figures.typology_figure(contrast, feature))
        units = effects.average_seeds(gains)
        pooled = units.groupby(["model", "intermediate", "language", feature, VOLUME], as_index=False).gain.mean()
        corr = [effects.correlate(df, VOLUME, "gain", by=[*BY, feature], n_boot=n_boot, seed=seed)
                for df in (units, pooled.assign(target="mean over targets"))]
        rd.add_table(study, out, f"volume_within_{feature}", _with_corpus(study, pd.concat(corr, ignore_index=True)))
        rd.add_main_model(study, out, f"gain_vs_volume_by_{feature}", pooled,
                          lambda part, f=feature: figures.gain_vs_volume(part, facet=f, hue="intermediate",
                                                                         ylabel="mean gain over targets",
                                                                         corpus=study.corpus()))
    study.notes.append(("typology", "languages are the units; reference level = the commonest one; Holm is "
                                    "applied within the per-target rows and within the pooled rows separately"))
    return rd.finish(study, out, "rq5")


def explorer_data(study_dir) -> pd.DataFrame:
    """Every headline score (baseline rows included, gain NaN there) with language metadata, per seed."""
    study = rd.prepare(study_dir, n_boot=0)
    base = study.scores[study.scores.intermediate == effects.BASELINE]
    return pd.concat([base, study.gains], ignore_index=True)
