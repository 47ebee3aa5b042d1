"""NLI pairs (mnli, xnli) built from meaning, with monotonicity under negation.

Label first, then an edit that yields it. Which edits are possible depends on the premise's
polarity, so no single surface cue (length, negation word, overlap) decides the label:

| premise  | entailment          | neutral                          | contradiction          |
|----------|---------------------|----------------------------------|------------------------|
| positive | weaken              | strengthen, unrelated            | negate, change an arg  |
| negated  | strengthen          | weaken, change an arg, unrelated | un-negate (+strengthen)|
"""

from __future__ import annotations

import random
from dataclasses import replace

from . import edits
from .meaning import Clause, Sentence, sample_clause
from .render import text

LABELS = ("entailment", "neutral", "contradiction")


def _candidates(c: Clause, label: int, rng: random.Random) -> list[Clause]:
    weak, strong = edits.weakenings(c), edits.strengthenings(c, rng)
    flip = replace(c, neg=not c.neg)
    if label == 0:
        return strong if c.neg else weak
    if label == 1:
        base = weak + edits.changed_args(c, rng) if c.neg else strong
        unrelated = [sample_clause(rng, 0.3)] if rng.random() < 0.15 else []
        return base + unrelated
    if c.neg:
        return [flip] + [replace(s, neg=False) for s in strong]
    return [flip] + [replace(w, neg=True) for w in weak] + edits.changed_args(c, rng)


def _twice(c: Clause, label: int, rng: random.Random) -> Clause:
    """Sometimes apply a second edit of the same direction (longer gap, same label)."""
    if label == 2 or rng.random() < 0.7:
        return c
    more = _candidates(c, label, rng) if label == 0 else []
    return rng.choice(more) if more else c


def nli_meaning(rng: random.Random) -> tuple[Sentence, Sentence, int]:
    """(premise, hypothesis, label) with labels uniform."""
    label = rng.randrange(3)
    while True:
        target = sample_clause(rng, neg_share=0.35)
        cands = [h for h in _candidates(target, label, rng) if h != target]
        if cands:
            break
    hyp = _twice(rng.choice(cands), label, rng)
    premise = Sentence((target,))
    if rng.random() < 0.2:  # two-clause premise: both conjuncts (and the reason) are asserted
        other = sample_clause(rng, neg_share=0.2)
        conj = rng.choice(["and", "but", "because"])
        clauses = (target, other) if rng.random() < 0.5 else (other, target)
        premise = Sentence(clauses, conj)
    return premise, Sentence((hyp,)), label


def meanings(rng: random.Random, n: int) -> list:
    return [nli_meaning(rng) for _ in range(n)]


def rows(lang, items: list, style: random.Random, with_idx: bool) -> list[dict]:
    out = []
    for i, (premise, hyp, label) in enumerate(items):
        row = {"premise": text(lang.sentence_toks(premise, style)),
               "hypothesis": text(lang.sentence_toks(hyp, style)), "label": label}
        if with_idx:  # glue/mnli has idx, xnli does not
            row["idx"] = i
        out.append(row)
    return out
