"""One derived language's specification: its typology, its volume and its place on the ladder.

Separate from settings.py so that the default languages (defaults.py) can be built from it while
WorldSettings (settings.py) takes them as its default, without an import cycle."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
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
