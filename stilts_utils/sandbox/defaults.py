"""The default derived languages: a graded ladder (ladder.py), and the earlier mixed-typology set.

LADDER (the default world): each language changes one named factor relative to its parent, starting
from en itself, so a difference in transfer between a rung and its parent has one named cause:

    en -> xa|xb  cipher (en's words, letters permuted: Latin script, names shared)
    xa -> xc, xb -> xd  script (the same words in Cyrillic: no subword shared with en but digits and names)
    xa -> xk     cognates (half of the cipher's content word forms borrowed from en unchanged)
    xc -> xe     lexicon (own words, drawn from a phonology; still en's grammar)
    xe -> xf     adjective after the noun      xf -> xg  agglutinative morphology
    xg -> xh     head-final (SOV + postpositions)
    xf -> xi     VSO + fusional morphology
    xe -> xj     reversed clause order (a control no real language is)

Volumes are crossed with typology: the cipher and script rungs each have a high-volume twin (de's
CC-100 row) and a low-volume twin (sw's); every other rung has one mid volume (hi's), so rungs compare
at equal volume and twins compare volumes at equal typology. Codes are sandbox codes, not ISO codes.

MIXED (kept for variants and older studies): every language changes 4+ properties at once.

Volumes copy real CC-100 rows of XLM-R (Conneau et al. 2020, Appendix A Table 6, tokens in
millions, as packaged in stilts_utils/reference/languages.csv); en itself is 55608. The typology is
chosen to span word order, adjective order, morphology, adposition, articles and script; it is
loosely modelled on the copied language where WALS agrees (see reference/typology), but only the
volume is a copy. Codes are sandbox codes (x*), not ISO codes.
"""

from .spec import LanguageSpec

# One row per language: code, name, CC-100 tokens (millions) of the language it copies, word order,
# adjective order, morphology, adposition, articles, script, cognate share, the copied language.
_MIXED_ROWS = (
    # high tier: volume of de (German, 10297); related to en (cognates), fusional, articles
    ("xa", "Alderan", 10297, "SVO", "AN", "fusional", "pre", True, "Latn", 0.3, "de"),
    # high tier: volume of vi (Vietnamese, 24757); isolating SVO, noun-adjective, like vi
    ("xb", "Bantori", 24757, "SVO", "NA", "isolating", "pre", False, "Latn", 0.0, "vi"),
    # mid tier: volume of fi (Finnish, 6730); agglutinative, postpositional, like fi
    ("xc", "Cendish", 6730, "SVO", "AN", "agglutinative", "post", False, "Latn", 0.0, "fi"),
    # mid tier: volume of he (Hebrew, 3399); verb-initial, articles, own script
    ("xd", "Dravasi", 3399, "VSO", "NA", "fusional", "pre", True, "Grek", 0.0, "he"),
    # mid tier: volume of tr (Turkish, 2736); agglutinative SOV, like tr
    ("xe", "Eskelic", 2736, "SOV", "AN", "agglutinative", "post", False, "Latn", 0.0, "tr"),
    # mid-low tier: volume of hi (Hindi, 1715); SOV, postpositions, own script shared with xi
    ("xf", "Farrun", 1715, "SOV", "AN", "fusional", "post", False, "Cyrl", 0.1, "hi"),
    # low tier: volume of sw (Swahili, 275); SVO, noun-adjective, agglutinative
    ("xg", "Gobaru", 275, "SVO", "NA", "agglutinative", "pre", False, "Latn", 0.1, "sw"),
    # low tier: volume of mr (Marathi, 175); SOV isolating, same script as xf (as mr shares hi's)
    ("xi", "Ivessa", 175, "SOV", "AN", "isolating", "post", False, "Cyrl", 0.0, "mr"),
)
MIXED_LANGUAGES = tuple(LanguageSpec(*row[:-1], copies=row[-1]) for row in _MIXED_ROWS)

HIGH, MID, LOW = 10297.0, 1715.0, 275.0  # CC-100 tokens (millions) of de, hi, sw
_EN_LIKE = dict(word_order="SVO", adj_order="AN", morphology="analytic", adposition="pre",
                articles=True, script="Latn")


def _rung(code, name, volume, copies, rung, factor, parent, twin="", **typology):
    return LanguageSpec(code, name, volume, **{**_EN_LIKE, **typology}, copies=copies, rung=rung,
                        factor=factor, parent=parent, twin=twin)


_CYRL = dict(script="Cyrl")
_OWN_NA = dict(**_CYRL, adj_order="NA")
LADDER = (
    _rung("xa", "Alderan", HIGH, "de", 1, "cipher", "en", twin="xb"),
    _rung("xb", "Bantori", LOW, "sw", 1, "cipher", "en", twin="xa"),
    _rung("xc", "Cendish", HIGH, "de", 2, "script", "xa", twin="xd", **_CYRL),
    _rung("xd", "Dravasi", LOW, "sw", 2, "script", "xb", twin="xc", **_CYRL),
    _rung("xe", "Eskelic", MID, "hi", 3, "lexicon", "xc", **_CYRL),
    _rung("xf", "Farrun", MID, "hi", 4, "adj_order", "xe", **_OWN_NA),
    _rung("xg", "Gobaru", MID, "hi", 5, "morphology", "xf", **_OWN_NA, morphology="agglutinative"),
    _rung("xh", "Hesperic", MID, "hi", 6, "head_final", "xg", **_OWN_NA, morphology="agglutinative",
          word_order="SOV", adposition="post"),
    _rung("xi", "Ivessa", MID, "hi", 5, "verb_initial_fusional", "xf", **_OWN_NA, morphology="fusional",
          word_order="VSO"),
    _rung("xj", "Jorvik", MID, "hi", 4, "reversed_order", "xe", **_CYRL, word_order="reversed"),
    _rung("xk", "Kestrel", MID, "hi", 2, "cognates", "xa", cognate_share=0.5),
)
DEFAULT_LANGUAGES = LADDER
