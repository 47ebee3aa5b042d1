"""Meanings: language-independent clauses, and a sampler that respects selectional restrictions.

Every sentence of every language is rendered from one of these, so translations share a meaning.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from . import lexicon_en as L

TENSES = ("past", "present", "future")


@dataclass(frozen=True)
class NP:
    kind: str  # name | noun | pron
    key: str  # noun concept id, the en name of an entity, or he/she/it/they for pronouns
    cat: str  # noun category (animal, person, ...) or PER/ORG/LOC
    plural: bool = False
    count: int = 0  # numeral shown when > 0 (plural nouns only)
    adj: str = ""  # adjective concept id
    definite: bool = True


@dataclass(frozen=True)
class Place:
    rel: str  # in | near
    np: NP


@dataclass(frozen=True)
class Clause:
    subj: NP
    verb: str
    obj: NP | None = None
    place: Place | None = None
    time: str = ""  # time adverb concept
    manner: str = ""  # manner adverb concept
    tense: str = "past"
    neg: bool = False


@dataclass(frozen=True)
class Sentence:
    clauses: tuple  # one or two Clause
    conj: str = ""  # and | but | because, joining two clauses
    intj: str = ""  # oh | well, sentence-initial


def adjectives_for(np: NP) -> list[str]:
    return [a for a in L.by_pos("ADJ") if L.fits(np.key, np.cat, L.LEXICON[a].cls)]


def sample_np(rng: random.Random, cls: str, name_share: float = 0.35) -> NP:
    cats = sorted(L.CLASSES[cls])
    named = [c for c in cats if c in ("PER", "ORG", "LOC")]
    if named and rng.random() < name_share:
        return sample_name(rng, rng.choice(named))
    nouns = [n for n in L.by_pos("NOUN") if L.fits(n, L.LEXICON[n].cls, cls)]
    if not nouns:  # a class of names only
        return sample_name(rng, rng.choice(named))
    noun = rng.choice(nouns)
    np = NP("noun", noun, L.LEXICON[noun].cls, definite=rng.random() < 0.6)
    if rng.random() < 0.3:
        np = replace(np, plural=True, count=rng.randint(2, 9) if rng.random() < 0.5 else 0)
    adjs = adjectives_for(np)
    if adjs and rng.random() < 0.3:
        np = replace(np, adj=rng.choice(adjs))
    return np


def sample_name(rng: random.Random, cat: str) -> NP:
    if cat == "PER":
        first = rng.choice(sorted(L.FIRST_NAMES))
        name = first if rng.random() < 0.4 else f"{first} {rng.choice(L.SURNAMES)}"
        return NP("name", name, "PER")
    pool = L.ORGS if cat == "ORG" else L.PLACES
    return NP("name", rng.choice(pool), cat)


def sample_place(rng: random.Random) -> Place:
    rel = "in" if rng.random() < 0.7 else "near"
    if rng.random() < 0.5:
        return Place(rel, sample_name(rng, "LOC"))
    noun = rng.choice([n for n in L.by_pos("NOUN") if L.LEXICON[n].cls == "place"])
    return Place(rel, NP("noun", noun, "place", definite=True))


def sample_clause(rng: random.Random, neg_share: float = 0.15, verb: str = "") -> Clause:
    concept = L.LEXICON[verb or rng.choice(L.by_pos("VERB"))]
    subj = sample_np(rng, concept.cls)
    obj = None
    if concept.obj:
        obj = sample_np(rng, concept.obj)
        while obj.key == subj.key:  # "the kid hires a child" reads as one referent
            obj = sample_np(rng, concept.obj)
    tense = rng.choice(TENSES)
    times = [t for t, ok in L.TIME.items() if tense in ok]
    return Clause(
        subj, concept.id, obj,
        place=sample_place(rng) if rng.random() < 0.4 else None,
        time=rng.choice(times) if rng.random() < 0.3 else "",
        manner=rng.choice(sorted(L.MANNER)) if rng.random() < 0.2 else "",
        tense=tense, neg=rng.random() < neg_share,
    )


def pronoun_for(np: NP) -> NP:
    """The pronoun an en speaker would use to refer back to np (gender only matters in en)."""
    if np.plural:
        key = "they"
    elif np.cat == "PER":
        key = "she" if L.FIRST_NAMES[np.key.split()[0]] == "f" else "he"
    elif np.cat == "person":
        key = "they"  # singular they: the sandbox does not mark gender on common nouns
    else:
        key = "it"
    return NP("pron", key, np.cat, plural=np.plural)  # en agrees "they" as plural anyway


def sample_sentence(rng: random.Random, neg_share: float = 0.15) -> Sentence:
    """One or two clauses; the second may refer back to the first subject with a pronoun."""
    first = sample_clause(rng, neg_share)
    intj = rng.choice(["oh", "well"]) if rng.random() < 0.05 else ""
    if rng.random() < 0.7:
        return Sentence((first,), intj=intj)
    second = sample_clause(rng, neg_share)
    if rng.random() < 0.4 and L.fits("", first.subj.cat, L.LEXICON[second.verb].cls):
        second = replace(second, subj=pronoun_for(first.subj))
    return Sentence((first, second), conj=rng.choice(["and", "but", "because"]), intj=intj)


def entities(sentence: Sentence) -> list[NP]:
    out = []
    for c in sentence.clauses:
        out += [np for np in (c.subj, c.obj, c.place and c.place.np) if np and np.kind == "name"]
    return out
