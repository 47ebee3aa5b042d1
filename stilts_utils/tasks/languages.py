"""XTREME's evaluation languages per target task (google-research/xtreme README and evaluate.py
TASK2LANGS). The single source: task modules name them, aggregation reads them from the tasks."""

XNLI = "ar bg de el en es fr hi ru sw th tr ur vi zh".split()
PAWSX = "de en es fr ja ko zh".split()
UDPOS = ("af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi "
         "yo zh").split()
PANX = ("af ar bg bn de el en es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru sw ta "
        "te th tl tr ur vi yo zh").split()
XQUAD = "ar de el en es hi ru th tr vi zh".split()
MLQA = "ar de en es hi vi zh".split()
TYDIQA = "ar bn en fi id ko ru sw te".split()
BUCC = "de fr ru zh".split()
TATOEBA = ("af ar bg bn de el es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr nl pt ru sw ta te th tl "
           "tr ur vi zh").split()

# XTREME-R additions used for RQ5 (Ruder et al. 2021).
XCOPA = "et ht id it qu sw ta th tr vi zh".split()
# XTREME-R's WikiANN NER: PAN-X's 40 plus 8 (google-research/xtreme scripts/preprocess_panx.sh at HEAD).
WIKIANN = PANX + "qu pl uk az lt pa gu ro".split()

# XTREME-R's scored languages where they differ from XTREME's (xtreme evaluate.py XTREME_R_TASK2LANGS
# @838c13b): a study's lists under `benchmark: xtreme-r`, XTREME's above otherwise. evaluate.py's `panx`
# under XTREME-R is WIKIANN (our `wikiann` target).
UDPOS_R = UDPOS + "lt pl uk wo ro".split()
TATOEBA_R = TATOEBA + "az lt pl uk ro".split()
XQUAD_R = XQUAD + ["ro"]
# Mewsli-X mention languages (utils_mewslix.MENTION_LANGUAGES, XTREME_R_TASK2LANGS["mewslix"]).
MEWSLIX = "ar de en es fa ja pl ro ta tr uk".split()
# LAReQA's XQuAD-R languages (XQuAD's 11). evaluate.py lists none (`'lareqa': []`) and cannot score it:
# the official number comes from evaluate_retrieval.py over every XQuAD-R language at once.
LAREQA = list(XQUAD)

# TyDiQA-GoldP mixes its languages in one split; the language is the prefix of `id` ("english-...").
TYDIQA_NAMES = {
    "ar": "arabic", "bn": "bengali", "en": "english", "fi": "finnish", "id": "indonesian", "ko": "korean",
    "ru": "russian", "sw": "swahili", "te": "telugu",
}

# The hub's UD-POS configs use English language names (google/xtreme `udpos.<Name>`).
UDPOS_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "kk": "Kazakh", "ko": "Korean", "mr": "Marathi", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian",
    "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "ur": "Urdu",
    "vi": "Vietnamese", "yo": "Yoruba", "zh": "Chinese",
    # XTREME-R's UD 2.7 additions: google/xtreme has no such configs (its UD-POS is XTREME's UD 2.5, 33
    # languages), so these names only label a local copy's languages; see tasks/udpos.py
    "lt": "Lithuanian", "pl": "Polish", "uk": "Ukrainian", "wo": "Wolof", "ro": "Romanian",
}

# Tatoeba configs on the hub use ISO 639-3 codes (google/xtreme `tatoeba.<iso3>`).
ISO3 = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "es": "spa", "et": "est",
    "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hu": "hun", "id": "ind",
    "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar",
    "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
    "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn",
    # XTREME-R's additions (LASER's Tatoeba v1 codes; google/xtreme has no tatoeba.<iso3> config for them)
    "az": "aze", "lt": "lit", "pl": "pol", "uk": "ukr", "ro": "ron",
}

UPOS = ("ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X").split()
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
NLI = ("entailment", "neutral", "contradiction")
