"""Readers of XTREME-R's ranked retrieval data (not on the hub) -> dual-encoder rows (model/kinds/dual_encoder.py):
`id` (query id, "" for a pool-only candidate), `query`, `candidate_id`, `candidate`.

Files as google-research/xtreme scripts/download_data.sh leaves them in its download folder (point
`data_dirs` of the task at that folder):
  mewslix/wikipedia_pairs-{train,dev}.jsonl      English mention-entity pairs (utils_mewslix.MentionEntityPair)
  mewslix/candidate_set_entities.jsonl           the entity pool (utils_mewslix.Entity, one per line)
  mewslix/wikinews_mentions/test-<lang>.jsonl    test mentions (utils_mewslix.ContextualMentions)
  lareqa/xquad-r/<lang>.json                     XQuAD-R: SQuAD format with `sentence_breaks`
  squad/{train,dev}-v1.1.json                    SQuAD v1.1, LAReQA's English training data
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .hub import DataUnavailable

COLUMNS = ("id", "query", "candidate_id", "candidate")


def _file(task, root, relative: str) -> Path:
    path = Path(root or ".") / relative
    if root is None or not path.is_file():
        where = f"under {root}" if root else "(no `data_dirs` entry for it in the study file)"
        raise DataUnavailable(f"{task.name}: missing {relative} {where}. {task.source.note}")
    return path


def _jsonl(path: Path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _rows(pairs, pool=()):
    """Rows from (query id, query, candidate id, candidate) pairs, then every other pool candidate alone."""
    import datasets  # lazy: datasets (0.6 s); validation and --dry-run import this module

    rows = {c: [] for c in COLUMNS}
    for values in pairs:
        for column, value in zip(COLUMNS, values):
            rows[column].append(value)
    listed = set(rows["candidate_id"])
    for cid, text in pool:
        if cid not in listed:
            listed.add(cid)
            for column, value in zip(COLUMNS, ("", "", cid, text)):
                rows[column].append(value)
    return datasets.Dataset.from_dict(rows)


# ---- Mewsli-X ---------------------------------------------------------------------------------------

def _clean(text: str) -> str:
    return " ".join(text.splitlines()).replace("  ", " ").strip()


_BRACES = re.compile(r"\{(.*?)\}")  # braces already in the text would look like our mention markers


def mention_text(context: dict, mention: dict) -> str:
    """The query of utils_mewslix.preprocess_mention: the mention, then its sentence with the mention in braces,
    `Smith: The verdict came back for { Smith }, who ...` (the prefix keeps the mention through truncation)."""
    span, text = mention["mention_span"], context["text"]
    sentence = next(((s["start"], s["end"]) for s in context.get("sentence_spans", [])
                     if s["start"] <= span["start"] and span["end"] <= s["end"]), (0, len(text)))
    left = _BRACES.sub(r"(\1)", text[sentence[0]:span["start"]])
    right = _BRACES.sub(r"(\1)", text[span["end"]:sentence[1]])
    return _clean(f"{span['text']}: {left} {{ {span['text']} }} {right}")


def entity_text(entity: dict) -> str:
    """utils_mewslix.preprocess_entity_description: the description's sentences, joined by spaces."""
    text = entity["description"]
    return _clean(" ".join(text[s["start"]:s["end"]] for s in entity["sentence_spans"]))


def read_mewslix(task, lang: str, split: str, root):
    base = task.source.splits[split]  # wikipedia_pairs-train | wikipedia_pairs-dev | wikinews_mentions/test
    if split in ("train", "dev"):  # English pairs; dev's pool is its own entities
        pairs = [(p["contextual_mention"]["mention"]["example_id"],
                  mention_text(p["contextual_mention"]["context"], p["contextual_mention"]["mention"]),
                  p["entity"]["entity_id"], entity_text(p["entity"]))
                 for p in _jsonl(_file(task, root, f"mewslix/{base}.jsonl"))]
        return _rows(pairs)
    entities = {e["entity_id"]: entity_text(e) for e in _jsonl(_file(task, root, "mewslix/candidate_set_entities.jsonl"))}
    pairs = [(m["example_id"], mention_text(doc["context"], m), m["entity_id"], entities[m["entity_id"]])
             for doc in _jsonl(_file(task, root, f"mewslix/{base}-{lang}.jsonl")) for m in doc["mentions"]]
    return _rows(pairs, entities.items())


# ---- LAReQA -----------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?。！？]+[\"')\]»”’]*(?=\s|$)")


def sentence_breaks(context: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a SQuAD paragraph, which has no breaks of its own: cut after a run of
    . ! ? (and closing quotes or brackets) that a space follows. A plain rule, not XQuAD-R's sb_sed breaker
    (xtreme processors/sb_sed.py); it only shapes the English training candidates."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(context):
        spans.append((start, match.end()))
        start = match.end()
        while start < len(context) and context[start].isspace():
            start += 1
    if start < len(context):
        spans.append((start, len(context)))
    return spans


def _squad_items(data: dict, lang: str, breaks=None):
    """(question id, question, [(candidate id, candidate)], index of the answer sentence) per answerable
    question; candidate ids and texts as utils_lareqa (`<lang>_<paragraph number>_<sentence>`, sentence +
    paragraph without newlines). A question whose answer starts in no sentence is skipped, as there."""
    number = 0
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            number += 1
            context = paragraph["context"]
            spans = paragraph.get("sentence_breaks") or (breaks or sentence_breaks)(context)
            candidates = [(f"{lang}_{number}_{k}", (context[s:e] + context).replace("\n", ""))
                          for k, (s, e) in enumerate(spans)]
            for qa in paragraph["qas"]:
                start = qa["answers"][0]["answer_start"]
                hit = next((k for k, (s, e) in enumerate(spans) if s <= start < e), None)
                if hit is not None:
                    yield qa["id"], qa["question"], candidates, hit


def read_lareqa(task, lang: str, split: str, root):
    """train/dev: SQuAD v1.1 question - answer sentence pairs (dev: with every dev sentence in the pool).
    test: XQuAD-R, this language's questions against every language's sentences; the relevant ones are the
    question's answer sentence in each language (the same question id across languages)."""
    if split in ("train", "dev"):
        data = json.loads(_file(task, root, f"squad/{task.source.splits[split]}.json").read_text(encoding="utf-8"))
        items = list(_squad_items(data, "en"))
        pool = [c for _, _, candidates, _ in items for c in candidates] if split == "dev" else []
        return _rows([(qid, q, *candidates[hit]) for qid, q, candidates, hit in items], pool)
    folder = _file(task, root, f"lareqa/xquad-r/{lang}.json").parent
    relevant, questions, pool = {}, [], []
    for path in sorted(folder.glob("*.json")):  # every language's sentences: one pool, as evaluate_retrieval.py
        items = list(_squad_items(json.loads(path.read_text(encoding="utf-8")), path.stem))
        for qid, question, candidates, hit in items:
            relevant.setdefault(qid, []).append(candidates[hit])
            if path.stem == lang:
                questions.append((qid, question))
        pool += list(dict.fromkeys(c for _, _, candidates, _ in items for c in candidates))
    return _rows([(qid, q, *c) for qid, q in questions for c in relevant[qid]], pool)
