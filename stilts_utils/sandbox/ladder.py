"""The language ladder: each derived language changes one named factor relative to its parent.

A factor names the typology fields it changes (some real contrasts move two at once, e.g. head-final
= SOV + postpositions). Word forms are not a typology field: a "cipher" rung writes en's own words
with permuted letters (cipher.py), and the rungs below it keep those words (script, cognates); a
"lexicon" rung draws its own words (lexicon_x), and every rung below it draws its own words from the
same kind of phonology. So "cipher" and "lexicon" change no field, and `changes` reports what really
differs, so the language table never claims a factor the settings do not have.
"""

from __future__ import annotations

from .settings import LanguageSpec, WorldSettings

TYPOLOGY = ("word_order", "adj_order", "morphology", "adposition", "articles", "script",
            "cognate_share")
# en as the ladder sees it (render_en): the root every ladder starts from
EN_TYPOLOGY = {"word_order": "SVO", "adj_order": "AN", "morphology": "analytic", "adposition": "pre",
               "articles": True, "script": "Latn", "cognate_share": 0.0}
FACTORS = {
    "cipher": (),  # en's own words with their letters permuted (cipher.py): word forms, nothing else
    "lexicon": (),  # own words, nothing else
    "script": ("script",),  # own alphabet: no subword shared with the parent but digits and names
    "adj_order": ("adj_order",),
    "morphology": ("morphology",),
    "head_final": ("word_order", "adposition"),  # SOV and postpositions, as tr, hi, ja
    "verb_initial_fusional": ("word_order", "morphology"),  # VSO and fusional, as ar, he (roughly)
    "reversed_order": ("word_order",),  # every clause mirrored: a control no real language is
    "cognates": ("cognate_share",),  # a share of en's words borrowed (with sound changes)
}
# factors a cipher language's child may have: it keeps the cipher's words (cipher.CipherLang renders
# en's grammar, so a grammar factor needs own words first: factor "lexicon")
CIPHER_CHILD_FACTORS = ("script", "cognates")


def cipher_root(settings: WorldSettings, spec: LanguageSpec) -> str:
    """Code of the cipher language whose letter table `spec` writes with ("" for own words): a cipher
    rung is its own root; a script or cognates rung below a cipher keeps its parent's words."""
    if spec.factor == "cipher":
        return spec.code
    if spec.factor in CIPHER_CHILD_FACTORS and spec.parent not in ("", "en", spec.code):
        try:
            return cipher_root(settings, settings.language(spec.parent))
        except KeyError:
            return ""
    return ""


def typology(settings: WorldSettings, code: str) -> dict:
    if code == "en":
        return dict(EN_TYPOLOGY)
    spec = settings.language(code)
    return {name: getattr(spec, name) for name in TYPOLOGY}


def changes(settings: WorldSettings, spec: LanguageSpec) -> tuple[str, ...]:
    """Typology fields in which `spec` differs from its parent (empty without a parent)."""
    if not spec.parent:
        return ()
    mine, theirs = typology(settings, spec.code), typology(settings, spec.parent)
    return tuple(name for name in TYPOLOGY if mine[name] != theirs[name])


def check_ladder(settings: WorldSettings) -> list[str]:
    """Problems of the ladder, one sentence each: unknown factor or parent, a rung that changes more
    or less than its factor, twins that differ in typology or share a volume."""
    codes = {"en", *(s.code for s in settings.languages)}
    problems = []
    for spec in settings.languages:
        if not spec.factor:
            continue
        if spec.factor not in FACTORS:
            problems.append(f"{spec.code}: unknown factor {spec.factor!r}; known: {', '.join(FACTORS)}")
            continue
        if spec.parent not in codes or spec.parent == spec.code:
            problems.append(f"{spec.code}: parent {spec.parent!r} is not another language of the world")
            continue
        found, want = changes(settings, spec), FACTORS[spec.factor]
        if set(found) != set(want):
            problems.append(f"{spec.code}: factor {spec.factor} changes {list(want)} but the settings "
                            f"differ from {spec.parent} in {list(found)}")
        if spec.parent != "en" and spec.factor not in ("lexicon", *CIPHER_CHILD_FACTORS) and \
                cipher_root(settings, settings.language(spec.parent)):
            problems.append(f"{spec.code}: factor {spec.factor} on the cipher language {spec.parent}; allowed "
                            f"there: {', '.join(('lexicon', *CIPHER_CHILD_FACTORS))} (a cipher has en's grammar)")
        if spec.twin:
            problems += _twin_problems(settings, spec, codes)
    return problems


def _twin_problems(settings: WorldSettings, spec: LanguageSpec, codes: set) -> list[str]:
    if spec.twin not in codes - {"en", spec.code}:
        return [f"{spec.code}: twin {spec.twin!r} is not another derived language"]
    other = settings.language(spec.twin)
    out = []
    parents_match = spec.parent == other.parent or (  # or twins themselves (a twin pair's script rungs)
        spec.parent != "en" and settings.language(spec.parent).twin == other.parent)
    if typology(settings, spec.code) != typology(settings, other.code) or spec.factor != other.factor \
            or not parents_match:
        out.append(f"{spec.code}: twin {other.code} differs in typology, factor or parent")
    if spec.cc100_tokens_m * spec.volume_multiplier == other.cc100_tokens_m * other.volume_multiplier:
        out.append(f"{spec.code}: twin {other.code} has the same pretraining volume")
    return out
