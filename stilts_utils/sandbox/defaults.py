"""The default derived languages.

Volumes copy real CC-100 rows of XLM-R (Conneau et al. 2020, Appendix A Table 6, tokens in
millions, as packaged in stilts_utils/data/languages.csv); en itself is 55608. The typology is
chosen to span word order, adjective order, morphology, adposition, articles and script; it is
loosely modelled on the copied language where WALS agrees (see reference/typology), but only the
volume is a copy. Codes are sandbox codes (x*), not ISO codes.
"""

from .settings import LanguageSpec

DEFAULT_LANGUAGES = (
    # high tier: volume of de (German, 10297); related to en (cognates), fusional, articles
    LanguageSpec("xa", "Alderan", 10297, "SVO", "AN", "fusional", "pre", True, "Latn", 0.3,
                 copies="de"),
    # high tier: volume of vi (Vietnamese, 24757); isolating SVO, noun-adjective, like vi
    LanguageSpec("xb", "Bantori", 24757, "SVO", "NA", "isolating", "pre", False, "Latn", 0.0,
                 copies="vi"),
    # mid tier: volume of fi (Finnish, 6730); agglutinative, postpositional, like fi
    LanguageSpec("xc", "Cendish", 6730, "SVO", "AN", "agglutinative", "post", False, "Latn", 0.0,
                 copies="fi"),
    # mid tier: volume of he (Hebrew, 3399); verb-initial, articles, own script
    LanguageSpec("xd", "Dravasi", 3399, "VSO", "NA", "fusional", "pre", True, "Grek", 0.0,
                 copies="he"),
    # mid tier: volume of tr (Turkish, 2736); agglutinative SOV, like tr
    LanguageSpec("xe", "Eskelic", 2736, "SOV", "AN", "agglutinative", "post", False, "Latn", 0.0,
                 copies="tr"),
    # mid-low tier: volume of hi (Hindi, 1715); SOV, postpositions, own script shared with xi
    LanguageSpec("xf", "Farrun", 1715, "SOV", "AN", "fusional", "post", False, "Cyrl", 0.1,
                 copies="hi"),
    # low tier: volume of sw (Swahili, 275); SVO, noun-adjective, agglutinative
    LanguageSpec("xg", "Gobaru", 275, "SVO", "NA", "agglutinative", "pre", False, "Latn", 0.1,
                 copies="sw"),
    # low tier: volume of mr (Marathi, 175); SOV isolating, same script as xf (as mr shares hi's)
    LanguageSpec("xi", "Ivessa", 175, "SOV", "AN", "isolating", "post", False, "Cyrl", 0.0,
                 copies="mr"),
)
