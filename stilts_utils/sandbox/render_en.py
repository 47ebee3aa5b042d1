"""The base language: an English fragment with do-support, articles and irregular verbs."""

from __future__ import annotations

import random

from . import lexicon_en as L
from .meaning import NP, Clause, Sentence
from .render import Tok, capitalize, name_toks, set_clause

CONJ_UPOS = {"and": "CCONJ", "but": "CCONJ", "because": "SCONJ"}
HUMAN = {"PER", "person", "ORG"}


def count_target(clause: Clause) -> str:
    """Which argument a "how many" question asks about (object first), "" if none has a count."""
    for role in ("obj", "subj"):
        np = getattr(clause, role)
        if np is not None and np.count:
            return role
    return ""


def _syn(concept: str, style: random.Random) -> tuple:
    forms = L.LEXICON[concept].forms
    return forms[style.randrange(len(forms))]


def np_toks(np: NP, role: str, style: random.Random) -> list[Tok]:
    if np.kind == "name":
        return name_toks(np.key.split(), np.cat, role)
    if np.kind == "pron":
        return [Tok(np.key, "PRON", role=role)]
    sg, pl = _syn(np.key, style)
    toks = []
    if np.count:
        toks.append(Tok(str(np.count), "NUM", role=role))
    if np.adj:
        toks.append(Tok(_syn(np.adj, style)[0], "ADJ", role=role))
    toks.append(Tok(pl if np.plural else sg, "NOUN", role=role))
    if np.definite:
        toks.insert(0, Tok("the", "DET", role=role))
    elif not np.plural:
        toks.insert(0, Tok("an" if toks[0].form[0] in "aeiou" else "a", "DET", role=role))
    return toks


def _plural(np: NP) -> bool:
    return np.plural or np.key == "they"


def aux_form(clause: Clause, subj_plural: bool) -> str:
    return {"past": "did", "future": "will"}.get(clause.tense, "do" if subj_plural else "does")


def verb_toks(clause: Clause, subj_plural: bool, style: random.Random) -> list[Tok]:
    """Declarative verb group: saw / did not see / sees / does not see / will (not) see."""
    base, past, s3 = _syn(clause.verb, style)
    if clause.tense == "future" or clause.neg:
        aux = [Tok(aux_form(clause, subj_plural), "AUX", role="verb")]
        neg = [Tok("not", "PART", role="verb")] if clause.neg else []
        return aux + neg + [Tok(base, "VERB", role="verb")]
    form = past if clause.tense == "past" else (base if subj_plural else s3)
    return [Tok(form, "VERB", role="verb")]


def adjunct_chunks(clause: Clause, style: random.Random) -> dict:
    chunks = {}
    if clause.place:
        chunks["place"] = [Tok(clause.place.rel, "ADP", role="adp"),
                           *np_toks(clause.place.np, "place", style)]
    if clause.manner:
        chunks["manner"] = [Tok(_syn(clause.manner, style)[0], "ADV", role="manner")]
    if clause.time:
        chunks["time"] = [Tok(clause.time, "ADV", role="time")]
    return chunks


def adjunct_order(style: random.Random) -> list[str]:
    order = ["manner", "place", "time"]
    if style.random() < 0.5:
        order[0], order[1] = order[1], order[0]
    if style.random() < 0.25:
        order.insert(0, order.pop())  # time first: "Yesterday Maria saw ..."
    return order


def clause_toks(clause: Clause, style: random.Random) -> list[Tok]:
    adj = adjunct_chunks(clause, style)
    order = adjunct_order(style)
    core = np_toks(clause.subj, "subj", style) + verb_toks(clause, _plural(clause.subj), style)
    if clause.obj:
        core += np_toks(clause.obj, "obj", style)
    front = adj.get("time", []) if order[0] == "time" else []
    back = [t for name in order if not (front and name == "time") for t in adj.get(name, [])]
    return front + core + back


def sentence_toks(sentence: Sentence, style: random.Random) -> list[Tok]:
    toks = [Tok(sentence.intj, "INTJ"), Tok(",", "PUNCT")] if sentence.intj else []
    for i, clause in enumerate(sentence.clauses):
        if i:
            toks.append(Tok(sentence.conj, CONJ_UPOS[sentence.conj], clause=i))
        toks += set_clause(clause_toks(clause, style), i)
    return capitalize(toks + [Tok(".", "PUNCT")])


def question_toks(clause: Clause, role: str, style: random.Random) -> list[Tok]:
    """wh-question about one role (subj, obj, place, time, count) or a yes/no question (yn)."""
    adj = adjunct_chunks(clause, style)
    order = [n for n in adjunct_order(style) if n != role]
    tail = [t for name in order for t in adj.get(name, [])] + [Tok("?", "PUNCT")]
    subj_pl = _plural(clause.subj)
    if role == "subj" or (role == "count" and count_target(clause) == "subj"):
        wh = _wh(clause.subj, role, style)
        obj = np_toks(clause.obj, "obj", style) if clause.obj else []
        return capitalize(wh + verb_toks(clause, role == "count", style) + obj + tail)
    # do-support and subject-aux inversion: "did Maria not see", "will the cats not eat"
    aux = [Tok(aux_form(clause, subj_pl), "AUX", role="verb")]
    verb = [Tok("not", "PART", role="verb")] if clause.neg else []
    verb += [Tok(_syn(clause.verb, style)[0], "VERB", role="verb")]
    subj = np_toks(clause.subj, "subj", style)
    obj = np_toks(clause.obj, "obj", style) if clause.obj and role not in ("obj", "count") else []
    if role == "yn":
        wh = []
    elif role in ("obj", "count"):
        wh = _wh(clause.obj, role, style)
    else:
        wh = wh_words("where" if role == "place" else "when", style)
    return capitalize(wh + aux + subj + verb + obj + tail)


def _wh(np: NP, role: str, style: random.Random) -> list[Tok]:
    if role == "count":  # how many (big) dogs
        noun = np_toks(NP("noun", np.key, np.cat, plural=True, adj=np.adj, definite=False),
                       "wh", style)
        return [Tok("how", "ADV", role="wh"), Tok("many", "ADJ", role="wh"), *noun]
    return wh_words("who" if np.cat in HUMAN else "what", style)


# question words and their paraphrases ("where" = "in which place"), with UPOS per word
WH_EN = {"who": [("who/PRON",), ("which/DET", "person/NOUN")],
         "what": [("what/PRON",), ("which/DET", "thing/NOUN")],
         "where": [("where/ADV",), ("in/ADP", "which/DET", "place/NOUN")],
         "when": [("when/ADV",), ("at/ADP", "what/DET", "time/NOUN")]}


def wh_words(wh: str, style: random.Random) -> list[Tok]:
    words = style.choice(WH_EN[wh])
    return [Tok(*w.split("/"), role="wh") for w in words]
