"""Question paraphrase (qqp): same meaning in other words vs overlapping but different meaning.

Duplicates are one (clause, question role) rendered twice with independent choices of synonyms and
adjunct order; non-duplicates change the meaning, often by one word or by swapping subject and
object (same bag of words), so word overlap alone does not decide.
"""

from __future__ import annotations

import random
from dataclasses import replace

from . import edits
from .meaning import NP, sample_clause
from .render import text
from .render_en import HUMAN, count_target
from .task_qa import _roles

DUPLICATE_SHARE = 0.37  # glue/qqp train is about 37% duplicates


def _role(c, rng: random.Random) -> str:
    return "yn" if rng.random() < 0.3 else rng.choice(_roles(c))


def _valid(c, role: str) -> bool:
    return role == "yn" or role in _roles(c)


def asked(c, role: str):
    """What a question means: its clause with the asked part abstracted away, so "Who slept?"
    about Maria and about Tom is one question."""
    if role == "yn":
        return c, role
    if role == "count":
        target = count_target(c)
        return replace(c, **{target: replace(getattr(c, target), count=-1)}), role
    if role in ("place", "time"):
        return replace(c, **{role: None}), role
    np = getattr(c, role)  # who vs what still tells two questions apart
    return replace(c, **{role: NP("noun", "?", "who" if np.cat in HUMAN else "what")}), role


def _different(c, role: str, rng: random.Random):
    """(clause, role) with another meaning; the role is kept unless the edit removed it."""
    cands = edits.changed_args(c, rng) + edits.swapped_roles(c) + edits.other_tense(c, rng)
    cands += [replace(c, neg=not c.neg)] + edits.weakenings(c) + edits.strengthenings(c, rng)
    pairs = [(d, role) for d in cands if _valid(d, role)]
    pairs += [(c, r) for r in _roles(c) + ["yn"] if r != role]
    return rng.choice([p for p in pairs if asked(*p) != asked(c, role)])


def qqp_meaning(rng: random.Random):
    """((clause, role), (clause, role), label) with label 1 for duplicates."""
    c = sample_clause(rng, neg_share=0.1)
    role = _role(c, rng)
    if rng.random() < DUPLICATE_SHARE:
        return (c, role), (c, role), 1
    return (c, role), _different(c, role, rng), 0


def meanings(rng: random.Random, n: int) -> list:
    return [qqp_meaning(rng) for _ in range(n)]


def rows(lang, items: list, style: random.Random) -> list[dict]:
    out = []
    for i, ((c1, r1), (c2, r2), label) in enumerate(items):
        q1 = text(lang.question_toks(c1, r1, style))
        q2 = text(lang.question_toks(c2, r2, style))
        for _ in range(5 if label else 0):  # a duplicate should be worded differently
            if q2 != q1:
                break
            q2 = text(lang.question_toks(c2, r2, style))
        out.append({"question1": q1, "question2": q2, "label": label, "idx": i})
    return out
