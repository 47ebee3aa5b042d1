"""Command line: `python -m stilts_utils {run,tasks,score,export,summary,download-data} ...`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _run(args) -> int:
    from . import runner

    if args.dry_run:
        print(runner.dry_run(args.study))
        return 0
    outcome = runner.run(args.study, parallel=args.parallel, analysis=not args.no_analysis)
    return 1 if outcome.failed else 0


def _tasks(args) -> int:
    from .tasklist import language_lines, task_table

    table = task_table()
    print(table.to_string(index=False))
    n = table[(table.benchmark == "xtreme") & (table.task != "multitask")].role.value_counts()
    print(f"\nX-STILTs/XTREME: {n.get('intermediate', 0)} intermediate + {n.get('target', 0)} target tasks "
          f"(+ multitask); XTREME-R extensions listed after them.\n\nEvaluation languages:")
    print("\n".join(language_lines()))
    return 0


def _score(args) -> int:
    from ..evaluation.submission import main

    extra = (["--output", args.output] if args.output else []) + ["--tagging-f1", args.tagging_f1]
    return main([args.predictions, args.labels, *extra])


def _export(args) -> int:
    from .runner import export

    export(args.study)
    return 0


def _summary(args) -> int:
    from ..analysis import summary

    if not args.readme:
        print(summary.main(args.study))
        return 0
    block = summary.readme_block(args.study, _provenance(args.study))
    summary.write_readme(Path(args.readme), block)
    print(block)
    return 0


def _provenance(study_file: str) -> dict:
    """Commit and run facts the README states beside generated numbers."""
    import subprocess

    from ..study.config import REPO_ROOT, load_study
    from ..study.identity import StudyPaths

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                           capture_output=True, text=True).stdout.strip()
    timings = StudyPaths(load_study(study_file)).dir / "run_info.json"
    info = {"code at commit": commit + ("+changes" if dirty else "")}
    if timings.exists():
        import json

        info.update(json.loads(timings.read_text()))
    return info


def _download(args) -> int:
    from ..data.download import download

    download(args.study, args.to)
    return 0


def main(argv=None) -> int:
    from ..metrics.tagging import DEFAULT_TAGGING_F1, TAGGING_F1

    parser = argparse.ArgumentParser(prog="python -m stilts_utils")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run a study: phase 1-3 notebooks, results table, analysis")
    p.add_argument("study", help="params/<study>.yaml")
    p.add_argument("--dry-run", action="store_true", help="print the grid and what is done; run nothing")
    p.add_argument("--parallel", type=int, default=None, help="notebooks at once (default: study file)")
    p.add_argument("--no-analysis", action="store_true", help="skip the analysis notebooks")
    p.set_defaults(fn=_run)
    p = sub.add_parser("tasks", help="list every task: type, metric, splits, languages")
    p.set_defaults(fn=_tasks)
    p = sub.add_parser("score", help="score an XTREME prediction folder against a label folder")
    p.add_argument("predictions")
    p.add_argument("labels")
    p.add_argument("--output", help="also write the tidy scores here (.csv or .parquet)")
    p.add_argument("--tagging-f1", default=DEFAULT_TAGGING_F1, choices=TAGGING_F1,
                   help="chunk F1 of UD-POS/PAN-X: XTREME's seqeval 0.0.12 (default) or the current seqeval")
    p.set_defaults(fn=_score)
    p = sub.add_parser("export", help="re-run a study's analysis notebooks: every figure and table")
    p.add_argument("study", help="params/<study>.yaml")
    p.set_defaults(fn=_export)
    p = sub.add_parser("summary", help="headline numbers of a finished study, as a Markdown table")
    p.add_argument("study", help="params/<study>.yaml")
    p.add_argument("--readme", help="also replace the generated results block of this README")
    p.set_defaults(fn=_summary)
    p = sub.add_parser("download-data", help="write local copies of a study's datasets (needs the hub)")
    p.add_argument("study")
    p.add_argument("--to", required=True)
    p.set_defaults(fn=_download)
    args = parser.parse_args(argv)
    from ..data.hub import DataUnavailable, ModelUnavailable
    from ..sandbox.pretrain import UnhealthyEncoder
    from ..study.errors import StudyError

    try:
        return args.fn(args)
    except (StudyError, DataUnavailable, ModelUnavailable, UnhealthyEncoder) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished runs are kept; run the same command again to finish the rest",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
