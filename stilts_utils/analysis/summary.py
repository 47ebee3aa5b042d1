"""`python -m stilts_utils summary STUDY.yaml`: the headline numbers of a finished study as Markdown, for
notes, write-ups and the README (which takes them from this command, never by hand).

Per (model, target, intermediate task): the English score, the mean zero-shot score over the other
languages and the transfer ratio, all seed means; the mean zero-shot gain over the baseline with its
95 % CI over seeds and languages, and whether that CI excludes zero; and the seed-to-seed SD (the noise
floor a gain must clear).
"""
from __future__ import annotations

import pandas as pd

from ..study.config import load_study
from ..study.identity import StudyPaths
from . import report_data, seeds
from .effects import BASELINE, gains

KEYS = ["model", "target", "metric", "intermediate"]


def _main(study_dir) -> pd.DataFrame:
    results, _ = report_data.load(study_dir)
    head, _ = report_data.headline(results)
    head = head[head.intermediate_data.eq("en") & head.variant.eq("")]
    return head[head.intermediate_steps.eq(head.groupby(["model", "intermediate"]).intermediate_steps
                                           .transform("max"))]


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


def main(study_file: str) -> str:
    study = load_study(study_file)
    return markdown(summary_table(StudyPaths(study).dir))
