"""Token tagging scores with XTREME's semantics: chunk F1 over the raw tag strings, plus token accuracy.

XTREME's evaluate.py (and jiant) score UD-POS *and* PAN-X with seqeval's default (non-strict) chunk F1.
For POS tags this is a quirk (xtreme#56): the first letter of a tag is read as a BIO prefix and the rest
as a type, so runs of identical tags merge into one chunk and SCONJ/SYM become single-token chunks. We
keep the quirk so numbers compare with XTREME's, and report token accuracy beside it (the number the
XTREME paper describes for POS).

Which seqeval: XTREME's numbers were computed with seqeval 0.0.12, whose chunking differs from seqeval 1.x
on POS tags (1.x reads the type as everything after the first character, so `CCONJ` and `SCONJ` share the
type `CONJ` and merge into one chunk, and a bare one-letter tag such as `X` gets the type `_`). Two named
semantics (`TAGGING_F1`):

- "seqeval-0.0.12" (the default): the chunking rules of seqeval 0.0.12's `get_entities`,
  `end_of_chunk` and `start_of_chunk` (chakki-works/seqeval tag v0.0.12,
  seqeval/metrics/sequence_labeling.py), re-implemented below from what those functions do: the tag is the
  first character, the type is what follows the last "-" (the whole tag when there is none), sentences are
  joined with an "O" between them, chunks are (type, start, end) triples compared as sets. This gives
  XTREME's evaluate_test.py number on its mock submission (UD-POS F1 70.2175).
- "seqeval-1.2.2": the installed seqeval package (1.2.2), default mode. PAN-X's BIO tags score the same
  under both; UD-POS does not.
"""
from __future__ import annotations

import warnings
from typing import Sequence

TAGGING_F1 = ("seqeval-0.0.12", "seqeval-1.2.2")
DEFAULT_TAGGING_F1 = TAGGING_F1[0]


def _as_names(sentences: Sequence[Sequence], labels: Sequence[str] | None) -> list[list[str]]:
    """Tag ids -> tag names when `labels` is given; seqeval only understands strings."""
    if labels is None:
        return [[str(t) for t in sent] for sent in sentences]
    return [[labels[t] for t in sent] for sent in sentences]


def _check_shapes(gold: list[list[str]], pred: list[list[str]]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"tagging: {len(pred)} predicted sentences for {len(gold)} gold sentences")
    for i, (g, p) in enumerate(zip(gold, pred)):
        if len(g) != len(p):
            raise ValueError(f"tagging: sentence {i} has {len(p)} predicted tags for {len(g)} words")


def token_accuracy(gold: list[list[str]], pred: list[list[str]]) -> float:
    """Share of words whose tag is right, 0-100 (jiant's CCG metric; the honest POS number)."""
    n = sum(len(s) for s in gold)
    if n == 0:
        raise ValueError("tagging: no words to score")
    correct = sum(g == p for gs, ps in zip(gold, pred) for g, p in zip(gs, ps))
    return 100.0 * correct / n


# ---- seqeval 0.0.12 chunking (XTREME's) ---------------------------------------------------------------

_OPEN = ("B", "I")  # a chunk continues after these unless the next tag closes it
_CLOSED = ("E", "S")  # a chunk ends right after these
_INSIDE = ("E", "I")  # these open a chunk when nothing is open before them


def _split_tag(tag: str) -> tuple[str, str]:
    """(prefix letter, type): "B-PER" -> ("B", "PER"), "NOUN" -> ("N", "NOUN"), "I-A-B" -> ("I", "B")."""
    return tag[0], tag.rsplit("-", 1)[-1]


def _ends(prev: str, cur: str, prev_type: str, cur_type: str) -> bool:
    """A chunk closes between two words (0.0.12's end_of_chunk)."""
    return (prev in _CLOSED or (prev in _OPEN and cur in ("B", "S", "O"))
            or (prev not in ("O", ".") and prev_type != cur_type))


def _starts(prev: str, cur: str, prev_type: str, cur_type: str) -> bool:
    """A chunk opens at the current word (0.0.12's start_of_chunk)."""
    return (cur in ("B", "S") or (prev in ("E", "S", "O") and cur in _INSIDE)
            or (cur not in ("O", ".") and prev_type != cur_type))


def chunks_v0012(sentences: Sequence[Sequence[str]]) -> set[tuple[str, int, int]]:
    """Every (type, first, last) chunk of the sentences joined by "O", as seqeval 0.0.12 found them."""
    flat = [tag for sent in sentences for tag in [*sent, "O"]]
    found, begin, prev, prev_type = set(), 0, "O", ""
    for i, tag in enumerate([*flat, "O"]):
        cur, cur_type = _split_tag(tag)
        if _ends(prev, cur, prev_type, cur_type):
            found.add((prev_type, begin, i - 1))
        if _starts(prev, cur, prev_type, cur_type):
            begin = i
        prev, prev_type = cur, cur_type
    return found


def _prf_v0012(gold: list[list[str]], pred: list[list[str]]) -> dict:
    if any(not t for sent in gold + pred for t in sent):
        raise ValueError("tagging: empty tag string")
    true, found = chunks_v0012(gold), chunks_v0012(pred)
    correct = len(true & found)
    p = correct / len(found) if found else 0.0
    r = correct / len(true) if true else 0.0
    return {"f1": 2 * p * r / (p + r) if p + r > 0 else 0.0, "precision": p, "recall": r}


def _prf_v122(gold: list[list[str]], pred: list[list[str]]) -> dict:
    from seqeval.metrics import f1_score, precision_score, recall_score  # lazy: 1 s; the CLI imports this module

    with warnings.catch_warnings():
        # seqeval warns once per POS tag that it "seems not to be NE tag": that is the quirk we keep on purpose.
        warnings.filterwarnings("ignore", message=".*seems not to be NE tag")
        # zero_division=0: no predicted (or gold) chunks scores 0, seqeval's default value, minus the warning.
        return {name: float(fn(gold, pred, zero_division=0))
                for name, fn in (("f1", f1_score), ("precision", precision_score), ("recall", recall_score))}


_CHUNK_F1 = {"seqeval-0.0.12": _prf_v0012, "seqeval-1.2.2": _prf_v122}


def tagging_scores(gold: Sequence[Sequence], pred: Sequence[Sequence],
                   labels: Sequence[str] | None = None, tagging_f1: str = DEFAULT_TAGGING_F1) -> dict:
    """Chunk F1/precision/recall (micro, non-strict, as XTREME) and token accuracy, all 0-100.

    `gold` and `pred` are lists of sentences, each a list of tags (names, or ids with `labels`);
    `tagging_f1` names the chunking semantics (TAGGING_F1; XTREME's seqeval 0.0.12 by default)."""
    if tagging_f1 not in _CHUNK_F1:
        raise ValueError(f"tagging_f1 {tagging_f1!r} is not one of {TAGGING_F1}")
    gold, pred = _as_names(gold, labels), _as_names(pred, labels)
    _check_shapes(gold, pred)
    out = {name: 100.0 * v for name, v in _CHUNK_F1[tagging_f1](gold, pred).items()}
    out["token_accuracy"] = token_accuracy(gold, pred)
    return out
