"""Tagging (udpos, panx) and retrieval (tatoeba, bucc2018) data from sampled sentences."""

from __future__ import annotations

import random

from .meaning import Sentence, entities, sample_sentence
from .render import NER, UPOS, text


def sentences(rng: random.Random, n: int, need_entity: bool = False) -> list[Sentence]:
    out = []
    while len(out) < n:
        s = sample_sentence(rng)
        if not need_entity or entities(s):  # WikiANN sentences all come from entity links
            out.append(s)
    return out


def unique_sentences(rng: random.Random, n: int) -> list[Sentence]:
    """Distinct meanings (retrieval needs one right answer); one clause, like Tatoeba's."""
    seen, out = set(), []
    while len(out) < n:
        s = sample_sentence(rng)
        s = Sentence(s.clauses[:1])
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def udpos_rows(lang, items: list[Sentence], style: random.Random) -> list[dict]:
    out = []
    for s in items:
        toks = lang.sentence_toks(s, style)
        out.append({"tokens": [t.form for t in toks], "pos_tags": [UPOS.index(t.upos) for t in toks]})
    return out


def panx_rows(lang, items: list[Sentence], style: random.Random) -> list[dict]:
    out = []
    for s in items:
        toks = lang.sentence_toks(s, style)
        out.append({"tokens": [t.form for t in toks], "ner_tags": [NER.index(t.ner) for t in toks],
                    "langs": [lang.code] * len(toks)})
    return out


def tatoeba_rows(lang, en, items: list[Sentence], style: random.Random) -> list[dict]:
    return [{"source_sentence": text(lang.sentence_toks(s, style)),
             "target_sentence": text(en.sentence_toks(s, style)),
             "source_lang": lang.code, "target_lang": "en"} for s in items]


def bucc_files(lang, en, items: list[Sentence], n_gold: int, rng: random.Random,
               style: random.Random) -> dict[str, list[str]]:
    """BUCC-style files: the first n_gold meanings on both sides, the rest split into sentences
    that only one side has; shuffled, with ids like de-000000042. Returns ext -> lines."""
    gold, rest = items[:n_gold], items[n_gold:]
    half = len(rest) // 2
    src = [(i, s) for i, s in enumerate(gold)] + [(None, s) for s in rest[:half]]
    trg = [(i, s) for i, s in enumerate(gold)] + [(None, s) for s in rest[half:]]
    rng.shuffle(src)
    rng.shuffle(trg)
    src_id = {i: f"{lang.code}-{k + 1:09d}" for k, (i, _) in enumerate(src) if i is not None}
    trg_id = {i: f"en-{k + 1:09d}" for k, (i, _) in enumerate(trg) if i is not None}
    return {
        lang.code: [f"{lang.code}-{k + 1:09d}\t{text(lang.sentence_toks(s, style))}"
                    for k, (_, s) in enumerate(src)],
        "en": [f"en-{k + 1:09d}\t{text(en.sentence_toks(s, style))}" for k, (_, s) in enumerate(trg)],
        "gold": [f"{src_id[i]}\t{trg_id[i]}" for i in range(len(gold))],
    }
