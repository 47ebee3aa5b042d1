"""Word forms of a derived language, generated deterministically from its own phonology.

Each language draws a consonant and vowel inventory, builds stems for every concept of the en
lexicon (two for concepts with en synonyms), function words and affixes. A share of content words
are cognates: the en form after the language's sound changes (as German/English share words).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import lexicon_en as L
from .settings import LanguageSpec

CONSONANTS = list("ptkbdgmnslrvfhzjw")
VOWELS = list("aeiou")
# function morphemes every derived language has (articles only when spec.articles)
FUNCTION_WORDS = ("def indef plw neg past fut in near and but because pron_sg pron_pl who what "
                  "where when who2 what2 where2 when2 howmany q oh well").split()  # 2: synonyms
# en's do-support auxiliaries, only in analytic languages (drawn after the others, so that adding
# them changed no other language's words)
ANALYTIC_WORDS = ("did", "do", "does")
ANALYTIC_SUFFIXES = "pl past s3".split()  # en's -s, -ed, -s
AGGLUTINATIVE_SUFFIXES = "pl acc loc neg past pres fut".split()
FUSIONAL_SUFFIXES = ("sg.acc sg.loc pl.nom pl.acc pl.loc adj.pl present.neg past.pos past.neg "
                     "future.pos future.neg").split()
SOUND_SHIFTS = [("th", "t"), ("ph", "f"), ("qu", "kv"), ("c", "k"), ("w", "v"), ("y", "i"),
                ("sh", "s"), ("x", "ks"), ("ee", "i"), ("oo", "u")]

_CYRL = dict(zip("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопкрстуввкыз"))
_GREK = dict(zip("abcdefghijklmnopqrstuvwxyz", "αβκδεφγχιικλμνοπκρστυβωξυζ"))


def to_script(text: str, script: str) -> str:
    """Letter-by-letter transliteration of Latin text (digits and punctuation stay)."""
    if script == "Latn":
        return text
    table = _CYRL if script == "Cyrl" else _GREK
    return "".join(_map_char(ch, table) for ch in text)


def _map_char(ch: str, table: dict) -> str:
    low = ch.lower()
    if low not in table:
        return ch
    return table[low].upper() if ch.isupper() else table[low]


@dataclass
class Phonology:
    consonants: list
    vowels: list
    coda_share: float  # chance that a syllable ends in a consonant

    def syllable(self, rng: random.Random) -> str:
        coda = rng.choice(self.consonants) if rng.random() < self.coda_share else ""
        return rng.choice(self.consonants) + rng.choice(self.vowels) + coda

    def suffix(self, rng: random.Random) -> str:
        # vowel-initial or CV: short bound morphemes like Turkish -lar, -da, -ti
        if rng.random() < 0.5:
            return rng.choice(self.vowels) + rng.choice(self.consonants)
        return rng.choice(self.consonants) + rng.choice(self.vowels)


@dataclass
class DerivedLexicon:
    spec: LanguageSpec
    content: dict = field(default_factory=dict)  # concept -> tuple of stems (synonyms)
    func: dict = field(default_factory=dict)  # function word name -> form
    suffix: dict = field(default_factory=dict)  # affix name -> form
    numerals: dict = field(default_factory=dict)  # 2..9 -> word, empty when digits are shared
    names: dict = field(default_factory=dict)  # en entity token -> own token, empty when shared


def build_lexicon(spec: LanguageSpec, seed: int, shared_entities: bool,
                  shared_numerals: bool) -> DerivedLexicon:
    rng = random.Random(f"{seed}/lexicon/{spec.code}")
    phon = Phonology(sorted(rng.sample(CONSONANTS, rng.randint(10, 14))),
                     sorted(rng.sample(VOWELS, rng.randint(3, 5))), rng.uniform(0.1, 0.5))
    shifts = rng.sample(SOUND_SHIFTS, 5)
    ending = rng.choice(phon.vowels)
    lex, used = DerivedLexicon(spec), set()

    def fresh(n_syllables: int) -> str:
        while True:
            w = "".join(phon.syllable(rng) for _ in range(n_syllables))
            if w not in used:
                used.add(w)
                return w

    for concept in L.LEXICON.values():
        stems = []
        for forms in concept.forms:
            if rng.random() < spec.cognate_share:
                stems.append(_cognate(forms[0], shifts, ending, used))
            else:
                stems.append(fresh(2 if concept.pos != "NOUN" else rng.randint(2, 3)))
        lex.content[concept.id] = tuple(stems)
    lex.func = {name: fresh(1) for name in FUNCTION_WORDS}
    lex.suffix = _suffixes(spec, phon, rng)
    if spec.morphology == "analytic":
        lex.func.update({name: fresh(1) for name in ANALYTIC_WORDS})
    if not shared_numerals:
        lex.numerals = {n: fresh(2) for n in range(2, 10)}
    if not shared_entities:
        lex.names = _own_names(fresh)
    return lex


def _cognate(en_form: str, shifts: list, ending: str, used: set) -> str:
    w = en_form
    for a, b in shifts:
        w = w.replace(a, b)
    w = w if w[-1] in VOWELS else w + ending
    while w in used:  # two en words can shift onto one form; keep forms unique
        w += ending
    used.add(w)
    return w


def _suffixes(spec: LanguageSpec, phon: Phonology, rng: random.Random) -> dict:
    names = {"agglutinative": AGGLUTINATIVE_SUFFIXES, "fusional": FUSIONAL_SUFFIXES,
             "analytic": ANALYTIC_SUFFIXES}
    out, seen = {}, set()
    for name in names.get(spec.morphology, []):
        s = phon.suffix(rng)
        while s in seen:
            s = phon.suffix(rng)
        out[name] = s
        seen.add(s)
    return out


def _own_names(fresh) -> dict:
    """Each en name token gets the language's own word (no anchors), capitalised."""
    tokens = set()
    for name in [*L.FIRST_NAMES, *L.SURNAMES, *L.PLACES, *L.ORGS]:
        tokens.update(name.split())
    return {t: fresh(2).capitalize() for t in sorted(tokens)}
