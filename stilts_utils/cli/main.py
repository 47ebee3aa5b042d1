"""Command line: `python -m stilts_utils {run,tasks,score,export,summary,download-data,sandbox build} ...`.

A user error (bad study file, flag, folder or file) is one line on stderr and exit code 2, before any
compute; only a bug in the kit itself shows a traceback. Nothing heavy (torch, transformers, datasets)
is imported before the inputs are checked.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__
from ..executors import EXECUTORS
from ..metrics.tagging import DEFAULT_TAGGING_F1, TAGGING_F1
from ..sandbox import DEFAULT_SIZES, WorldSettings, settings_hash
from ..study.config import REPO_ROOT, load_study
from ..study.identity import StudyPaths
from . import provenance, runner
from .studies import resolve, study_file


class UsageError(Exception):
    """A bad command-line input found by the CLI itself; the message names it and what is allowed."""


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line (no usage block) with exit code 2, like every other user error."""

    def error(self, message):
        print(f"error: {self.prog}: {message}; see `{self.prog} --help`", file=sys.stderr)
        sys.exit(2)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of notebooks; allowed: integers >= 1")
    return value


def _points(text: str) -> float:
    """`summary --tolerance`: checked here, before the analysis (pandas, matplotlib) is imported."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a tolerance; allowed: a number of points >= 0")
    return value


def _run(args) -> int:
    if args.dry_run:
        print(runner.dry_run(args.study, args.executor))
        return 0
    outcome = runner.run(args.study, parallel=args.parallel, analysis=not args.no_analysis, executor=args.executor)
    return 1 if outcome.failed or outcome.blocked else 0


def _status(args) -> int:
    print(runner.status(args.study))
    return 0


def _plan(args) -> int:
    study = load_study(args.study, check_data=False)  # plan only counts: user data (CCGbank) may be absent
    from .plan import DEFAULT_MFU, plan  # lazy: the data layer (0.4 s), after the study is validated

    if args.mfu is not None and args.mfu_from is not None:
        raise UsageError("--mfu and --mfu-from: give one (an assumed MFU, or a gpu_benchmark.py result)")
    print(plan(study, args.gpu, DEFAULT_MFU if args.mfu is None else args.mfu, args.mfu_from))
    return 0


def _tasks(args) -> int:
    from .tasklist import formatted, language_lines, task_table  # lazy: the model kinds (1.4 s), `tasks` only

    table = task_table()
    if args.format != "markdown":  # machine-readable: the table alone
        print(formatted(table, args.format), end="")
        return 0
    print(formatted(table, "markdown"))
    n = table[(table.benchmark == "xtreme") & (table.task != "multitask")].role.value_counts()
    print(f"\nX-STILTs/XTREME: {n.get('intermediate', 0)} intermediate + {n.get('target', 0)} target tasks "
          f"(+ multitask); XTREME-R extensions listed after them.\n\nEvaluation languages:")
    print("\n".join(language_lines()))
    return 0


def _score(args) -> int:
    from ..evaluation.submission import main  # lazy: 0.4 s that only `score` needs (see _user_errors)

    extra = ((["--output", args.output] if args.output else []) + ["--tagging-f1", args.tagging_f1]
             + ["--benchmark", args.benchmark])
    return main([args.predictions, args.labels, *extra])


def _export(args) -> int:
    runner.export(args.study)
    return 0


def _results_of(study_file: str):
    """The study's folder, or a user error when the study has no results table yet."""
    paths = StudyPaths(load_study(study_file))
    if not paths.results("parquet").is_file():
        raise UsageError(f"study {paths.study.name!r} has no results yet ({paths.results('parquet')} does not exist); "
                         f"run `python -m stilts_utils run {study_file}` first")
    return paths


def _summary(args) -> int:
    readme = Path(args.readme) if args.readme else None
    if readme is not None and not readme.is_file():
        raise UsageError(f"--readme {args.readme!r} is not a file; allowed: a README with a generated results block")
    _results_of(args.study)
    from ..analysis import replication, summary  # lazy: plotting libraries (1.7 s), after the inputs are checked

    tolerance = replication.TOLERANCE if args.tolerance is None else args.tolerance
    if readme is None:
        print(summary.main(args.study, tolerance))
        return 0
    if summary.BEGIN not in readme.read_text(errors="replace"):
        raise UsageError(f"--readme {args.readme!r} has no {summary.BEGIN} ... {summary.END} block to replace")
    block = summary.readme_block(args.study, _provenance(args.study))
    summary.write_readme(readme, block)
    print(block)
    return 0


def _provenance(study_file: str) -> dict:
    """Commit and run facts the README states beside generated numbers (the run's own commit when recorded)."""
    return {"code at commit": provenance.code_commit(), **provenance.read_facts(StudyPaths(load_study(study_file)).dir)}


def _questions(args) -> int:
    from . import questions  # lazy: the data layer (plan), `questions` only

    _print_block(args.readme, questions.block(), questions.BEGIN, questions.END, "questions")
    return 0


def _print_block(readme_arg: str | None, block: str, begin: str, end: str, what: str) -> None:
    """Print a generated README block and, with --readme, replace that block of the README."""
    from ..analysis.summary import write_readme  # lazy: as in _summary

    if readme_arg:
        readme = Path(readme_arg)
        if not readme.is_file() or begin not in readme.read_text(errors="replace"):
            raise UsageError(f"--readme {readme_arg!r} has no {begin} ... {end} block to replace; allowed: a "
                             f"README with a generated {what} block")
        write_readme(readme, block, begin, end)
    print(block)


def _runtimes(args) -> int:
    def shown(path: Path) -> str:  # params/x.yaml, as the README's commands name it
        path = path.resolve()
        return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)

    files = [shown(study_file(s)) for s in args.studies]
    block = provenance.runtimes_block([(f, provenance.read_facts(StudyPaths(load_study(f)).dir)) for f in files])
    _print_block(args.readme, block, provenance.BEGIN, provenance.END, "runtimes")
    return 0


def _download(args) -> int:
    if Path(args.to).exists() and not Path(args.to).is_dir():
        raise UsageError(f"--to {args.to!r} is a file; allowed: a folder (made when missing)")
    from ..data.download import download  # lazy: the hub clients, `download-data` only

    download(args.study, args.to)
    return 0


def _version() -> str:
    """The installed distribution's version (package metadata), else the package's own (a plain checkout)."""
    try:
        return version("stilts-utils")
    except PackageNotFoundError:
        return __version__


def _sandbox_build(args) -> int:
    """Pretrain a published sandbox encoder of the default world into the package (or --out)."""
    if args.size not in DEFAULT_SIZES:
        raise UsageError(f"--size {args.size!r} is not a sandbox size; allowed: {', '.join(DEFAULT_SIZES)}")
    size = DEFAULT_SIZES[args.size]
    for flag, value in (("--steps", args.steps), ("--threads", args.threads)):
        if value is not None and value < 1:
            raise UsageError(f"{flag} {value} is not allowed; allowed: integers >= 1")
    from ..phases import publish, published  # lazy: pretraining (torch, transformers: 3 s), after the flags

    out = Path(args.out) if args.out else published.ROOT
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} is a file; allowed: a folder (made when missing)")
    if args.steps not in (None, size.steps) and out.resolve() == published.ROOT.resolve():
        raise UsageError(f"--steps {args.steps} is not sandbox-{size.name}'s budget ({size.steps}): no study would "
                         "load it from the package; publish it elsewhere with --out DIR, or change DEFAULT_SIZES first")
    size = dataclasses.replace(size, **{k: v for k, v in (("steps", args.steps), ("threads", args.threads)) if v})
    world = WorldSettings()  # the default study's world (`sandbox: {}`)
    cache = Path(args.cache) if args.cache else REPO_ROOT / "outputs" / "cache" / "sandbox"
    folder, diff = publish.build(world, size, out, cache / settings_hash(world), args.command_line)
    print(f"published sandbox-{size.name} ({size.threads} threads): {folder}\n{diff}")
    return 0


# Errors that are the input's fault, not the kit's: shown as one line, exit code 2.
USER_ERRORS = {"stilts_utils.study.errors": ["StudyError"],
               "stilts_utils.data.hub": ["DataUnavailable", "ModelUnavailable"],
               "stilts_utils.evaluation.submission": ["SubmissionError"],
               "stilts_utils.phases.pretrain": ["UnhealthyEncoder"],
               "stilts_utils.phases.published": ["PublishedEncoderDamaged"]}


def _user_errors() -> tuple:
    """The user-error classes of the modules loaded so far: one not loaded cannot have raised, and
    importing it here would cost the second an error message should take."""
    loaded = [getattr(sys.modules[m], name) for m, names in USER_ERRORS.items() if m in sys.modules for name in names]
    return (UsageError, *loaded)


def _study_command(sub, name: str, fn, help: str) -> argparse.ArgumentParser:
    """A subcommand whose first argument is a study (a file, or a name in params/)."""
    p = sub.add_parser(name, help=help)
    p.add_argument("study", help="params/<study>.yaml")
    p.set_defaults(fn=fn)
    return p


def main(argv=None) -> int:
    prog = "stilts" if Path(sys.argv[0]).name == "stilts" else "python -m stilts_utils"  # the console script
    parser = _Parser(prog=prog)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = _study_command(sub, "run", _run, "run a study: phase 1-3 notebooks, results table, analysis")
    p.add_argument("--dry-run", action="store_true", help="print the grid and what is done; run nothing")
    p.add_argument("--parallel", type=_at_least_one, default=None, help="notebooks at once (default: study file)")
    p.add_argument("--no-analysis", action="store_true", help="skip the analysis notebooks")
    p.add_argument("--executor", choices=list(EXECUTORS), default=None,
                   help="where runs execute (default: the study file's `executor`, else local)")
    _study_command(sub, "status", _status, "each run of a study: done, queued, running, failed (Slurm: job and log)")
    p = _study_command(sub, "plan", _plan, "per phase: examples, steps and estimated GPU-hours of a study")
    p.add_argument("--gpu", default="h100", help="GPU type of stilts_utils/reference/gpus.csv (default h100)")
    p.add_argument("--mfu", type=float, default=None, help="assumed model FLOPs utilisation (default 0.30)")
    p.add_argument("--mfu-from", default=None, metavar="RESULT.json",
                   help="the MFU measured by benchmarks/gpu_benchmark.py (its --out file)")
    p = sub.add_parser("tasks", help="list every task: type, metric, splits, languages")
    p.add_argument("--format", choices=("markdown", "csv", "json"), default="markdown",
                   help="markdown (default, with the languages), or the table alone as csv or json")
    p.set_defaults(fn=_tasks)
    p = sub.add_parser("score", help="score an XTREME (or XTREME-R) prediction folder against a label folder")
    p.add_argument("predictions")
    p.add_argument("labels")
    p.add_argument("--output", help="also write the tidy scores here (.csv or .parquet)")
    p.add_argument("--tagging-f1", default=DEFAULT_TAGGING_F1, choices=TAGGING_F1,
                   help="chunk F1 of UD-POS/PAN-X: XTREME's seqeval 0.0.12 (default) or the current seqeval")
    p.add_argument("--benchmark", default="xtreme", choices=("xtreme", "xtreme-r"),
                   help="the tasks, languages, groups and overall score of xtreme (default) or xtreme-r "
                        "(evaluate.py --xtreme_version)")
    p.set_defaults(fn=_score)
    _study_command(sub, "export", _export, "re-run a study's analysis notebooks: every figure and table")
    p = _study_command(sub, "summary", _summary, "headline numbers of a finished study, as a Markdown table")
    p.add_argument("--readme", help="also replace the generated results block of this README")
    p.add_argument("--tolerance", type=_points, help="points the baseline may differ from a published score "
                   "before it is flagged (default: analysis/replication.py TOLERANCE, 2)")
    p = sub.add_parser("questions", help="the five research questions: sandbox and real study files, notebook, "
                                         "GPU-hours, as Markdown")
    p.add_argument("--readme", help="also replace the generated questions block of this README")
    p.set_defaults(fn=_questions)
    p = sub.add_parser("runtimes", help="wall time, phase-1 time and commit of each study's last run, as Markdown")
    p.add_argument("studies", nargs="+", help="params/<study>.yaml files or names")
    p.add_argument("--readme", help="also replace the generated runtimes block of this README")
    p.set_defaults(fn=_runtimes)
    p = sub.add_parser("download-data", help="write local copies of a study's datasets (needs the hub)")
    p.add_argument("study")
    p.add_argument("--to", required=True)
    p.set_defaults(fn=_download)
    p = sub.add_parser("sandbox", help="the sandbox's published encoders (docs/sandbox.md)")
    p = p.add_subparsers(dest="sandbox_command", required=True).add_parser(
        "build", help="pretrain a published encoder of the default world (phase 1, with a progress bar)")
    p.add_argument("--size", default="small", help="a sandbox size (sandbox/recipe.py DEFAULT_SIZES; default small)")
    p.add_argument("--steps", type=int, default=None, help="optimiser steps (default: the size's; else needs --out)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads (default: the size's); recorded in the manifest, the bytes depend on it")
    p.add_argument("--out", help="folder of published encoders (default: the package's sandbox/published)")
    p.add_argument("--cache", help="where the world is built (default: outputs/cache/sandbox, shared with studies)")
    p.set_defaults(fn=_sandbox_build)
    for name in ("run", "summary", "export"):
        sub.choices[name].add_argument("--set", action="append", default=[], metavar="KEY.SUB=VALUE",
                                       help="override a study setting (YAML value), validated like the file")
    args = parser.parse_args(argv)
    args.command_line = " ".join([prog, *(sys.argv[1:] if argv is None else argv)])
    try:
        if hasattr(args, "study"):  # a file, or a name in params/; --set gives the effective study file
            args.study = resolve(args.study, getattr(args, "set", None), write=args.command == "run")
        return args.fn(args)
    except Exception as err:
        if not isinstance(err, _user_errors()):
            raise
        print("error: " + " ".join(str(err).split()), file=sys.stderr)  # one line, whatever the message
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished runs are kept; run the same command again to finish the rest",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
