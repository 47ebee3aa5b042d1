"""Settings of the sandbox world: plain dataclasses that a YAML dict maps onto one-to-one."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

from .defaults import DEFAULT_LANGUAGES
from .spec import LanguageSpec, check_keys

def _default_languages() -> tuple[LanguageSpec, ...]:
    return DEFAULT_LANGUAGES


@dataclass(frozen=True)
class WorldSettings:
    """Everything that determines the sandbox world; same settings -> same files."""

    seed: int = 0
    languages: tuple[LanguageSpec, ...] = field(default_factory=_default_languages)
    en_cc100_tokens_m: float = 55608.0  # en row of XLM-R Table 6 (CC-100 English)
    en_volume_multiplier: float = 1.0  # scales the en pretraining sentences only
    alpha: float = 0.3  # XLM-R language sampling: p_i ∝ n_i ** alpha
    pretrain_sentences: int = 40000  # corpus size at volume_multiplier 1 for every language
    question_share: float = 0.05  # questions in the corpus (web text has them too; no labels)
    code_switch_share: float = 0.02  # non-en corpus sentences with some en words swapped in
    code_switch_rate: float = 0.3  # in such a sentence, chance that a content word is en
    shared_entities: bool = True  # one name inventory for all languages (anchors) or one each
    shared_numerals: bool = True  # digits everywhere (anchors) or each language's own numerals
    train_size: int = 2000  # en train rows per task (mnli, qqp, squad, udpos, panx)
    # en mnli train rows = train_size * nli_train_factor (xnli trains on them too): sentence-pair
    # NLI needs more rows than tagging; with 2,000 the tiny encoder stays near 56-60 % in en, with
    # 10,000 it reaches ~71 % (a bag of words + negation: 76 %)
    nli_train_factor: float = 5.0
    eval_size: int = 300  # dev and test rows per language
    bucc_pairs: int = 150  # gold pairs per BUCC file set
    bucc_distractors: int = 150  # sentences without translation, on each side

    def __post_init__(self):
        langs = tuple(
            s if isinstance(s, LanguageSpec) else LanguageSpec.from_dict(s) for s in self.languages
        )
        object.__setattr__(self, "languages", langs)
        codes = [s.code for s in langs]
        if len(set(codes)) != len(codes):
            raise ValueError(f"WorldSettings: duplicate language codes in {codes}")
        for name in ("pretrain_sentences", "train_size", "eval_size", "bucc_pairs"):
            if getattr(self, name) < 1:
                raise ValueError(f"WorldSettings: {name} must be >= 1")
        if self.nli_train_factor <= 0:
            raise ValueError("WorldSettings: nli_train_factor must be > 0")
        for name in ("question_share", "code_switch_share", "code_switch_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"WorldSettings: {name} must be in [0, 1]")

    @classmethod
    def from_dict(cls, d: dict) -> "WorldSettings":
        check_keys(cls, d)
        d = dict(d)
        if "languages" in d:
            d["languages"] = tuple(x if isinstance(x, LanguageSpec) else LanguageSpec.from_dict(x)
                                   for x in d["languages"])
        return cls(**d)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def language(self, code: str) -> LanguageSpec:
        for spec in self.languages:
            if spec.code == code:
                return spec
        raise KeyError(f"no language {code!r}; have {[s.code for s in self.languages]}")


def settings_hash(settings) -> str:
    """Stable short hash of a settings dataclass (cache paths); same across runs and machines."""
    blob = json.dumps(dataclasses.asdict(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]
