"""The packaged language table and published numbers: coverage, the CC-100 caveats, the join."""
import math

import pandas as pd
import pytest

from stilts_utils import reference as langmeta

# google-research/xtreme README: the 40 XTREME languages.
XTREME40 = set("af ar bg bn de el en es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru "
               "sw ta te th tl tr ur vi yo zh".split())
XTREME_R_ADDED = set("az gu ht lt pa pl qu ro uk wo".split())


@pytest.fixture(scope="module")
def table():
    return langmeta.language_table().set_index("language")


def test_table_has_the_40_xtreme_and_10_xtreme_r_languages(table):
    assert table.index.is_unique
    assert set(langmeta.language_table("XTREME").language) == XTREME40
    assert set(table.index) == XTREME40 | XTREME_R_ADDED


def test_uk_uses_the_author_corrected_cc100_figure(table):
    assert table.loc["uk", "cc100_tokens_m"] == 6960
    assert table.loc["uk", "cc100_tokens_m_as_printed"] == 6.5
    differs = table.cc100_tokens_m.ne(table.cc100_tokens_m_as_printed) & table.cc100_tokens_m.notna()
    assert list(table.index[differs]) == ["uk"]  # sv, the other typo, is in neither benchmark


def test_languages_without_a_table6_row_stay_empty(table):
    assert list(table.index[table.cc100_tokens_m.isna()]) == ["ht", "qu", "wo", "yo"]
    assert math.isnan(table.loc["yo", "cc100_gib"])
    assert "not imputed" in table.loc["yo", "cc100_row"]


def test_zh_uses_the_simplified_row_and_my_sums_both_rows(table):
    assert table.loc["zh", "cc100_tokens_m"] == 259
    assert "Traditional" in table.loc["zh", "cc100_row"]
    assert table.loc["my", "cc100_tokens_m"] == 15 + 56


def test_coarse_typology_follows_the_documented_rules(table):
    assert table.loc["th", "morphology"] == "isolating"  # 26A Little affixation
    assert table.loc["sw", "morphology"] == "prefixing_or_equal"  # 26A Weakly prefixing
    assert table.loc["tr", "morphology"] == "suffixing"
    assert pd.isna(table.loc["af", "morphology"])  # no 26A, no 20A: not guessed
    assert table.loc["de", "word_order"] == "no_dominant"
    assert table.loc["ja", "word_order"] == "SOV"


def test_join_languages_is_a_left_join_with_log_volume():
    df = pd.DataFrame({"language": ["en", "yo", "xx"], "value": [1.0, 2.0, 3.0]})
    out = langmeta.join_languages(df)
    assert list(out.language) == ["en", "yo", "xx"]
    assert out.log10_cc100_tokens[0] == pytest.approx(math.log10(55608e6))
    assert out.log10_cc100_tokens[1:].isna().all()
    assert out.family[0] == "Indo-European" and pd.isna(out.family[2])


def test_join_languages_accepts_a_sandbox_table_and_rejects_an_incomplete_one():
    world = pd.DataFrame({"language": ["s1", "s2"], "name": ["A", "B"], "family": ["f", "g"],
                          "script": ["Latn", "Latn"], "cc100_tokens_m": [10.0, 1000.0],
                          "word_order": ["SOV", "SVO"], "morphology": ["suffixing", "isolating"]})
    out = langmeta.join_languages(pd.DataFrame({"language": ["s2", "s1", "s2"]}), world)
    assert list(out.log10_cc100_tokens) == pytest.approx([9.0, 7.0, 9.0])
    with pytest.raises(ValueError, match="word_order"):
        langmeta.join_languages(out, world.drop(columns="word_order"))


def test_join_languages_uses_the_variant_when_the_table_has_several_worlds():
    world = pd.DataFrame({"language": ["s1", "s1"], "variant": ["w=a", "w=b"], "name": "A", "family": "f",
                          "script": "Latn", "cc100_tokens_m": [10.0, 100.0], "word_order": "SOV",
                          "morphology": "suffixing"})
    df = pd.DataFrame({"language": ["s1", "s1"], "variant": ["w=b", "w=a"]})
    assert list(langmeta.join_languages(df, world).cc100_tokens_m) == [100.0, 10.0]
    real = langmeta.language_table().assign(variant="")  # what the runner writes for the real world
    assert langmeta.join_languages(df.assign(language="en"), real).cc100_tokens_m.tolist() == [55608.0] * 2


def test_published_tables_have_the_expected_models_and_languages():
    pub = langmeta.published_results()
    xnli = pub[pub.target == "xnli"]
    assert xnli.groupby("model").language.nunique().to_dict() == {
        "bert-base-multilingual-cased": 15, "xlm-roberta-base": 15, "xlm-roberta-large": 15}
    assert "avg" not in set(pub.language)
    assert set(pub[pub.target == "pawsx"].model) == {"bert-base-multilingual-cased", "xlm-roberta-large"}
    large_en = pub.query("target == 'mlqa' and model == 'xlm-roberta-large' and language == 'en'")
    assert large_en.set_index("metric").value.to_dict() == {"em": 67.8, "f1": 80.6}


def test_model_parameters_prefer_one_backbone_count_per_model():
    params = langmeta.model_parameters().set_index("model").parameters
    assert params.index.is_unique
    assert params["xlm-roberta-large"] == 558837760
    assert len(langmeta.model_parameters(preferred=False)) > len(params)
