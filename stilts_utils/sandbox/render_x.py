"""Derived languages: the same meanings through another lexicon, word order and morphology."""

from __future__ import annotations

import random

from .lexicon_x import DerivedLexicon, to_script
from .meaning import NP, Clause, Sentence
from .render import Tok, capitalize, name_toks, set_clause
from .render_en import CONJ_UPOS, HUMAN, count_target
from . import lexicon_en as L

TENSE_MORPHEME = {"past": "past", "present": "pres", "future": "fut"}
CLAUSE_ORDER = {  # where arguments and adjuncts go; SOV languages put adjuncts before the verb
    "SVO": ["subj", "verb", "obj", "manner", "place", "time"],
    "SOV": ["time", "subj", "place", "manner", "obj", "verb"],
    "VSO": ["verb", "subj", "obj", "place", "manner", "time"],
}


def mirror(toks: list[Tok]) -> list[Tok]:
    """Tokens in reverse order, a multi-word name kept as one unit ("New Delhi" stays; its
    B-/I- tags stay valid)."""
    units: list[list[Tok]] = []
    for t in toks:
        if t.ner.startswith("I-") and units:
            units[-1].append(t)
        else:
            units.append([t])
    return [t for unit in units[::-1] for t in unit]


class XLang:
    """Renders meanings in one derived language; `switch` > 0 code-switches content words to en."""

    def __init__(self, lex: DerivedLexicon, switch: float = 0.0):
        self.spec, self.lex, self.switch = lex.spec, lex, switch
        self.code = lex.spec.code
        self.script = lambda s: to_script(s, lex.spec.script)

    # --- words -------------------------------------------------------------------------------
    def stem(self, concept: str, style: random.Random) -> str:
        i = style.randrange(len(self.lex.content[concept]))
        if self.switch and style.random() < self.switch:
            return L.LEXICON[concept].forms[i][0]  # en word inside native morphology, in Latin
        return self.script(self.lex.content[concept][i])

    def func(self, name: str) -> str:
        return self.script(self.lex.func[name])

    def dictionary_forms(self, concepts: list[str]) -> list[str]:
        """Each concept's first stem, in the language's script (the phase-1 report's word-translation gold)."""
        return [self.script(self.lex.content[c][0]) for c in concepts]

    def sfx(self, name: str) -> str:
        return self.script(self.lex.suffix[name])

    def numeral(self, n: int) -> str:
        return self.script(self.lex.numerals[n]) if self.lex.numerals else str(n)

    # --- phrases -----------------------------------------------------------------------------
    def np(self, np: NP, case: str, role: str, style: random.Random) -> list[Tok]:
        """case: nom | acc | loc (loc only for the place of "in")."""
        morph = self.spec.morphology
        if np.kind == "name":
            forms = [self.script(self.lex.names.get(t, t)) for t in np.key.split()]
            if morph == "agglutinative" and case != "nom":
                forms[-1] += "'" + self.sfx(case)  # Turkish-style: İstanbul'da
            return name_toks(forms, np.cat, role)
        if np.kind == "pron":
            return [Tok(self.func("pron_pl" if np.plural else "pron_sg"), "PRON", role=role)]
        noun = Tok(self.stem(np.key, style) + self._noun_sfx(np, case), "NOUN", role=role)
        mods = []
        if np.adj:
            adj_sfx = self.sfx("adj.pl") if morph == "fusional" and np.plural else ""
            mods = [Tok(self.stem(np.adj, style) + adj_sfx, "ADJ", role=role)]
        body = [*mods, noun] if self.spec.adj_order == "AN" else [noun, *mods]
        if np.count:
            body.insert(0, Tok(self.numeral(np.count), "NUM", role=role))
        elif np.plural and morph == "isolating":
            body.insert(0, Tok(self.func("plw"), "DET", role=role))  # plural word, like Tagalog mga
        if self.spec.articles and (np.definite or not np.plural):
            body.insert(0, Tok(self.func("def" if np.definite else "indef"), "DET", role=role))
        return body

    def _noun_sfx(self, np: NP, case: str) -> str:
        morph = self.spec.morphology
        if morph == "analytic":  # en: dog / dogs, no case
            return self.sfx("pl") if np.plural else ""
        if morph == "agglutinative":
            return (self.sfx("pl") if np.plural else "") + (self.sfx(case) if case != "nom" else "")
        if morph == "fusional" and (np.plural or case != "nom"):
            return self.sfx(f"{'pl' if np.plural else 'sg'}.{case}")
        return ""

    def verb(self, clause: Clause, style: random.Random) -> list[Tok]:
        stem, morph = self.stem(clause.verb, style), self.spec.morphology
        if morph == "analytic":
            return self._analytic_verb(clause, stem)
        if morph == "agglutinative":
            form = stem + (self.sfx("neg") if clause.neg else "") + self.sfx(TENSE_MORPHEME[clause.tense])
            return [Tok(form, "VERB", role="verb")]
        if morph == "fusional":
            key = f"{clause.tense}.{'neg' if clause.neg else 'pos'}"
            return [Tok(stem + (self.sfx(key) if key != "present.pos" else ""), "VERB", role="verb")]
        parts = [Tok(self.func("neg"), "PART", role="verb")] if clause.neg else []
        if clause.tense != "present":
            parts.append(Tok(self.func(TENSE_MORPHEME[clause.tense]), "AUX", role="verb"))
        v = Tok(stem, "VERB", role="verb")
        return [v, *parts[::-1]] if self.spec.word_order == "SOV" else [*parts, v]

    def _analytic_verb(self, clause: Clause, stem: str) -> list[Tok]:
        """en's verb group (render_en.verb_toks) in this language's words: saw / did not see /
        sees / does not see / will (not) see."""
        plural = clause.subj.plural or clause.subj.key == "they"
        if clause.tense == "future" or clause.neg:
            aux = {"past": "did", "future": "fut"}.get(clause.tense, "do" if plural else "does")
            neg = [Tok(self.func("neg"), "PART", role="verb")] if clause.neg else []
            return [Tok(self.func(aux), "AUX", role="verb"), *neg, Tok(stem, "VERB", role="verb")]
        sfx = self.sfx("past") if clause.tense == "past" else ("" if plural else self.sfx("s3"))
        return [Tok(stem + sfx, "VERB", role="verb")]

    def place(self, clause: Clause, style: random.Random) -> list[Tok]:
        rel, morph = clause.place.rel, self.spec.morphology
        if rel == "in" and morph == "agglutinative":
            return self.np(clause.place.np, "loc", "place", style)  # locative case, no adposition
        np = self.np(clause.place.np, "loc" if morph == "fusional" else "nom", "place", style)
        adp = Tok(self.func(rel), "ADP", role="adp")
        return [adp, *np] if self.spec.adposition == "pre" else [*np, adp]

    # --- clauses -----------------------------------------------------------------------------
    def chunks(self, clause: Clause, style: random.Random) -> list[tuple[str, list[Tok]]]:
        parts = {"subj": self.np(clause.subj, "nom", "subj", style), "verb": self.verb(clause, style)}
        if clause.obj:
            parts["obj"] = self.np(clause.obj, "acc", "obj", style)
        if clause.place:
            parts["place"] = self.place(clause, style)
        if clause.manner:
            parts["manner"] = [Tok(self.stem(clause.manner, style), "ADV", role="manner")]
        if clause.time:
            parts["time"] = [Tok(self.stem(clause.time, style), "ADV", role="time")]
        mirrored = self.spec.word_order == "reversed"
        order = list(CLAUSE_ORDER["SVO" if mirrored else self.spec.word_order])
        i, j = order.index("manner"), order.index("place")
        if style.random() < 0.5:
            order[i], order[j] = order[j], order[i]
        if style.random() < 0.25:
            order.insert(0, order.pop(order.index("time")))
        chunks = [(name, parts[name]) for name in order if name in parts]
        if mirrored:  # the SVO clause read backwards, word by word (phrases mirrored too)
            return [(name, mirror(toks)) for name, toks in chunks[::-1]]
        return chunks

    def clause_toks(self, clause: Clause, style: random.Random) -> list[Tok]:
        return [t for _, toks in self.chunks(clause, style) for t in toks]

    def sentence_toks(self, sentence: Sentence, style: random.Random) -> list[Tok]:
        toks = []
        if sentence.intj:
            toks = [Tok(self.func(sentence.intj), "INTJ"), Tok(",", "PUNCT")]
        for i, clause in enumerate(sentence.clauses):
            if i:
                toks.append(Tok(self.func(sentence.conj), CONJ_UPOS[sentence.conj], clause=i))
            toks += set_clause(self.clause_toks(clause, style), i)
        return capitalize(toks + [Tok(".", "PUNCT")])

    def question_toks(self, clause: Clause, role: str, style: random.Random) -> list[Tok]:
        """wh-word in place of the role; fronted unless the language is SOV (wh in situ)."""
        chunks = self.chunks(clause, style)
        if role == "yn":
            toks = [t for _, c in chunks for t in c]
            return capitalize(toks + [Tok(self.func("q"), "PART"), Tok("?", "PUNCT")])
        target = count_target(clause) if role == "count" else role
        wh = self._wh(clause, role, target, style)
        if self.spec.word_order == "reversed":
            wh = mirror(wh)  # "how many dogs" mirrored as the rest of the clause is
        chunks = [(n, wh if n == target else c) for n, c in chunks]
        if self.spec.word_order == "reversed":
            chunks.sort(key=lambda nc: nc[0] == target)  # the mirror of fronting: wh phrase last
        elif self.spec.word_order != "SOV":
            chunks.sort(key=lambda nc: nc[0] != target)  # stable: wh phrase first
        toks = [t for _, c in chunks for t in c]
        return capitalize(toks + [Tok("?", "PUNCT")])

    def _wh(self, clause: Clause, role: str, target: str, style: random.Random) -> list[Tok]:
        if role == "count":  # the counted noun phrase with "how many" in place of the numeral
            np = getattr(clause, target)
            toks = self.np(np, "acc" if target == "obj" else "nom", "wh", style)
            return [Tok(self.func("howmany"), "DET", role="wh") if t.upos == "NUM" else t
                    for t in toks]
        alt = "2" if style.random() < 0.5 else ""  # each question word has a synonym
        if role in ("place", "time"):
            return [Tok(self.func(("where" if role == "place" else "when") + alt), "ADV", role="wh")]
        np = getattr(clause, role)
        word = self.func(("who" if np.cat in HUMAN else "what") + alt)
        if role == "obj" and self.spec.morphology == "agglutinative":
            word += self.sfx("acc")
        return [Tok(word, "PRON", role="wh")]
