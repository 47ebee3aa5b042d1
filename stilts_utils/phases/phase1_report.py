"""Phase-1 health report: what a pretrained sandbox encoder has learned, per language.

Learned probes (no training beyond phase 1):
- held-out MLM loss per language, on the documents phase 1 kept out;
- word translation: a derived language's dictionary form against all en content words, nearest
  neighbour by cosine of mean-pooled embeddings (input embeddings, and the word encoded alone),
  scored against the world's gold lexicon, as Dufter & Schütze 2020 do;
- sentence retrieval (Tatoeba-style): held-out parallel sentences, drawn apart from every task file,
  mean-pooled at the retrieval layer, nearest en neighbour; also with untrained weights, which
  retrieve by shared strings alone; each also centred (every language's vectors minus their mean).
The probe sets and the anchor-only baselines (a rule tagger, overlap-only NLI) come from the world
(`sandbox/probes.py`); pooling, sentence vectors and the nearest-neighbour search are the kit's own
(`model/heads.py`, `model/kinds/retrieval.py`, `metrics/knn.py`), run on the CPU in text order so that the
numbers depend on nothing but the model. Normalising and centring stay torch one-liners (see `_accuracy`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
import transformers
from transformers import AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling

from ..families import retrieval_layer
from ..metrics.knn import knn
from ..model.heads import pool
from ..model.kinds.retrieval import embed
from ..sandbox import WorldSettings, world_languages
from ..sandbox.languages import make_langs
from ..sandbox.probes import (PROBE_SENTENCES, en_words, overlap_nli, probe_sentences,
                              rule_tagger_accuracy)
from ..sandbox.recipe import split_documents

COLUMNS = ("held_out_mlm_loss", "word_translation_acc", "word_translation_ctx_acc", "tatoeba_acc",
           "tatoeba_untrained_acc", "tatoeba_centered_acc", "tatoeba_untrained_centered_acc",
           "rule_tagger_udpos_acc", "overlap_nli_acc")


def phase1_report(settings: WorldSettings, size, data_root, model_dir) -> pd.DataFrame:
    """One row per language (COLUMNS, accuracies in %); writes phase1_report.csv and .json (with
    chance levels and the model's health) into `model_dir`."""
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
    layer = retrieval_layer(model.config)
    losses = held_out_losses(settings, size, data_root, tok, model)
    words = word_translation(settings, tok, model, layer)
    tatoeba = {("trained", c): acc for c, acc in sentence_retrieval(settings, tok, model, layer).items()}
    tatoeba.update({("untrained", c): acc for c, acc in
                    sentence_retrieval(settings, tok, _untrained(model, settings.seed), layer).items()})
    tagger = {lang: rule_tagger_accuracy(data_root, lang) for lang in langs}
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


def held_out_losses(settings, size, data_root, tok, model) -> dict[str, float]:
    """Mean MLM loss over masked tokens of each language's held-out documents (fixed masks)."""
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


def word_translation(settings, tok, model, layer: int) -> dict[str, tuple[float, float]]:
    """code -> (% correct with input embeddings, % correct with the word encoded alone)."""
    concepts = [c for c, _ in en_words()]
    en_static, en_ctx = _word_vectors(tok, model, [w for _, w in en_words()], layer)
    out, langs = {}, make_langs(settings)
    for spec in settings.languages:
        forms = langs[spec.code].dictionary_forms(concepts)
        static, ctx = _word_vectors(tok, model, forms, layer)
        out[spec.code] = (_accuracy(static, en_static), _accuracy(ctx, en_ctx))
    return out


def _word_vectors(tok, model, words: list[str], layer: int):
    """Mean of the word's subword input embeddings, and mean of its pieces' hidden states at
    `layer` when the word is encoded alone (<s> word </s>)."""
    emb = model.get_input_embeddings().weight
    enc = tok(words, padding=True, return_tensors="pt")
    ids, att = enc["input_ids"], enc["attention_mask"]
    pieces = att.clone()
    pieces[:, 0] = 0  # <s>
    pieces[torch.arange(len(words)), att.sum(1) - 1] = 0  # </s>
    hidden = model.base_model(input_ids=ids, attention_mask=att, output_hidden_states=True)
    return pool(emb[ids], pieces, "mean"), pool(hidden.hidden_states[layer], pieces, "mean")  # (words, hidden)


def _accuracy(queries, keys) -> float:
    """% of queries whose nearest key by cosine (`metrics.knn`, on the CPU; ties: the lowest index) is the
    key of the same row; the mean taken in float32, as the report always has (18.5 % is 18.500000238...).

    Normalised with torch, not `metrics.retrieval.l2_normalize`: numpy sums the squares in another order
    (results up to 1.2e-7 apart, top-1 cosines up to 3e-7, measured), and top-1 gaps as small as 1.4e-6
    occur, so the numpy path could move a neighbour and change the report's numbers."""
    q = F.normalize(torch.as_tensor(queries), dim=-1).numpy()
    k = F.normalize(torch.as_tensor(keys), dim=-1).numpy()
    found = knn(q, k, 1, device="cpu")[1][:, 0]
    return 100 * float(np.mean(found == np.arange(len(found)), dtype=np.float32))


def sentence_retrieval(settings, tok, model, layer: int) -> dict[bool, dict[str, float]]:
    """{centred: {language: % of its probe sentences whose nearest en sentence is their translation}}:
    raw, and with each language's vectors minus their mean (as `metrics.retrieval.center`, but in torch: its
    numpy mean sums in another order, up to 6e-7 apart, see `_accuracy`), so that an offset separating the
    languages does not hide what is aligned. Each language is embedded once, by the retrieval targets'
    `embed`: in text order, 64 at a time, on the CPU (its sort and device options)."""
    raw = {code: torch.from_numpy(embed(model.base_model, tok, s, layer, "mean", tok.model_max_length, 64,
                                        sort=False, device="cpu"))
           for code, s in probe_sentences(settings).items()}
    centred = {code: v - v.mean(0, keepdim=True) for code, v in raw.items()}
    return {center: {code: _accuracy(v, vectors["en"]) for code, v in vectors.items() if code != "en"}
            for center, vectors in ((False, raw), (True, centred))}
