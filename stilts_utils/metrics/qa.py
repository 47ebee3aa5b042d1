"""Extractive QA scores: SQuAD v1.1 (XQuAD, TyDiQA-GoldP), SQuAD v2.0 and MLQA, all EM/F1 on 0-100.

Gold is a sequence of `(question_id, [answer texts])` pairs (or a mapping of them), predictions
`{question_id: answer text}`. Every gold question counts once per occurrence, a repeated id included (the
official scripts loop over the questions of the file, not over distinct ids); a question with no
prediction scores 0 and still counts; predictions for unknown ids are ignored. Each
score is the max over the gold answers. The normalisations are rewritten here from the official
evaluation scripts' documented behaviour so that our numbers compare with published ones; where those
scripts have a quirk we keep it and say so.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from typing import Callable, Iterable, Mapping, Sequence, Union

_ASCII_PUNCT = frozenset(string.punctuation)
_EN_ARTICLES = re.compile(r"\b(a|an|the)\b")

# MLQA's per-language article patterns (MLQA evaluation script v1). hi and zh have no articles.
_MLQA_ARTICLES = {
    "en": _EN_ARTICLES,
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    # Quirk kept for comparability: the official pattern `\sال^|ال` can only ever match its second branch,
    # so it removes *every* "ال", also inside words (e.g. "حال" -> "ح"), not just the prefixed article.
    "ar": re.compile("ال"),
    "hi": None,
    "zh": None,
}
MLQA_LANGS = tuple(_MLQA_ARTICLES)
# MLQA's mixed segmentation only knows this CJK range (not the full CJK block); kept as is.
_CJK = re.compile("([\u4e00-\u9fa5])")


def _is_mlqa_punct(ch: str) -> bool:
    # MLQA strips every Unicode punctuation character (category P*) plus ASCII string.punctuation,
    # which adds symbols such as $ + < = > ^ ` | ~. Checking per character avoids building a 1.1M-char set.
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def normalize_squad(text: str) -> str:
    """SQuAD v1.1/v2.0: lower-case, drop ASCII punctuation and English articles, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    return " ".join(_EN_ARTICLES.sub(" ", text).split())


def normalize_mlqa(text: str, lang: str) -> str:
    """MLQA: lower-case, drop Unicode punctuation, drop `lang`'s articles, then split into tokens.

    zh is segmented "mixed": each CJK character is its own token, other runs are split on whitespace."""
    if lang not in _MLQA_ARTICLES:
        raise ValueError(f"MLQA normalisation has no rules for language {lang!r}; known: {MLQA_LANGS}")
    text = "".join(ch for ch in text.lower() if not _is_mlqa_punct(ch))
    articles = _MLQA_ARTICLES[lang]
    if articles is not None:
        text = articles.sub(" ", text)
    if lang == "zh":
        text = _CJK.sub(r" \1 ", text)
    return " ".join(text.split())


Gold = Union[Mapping[str, Sequence[str]], Sequence[tuple[str, Sequence[str]]]]


def gold_items(gold: Gold) -> list[tuple[str, list[str]]]:
    """(question_id, answers) per gold question, in order, repeated ids kept."""
    items = gold.items() if isinstance(gold, Mapping) else gold
    return [(qid, list(answers)) for qid, answers in items]


def _overlap_f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def _v2_f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    # SQuAD v2.0: when either side is empty (no answer), F1 is 1 if both are empty, else 0.
    if not pred_tokens or not gold_tokens:
        return float(pred_tokens == gold_tokens)
    return _overlap_f1(pred_tokens, gold_tokens)


def _score(gold: Gold, pred: Mapping[str, str],
           normalize: Callable[[str], str], f1_fn: Callable = _overlap_f1) -> tuple[list, list]:
    """Per-question (EM, F1) in 0-1, max over gold answers; missing predictions score 0."""
    ems, f1s = [], []
    for qid, answers in gold_items(gold):
        if not answers:
            raise ValueError(f"question {qid!r} has no gold answer; use squad_v2 for unanswerable questions")
        if qid not in pred:
            ems.append(0.0)
            f1s.append(0.0)
            continue
        p = normalize(pred[qid])
        golds = [normalize(a) for a in answers]
        ems.append(max(float(p == g) for g in golds))
        f1s.append(max(f1_fn(p.split(), g.split()) for g in golds))
    return ems, f1s


def _mean100(values: list) -> float:
    if not values:
        raise ValueError("QA: no questions to score")
    return 100.0 * sum(values) / len(values)


def squad_v1(gold: Gold, pred: Mapping[str, str]) -> dict:
    """Official SQuAD v1.1 EM/F1 (XQuAD and TyDiQA-GoldP in XTREME)."""
    ems, f1s = _score(gold, pred, normalize_squad)
    return {"em": _mean100(ems), "f1": _mean100(f1s)}


def mlqa(gold: Gold, pred: Mapping[str, str], lang: str) -> dict:
    """Official MLQA EM/F1 with the answer language's normalisation."""
    ems, f1s = _score(gold, pred, lambda s: normalize_mlqa(s, lang))
    return {"em": _mean100(ems), "f1": _mean100(f1s)}


def squad_v2(gold: Gold, pred: Mapping[str, str]) -> dict:
    """Official SQuAD v2.0 EM/F1 without a no-answer threshold: the prediction "" means "no answer".

    A question is unanswerable when it has no gold answer that normalises to something non-empty.
    Adds has_ans_/no_ans_ breakdowns (no_ans F1 equals no_ans EM, so only EM is given)."""
    gold = [(qid, [a for a in answers if normalize_squad(a)] or [""]) for qid, answers in gold_items(gold)]
    ems, f1s = _score(gold, pred, normalize_squad, _v2_f1)
    has_ans = [answers != [""] for _, answers in gold]
    out = {"em": _mean100(ems), "f1": _mean100(f1s)}
    if any(has_ans):
        out["has_ans_em"] = _mean100([e for e, h in zip(ems, has_ans) if h])
        out["has_ans_f1"] = _mean100([f for f, h in zip(f1s, has_ans) if h])
    if not all(has_ans):
        out["no_ans_em"] = _mean100([e for e, h in zip(ems, has_ans) if not h])
    return out


def answers_from_squad(data) -> list[tuple[str, list[str]]]:
    """SQuAD-format json (the whole file, or its "data" list of articles) -> [(id, [answer texts])], one
    pair per question in file order (a repeated id is kept: the official scripts count it every time)."""
    articles = data["data"] if isinstance(data, dict) and "data" in data else data
    return [(qa["id"], [a["text"] for a in qa["answers"]])
            for article in articles for paragraph in article["paragraphs"] for qa in paragraph["qas"]]


def answers_from_rows(rows: Iterable[Mapping]) -> list[tuple[str, list[str]]]:
    """Hugging Face SQuAD-schema rows (id, answers {text, answer_start}) -> [(id, [answer texts])], per row."""
    return [(row["id"], list(row["answers"]["text"])) for row in rows]
