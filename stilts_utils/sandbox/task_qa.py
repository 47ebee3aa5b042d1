"""Extractive QA (squad, xquad): a few sentences, a question about one argument of one of them.

Contexts often hold a distractor with the same verb and other arguments, so matching the verb alone
does not find the answer; the question keeps every other argument of its clause, which makes the
answer unique.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import edits
from .meaning import Clause, Sentence, entities, sample_clause, sample_sentence
from .render import answer_of, text
from .render_en import count_target


@dataclass(frozen=True)
class QAItem:
    sentences: tuple  # Sentence, the target among them
    target: int  # index of the sentence asked about (a one-clause sentence)
    role: str  # subj | obj | place | time | count


def _roles(c: Clause) -> list[str]:
    roles = ["subj"] + ["obj"] * bool(c.obj) + ["place"] * bool(c.place) + ["time"] * bool(c.time)
    return roles + ["count"] * bool(count_target(c))


def _matches(c: Clause, other: Clause, role: str) -> bool:
    """Would the question about `role` of c also fit `other`?"""
    if other.verb != c.verb or (other.neg, other.tense) != (c.neg, c.tense):
        return False
    keep = [r for r in ("subj", "obj", "place", "time", "manner") if r != role]
    return all(getattr(other, r) == getattr(c, r) for r in keep)


def qa_meaning(rng: random.Random) -> QAItem:
    target = sample_clause(rng, neg_share=0.1)
    role = rng.choice(_roles(target))
    others = [sample_sentence(rng, 0.15) for _ in range(rng.randint(2, 4))]
    changed = edits.changed_args(target, rng)
    if changed and rng.random() < 0.6:  # same verb, other participants
        others[0] = Sentence((rng.choice(changed),))
    if any(_matches(target, c, role) for s in others for c in s.clauses):
        return qa_meaning(rng)
    pos = rng.randrange(len(others) + 1)
    sentences = tuple(others[:pos]) + (Sentence((target,)),) + tuple(others[pos:])
    return QAItem(sentences, pos, role)


def meanings(rng: random.Random, n: int) -> list[QAItem]:
    return [qa_meaning(rng) for _ in range(n)]


def rows(lang, items: list[QAItem], style: random.Random, id_prefix: str) -> list[dict]:
    out = []
    for i, item in enumerate(items):
        toks = [lang.sentence_toks(s, style) for s in item.sentences]
        texts = [text(t) for t in toks]
        answer, start = answer_of(toks[item.target], item.role)
        start += sum(len(t) + 1 for t in texts[: item.target])  # sentences joined by one space
        clause = item.sentences[item.target].clauses[0]
        names = [np.key for s in item.sentences for np in entities(s)]
        out.append({
            "id": f"{id_prefix}{i:06d}",
            "title": names[0] if names else "Sandbox",
            "context": " ".join(texts),
            "question": text(lang.question_toks(clause, item.role, style)),
            "answers": {"text": [answer], "answer_start": [start]},
        })
    return out
