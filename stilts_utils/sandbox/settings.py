"""Settings of the sandbox world: plain dataclasses that a YAML dict maps onto one-to-one."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

WORD_ORDERS = ("SVO", "SOV", "VSO", "reversed")  # reversed: each clause of SVO mirrored (a control)
ADJ_ORDERS = ("AN", "NA")  # adjective before / after the noun
# analytic: en's own grammar (do-support, plural and 3sg/past suffixes), so that a derived language
# with it, SVO, AN, prepositions and articles differs from en in its words alone
MORPHOLOGIES = ("analytic", "isolating", "agglutinative", "fusional")
ADPOSITIONS = ("pre", "post")
SCRIPTS = ("Latn", "Cyrl", "Grek")


def check_keys(cls, d: dict) -> None:
    """Reject unknown keys, naming the key and listing the allowed ones."""
    allowed = [f.name for f in dataclasses.fields(cls)]
    for key in d:
        if key not in allowed:
            raise ValueError(f"{cls.__name__}: unknown key {key!r}; allowed: {', '.join(allowed)}")


def _check_choice(owner: str, name: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{owner}: {name}={value!r}; allowed: {', '.join(choices)}")


@dataclass(frozen=True)
class LanguageSpec:
    """One derived language: its typology and its share of the pretraining text."""

    code: str  # sandbox code, used in paths (`<root>/<task>/<code>/...`)
    name: str
    cc100_tokens_m: float  # CC-100 tokens (millions) of the real language whose volume it copies
    word_order: str = "SVO"  # SVO | SOV | VSO
    adj_order: str = "AN"  # AN | NA
    morphology: str = "isolating"  # isolating | agglutinative | fusional
    adposition: str = "pre"  # pre | post (agglutinative languages mark "in" with a case suffix)
    articles: bool = False  # has a definite and an indefinite article
    script: str = "Latn"  # Latn | Cyrl | Grek; native words and names are written in it
    cognate_share: float = 0.0  # share of content words borrowed from en with sound changes
    volume_multiplier: float = 1.0  # scales this language's pretraining sentences only
    copies: str = ""  # real language whose CC-100 row `cc100_tokens_m` copies (documentation)
    # the language ladder (ladder.py): data for the analysis, checked by ladder.check_ladder
    rung: int = 0  # position on the ladder (1 = closest to en); 0 = not on a ladder
    factor: str = ""  # the named factor this language changes relative to `parent` (ladder.FACTORS)
    parent: str = ""  # code of the language it differs from in `factor` alone ("en" or a derived one)
    twin: str = ""  # code of a language with the same typology and another pretraining volume

    def __post_init__(self):
        owner = f"LanguageSpec({self.code})"
        _check_choice(owner, "word_order", self.word_order, WORD_ORDERS)
        _check_choice(owner, "adj_order", self.adj_order, ADJ_ORDERS)
        _check_choice(owner, "morphology", self.morphology, MORPHOLOGIES)
        _check_choice(owner, "adposition", self.adposition, ADPOSITIONS)
        _check_choice(owner, "script", self.script, SCRIPTS)
        if not (self.code.isalpha() and self.code.islower()) or self.code == "en":
            raise ValueError(f"{owner}: code must be lower-case letters and not 'en'")
        if self.cc100_tokens_m <= 0 or self.volume_multiplier < 0:
            raise ValueError(f"{owner}: cc100_tokens_m must be > 0 and volume_multiplier >= 0")
        if not 0.0 <= self.cognate_share <= 1.0:
            raise ValueError(f"{owner}: cognate_share must be in [0, 1]")

    @classmethod
    def from_dict(cls, d: dict) -> "LanguageSpec":
        check_keys(cls, d)
        return cls(**d)


def _default_languages() -> tuple[LanguageSpec, ...]:
    from .defaults import DEFAULT_LANGUAGES  # late import: defaults.py imports LanguageSpec

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
