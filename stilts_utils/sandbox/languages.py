"""The languages of a world: renderers for en and each derived language, and pretraining volumes."""

from __future__ import annotations

from . import render_en
from .cipher import CipherLang, letter_table
from .ladder import cipher_root
from .lexicon_x import build_lexicon
from .render_x import XLang
from .settings import WorldSettings


class EnLang:
    """The base language, with the same interface as XLang."""

    code = "en"
    sentence_toks = staticmethod(render_en.sentence_toks)
    clause_toks = staticmethod(render_en.clause_toks)
    question_toks = staticmethod(render_en.question_toks)


def world_languages(settings: WorldSettings) -> list[str]:
    return ["en", *[s.code for s in settings.languages]]


def make_langs(settings: WorldSettings, switch: float = 0.0) -> dict:
    """code -> renderer; switch > 0 gives code-switching renderers (corpus only)."""
    langs = {"en": EnLang()}
    for spec in settings.languages:
        if root := cipher_root(settings, spec):
            langs[spec.code] = CipherLang(spec.code, letter_table(settings.seed, root), spec.script, switch,
                                          borrow=spec.cognate_share, seed=settings.seed,
                                          keep_names=settings.shared_entities)
            continue
        lex = build_lexicon(spec, settings.seed, settings.shared_entities, settings.shared_numerals)
        langs[spec.code] = XLang(lex, switch)
    return langs


def pretrain_counts(settings: WorldSettings) -> dict[str, int]:
    """Sentences per language: XLM-R's p_i ∝ n_i**alpha over CC-100 sizes, scaled to the corpus.

    The shares are computed without the volume multipliers, and the multiplier then scales that
    language's count alone, so a study can vary one language while the others stay put.
    """
    sizes = {"en": settings.en_cc100_tokens_m, **{s.code: s.cc100_tokens_m for s in settings.languages}}
    mult = {"en": settings.en_volume_multiplier,
            **{s.code: s.volume_multiplier for s in settings.languages}}
    weights = {k: n ** settings.alpha for k, n in sizes.items()}
    total = sum(weights.values())
    base = _largest_remainder({k: settings.pretrain_sentences * w / total for k, w in weights.items()})
    return {k: round(base[k] * mult[k]) for k in base}


def _largest_remainder(quotas: dict[str, float]) -> dict[str, int]:
    """Round quotas to ints that keep their sum (ties broken by name for determinism)."""
    out = {k: int(q) for k, q in quotas.items()}
    left = round(sum(quotas.values())) - sum(out.values())
    for k in sorted(quotas, key=lambda k: (out[k] - quotas[k], k))[:left]:
        out[k] += 1
    return out
