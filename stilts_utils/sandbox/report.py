"""Phase-1 health report: what a pretrained sandbox encoder has learned, per language.

Learned probes (no training beyond phase 1):
- held-out MLM loss per language, on the documents phase 1 kept out;
- word translation: a derived language's dictionary form against all en content words, nearest
  neighbour by cosine of mean-pooled embeddings (input embeddings, and the word encoded alone),
  scored against the world's gold lexicon, as Dufter & Schütze 2020 do;
- sentence retrieval (Tatoeba-style): held-out parallel sentences, drawn apart from every task file,
  mean-pooled at the retrieval layer, nearest en neighbour; also with untrained weights, which
  retrieve by shared strings alone; each also centred (every language's vectors minus their mean).
Anchor-only baselines (no learning from the text at all), so a reader sees what is learned beyond
string matching:
- a rule tagger that knows only punctuation, digits and capitals, on the world's UD-POS test;
- an overlap-only NLI classifier (logistic regression on word-overlap counts, no word identities)
  trained on en MNLI and applied to every language's XNLI test.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pandas as pd

from . import lexicon_en as L
from .languages import make_langs, world_languages
from .render import UPOS, text
from .settings import WorldSettings

RETRIEVAL_LAYER_FRACTION = 14 / 24  # as the kit's retrieval: layer 14 of XLM-R Large's 24
PROBE_SENTENCES = 200
COLUMNS = ("held_out_mlm_loss", "word_translation_acc", "word_translation_ctx_acc", "tatoeba_acc",
           "tatoeba_untrained_acc", "tatoeba_centered_acc", "tatoeba_untrained_centered_acc",
           "rule_tagger_udpos_acc", "overlap_nli_acc")


def phase1_report(settings: WorldSettings, size, data_root, model_dir) -> pd.DataFrame:
    """One row per language (COLUMNS, accuracies in %); writes phase1_report.csv and .json (with
    chance levels and the model's health) into `model_dir`."""
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    data_root, model_dir = Path(data_root), Path(model_dir)
    before = torch.get_num_threads()
    torch.set_num_threads(size.threads)
    try:
        tok = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForMaskedLM.from_pretrained(model_dir).eval()
        with torch.no_grad():
            df = _measure(settings, size, data_root, tok, model)
    finally:
        torch.set_num_threads(before)
    _write(df, settings, model_dir)
    return df


def _measure(settings, size, data_root, tok, model) -> pd.DataFrame:
    langs = world_languages(settings)
    layer = max(1, round(model.config.num_hidden_layers * RETRIEVAL_LAYER_FRACTION))
    losses = held_out_losses(settings, size, data_root, tok, model)
    words = word_translation(settings, tok, model, layer)
    tatoeba = {("trained", c): acc for c, acc in sentence_retrieval(settings, tok, model, layer).items()}
    tatoeba.update({("untrained", c): acc for c, acc in
                    sentence_retrieval(settings, tok, _untrained(model, settings.seed), layer).items()})
    tagger = {lang: rule_tagger_accuracy(data_root / "udpos" / lang / "test.jsonl") for lang in langs}
    nli = overlap_nli(data_root, langs)
    rows = []
    for lang in langs:
        rows.append({"language": lang, "held_out_mlm_loss": losses.get(lang, float("nan")),
                     "word_translation_acc": words.get(lang, (float("nan"),) * 2)[0],
                     "word_translation_ctx_acc": words.get(lang, (float("nan"),) * 2)[1],
                     "tatoeba_acc": tatoeba["trained", False].get(lang, float("nan")),
                     "tatoeba_untrained_acc": tatoeba["untrained", False].get(lang, float("nan")),
                     "tatoeba_centered_acc": tatoeba["trained", True].get(lang, float("nan")),
                     "tatoeba_untrained_centered_acc": tatoeba["untrained", True].get(lang, float("nan")),
                     "rule_tagger_udpos_acc": tagger[lang], "overlap_nli_acc": nli[lang]})
    return pd.DataFrame(rows)


def _untrained(model, seed: int):
    """The same architecture and tokenizer with fresh weights: retrieval from anchors (shared names,
    digits, punctuation, cognates) and sentence length alone, which phase 1 has to beat."""
    import transformers

    transformers.set_seed(seed)
    return type(model)(model.config).eval()


def _write(df: pd.DataFrame, settings: WorldSettings, model_dir: Path) -> None:
    metrics = json.loads((model_dir / "pretrain_metrics.json").read_text())
    bound = metrics.get("max_held_out_loss") or 0.0
    info = {"held_out_mlm_loss": metrics["held_out_mlm_loss"], "steps": metrics["steps"],
            "max_held_out_loss": bound,
            "healthy": bool(bound <= 0 or metrics["held_out_mlm_loss"] <= bound),
            "chance": {"word_translation_acc": 100 / len(en_words()),
                       "tatoeba_acc": 100 / PROBE_SENTENCES,
                       "tatoeba_centered_acc": 100 / PROBE_SENTENCES, "overlap_nli_acc": 100 / 3},
            "languages": json.loads(df.to_json(orient="records"))}
    (model_dir / "phase1_report.csv").write_text(df.to_csv(index=False, float_format="%.4f"))
    (model_dir / "phase1_report.json").write_text(json.dumps(info, indent=1))


# ---- learned probes ---------------------------------------------------------------------------------

def held_out_losses(settings, size, data_root, tok, model) -> dict[str, float]:
    """Mean MLM loss over masked tokens of each language's held-out documents (fixed masks)."""
    import torch
    from transformers import DataCollatorForLanguageModeling

    from .pretrain import split_documents

    held, _ = split_documents(data_root, settings.seed, size.max_sentences)
    collator = DataCollatorForLanguageModeling(tok, mlm_probability=size.mlm_probability,
                                               seed=settings.seed)
    out = {}
    for lang in sorted({lang for lang, _ in held}):
        texts = [t for code, t in held if code == lang]
        total, count = 0.0, 0
        for i in range(0, len(texts), 64):
            enc = tok(texts[i:i + 64], truncation=True, max_length=size.max_length)
            batch = collator([{"input_ids": ids} for ids in enc["input_ids"]])
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            mask = batch["labels"] != -100
            total += torch.nn.functional.cross_entropy(
                logits[mask], batch["labels"][mask], reduction="sum").item()
            count += int(mask.sum())
        out[lang] = total / max(count, 1)
    return out


def en_words() -> list[tuple[str, str]]:
    """(concept, en dictionary form) of every content word."""
    return [(cid, c.forms[0][0]) for cid, c in L.LEXICON.items()]


def word_translation(settings, tok, model, layer: int) -> dict[str, tuple[float, float]]:
    """code -> (% correct with input embeddings, % correct with the word encoded alone)."""
    import torch

    concepts = [c for c, _ in en_words()]
    en_static, en_ctx = _word_vectors(tok, model, [w for _, w in en_words()], layer)
    out, langs = {}, make_langs(settings)
    for spec in settings.languages:
        forms = langs[spec.code].dictionary_forms(concepts)
        static, ctx = _word_vectors(tok, model, forms, layer)
        gold = torch.arange(len(concepts))
        out[spec.code] = tuple(100 * float((_nearest(q, en_static if k == 0 else en_ctx) == gold)
                                           .float().mean()) for k, q in enumerate((static, ctx)))
    return out


def _word_vectors(tok, model, words: list[str], layer: int):
    """Mean of the word's subword input embeddings, and mean of its pieces' hidden states at
    `layer` when the word is encoded alone (<s> word </s>)."""
    import torch

    emb = model.get_input_embeddings().weight
    enc = tok(words, padding=True, return_tensors="pt")
    ids, att = enc["input_ids"], enc["attention_mask"]
    pieces = att.clone()
    pieces[:, 0] = 0  # <s>
    pieces[torch.arange(len(words)), att.sum(1) - 1] = 0  # </s>
    hidden = model.base_model(input_ids=ids, attention_mask=att, output_hidden_states=True)
    return _mean(emb[ids], pieces), _mean(hidden.hidden_states[layer], pieces)


def _mean(states, mask):
    m = mask.unsqueeze(-1).to(states.dtype)
    return (states * m).sum(1) / m.sum(1).clamp(min=1)


def _nearest(queries, keys):
    import torch

    q = torch.nn.functional.normalize(queries, dim=-1)
    k = torch.nn.functional.normalize(keys, dim=-1)
    return (q @ k.T).argmax(-1)


def probe_sentences(settings: WorldSettings) -> dict[str, list[str]]:
    """Parallel one-clause sentences from a stream no task file draws from (held out by design)."""
    from .task_simple import unique_sentences

    meanings = unique_sentences(random.Random(f"{settings.seed}/phase1-probe"), PROBE_SENTENCES)
    langs = make_langs(settings)
    return {code: [text(lang.sentence_toks(s, random.Random(f"{settings.seed}/phase1-probe/{code}/{i}")))
                   for i, s in enumerate(meanings)] for code, lang in langs.items()}


def sentence_retrieval(settings, tok, model, layer: int) -> dict[bool, dict[str, float]]:
    """{centred: {language: % of its probe sentences whose nearest en sentence is their translation}}:
    raw, and with each language's vectors minus their mean (as `retrieval.center`), so that an offset
    separating the languages does not hide what is aligned. Each language is embedded once."""
    import torch

    raw = {code: _sentence_vectors(tok, model, s, layer) for code, s in probe_sentences(settings).items()}
    centred = {code: v - v.mean(0, keepdim=True) for code, v in raw.items()}
    gold = torch.arange(len(raw["en"]))
    return {center: {code: 100 * float((_nearest(v, vectors["en"]) == gold).float().mean())
                     for code, v in vectors.items() if code != "en"}
            for center, vectors in ((False, raw), (True, centred))}


def _sentence_vectors(tok, model, texts: list[str], layer: int):
    import torch

    out = []
    for i in range(0, len(texts), 64):
        enc = tok(texts[i:i + 64], padding=True, truncation=True, return_tensors="pt")
        hidden = model.base_model(**enc, output_hidden_states=True).hidden_states[layer]
        out.append(_mean(hidden, enc["attention_mask"]))
    return torch.cat(out)


# ---- anchor-only baselines ----------------------------------------------------------------------------

def rule_tag(tokens: list[str]) -> list[str]:
    """Punctuation, digits and capitals only: what string matching gives a tagger for free."""
    tags = []
    for i, t in enumerate(tokens):
        if all(ch in string.punctuation for ch in t):
            tags.append("PUNCT")
        elif t.isdigit():
            tags.append("NUM")
        elif i > 0 and t[:1].isupper():
            tags.append("PROPN")
        else:
            tags.append("NOUN")
    return tags


def rule_tagger_accuracy(path: Path) -> float:
    right = total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for pred, gold in zip(rule_tag(row["tokens"]), row["pos_tags"]):
            right += pred == UPOS[gold]
            total += 1
    return 100 * right / max(total, 1)


def overlap_features(premise: str, hypothesis: str) -> list[float]:
    """Counts of shared and unshared words; which words they are is never seen."""
    p, h = _words(premise), _words(hypothesis)
    shared = len(p & h)
    return [shared / max(len(h), 1), shared / max(len(p), 1), len(h - p), len(p - h),
            len(h) - len(p), shared / max(len(p | h), 1)]


def _words(s: str) -> set:
    return {w.strip(string.punctuation).lower() for w in s.split()} - {""}


def overlap_nli(data_root: Path, langs: list[str]) -> dict[str, float]:
    """% accuracy of a logistic regression on overlap features, trained on en MNLI train."""
    from sklearn.linear_model import LogisticRegression

    def load(path):
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        return [overlap_features(r["premise"], r["hypothesis"]) for r in rows], [r["label"] for r in rows]

    x, y = load(data_root / "mnli" / "en" / "train.jsonl")
    clf = LogisticRegression(max_iter=2000).fit(x, y)
    out = {}
    for lang in langs:
        xt, yt = load(data_root / "xnli" / lang / "test.jsonl")
        out[lang] = 100 * float(clf.score(xt, yt))
    return out
