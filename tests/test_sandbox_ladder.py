"""The default world's language ladder: each rung differs from its parent in exactly its named factor,
volumes are crossed with typology, and the renderings show the factor and nothing else."""
import dataclasses
import json
import random

import pytest

from stilts_utils.sandbox import LanguageSpec, WorldSettings, language_table
from stilts_utils.sandbox.languages import make_langs
from stilts_utils.sandbox.ladder import FACTORS, check_ladder
from stilts_utils.sandbox.meaning import sample_sentence

SETTINGS = WorldSettings()


def test_default_world_is_a_ladder_of_at_least_eight_rungs():
    table = language_table(SETTINGS).set_index("language")
    derived = table.drop(index="en")
    assert len(derived) >= 8
    assert (derived.rung > 0).all() and derived.factor.isin(list(FACTORS)).all()
    assert check_ladder(SETTINGS) == []
    for code, row in derived.iterrows():  # the table's own record of what differs
        assert set(filter(None, row.changes.split("+"))) == set(FACTORS[row.factor]), code
        parent_rung = 0 if row.parent == "en" else table.rung[row.parent]
        assert row.rung == parent_rung + 1, code
    wanted = {"cipher", "lexicon", "script", "adj_order", "morphology", "head_final", "reversed_order", "cognates"}
    assert wanted <= set(derived.factor)
    # vocabulary only: a rung with en's whole typology, in Latin and in its own script
    assert ((derived.factor == "cipher") & (derived.parent == "en") & (derived.script == "Latn")).any()
    assert ((derived.factor == "script") & derived.parent.map(lambda p: table.factor.get(p) == "cipher")).any()


def test_volumes_are_crossed_with_typology():
    table = language_table(SETTINGS).set_index("language")
    twins = table[table.twin != ""]
    factors_with_twins = set()
    for code, row in twins.iterrows():
        other = table.loc[row.twin]
        assert other.twin == code and other.factor == row.factor
        assert other.parent == row.parent or table.twin.get(row.parent) == other.parent  # or their parents are twins
        assert other.pretrain_sentences != row.pretrain_sentences
        factors_with_twins.add(row.factor)
    assert len(factors_with_twins) >= 2
    # rungs that are not twins share one volume: typology is compared at equal volume
    assert table[(table.twin == "") & (table.index != "en")].pretrain_sentences.nunique() == 1


@pytest.mark.parametrize("change, problem", [
    ({"xf": {"adj_order": "AN"}}, "xf: factor adj_order changes"),  # the factor is not there
    ({"xf": {"articles": False}}, "xf: factor adj_order changes"),  # a second, unnamed change
    ({"xc": {"factor": "adj_order", "adj_order": "NA"}}, "xc: factor adj_order on the cipher language xa"),
    ({"xa": {"factor": "volume"}}, "xa: unknown factor"),
    ({"xf": {"parent": "zz"}}, "xf: parent 'zz'"),
    ({"xb": {"script": "Grek"}}, "xb: factor cipher"),
])
def test_check_ladder_finds_broken_rungs(change, problem):
    langs = tuple(dataclasses.replace(s, **change.get(s.code, {})) for s in SETTINGS.languages)
    problems = check_ladder(dataclasses.replace(SETTINGS, languages=langs))
    assert any(p.startswith(problem) for p in problems), problems


def _tags(lang, sentences, seed=0):
    style = random.Random(seed)
    return [[t.upos for t in lang.sentence_toks(s, style)] for s in sentences]


def test_renderings_change_only_the_named_factor():
    langs = make_langs(SETTINGS)
    rng = random.Random(11)
    # adjunct order is drawn at random per rendering; sentences with at most one adjunct and no time
    # word (which may be fronted) have one order, so their tags can be compared one by one
    sentences = [s for s in (sample_sentence(rng) for _ in range(1500)) if all(
        not c.time and not (c.manner and c.place) for c in s.clauses)][:300]
    assert len(sentences) == 300
    en = _tags(langs["en"], sentences)
    table = language_table(SETTINGS).set_index("language")
    for code in table.index[table.factor.isin(["cipher", "lexicon", "script", "cognates"])]:
        # same tags, same tokens per sentence: the grammar is en's
        assert _tags(langs[code], sentences) == en, code
    for code in table.index[table.factor == "reversed_order"]:
        mirrored = _tags(langs[code], sentences)
        one_clause = [i for i, s in enumerate(sentences) if len(s.clauses) == 1 and not s.intj]
        assert all(mirrored[i][:-1] == en[i][:-1][::-1] for i in one_clause), code
    for code in table.index[table.factor == "adj_order"]:
        got = _tags(langs[code], sentences)
        for a, b in zip(en, got):
            assert sorted(a) == sorted(b)  # same words, reordered
            assert (a == b) == ("ADJ" not in a)


def test_own_script_rungs_share_no_letters_with_en():
    langs = make_langs(SETTINGS)
    rng = random.Random(5)
    sentences = [sample_sentence(rng) for _ in range(100)]
    for spec in SETTINGS.languages:
        if spec.script == "Latn":
            continue
        style = random.Random(0)
        words = [t.form for s in sentences for t in langs[spec.code].sentence_toks(s, style)
                 if t.upos not in ("PROPN", "NUM", "PUNCT")]
        assert not any(ch.isascii() and ch.isalpha() for w in words for ch in w), spec.code


def test_ladder_fields_round_trip_and_are_validated():
    d = json.loads(json.dumps(SETTINGS.to_dict()))
    assert WorldSettings.from_dict(d) == SETTINGS
    with pytest.raises(ValueError, match="word_order='OVS'"):
        LanguageSpec("xz", "Z", 1.0, word_order="OVS")
    LanguageSpec("xz", "Z", 1.0, word_order="reversed", morphology="analytic")


def test_a_cipher_keeps_every_word_and_its_length_and_changes_its_letters():
    """Fake-English: the cipher rung writes en's words letter by letter (names kept), so an en word and its
    counterpart have the same length; its script rung writes the same words in Cyrillic."""
    langs = make_langs(SETTINGS)
    table = language_table(SETTINGS).set_index("language")
    rng = random.Random(3)
    sentences = [sample_sentence(rng) for _ in range(100)]
    for code in table.index[table.factor == "cipher"]:
        for s in sentences:
            en = langs["en"].sentence_toks(s, random.Random(0))
            ours = langs[code].sentence_toks(s, random.Random(0))
            assert [len(t.form) for t in ours] == [len(t.form) for t in en]
            assert all((a.form == b.form) == (a.upos in ("PROPN", "PUNCT", "NUM")) or not a.form.isalpha()
                       for a, b in zip(en, ours)), code
        children = table.index[(table.parent == code) & (table.factor == "script")]
        for child in children:
            s = sentences[0]
            latin = [t.form for t in langs[code].sentence_toks(s, random.Random(0))]
            own = [t.form for t in langs[child].sentence_toks(s, random.Random(0))]
            assert [len(w) for w in own] == [len(w) for w in latin] and own != latin
