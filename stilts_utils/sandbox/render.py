"""Rendered text: tokens with their gold tags, meaning roles, detokenisation and spans."""

from __future__ import annotations

from dataclasses import dataclass

# UPOS in the order of the udpos label ids (google/xtreme udpos)
UPOS = ("ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X").split()
# PAN-X label ids
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
NO_SPACE_BEFORE = {".", ",", "?", "!"}
QUESTION_ROLES = ("subj", "obj", "place", "time", "count")


@dataclass
class Tok:
    form: str
    upos: str
    ner: str = "O"
    role: str = ""  # subj | obj | place | adp | time | manner | verb | wh | "" (function words)
    clause: int = 0  # index of the clause in its sentence


def name_toks(forms: list[str], cat: str, role: str) -> list[Tok]:
    return [Tok(f, "PROPN", ("B-" if i == 0 else "I-") + cat, role) for i, f in enumerate(forms)]


def set_clause(toks: list[Tok], i: int) -> list[Tok]:
    for t in toks:
        t.clause = i
    return toks


def capitalize(toks: list[Tok]) -> list[Tok]:
    """Sentence-initial capital, as written text has (names are already capitalised)."""
    if toks and toks[0].form[:1].islower():
        toks[0].form = toks[0].form[0].upper() + toks[0].form[1:]
    return toks


def detok(toks: list[Tok]) -> tuple[str, list[int]]:
    """Join tokens into text (no space before punctuation); returns text and each token's offset."""
    text, offsets = "", []
    for t in toks:
        if text and t.form not in NO_SPACE_BEFORE:
            text += " "
        offsets.append(len(text))
        text += t.form
    return text, offsets


def text(toks: list[Tok]) -> str:
    return detok(toks)[0]


def role_span(toks: list[Tok], role: str, clause: int = 0, num_only: bool = False):
    """(first, last+1) token index of a role in a clause; the role must be contiguous."""
    idx = [i for i, t in enumerate(toks) if t.role == role and t.clause == clause
           and (not num_only or t.upos == "NUM")]
    if not idx:
        return None
    if idx != list(range(idx[0], idx[-1] + 1)):
        raise AssertionError(f"role {role} is not contiguous in {text(toks)!r}")
    return idx[0], idx[-1] + 1


def answer_of(toks: list[Tok], role: str, clause: int = 0):
    """Answer text and character start of a role (count -> its numeral) in the rendered text."""
    span = role_span(toks, "obj" if role == "count" else role, clause, num_only=role == "count")
    if span is None and role == "count":
        span = role_span(toks, "subj", clause, num_only=True)
    if span is None:
        return None
    full, offsets = detok(toks)
    start = offsets[span[0]]
    end = offsets[span[1] - 1] + len(toks[span[1] - 1].form)
    return full[start:end], start
