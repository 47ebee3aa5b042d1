"""Meaning edits behind NLI and paraphrase pairs: weaker, stronger and different meanings.

A *weakening* is entailed by its source (drop a modifier, go up to a hypernym), a *strengthening*
entails its source. Under negation the direction flips (monotonicity), which NLI relies on.
"""

from __future__ import annotations

import random
from dataclasses import replace

from . import lexicon_en as L
from .meaning import NP, Clause, adjectives_for, sample_np, sample_place

ARGS = ("subj", "obj")


def _nouns(c: Clause):
    """(role, np) of the common-noun phrases of a clause, the place's included."""
    out = [(r, getattr(c, r)) for r in ARGS if getattr(c, r) is not None]
    if c.place:
        out.append(("place", c.place.np))
    return [(r, np) for r, np in out if np.kind == "noun"]


def _set(c: Clause, role: str, np: NP) -> Clause:
    return replace(c, place=replace(c.place, np=np)) if role == "place" else replace(c, **{role: np})


def weakenings(c: Clause) -> list[Clause]:
    out = [replace(c, **{k: v}) for k, v in (("place", None), ("manner", ""), ("time", ""))
           if getattr(c, k)]
    for role, np in _nouns(c):
        if np.adj:
            out.append(_set(c, role, replace(np, adj="")))
        if np.count:
            out.append(_set(c, role, replace(np, count=0)))
        if np.key not in L.HYPERNYMS and role != "place":
            up = replace(np, key=np.cat, adj=np.adj if np.adj in adjectives_for(np) else "")
            out.append(_set(c, role, up))
    return out


def strengthenings(c: Clause, rng: random.Random) -> list[Clause]:
    out = []
    if not c.place:
        out.append(replace(c, place=sample_place(rng)))
    if not c.manner:
        out.append(replace(c, manner=rng.choice(sorted(L.MANNER))))
    if not c.time:
        times = [t for t, ok in L.TIME.items() if c.tense in ok]
        out.append(replace(c, time=rng.choice(times)))
    for role, np in _nouns(c):
        adjs = adjectives_for(np)
        if adjs and not np.adj:
            out.append(_set(c, role, replace(np, adj=rng.choice(adjs))))
        if np.key in L.HYPERNYMS and role != "place":
            verb = L.LEXICON[c.verb]
            cls = verb.cls if role == "subj" else verb.obj
            down = [n for n in L.by_pos("NOUN") if L.LEXICON[n].cls == np.cat and n != np.key
                    and L.fits(n, np.cat, cls)]
            if down:
                out.append(_set(c, role, replace(np, key=rng.choice(down))))
    return out


def changed_args(c: Clause, rng: random.Random) -> list[Clause]:
    """Same verb, one participant replaced by another that fits: a different event."""
    verb, out = L.LEXICON[c.verb], []
    for role, cls in (("subj", verb.cls), ("obj", verb.obj)):
        old = getattr(c, role)
        if old is None:
            continue
        new = sample_np(rng, cls)
        if _ref(new) != _ref(old) and new != (c.obj if role == "subj" else c.subj):
            out.append(replace(c, **{role: new}))
    if c.place:
        new = sample_place(rng)
        if _ref(new.np) != _ref(c.place.np):
            out.append(replace(c, place=replace(c.place, np=new.np)))
    return out


def _ref(np: NP) -> str:
    """Who or what an NP picks out, ignoring modifiers (first name vs full name count as one)."""
    return np.key.split()[0] if np.cat == "PER" else np.key


def swapped_roles(c: Clause) -> list[Clause]:
    """Subject and object exchanged (same words, different meaning) when both still fit."""
    verb = L.LEXICON[c.verb]
    if c.obj is None or c.subj.kind == "pron":
        return []
    ok = L.fits(c.obj.key, c.obj.cat, verb.cls) and L.fits(c.subj.key, c.subj.cat, verb.obj)
    return [replace(c, subj=c.obj, obj=c.subj)] if ok and _ref(c.obj) != _ref(c.subj) else []


def other_tense(c: Clause, rng: random.Random) -> list[Clause]:
    tense = rng.choice([t for t in ("past", "present", "future") if t != c.tense])
    time = c.time if c.time and tense in L.TIME[c.time] else ""
    return [replace(c, tense=tense, time=time)]
