"""XTREME / XTREME-R submission folders: write predictions as `<task>/test-<lang>.{tsv,json,jsonl}` and score
a folder against a benchmark (`--benchmark xtreme`, the default, or `xtreme-r`).

The formats and the reading rules are those of google-research/xtreme evaluate.py :
classification and Tatoeba one value per line, tagging one tag per word with a blank line between
sentences, QA a JSON {question_id: answer} against SQuAD-format labels, BUCC `src_id<TAB>trg_id` lines
(an empty prediction file is no pair: P = R = F1 = 0, as bucc_f1 gives it); XTREME-R adds XCOPA
(`.jsonl`, a JSON object with `label` per line, read_xcopa) and the ranked retrieval of Mewsli-X and LAReQA
(a JSON {query id: [candidate ids, best first]} against {query id: [gold ids]}, mAP@20).
Differences on purpose: a clear error naming the files instead of an assert, and blank-line runs in
tagging files are one separator (xtreme would read an empty sentence and then fail the count check).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from ..metrics import METRICS
from ..metrics.classification import accuracy
from ..metrics.qa import answers_from_squad
from ..metrics.retrieval import pair_prf
from ..metrics.tagging import DEFAULT_TAGGING_F1, TAGGING_F1, tagging_scores
from ..tasks import scored_tasks
from .xtreme import BENCHMARKS, DEFAULT_BENCHMARK, benchmark, xtreme_scores

MAX_FILE_BYTES = 1 << 30  # a prediction or label file above 1 GiB is not an XTREME test set


class SubmissionError(ValueError):
    """A prediction or label folder that cannot be scored; the message names the file and what is wrong."""


class MissingFile(SubmissionError, FileNotFoundError):
    """A task folder without one of its languages' files."""


def formats() -> dict[str, str]:
    """File format of each task's predictions and labels: a field of the task (tasks/<task>.py)."""
    return {name: task.xtreme_format for name, task in scored_tasks().items() if task.xtreme_format}


SUFFIX = {"qa": "json", "ranking": "json", "choice": "jsonl"}  # evaluate.py get_suffix; the others .tsv


def prediction_path(root: str | Path, task: str, lang: str) -> Path:
    """`<root>/<folder>/test-<lang>.<suffix>`: the folder is evaluate.py's name of the task (`wikiann`: panx)."""
    suffix = SUFFIX.get(formats()[task], "tsv")
    return Path(root) / scored_tasks()[task].submission_name / f"test-{lang}.{suffix}"


# ---- writing ------------------------------------------------------------------------------------------

def tatoeba_order(en_texts: Sequence[str]) -> list[int]:
    """Rows of the English side in the order of XTREME's Tatoeba files.

    xtreme utils_preprocess.py (tatoeba_preprocess) writes the English side sorted alphabetically (by the
    stripped line, a stable sort) and keeps the other side in its own order; its retrieval
    (utils_retrieve.similarity_search) indexes the non-English sentences and queries with the English ones.
    So line j of a submission and of XTREME's label file belongs to the j-th English sentence in that
    sorted order, and holds an index into the non-English sentences in their data order."""
    return sorted(range(len(en_texts)), key=lambda i: en_texts[i].strip())


def tatoeba_lines(en_texts: Sequence[str], found: Sequence[int]) -> list[int]:
    """Tatoeba predictions in XTREME's order: `found[i]` is the non-English row retrieved by English row i."""
    return [int(found[i]) for i in tatoeba_order(en_texts)]


def _lines_text(values: Sequence) -> str:
    return "".join(f"{v}\n" for v in values)


def _tags_text(sentences: Sequence[Sequence[str]]) -> str:
    """A line per word; a word without a prediction (truncated under XTREME's protocol) is `_`, so the line
    counts still match the gold's and the official scorer counts that word as wrong."""
    return "".join("".join(f"{'_' if t is None else t}\n" for t in sent) + "\n" for sent in sentences)


def _qa_text(answers: dict) -> str:
    return json.dumps(answers, ensure_ascii=False, indent=1) + "\n"


def _pairs_text(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{s}\t{t}\n" for s, t in sorted(set(map(tuple, pairs))))


def _choice_text(choices: Sequence[int]) -> str:
    return "".join(json.dumps({"label": int(c)}) + "\n" for c in choices)


def _ranking_text(ranked: dict) -> str:
    return json.dumps({str(q): [str(c) for c in ids] for q, ids in ranked.items()}, ensure_ascii=False) + "\n"


WRITERS: dict[str, Callable] = {"lines": _lines_text, "tags": _tags_text, "qa": _qa_text, "pairs": _pairs_text,
                                "choice": _choice_text, "ranking": _ranking_text}


def write_predictions(root: str | Path, task: str, lang: str, predictions) -> Path:
    """Write one language's predictions in XTREME's format and return the file written.

    lines: a label (or Tatoeba index) per example; tags: a list of tags per sentence; qa: {id: answer};
    pairs: (src_id, trg_id) tuples; choice: the chosen alternative per example; ranking: {query id:
    [candidate ids, best first]}."""
    known = formats()
    if task not in known:
        raise ValueError(f"no XTREME submission format for task {task!r}; known: {sorted(known)}")
    path = prediction_path(root, task, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(WRITERS[known[task]](predictions), encoding="utf-8")
    return path


# ---- reading ------------------------------------------------------------------------------------------

def _text(path: Path, may_be_empty: bool = False) -> str:
    """A submission file's text: UTF-8, not empty (unless `may_be_empty`), not absurdly large."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SubmissionError(f"{path} has {size} bytes; allowed: at most {MAX_FILE_BYTES} (an XTREME test set)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[:err.start].count(b"\n") + 1
        raise SubmissionError(f"{path}, line {line}: not UTF-8 text (byte {err.start}); allowed: UTF-8 text") from None
    if not text.strip() and not may_be_empty:
        raise SubmissionError(f"{path} is empty; allowed: one prediction per example")
    return text


def _json(path: Path):
    try:
        return json.loads(_text(path))
    except json.JSONDecodeError as err:
        raise SubmissionError(f"{path}, line {err.lineno} column {err.colno}: malformed JSON ({err.msg}); allowed: "
                              "a JSON object") from None


def read_lines(path: Path, may_be_empty: bool = False) -> list[str]:
    """Stripped lines; trailing blank lines are dropped (an extra newline at the end is not an example)."""
    lines = [line.strip() for line in _text(path, may_be_empty).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def read_tags(path: Path) -> list[list[str]]:
    sentences, current = [], []
    for line in read_lines(path) + [""]:
        if line:
            current.append(line)
        elif current:
            sentences.append(current)
            current = []
    return sentences


def _check_count(pred: list, gold: list, pred_file: Path, label_file: Path, unit: str) -> None:
    if len(pred) != len(gold):
        raise SubmissionError(f"{pred_file} has {len(pred)} {unit} but {label_file} has {len(gold)}")


# Each format: read and check a (prediction, label) file pair (cheap, no metric imports), then score it.

def _read_lines_pair(pred_file: Path, label_file: Path) -> tuple:
    pred, gold = read_lines(pred_file), read_lines(label_file)
    _check_count(pred, gold, pred_file, label_file, "lines")
    return pred, gold


def _read_tags_pair(pred_file: Path, label_file: Path) -> tuple:
    pred, gold = read_tags(pred_file), read_tags(label_file)
    _check_count(pred, gold, pred_file, label_file, "sentences")
    return pred, gold


def _check_squad(labels, path: Path) -> None:
    """SQuAD-format labels ({data: [{paragraphs: [{qas: [{id, answers: [{text}]}]}]}]}), checked without
    importing the metrics (they pull in scikit-learn: seconds before a one-line error)."""
    try:
        articles = labels["data"] if isinstance(labels, dict) else labels
        for article in articles:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    qa["id"], [a["text"] for a in qa["answers"]]
    except (KeyError, TypeError, IndexError) as err:
        raise SubmissionError(f"{path}: not SQuAD-format labels ({type(err).__name__}: {err}); allowed: "
                              "{data: [{paragraphs: [{qas: [{id, answers: [{text}]}]}]}]}") from None


def _read_qa_pair(pred_file: Path, label_file: Path) -> tuple:
    pred, labels = _json(pred_file), _json(label_file)
    if not isinstance(pred, dict):
        raise SubmissionError(f"{pred_file}: expected a JSON object {{question id: answer}}, got {type(pred).__name__}")
    _check_squad(labels, label_file)
    return pred, labels


def _read_pairs_pair(pred_file: Path, label_file: Path) -> tuple:
    """BUCC pairs. An empty prediction file is a valid submission (no pair mined: the kit writes one when the
    dev threshold keeps no test pair) and scores 0, as evaluate.py's bucc_f1; an empty gold file is not."""
    def pairs(path: Path, may_be_empty: bool = False) -> list[tuple[str, ...]]:
        return [tuple(line.split("\t")) for line in read_lines(path, may_be_empty) if line]
    return pairs(pred_file, may_be_empty=True), pairs(label_file)


def _read_choice_pair(pred_file: Path, label_file: Path) -> tuple:
    """XCOPA: every line a JSON object with a `label` (evaluate.py read_xcopa), as many as the gold's."""
    def labels(path: Path) -> list:
        out = []
        for n, line in enumerate(read_lines(path), 1):
            try:
                out.append(json.loads(line)["label"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise SubmissionError(f"{path}, line {n}: not a JSON object with a \"label\"; allowed: one "
                                      '{"label": <choice>} per line') from None
        return out
    pred, gold = labels(pred_file), labels(label_file)
    _check_count(pred, gold, pred_file, label_file, "lines")
    return pred, gold


def _read_ranking_pair(pred_file: Path, label_file: Path) -> tuple:
    """Mewsli-X / LAReQA: {query id: [candidate ids, best first]} against {query id: [gold ids]}."""
    def ranked(path: Path, gold: bool) -> dict:
        data = _json(path)
        if not isinstance(data, dict):
            raise SubmissionError(f"{path}: expected a JSON object {{query id: [ids]}}, got {type(data).__name__}")
        for query, ids in data.items():
            if not isinstance(ids, list) or (gold and not ids):
                need = "a non-empty list of gold ids" if gold else "a list of candidate ids, best first"
                raise SubmissionError(f"{path}: query {query!r} maps to {json.dumps(ids)[:40]}; allowed: {need}")
        return data
    return ranked(pred_file, gold=False), ranked(label_file, gold=True)


def _score_lines(pred, gold, task: str, lang: str, files, **options) -> dict:
    return accuracy(gold, pred)


def _score_tags(pred, gold, task: str, lang: str, files, tagging_f1: str = DEFAULT_TAGGING_F1,
                **options) -> dict:
    try:
        return tagging_scores(gold, pred, tagging_f1=tagging_f1)
    except ValueError as err:
        raise SubmissionError(f"{files[0]} vs {files[1]}: {err}") from None


def _score_qa(pred, labels, task: str, lang: str, files, **options) -> dict:
    from ..model.kinds import kind_of  # lazy: torch (1 s); `score` checks its files first, and needs it for QA only

    facts = scored_tasks()[task]
    return METRICS[kind_of(facts).scorer(facts)](answers_from_squad(labels), pred, lang=lang,
                                                 **options)  # repeated ids kept


def _score_pairs(pred, gold, task: str, lang: str, files, **options) -> dict:
    return pair_prf(gold, pred)


def _score_ranking(pred, gold, task: str, lang: str, files, **options) -> dict:
    return METRICS[scored_tasks()[task].scorer](gold, pred, lang=lang)


FORMATS = {"lines": (_read_lines_pair, _score_lines), "tags": (_read_tags_pair, _score_tags),
           "qa": (_read_qa_pair, _score_qa), "pairs": (_read_pairs_pair, _score_pairs),
           "choice": (_read_choice_pair, _score_lines), "ranking": (_read_ranking_pair, _score_ranking)}


def read_file_pair(pred_file: str | Path, label_file: str | Path, task: str, lang: str) -> tuple:
    """One language's predictions and labels, read and checked (existence, text, JSON, counts)."""
    pred_file, label_file = Path(pred_file), Path(label_file)
    for path in (pred_file, label_file):
        if not path.is_file():
            raise MissingFile(f"{task}/{lang}: missing file {path}")
    return FORMATS[formats()[task]][0](pred_file, label_file)


def score_file(pred_file: str | Path, label_file: str | Path, task: str, lang: str, **options) -> dict:
    """Metrics of one language's prediction file against its label file (0-100).

    options: scorer options, e.g. tagging_f1="seqeval-1.2.2" (XTREME's seqeval 0.0.12 by default)."""
    pred, gold = read_file_pair(pred_file, label_file, task, lang)
    return FORMATS[formats()[task]][1](pred, gold, task, lang, (pred_file, label_file), **options)


def _subdirs(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if p.is_dir()}


def score_folder(pred_dir: str | Path, label_dir: str | Path, benchmark_name: str = DEFAULT_BENCHMARK,
                 **options) -> pd.DataFrame:
    """Tidy scores (task, language, metric, value) of every task of the benchmark present in both folders.

    Like evaluate.py, a task present in both folders must have every one of the benchmark's languages.
    Folders that are not the benchmark's tasks (e.g. Mewsli-X under XTREME) or sit on one side only are
    listed in `df.attrs["notes"]`; `df.attrs["benchmark"]` names the benchmark."""
    try:
        bench = benchmark(benchmark_name)
    except ValueError as err:
        raise SubmissionError(f"--benchmark: {err}") from None
    task2langs = bench.task2langs
    pred_dir, label_dir = Path(pred_dir), Path(label_dir)
    for role, folder in (("predictions", pred_dir), ("labels", label_dir)):
        if not folder.is_dir():
            what = "is a file" if folder.exists() else "does not exist"
            raise SubmissionError(f"{role} folder {str(folder)!r} {what}; allowed: a folder of <task>/test-<lang>.{{tsv,json}}")
    in_pred, in_label = _subdirs(pred_dir), _subdirs(label_dir)
    if not in_pred & in_label & set(task2langs):
        raise SubmissionError(f"no {bench.title} task folder is in both {str(pred_dir)!r} ({', '.join(sorted(in_pred)) or 'none'}) "
                              f"and {str(label_dir)!r} ({', '.join(sorted(in_label)) or 'none'}); allowed tasks: "
                              + ", ".join(task2langs))
    files = [(task, lang, prediction_path(pred_dir, task, lang), prediction_path(label_dir, task, lang))
             for task, langs in task2langs.items() if task in in_pred and task in in_label for lang in langs]
    read = [read_file_pair(pred, gold, task, lang) for task, lang, pred, gold in files]  # every file checked first
    rows = []
    for (task, lang, pred_file, label_file), (pred, gold) in zip(files, read):
        scores = FORMATS[formats()[task]][1](pred, gold, task, lang, (pred_file, label_file), **options)
        rows += [{"task": task, "language": lang, "metric": m, "value": float(v)} for m, v in scores.items()]
    df = pd.DataFrame(rows, columns=["task", "language", "metric", "value"])
    df.attrs["notes"] = _folder_notes(in_pred, in_label, bench)
    df.attrs["benchmark"] = bench.name
    return df


_COUNT = {9: "nine", 10: "ten"}


def _folder_notes(in_pred: set[str], in_label: set[str], bench) -> list[str]:
    scored = set(bench.task2langs)
    many = _COUNT.get(len(scored), str(len(scored)))
    notes = [f"ignored {name}: not one of the {many} {bench.title} tasks" for name in sorted((in_pred | in_label) - scored)]
    notes += [f"skipped {t}: predictions but no labels" for t in sorted((in_pred - in_label) & scored)]
    notes += [f"skipped {t}: labels but no predictions" for t in sorted((in_label - in_pred) & scored)]
    return notes


# ---- report and CLI -----------------------------------------------------------------------------------

def _fmt(value) -> str:
    return "-" if value is None or value != value else f"{value:.2f}"


def _task_block(df: pd.DataFrame, task: str, scores: dict, langs: list[str]) -> str:
    table = df[df["task"] == task].pivot(index="language", columns="metric", values="value")
    table = table.reindex([lang for lang in langs if lang in table.index])
    head = f"== {task}: score {_fmt(scores['score'])}"
    if scored_tasks()[task].is_qa:
        head += f" ((EM+F1)/2), F1 {_fmt(scores['score_f1'])}"
    if scores["missing"]:
        head += f"; missing languages: {' '.join(scores['missing'])}"
    return head + "\n" + table.to_string(float_format=_fmt) + "\n"


def format_report(df: pd.DataFrame) -> str:
    """Per-language tables, per-task scores, group scores and the overall score (of the benchmark the
    frame was scored for, `df.attrs["benchmark"]`, XTREME by default) as text."""
    bench = BENCHMARKS[df.attrs.get("benchmark", DEFAULT_BENCHMARK)]
    summary = xtreme_scores(df, benchmark_name=bench.name)
    parts = [_task_block(df, t, s, bench.task2langs[t]) for t, s in summary["tasks"].items()]
    parts.append("== tasks\n" + "\n".join(
        f"{t:10s} {_fmt(s['score']):>7s}" + (f"  (F1 {_fmt(s['score_f1'])})" if scored_tasks()[t].is_qa else "")
        for t, s in summary["tasks"].items()))
    parts.append("== groups\n" + ("\n".join(f"{g:22s} {_fmt(v):>7s}" for g, v in summary["groups"].items())
                                   or "none complete"))
    if summary["overall"] is None:
        parts.append(f"== overall: not computed, missing tasks: {' '.join(summary['missing_tasks'])}")
    else:
        parts.append(f"== overall {bench.title} {_fmt(summary['overall'])} (QA as (EM+F1)/2); "
                     f"{_fmt(summary['overall_f1'])} with QA F1 only")
    parts += [f"note: {n}" for n in df.attrs.get("notes", [])]
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stilts_utils score",
                                     description="Score an XTREME or XTREME-R prediction folder against a label folder.")
    parser.add_argument("predictions", help="folder with <task>/test-<lang>.{tsv,json,jsonl}")
    parser.add_argument("labels", help="folder with the same layout holding the gold labels")
    parser.add_argument("--output", help="also write the tidy scores here (.csv or .parquet)")
    parser.add_argument("--tagging-f1", default=DEFAULT_TAGGING_F1, choices=TAGGING_F1,
                        help="chunk F1 of UD-POS/PAN-X: XTREME's seqeval 0.0.12 (default) or the current seqeval")
    parser.add_argument("--benchmark", default=DEFAULT_BENCHMARK,
                        help="xtreme (default) or xtreme-r: tasks, languages, groups and overall of that benchmark")
    args = parser.parse_args(argv)
    out = Path(args.output) if args.output else None
    if out is not None and (out.suffix not in (".csv", ".parquet") or not out.parent.is_dir() or out.is_dir()):
        raise SubmissionError(f"--output {args.output!r}: allowed: a .csv or .parquet file in an existing folder")
    df = score_folder(args.predictions, args.labels, args.benchmark, tagging_f1=args.tagging_f1)
    print(format_report(df), end="")
    if out is not None:
        df.to_parquet(out, index=False) if out.suffix == ".parquet" else df.to_csv(out, index=False)
    return 0
