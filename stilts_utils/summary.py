"""`python -m stilts_utils summary STUDY.yaml`: the headline numbers of a finished study as Markdown
(English score, mean zero-shot score over the other languages, mean gain), for notes and write-ups."""
from __future__ import annotations

from . import report_data
from .analysis import gains
from .config import load_study
from .paths import StudyPaths


def summary_table(study_dir):
    results, _ = report_data.load(study_dir)
    head, _ = report_data.headline(results)
    head = head[head.intermediate_data.eq("en")]
    head = head[head.intermediate_steps.eq(head.groupby(["model", "intermediate"]).intermediate_steps
                                           .transform("max"))]
    zero_shot = head[head.language != "en"]
    out = head[head.language == "en"].groupby(["model", "target", "metric", "intermediate"]).value.mean()
    table = out.rename("en").to_frame().join(
        zero_shot.groupby(["model", "target", "metric", "intermediate"]).value.mean().rename("mean_other"),
        how="outer")
    g = gains(zero_shot)
    table = table.join(g.groupby(["model", "target", "metric", "intermediate"]).gain.mean()
                       .rename("mean_gain_other"), how="left")
    return table.round(1).reset_index()


def main(study_file: str) -> str:
    study = load_study(study_file)
    table = summary_table(StudyPaths(study).dir)
    return table.to_markdown(index=False)
