"""Maintainer-only: regenerate languages.csv and published/*.csv from ../shared/reference.

Nothing in the package or the tests runs this; they read the CSVs it wrote. Run it from the repo root,
`python tools/build_languages.py [path/to/shared/reference]`, after the reference files change,
then review the diff. Every number is copied, never estimated; see SOURCES.md for the choices.
"""
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parents[1] / "stilts_utils" / "reference"
DEFAULT_REF = HERE.parents[2] / "shared" / "reference"

# WALS column in the typology file -> short column name here (chapter number kept for look-ups).
WALS = {
    "wals_20A_fusion": "wals20_fusion",
    "wals_21A_exponence": "wals21_exponence",
    "wals_22A_verb_inflectional_synthesis": "wals22_verb_synthesis",
    "wals_26A_prefixing_vs_suffixing": "wals26_affixation",
    "wals_81A_order_SOV": "wals81_sov_order",
    "wals_85A_order_adposition_NP": "wals85_adposition",
    "wals_87A_order_adjective_noun": "wals87_adj_noun",
}
WORD_ORDER = {"SOV": "SOV", "SVO": "SVO", "VSO": "VSO", "No dominant order": "no_dominant"}
SUFFIXING = {"Strongly suffixing", "Weakly suffixing"}
PREFIXING_OR_EQUAL = {"Strongly prefixing", "Weakly prefixing", "Equal prefixing and suffixing"}
ISOLATING_20A = {"Exclusively isolating", "Tonal/isolating"}
MC4_CODE = {"he": "iw", "tl": "fil"}  # mT5's codes for these two languages
CC100_SRC = ("XLM-R paper (Conneau et al. 2020) App. A Table 6 (as printed); corrected values from "
             "github:mayhewsw/multilingual-data-stats cc-100/cc-100.csv @7397902")
WIKI_SRC = "github:mayhewsw/multilingual-data-stats wiki/wiki.csv @0adee01 (Wikipedia 2020-10-01 dumps)"
MC4_SRC = "mT5 paper mC4 table via github:mayhewsw/multilingual-data-stats mc4/mc4.csv @36e6dc3"
TYPO_SRC = ("shared/reference/typology/language_typology.csv: WALS v2020.4, Glottolog 5.1, "
            "SIL ISO 639-3 2022-03-11, CLDR 37 (commits in SOURCES.md)")


def morphology(affixation, fusion):
    """Coarse morphology: 26A first (41/50 filled), 20A only to spot isolating languages 26A lacks."""
    if affixation == "Little affixation" or (not affixation and fusion in ISOLATING_20A):
        return "isolating"
    if affixation in SUFFIXING:
        return "suffixing"
    if affixation in PREFIXING_OR_EQUAL:
        return "prefixing_or_equal"
    return ""


def _row_text(r):
    text = f"{r.language} (printed {r.tokens_millions_as_printed:g}M, {r.size_GiB_as_printed:g} GiB"
    if (r.tokens_millions_as_printed, r.size_GiB_as_printed) != (r.tokens_millions_mayhew_csv, r.size_GiB_mayhew_csv):
        text += f"; author-corrected {r.tokens_millions_mayhew_csv:g}M, {r.size_GiB_mayhew_csv:g} GiB"
    return text + ")"


def cc100_columns(cc, code):
    """CC-100 numbers for one language, with the Table 6 row(s) used named in cc100_row."""
    rows = cc[cc.iso_code == code]
    if rows.empty:
        return {"cc100_row": "no Table 6 row (not imputed)"}
    skipped = ""
    if code == "zh":  # XTREME's Chinese test sets are Simplified; the Traditional row is left out
        skipped = "; Chinese (Traditional) row (176M, 16.6 GiB) not used"
        rows = rows[rows.language == "Chinese (Simplified)"]
    total = rows[["tokens_millions_mayhew_csv", "tokens_millions_as_printed",
                  "size_GiB_mayhew_csv", "size_GiB_as_printed"]].sum()
    used = " + ".join(_row_text(r) for r in rows.itertuples())
    return {"cc100_tokens_m": total.iloc[0], "cc100_tokens_m_as_printed": total.iloc[1],
            "cc100_gib": total.iloc[2], "cc100_gib_as_printed": total.iloc[3],
            "cc100_row": ("sum of " if len(rows) > 1 else "") + used + skipped,
            "cc100_note": rows.note.dropna().iloc[0] if rows.note.notna().any() else ""}


def language_rows(ref):
    typo = pd.read_csv(ref / "typology" / "language_typology.csv", keep_default_na=False)
    cc = pd.read_csv(ref / "cc100_xlmr_table6.csv")
    wiki = pd.read_csv(ref / "wikipedia_size_per_language_mayhew_20201001.csv").set_index("wiki_code")
    mc4 = pd.read_csv(ref / "mc4_mt5_tokens_per_language.csv").set_index("language_code")
    out = []
    for t in typo.itertuples():
        code = t.iso639_1
        mc4_code = MC4_CODE.get(code, code)
        row = {"language": code, "name": t.name.replace(" (macrolanguage)", "").replace(" (1453-)", ""),
               "benchmark": t.benchmark, "family": t.glottolog_family, "wals_family": t.family,
               "genus": t.genus, "script": t.script, **cc100_columns(cc, code),
               "wiki_articles": wiki.articles.get(code), "wiki_tokens": wiki.tokens_wc_w.get(code),
               "wiki_in_mbert": wiki.in_mbert.get(code),
               "mc4_tokens_b": mc4.tokens_billions.get(mc4_code) if mc4_code in mc4.index else None,
               "mc4_code": mc4_code}
        row.update({short: getattr(t, long) for long, short in WALS.items()})
        row["word_order"] = WORD_ORDER.get(t.wals_81A_order_SOV, "")
        row["morphology"] = morphology(t.wals_26A_prefixing_vs_suffixing, t.wals_20A_fusion)
        row.update({"iso639_3": t.iso639_3_individual, "glottocode": t.glottocode, "wals_code": t.wals_code,
                    "source_cc100": CC100_SRC, "source_wiki": WIKI_SRC, "source_mc4": MC4_SRC,
                    "source_typology": TYPO_SRC, "typology_notes": t.notes})
        out.append(row)
    return pd.DataFrame(out)


MODEL_IDS = {  # label in the reference files -> model name as in params (the HF checkpoint)
    "mBERT": "bert-base-multilingual-cased", "XLM-R Base": "xlm-roberta-base",
    "XLM-R Large": "xlm-roberta-large", "XLM-R XL": "facebook/xlm-roberta-xl",
    "XLM-R XXL": "facebook/xlm-roberta-xxl", "mT5-Small": "google/mt5-small", "mT5-Base": "google/mt5-base",
    "mT5-Large": "google/mt5-large", "mT5-XL": "google/mt5-xl", "mT5-XXL": "google/mt5-xxl",
}


def model_id(label):
    return next(v for k, v in sorted(MODEL_IDS.items(), key=lambda kv: -len(kv[0])) if label.startswith(k))


def published_rows(df, target, metrics, models):
    """Long format (one row per model, language, metric) for the zero-shot test rows of `models`."""
    df = df[df.model.map(lambda m: any(m.startswith(k) for k in models)) & (df.language != "avg")]
    if "setting" in df:  # drops translate-train rows and the DeBERTa-README dev rows
        df = df[df.setting.str.startswith("zero-shot") & (df.split == "test")]
    long = df.melt(id_vars=[c for c in df if c not in metrics], value_vars=metrics,
                   var_name="metric", value_name="value")
    long = long.assign(target=target, model_as_printed=long.model, model=long.model.map(model_id),
                       split=long.get("split", "test"), setting="zero-shot from English")
    cols = ["target", "model", "model_as_printed", "setting", "split", "language", "metric", "value",
            "source", "note"]
    return long.reindex(columns=cols).sort_values(["model", "metric", "language"])


# XTREME tasks of the MuRIL card's XLM-R Large subset copied per target. XNLI and MLQA are left out on
# purpose: xnli.csv / mlqa.csv hold the XLM-R paper's numbers, and one target keeps one source.
XTREME_SUBSET = {"PAN-X (WikiAnn NER)": "panx", "UDPOS": "udpos", "XQuAD": "xquad", "TyDiQA-GoldP": "tydiqa"}


def xtreme_subset_rows(ref):
    """{target: long rows} of the XLM-R Large per-language numbers the MuRIL card takes from the XTREME paper
    (F1, and EM for QA); the card's averages over its own languages are dropped."""
    df = pd.read_csv(ref / "xtreme_per_language_xlmr_large_subset_muril_card.csv")
    df = df[df.task.isin(XTREME_SUBSET) & ~df.language.str.startswith("avg")]
    long = df.rename(columns={"value_or_f1": "f1"}).melt(
        id_vars=["model", "task", "language", "source", "note"], value_vars=["f1", "em"], var_name="metric",
        value_name="value").dropna(subset=["value"])
    long = long.assign(target=long.task.map(XTREME_SUBSET), model_as_printed=long.model,
                       model=long.model.map(model_id), split="test", setting="zero-shot from English")
    cols = ["target", "model", "model_as_printed", "setting", "split", "language", "metric", "value",
            "source", "note"]
    return {t: part.reindex(columns=cols).sort_values(["model", "metric", "language"])
            for t, part in long.groupby("target")}


def parse_count(text):
    """'270M' / '3.5B' / '300 million' / '1.2 billion' -> int; anything else -> None."""
    text = str(text).strip()
    for unit, scale in (("billion", 1e9), ("million", 1e6), ("B", 1e9), ("M", 1e6)):
        head = text[: -len(unit)].strip()
        if text.endswith(unit) and head.replace(".", "", 1).isdigit():
            return int(round(float(head) * scale))
    return None


def model_parameter_rows(ref):
    """Every statement kept; `preferred` marks one per model: exact backbone counts where there are."""
    df = pd.read_csv(ref / "model_parameters_and_corpora.csv")
    df = df[df.model.isin(MODEL_IDS)].copy()
    exact = df.parameters_exact.notna()
    df["parameters"] = df.parameters_exact.where(exact, df.parameters_as_stated.map(parse_count))
    df["preferred"] = exact | (~df.model.isin(df.model[exact]) & df.parameters.notna())
    df = df.assign(model_as_printed=df.model, model=df.model.map(MODEL_IDS))
    df["parameters"] = df.parameters.astype("Int64")
    return df[["model", "model_as_printed", "parameters", "parameters_as_stated", "preferred",
               "what_is_counted", "pretraining_corpus", "source"]]


def main(ref=DEFAULT_REF):
    ref = Path(ref)
    language_rows(ref).to_csv(HERE / "languages.csv", index=False)
    pub = HERE / "published"
    pub.mkdir(exist_ok=True)
    models = ("mBERT", "XLM-R Base", "XLM-R Large")
    published_rows(pd.read_csv(ref / "xnli_per_language_results.csv"), "xnli", ["accuracy"], models) \
        .to_csv(pub / "xnli.csv", index=False)
    published_rows(pd.read_csv(ref / "mlqa_per_language_results.csv"), "mlqa", ["f1", "em"], models) \
        .to_csv(pub / "mlqa.csv", index=False)
    published_rows(pd.read_csv(ref / "pawsx_per_language_xtreme_baselines.csv"), "pawsx", ["accuracy"], models) \
        .to_csv(pub / "pawsx.csv", index=False)
    for target, rows in xtreme_subset_rows(ref).items():
        rows.to_csv(pub / f"{target}.csv", index=False)
    model_parameter_rows(ref).to_csv(pub / "model_parameters.csv", index=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
