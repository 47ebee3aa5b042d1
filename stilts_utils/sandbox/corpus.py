"""The multilingual pretraining corpus: independent text per language, no task labels.

Each language gets its own sentences (not translations), as CC-100 does; volumes follow
`languages.pretrain_counts`. The only cross-lingual signals are the world's anchors (shared names
and digits, when those settings are on), cognates, and `code_switch_share` of non-en sentences in
which content words are swapped for en ones inside the native morphology (e.g. "dog-lar").
"""

from __future__ import annotations

import random
from pathlib import Path

from .languages import make_langs, pretrain_counts
from .meaning import sample_clause, sample_sentence
from .render import QUESTION_ROLES, text
from .render_en import count_target
from .settings import WorldSettings


def corpus_lines(lang, switched, n: int, settings: WorldSettings) -> list[str]:
    """n lines of one language; `switched` is the same language with code-switching on."""
    rng = random.Random(f"{settings.seed}/corpus/{lang.code}")
    style = random.Random(f"{settings.seed}/corpus/{lang.code}/style")
    lines = []
    for _ in range(n):
        renderer = switched if rng.random() < settings.code_switch_share else lang
        if rng.random() < settings.question_share:
            clause = sample_clause(rng)
            roles = [r for r in QUESTION_ROLES if _has(clause, r)] + ["yn"]
            toks = renderer.question_toks(clause, rng.choice(roles), style)
        else:
            toks = renderer.sentence_toks(sample_sentence(rng), style)
        lines.append(text(toks))
    return lines


def _has(clause, role: str) -> bool:
    return bool(count_target(clause)) if role == "count" else bool(getattr(clause, role))


def write_corpus(settings: WorldSettings, root: Path) -> dict[str, int]:
    """Writes <root>/corpus/<code>.txt (one sentence per line); returns line counts."""
    langs = make_langs(settings)
    switched = make_langs(settings, switch=settings.code_switch_rate)
    switched["en"] = langs["en"]  # en has nothing to switch to
    counts = pretrain_counts(settings)
    (root / "corpus").mkdir(parents=True, exist_ok=True)
    for code, n in counts.items():
        lines = corpus_lines(langs[code], switched[code], n, settings)
        (root / "corpus" / f"{code}.txt").write_text("".join(line + "\n" for line in lines),
                                                      encoding="utf-8")
    return counts
