"""The base language's lexicon: concepts, their English forms and what they combine with.

A concept id is its first English form. Synonyms (`|`) give "same meaning, different words", which
qqp paraphrases use; every derived language also gets two forms for those concepts.
"""

from __future__ import annotations

from dataclasses import dataclass

# noun: "sg:pl[|sg:pl] category"; the category nouns are also hypernyms of their members
_NOUNS = """
dog:dogs animal; cat:cats animal; horse:horses animal; bird:birds animal; cow:cows animal;
goat:goats animal; fox:foxes animal; animal:animals animal;
teacher:teachers|instructor:instructors person; doctor:doctors|physician:physicians person;
farmer:farmers person;
student:students|pupil:pupils person; child:children|kid:kids person; driver:drivers person;
nurse:nurses person; singer:singers person; person:people person;
car:cars|automobile:automobiles vehicle; bus:buses vehicle; boat:boats vehicle;
truck:trucks|lorry:lorries vehicle; bicycle:bicycles|bike:bikes vehicle; vehicle:vehicles vehicle;
apple:apples food; cake:cakes food; sandwich:sandwiches food; orange:oranges food;
egg:eggs food; food:foods food;
book:books thing; letter:letters thing; phone:phones|telephone:telephones thing; box:boxes thing;
key:keys thing;
chair:chairs thing; lamp:lamps thing; bag:bags|sack:sacks thing; thing:things thing;
park:parks place; market:markets place; school:schools place; station:stations place;
garden:gardens|yard:yards place; office:offices place; place:places place
"""
HYPERNYMS = ("animal", "person", "vehicle", "food", "thing", "place")

# categories a noun phrase can have; PER/ORG/LOC are named entities
CLASSES = {
    "anim": {"PER", "person", "animal"},
    "human": {"PER", "person"},
    "agent": {"PER", "person", "ORG"},
    "any": {"PER", "person", "animal", "vehicle", "food", "thing", "place"},
    "goods": {"animal", "vehicle", "food", "thing"},
    "food": {"food"},
    "vehicle": {"vehicle"},
    "social": {"PER", "person", "ORG"},
    "dest": {"LOC", "place", "PER", "person"},
    "fixable": {"vehicle", "thing"},
    "readable": {"book", "letter"},  # concept ids, not categories
    "portable": {"food", "thing", "animal"},
    "animal": {"animal"},
    "moving": {"PER", "person", "animal", "vehicle"},
    "phys": {"person", "animal", "vehicle", "food", "thing", "place"},
}

# verb: "base:past:3sg[|...] subject-class object-class|-"
_VERBS = """
see:saw:sees anim any; watch:watched:watches|observe:observed:observes anim any;
buy:bought:buys|purchase:purchased:purchases agent goods; sell:sold:sells agent goods;
eat:ate:eats|consume:consumed:consumes anim food; drive:drove:drives human vehicle;
visit:visited:visits human dest;
call:called:calls|phone:phoned:phones agent social; help:helped:helps|assist:assisted:assists agent social;
find:found:finds|discover:discovered:discovers anim any; carry:carried:carries anim portable;
fix:fixed:fixes|repair:repaired:repairs agent fixable; read:read:reads human readable;
write:wrote:writes human readable; hire:hired:hires|employ:employed:employs agent human;
follow:followed:follows anim moving;
paint:painted:paints human fixable; feed:fed:feeds human animal;
sleep:slept:sleeps anim -; run:ran:runs anim -; smile:smiled:smiles human -;
arrive:arrived:arrives anim -; work:worked:works human -; sing:sang:sings anim -;
wait:waited:waits anim -; laugh:laughed:laughs human -; swim:swam:swims anim -
"""

# adjective: "form[|form] class"
_ADJS = """
big|large phys; small|little phys; old phys; new fixable; red fixable; blue fixable;
green fixable; happy|glad anim; tired|weary anim; hungry anim; young anim; heavy goods;
cheap goods; fast|quick moving
"""

MANNER = {"quickly": ["quickly", "rapidly"], "slowly": ["slowly"], "quietly": ["quietly", "silently"],
          "carefully": ["carefully", "cautiously"], "happily": ["happily", "gladly"]}
TIME = {"yesterday": ("past",), "today": ("past", "present", "future"), "tomorrow": ("future",),
        "now": ("present",)}

# named entities: the anchors shared by all languages (unless shared_entities is off)
FIRST_NAMES = {  # name -> pronoun gender, for "he"/"she" in en
    **dict.fromkeys("Maria Anna Lena Sara Nora Elif Aiko Priya Zara Ines Olga Fatima Mei Julia "
                    "Amara Chloe".split(), "f"),
    **dict.fromkeys("Tom Omar Ivan Kenji Pedro Ali Lukas Raj Kwame David Yusuf Mateo Hugo Liam "
                    "Arjun Felix".split(), "m"),
}
SURNAMES = ("Lopez Novak Tanaka Okafor Schmidt Kowalski Haddad Silva Nguyen Ivanova Rossi Mensah "
            "Petrov Garcia Kim Dubois Larsen Costa Sato Adeyemi").split()
PLACES = ("Paris|Lagos|Lima|Oslo|Cairo|Kyoto|Dakar|Quito|Berlin|Madrid|Nairobi|Seoul|Vienna|"
          "Boston|Manila|New Delhi|Buenos Aires|San Diego|Cape Town|Hong Kong|Rio de Janeiro|"
          "Port Louis|Santa Cruz").split("|")
ORGS = ("Acme Corp|Nova Labs|Atlas Group|Orion Foods|United Motors|Blue River Bank|Delta Air|"
        "Red Cross|Vertex Systems|Global Health Fund|Kite Media|Sunrise Bank|Polar Energy|"
        "Zenith Motors|Apex Books|Harbor Trust").split("|")


@dataclass(frozen=True)
class Concept:
    id: str
    pos: str  # NOUN | VERB | ADJ | ADV
    forms: tuple  # English synonyms: nouns (sg, pl), verbs (base, past, 3sg), others (form,)
    cls: str = ""  # noun category, adjective class, verb subject class
    obj: str = ""  # verb object class, "" for intransitive


def _entries(block: str):
    return [e.split() for e in block.replace("\n", " ").split(";") if e.strip()]


def _parse() -> dict[str, Concept]:
    lex = {}
    for forms, cat in _entries(_NOUNS):
        syn = tuple(tuple(f.split(":")) for f in forms.split("|"))
        lex[syn[0][0]] = Concept(syn[0][0], "NOUN", syn, cat)
    for forms, subj, obj in _entries(_VERBS):
        syn = tuple(tuple(f.split(":")) for f in forms.split("|"))
        lex[syn[0][0]] = Concept(syn[0][0], "VERB", syn, subj, "" if obj == "-" else obj)
    for forms, cls in _entries(_ADJS):
        syn = tuple((f,) for f in forms.split("|"))
        lex[syn[0][0]] = Concept(syn[0][0], "ADJ", syn, cls)
    for cid, forms in MANNER.items():
        lex[cid] = Concept(cid, "ADV", tuple((f,) for f in forms), "manner")
    for cid in TIME:
        lex[cid] = Concept(cid, "ADV", ((cid,),), "time")
    return lex


LEXICON = _parse()


def by_pos(pos: str, cls: str | None = None) -> list[str]:
    return [c.id for c in LEXICON.values() if c.pos == pos and (cls is None or c.cls == cls)]


def fits(concept_or_type: str, category: str, cls: str) -> bool:
    """Does a noun phrase (concept id + category) satisfy a selectional class?"""
    allowed = CLASSES[cls]
    return category in allowed or concept_or_type in allowed
