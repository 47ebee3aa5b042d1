"""`python -m stilts_utils summary STUDY.yaml`: the headline numbers of a finished study as Markdown, for
notes, write-ups and the README (which takes them from this command, never by hand).

Per (model, target, intermediate task): the English score, the mean zero-shot score over the other
languages and the transfer ratio, all seed means; the mean zero-shot gain over the baseline with its
95 % CI over seeds and languages, and whether that CI excludes zero; and the seed-to-seed SD (the noise
floor a gain must clear). Then whether the baseline reproduces the published numbers (replication.py), and
for an XTREME-R study (`benchmark: xtreme-r`) its XTREME-R score per model and intermediate task.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..study.config import load_study
from ..study.identity import StudyPaths
from ..tasks import xtreme_r_tasks
from . import replication, report_data, seeds
from .effects import BASELINE, gains

KEYS = ["model", "target", "metric", "intermediate"]


def _main(study_dir) -> pd.DataFrame:
    """English-data rows of the reference world variant, each phase-2 run's last checkpoint."""
    results, languages = report_data.load(study_dir)
    head, _ = report_data.headline(results)
    head = head[head.intermediate_data.eq("en") & head.variant.eq(_reference(languages, head))]
    return head[head.intermediate_steps.eq(head.groupby(["model", "intermediate"]).intermediate_steps
                                           .transform("max"))]


def _reference(languages: pd.DataFrame, head: pd.DataFrame) -> str:
    order = report_data.variant_order(languages, head)
    return order[0] if order else ""


def summary_table(study_dir) -> pd.DataFrame:
    head = _main(study_dir)
    zero_shot = head[head.language != "en"]
    table = head[head.language == "en"].groupby(KEYS).value.mean().rename("en").to_frame().join(
        zero_shot.groupby(KEYS).value.mean().rename("mean_other"), how="outer")
    ratio = seeds.transfer_ratio(head).groupby(KEYS).transfer_ratio.mean().rename("transfer_ratio")
    noise = zero_shot.groupby([*KEYS, "language"]).value.std(ddof=1).groupby(KEYS).mean().rename("sd_seeds")
    table = table.join(ratio, how="left").join(noise, how="left")
    g = seeds.pooled(gains(zero_shot))
    if len(g):
        g = g.set_index(KEYS)[["mean", "ci_low", "ci_high", "distinguishable"]].rename(
            columns={"mean": "gain", "ci_low": "gain_ci_low", "ci_high": "gain_ci_high"})
        table = table.join(g, how="left")
    out = table.reset_index()
    out["n_seeds"] = out.set_index(KEYS).index.map(head.groupby(KEYS).seed.nunique())
    return out.sort_values(["model", "target", "intermediate"], key=lambda c: c.map(
        lambda v: (v != BASELINE, v)) if c.name == "intermediate" else c).reset_index(drop=True)


def markdown(table: pd.DataFrame) -> str:
    """One line per row, gains as `+1.2 [-0.3, +2.7]*` (* = CI excludes 0)."""
    def gain(row):
        if pd.isna(row.get("gain")):
            return "-"
        if pd.isna(row.gain_ci_low):  # one seed (and one language): no interval to state
            return f"{row.gain:+.1f} (no CI: n = 1)"
        star = "*" if row.distinguishable else ""
        return f"{row.gain:+.1f} [{row.gain_ci_low:+.1f}, {row.gain_ci_high:+.1f}]{star}"

    def num(v, fmt="{:.1f}"):
        return "-" if pd.isna(v) else fmt.format(v)

    lines = ["| model | target | metric | intermediate | en | mean other | transfer ratio | seed SD | "
             "gain over none (95 % CI) | seeds |", "|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in table.iterrows():
        lines.append(f"| {r.model} | {r.target} | {r.metric} | {r.intermediate} | {num(r.en)} | "
                     f"{num(r.mean_other)} | {num(r.transfer_ratio, '{:.2f}')} | {num(r.sd_seeds)} | "
                     f"{gain(r) if r.intermediate != BASELINE else '-'} | {r.n_seeds} |")
    return "\n".join(lines)


def by_language(study_dir) -> pd.DataFrame:
    """The baseline's (no intermediate task) score per model, language and target: seed mean and 95 % CI
    (columns `mean:<target>`, `ci_low:<target>`, `ci_high:<target>`) beside the language's ladder factor
    and pretraining volume: what transfers to which rung."""
    head = _main(study_dir)
    ci = seeds.per_language(head[head.intermediate == BASELINE], "value")
    wide = ci.pivot_table(index=["model", "language"], columns="target", values=["mean", "ci_low", "ci_high"])
    wide.columns = [f"{stat}:{target}" for stat, target in wide.columns]
    _, languages = report_data.load(study_dir)
    meta = [c for c in ("language", "rung", "factor", "parent", "cc100_tokens_m") if c in languages]
    info = languages[languages.variant.eq(_reference(languages, head))][meta].drop_duplicates("language")
    return wide.reset_index().merge(info, on="language", how="left")


def language_markdown(table: pd.DataFrame) -> str:
    targets = sorted(c.split(":", 1)[1] for c in table.columns if c.startswith("mean:"))
    lines = ["| model | language | rung | factor (vs parent) | CC-100 tokens (M) | " + " | ".join(targets) + " |",
             "|" + "---|" * (5 + len(targets))]
    for _, r in table.iterrows():
        cells = []
        for t in targets:
            mean, low, high = r[f"mean:{t}"], r[f"ci_low:{t}"], r[f"ci_high:{t}"]
            cells.append("-" if pd.isna(mean) else f"{mean:.1f}" if pd.isna(low) else f"{mean:.1f} [{low:.1f}, {high:.1f}]")
        factor = f"{r.factor} (vs {r.parent})" if isinstance(r.get("factor"), str) and r.get("factor") else "-"
        volume = r.get("cc100_tokens_m", float("nan"))
        rung = "" if pd.isna(r.get("rung", float("nan"))) else int(r.rung)
        lines.append(f"| {r.model} | {r.language} | {rung} | {factor} | {volume:.0f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


BEGIN, END = "<!-- summary:begin -->", "<!-- summary:end -->"


def headline_lines(table: pd.DataFrame) -> list[str]:
    """Plain statements derived from the table: which gains are distinguishable from zero."""
    inter = table[table.intermediate != BASELINE]
    sure = inter[inter.distinguishable.fillna(False).astype(bool)] if "distinguishable" in inter else inter.iloc[:0]
    lines = [f"- {len(sure)} of {len(inter)} (intermediate, target) gains have a 95 % CI that excludes zero"
             + (":" if len(sure) else ".")]
    lines += [f"  - {r.model}: {r.intermediate} -> {r.target}: {r.gain:+.1f} [{r.gain_ci_low:+.1f}, "
              f"{r.gain_ci_high:+.1f}]" for r in sure.itertuples()]
    return lines


def readme_block(study_file: str, info: dict) -> str:
    """The README's results block: how it was made, the headline statements and the table."""
    study = load_study(study_file)
    table = summary_table(StudyPaths(study).dir)
    made = ", ".join(f"{k} {v}" for k, v in info.items())
    langs = language_markdown(by_language(StudyPaths(study).dir))
    return "\n".join([BEGIN, f"Generated by `python -m stilts_utils summary {study_file} --readme README.md` "
                      f"({made}); seeds {', '.join(map(str, study.seeds))}.", "", *headline_lines(table), "",
                      markdown(table), "", "The baseline (no intermediate task) per language: seed mean and 95 % CI "
                      "over seeds of each target's headline metric.", "", langs, END])


def write_readme(readme: Path, block: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace the README's generated block from `begin` to `end` with `block` (which holds both markers)."""
    text = readme.read_text()
    if begin not in text or end not in text:
        raise ValueError(f"{readme} has no {begin} ... {end} block to replace")
    head, rest = text.split(begin, 1)
    readme.write_text(head + block + rest.split(end, 1)[1])


def replication_table(study_dir, tolerance: float = replication.TOLERANCE) -> pd.DataFrame:
    """The baseline of the summary's rows against the published numbers, per language (replication.py)."""
    return replication.compare(_main(study_dir), tolerance)


def _score_text(value) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:.1f}"


def xtreme_r_lines(study_dir) -> list[str]:
    """XTREME-R's score as evaluate.py computes it (evaluation/xtreme.py: per-task means over XTREME-R's
    languages, QA as (EM+F1)/2, groups and the overall score when complete) per model and intermediate task,
    from the study's test rows (English intermediate data, reference variant, last checkpoint, seed means)."""
    from ..evaluation.xtreme import xtreme_scores  # lazy: only XTREME-R studies

    results, languages = report_data.load(study_dir)
    names = {n: t.submission_name for n, t in xtreme_r_tasks().items()}  # our target -> evaluate.py's task
    rows = results[results.target.isin(names) & results.split.eq("test") & results.intermediate_data.eq("en")]
    rows = report_data.last_checkpoint(rows[rows.variant.eq(_reference(languages, rows))])
    lines = ["XTREME-R score (evaluate.py --xtreme_version xtreme-r; QA (EM+F1)/2; test split, seed means):"]
    for (model, inter, mlm), part in rows.groupby(["model", "intermediate", "mlm_weight"], sort=False):
        df = part.assign(task=part.target.map(names)).groupby(["task", "language", "metric"], as_index=False).value.mean()
        got = xtreme_scores(df, "task", "xtreme-r")
        overall = (f"XTREME-R {_score_text(got['overall'])}" if got["overall"] is not None else
                   f"XTREME-R not computed, missing tasks: {', '.join(got['missing_tasks'])}")
        tasks = ", ".join(f"{t} {_score_text(s['score'])}" for t, s in got["tasks"].items())
        groups = ", ".join(f"{g} {_score_text(v)}" for g, v in got["groups"].items()) or "none complete"
        label = inter + (f" (mlm_weight {mlm:g})" if mlm else "")
        lines.append(f"- {model}, {label}: {overall}; tasks: {tasks or 'none'}; groups: {groups}")
    return lines if len(lines) > 1 else lines + ["- no test rows of an XTREME-R task yet"]


def main(study_file: str, tolerance: float = replication.TOLERANCE) -> str:
    study = load_study(study_file, check_data=False)  # reads results only: no user-supplied data needed
    study_dir = StudyPaths(study).dir
    check = replication.markdown(replication_table(study_dir, tolerance))
    text = markdown(summary_table(study_dir)) + (f"\n\n{check}" if check else "")
    if study.benchmark == "xtreme-r":
        text += "\n\n" + "\n".join(xtreme_r_lines(study_dir))
    return text
