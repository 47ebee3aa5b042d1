"""Cipher languages ("Fake-English", K et al. 2020): en's sentences with every letter of every word
replaced through one permutation of the alphabet, names (shared anchors, unless `shared_entities` is off) and digits kept (digits stay digits even without
`shared_numerals`: en writes numbers as digits).

A cipher changes the word forms and nothing else: the same words in the same order, with the same
frequencies and the same number of letters, so the tokenizer cuts an en word and its counterpart
alike. The ladder's generated lexicons (lexicon_x) change more at once: stems drawn from a small
CV(C) phonology share syllable pieces, with unrelated meanings, with every other Latin-script
language, and rarely split into as many pieces as their en word (benchmarks/phase1_results.md).
A cipher in another script (`script`) is the same permutation, then transliterated: no subword
shared with en or its Latin twin.
"""

from __future__ import annotations

import copy
import random

from . import lexicon_en as L
from . import render_en
from .lexicon_x import to_script

LETTERS = "abcdefghijklmnopqrstuvwxyz"
CONTENT_UPOS = {"NOUN", "VERB", "ADJ", "ADV"}


def letter_table(seed: int, key: str) -> dict[str, str]:
    """One permutation of a-z, drawn from (world seed, key): the same key -> the same words."""
    perm = list(LETTERS)
    random.Random(f"{seed}/cipher/{key}").shuffle(perm)
    return dict(zip(LETTERS, perm))


def encipher(word: str, table: dict[str, str], script: str) -> str:
    out = "".join((table[c.lower()].upper() if c.isupper() else table[c]) if c.lower() in table else c
                  for c in word)
    return to_script(out, script)


class CipherLang:
    """Renders meanings as en does, then enciphers each word but names; `switch` > 0 keeps a content
    word in en now and then (code-switching, corpus only), as XLang does."""

    def __init__(self, code: str, table: dict[str, str], script: str, switch: float = 0.0,
                 borrow: float = 0.0, seed: int = 0, keep_names: bool = True):
        self.code, self.table, self.script, self.switch = code, table, script, switch
        self.borrow, self.seed, self.keep_names = borrow, seed, keep_names

    def borrowed(self, word: str) -> bool:
        """A `borrow` share of en's content word forms, fixed per form: kept as en writes them (cognates)."""
        return bool(self.borrow) and random.Random(f"{self.seed}/borrow/{self.code}/{word.lower()}").random() < self.borrow

    def _map(self, toks, style: random.Random):
        out = []
        for t in toks:
            t = copy.copy(t)
            content = t.upos in CONTENT_UPOS
            keep = (t.upos == "PROPN" and self.keep_names) or (content and self.borrowed(t.form)) or (
                self.switch and content and style.random() < self.switch)
            if not keep:
                t.form = encipher(t.form, self.table, self.script)
            out.append(t)
        return out

    def sentence_toks(self, sentence, style: random.Random):
        return self._map(render_en.sentence_toks(sentence, style), style)

    def clause_toks(self, clause, style: random.Random):
        return self._map(render_en.clause_toks(clause, style), style)

    def question_toks(self, clause, role: str, style: random.Random):
        return self._map(render_en.question_toks(clause, role, style), style)

    def dictionary_forms(self, concepts: list[str]) -> list[str]:
        """Each concept's first en form, enciphered (the phase-1 report's word-translation gold)."""
        forms = [L.LEXICON[c].forms[0][0] for c in concepts]
        return [w if self.borrowed(w) else encipher(w, self.table, self.script) for w in forms]
