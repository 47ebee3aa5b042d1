"""The sandbox world's side of the phase-1 report (`phases/phase1_report.py` measures the encoder):
the probe sets drawn from the world (its en content words, parallel probe sentences no task file holds) and
the anchor-only baselines that need no learning from the text at all, so a reader sees what is learned
beyond string matching:
- a rule tagger that knows only punctuation, digits and capitals, on the world's UD-POS test;
- an overlap-only NLI classifier (logistic regression on word-overlap counts, no word identities)
  trained on en MNLI and applied to every language's XNLI test.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

from sklearn.linear_model import LogisticRegression

from . import lexicon_en as L
from .languages import make_langs
from .render import UPOS, text
from .settings import WorldSettings
from .task_simple import unique_sentences

PROBE_SENTENCES = 200


# ---- probe sets ---------------------------------------------------------------------------------------------

def en_words() -> list[tuple[str, str]]:
    """(concept, en dictionary form) of every content word."""
    return [(cid, c.forms[0][0]) for cid, c in L.LEXICON.items()]


def probe_sentences(settings: WorldSettings) -> dict[str, list[str]]:
    """Parallel one-clause sentences from a stream no task file draws from (held out by design)."""
    meanings = unique_sentences(random.Random(f"{settings.seed}/phase1-probe"), PROBE_SENTENCES)
    langs = make_langs(settings)
    return {code: [text(lang.sentence_toks(s, random.Random(f"{settings.seed}/phase1-probe/{code}/{i}")))
                   for i, s in enumerate(meanings)] for code, lang in langs.items()}


# ---- anchor-only baselines ----------------------------------------------------------------------------

def rule_tag(tokens: list[str]) -> list[str]:
    """Punctuation, digits and capitals only: what string matching gives a tagger for free."""
    tags = []
    for i, t in enumerate(tokens):
        if all(ch in string.punctuation for ch in t):
            tags.append("PUNCT")
        elif t.isdigit():
            tags.append("NUM")
        elif i > 0 and t[:1].isupper():
            tags.append("PROPN")
        else:
            tags.append("NOUN")
    return tags


def rule_tagger_accuracy(data_root: Path, lang: str) -> float:
    """% of the tokens of the world's UD-POS test in `lang` that `rule_tag` tags right."""
    right = total = 0
    for line in (Path(data_root) / "udpos" / lang / "test.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for pred, gold in zip(rule_tag(row["tokens"]), row["pos_tags"]):
            right += pred == UPOS[gold]
            total += 1
    return 100 * right / max(total, 1)


def overlap_features(premise: str, hypothesis: str) -> list[float]:
    """Counts of shared and unshared words; which words they are is never seen."""
    p, h = _words(premise), _words(hypothesis)
    shared = len(p & h)
    return [shared / max(len(h), 1), shared / max(len(p), 1), len(h - p), len(p - h),
            len(h) - len(p), shared / max(len(p | h), 1)]


def _words(s: str) -> set:
    return {w.strip(string.punctuation).lower() for w in s.split()} - {""}


def overlap_nli(data_root: Path, langs: list[str]) -> dict[str, float]:
    """% accuracy of a logistic regression on overlap features, trained on en MNLI train."""
    def load(path):
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        return [overlap_features(r["premise"], r["hypothesis"]) for r in rows], [r["label"] for r in rows]

    x, y = load(data_root / "mnli" / "en" / "train.jsonl")
    clf = LogisticRegression(max_iter=2000).fit(x, y)
    out = {}
    for lang in langs:
        xt, yt = load(data_root / "xnli" / lang / "test.jsonl")
        out[lang] = 100 * float(clf.score(xt, yt))
    return out
