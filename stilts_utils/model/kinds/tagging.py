"""Token tagging (UD-POS, PAN-X, CCG, WikiANN).

The label sits on the first sub-token of each word. A sentence longer than the model's max length is
split into windows of whole words (jiant truncated them, jiant#1169), and the windows' predictions are
stitched back so every word of every sentence gets exactly one predicted tag. `protocol.long_sentences:
truncate` reproduces XTREME instead (utils_tag.py cuts the sub-tokens at the budget; run_tag.py scores
only the words whose first sub-token survived): those words predict None and `score` leaves them out.
Under `truncate` the frame is XTREME's too: for RoBERTa/XLM-R (sep_token_extra in run_tag.py; here: a tokenizer
whose pair template puts two separators between the sentences) a second </s> ends the sentence, so the cut
comes one sub-token earlier.
"""
from __future__ import annotations

import numpy as np
from torch import nn

from ...metrics import METRICS
from .common import forward_batches, inputs_only


LABEL_NAMES = ("labels",)


def _windows(pieces: list[list[int]], budget: int) -> list[tuple[int, int]]:
    """Greedy (start, end) word ranges whose sub-tokens fit in `budget`."""
    spans, start, used = [], 0, 0
    for i, p in enumerate(pieces):
        if used and used + len(p) > budget:
            spans.append((start, i))
            start, used = i, 0
        used += len(p)
    spans.append((start, len(pieces)))
    return spans


def _truncated(pieces: list[list[int]], budget: int) -> tuple[list[list[int]], int]:
    """XTREME's cut: the sub-tokens past `budget` go; a word survives if its first sub-token does."""
    kept, used = [], 0
    for p in pieces:
        if used >= budget:
            break
        kept.append(p[:budget - used])
        used += len(p)
    return kept, len(pieces) - len(kept)


def _xtreme_extra(tokenizer) -> list[int]:
    """XTREME's second </s> after a sentence (sep_token_extra) for tokenizers with a double pair separator."""
    double = tokenizer.num_special_tokens_to_add(pair=True) - tokenizer.num_special_tokens_to_add(pair=False) >= 2
    return [tokenizer.sep_token_id] if double else []


def _frame(tokenizer, max_seq_len: int, truncate: bool) -> tuple[list[int], list[int], int]:
    """(prefix, suffix, sub-token budget) of every sentence: the tokenizer's own, or XTREME's under truncate."""
    prefix, suffix = _special_affixes(tokenizer)
    if truncate:
        suffix = suffix + _xtreme_extra(tokenizer)
    return prefix, suffix, max_seq_len - len(prefix) - len(suffix)


def _encode_sentence(words, tags, tokenizer, frame, truncate: bool):
    prefix, suffix, budget = frame
    pieces = tokenizer(list(words), add_special_tokens=False)["input_ids"] if words else []
    pieces = [p[:budget] or [tokenizer.unk_token_id] for p in pieces]  # no word may vanish
    dropped = 0
    if truncate:
        pieces, dropped = _truncated(pieces, budget)
    for start, end in _windows(pieces, budget):
        ids, labels = [], []
        for word, p in enumerate(pieces[start:end], start):
            ids += p
            labels += [tags[word] if tags is not None else 0] + [-100] * (len(p) - 1)
        full = prefix + ids + suffix
        padded = [-100] * len(prefix) + labels + [-100] * len(suffix)
        yield {"input_ids": full, "attention_mask": [1] * len(full), "labels": padded,
               "word_offset": start, "n_words": end - start, "dropped": dropped}


def _special_affixes(tokenizer) -> tuple[list[int], list[int]]:
    """The special ids a tokenizer puts around one sentence (e.g. XLM-R <s> ... </s>, T5 ... </s>).

    transformers 5 dropped `build_inputs_with_special_tokens`; encoding one probe word with and without
    specials shows the frame, which is the same for every single sentence."""
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a")["input_ids"]
    for pos in range(len(full) - len(bare) + 1):
        if full[pos:pos + len(bare)] == bare:
            return full[:pos], full[pos + len(bare):]
    raise ValueError("tokenizer special tokens interleave with the sentence; cannot align tags")


def featurize(examples, tokenizer, task, settings, long_sentences="windows", **options):
    """Features of whole-word windows (or XTREME's truncation: `protocol.long_sentences`)."""
    truncate = long_sentences == "truncate"
    frame = _frame(tokenizer, settings.max_seq_len, truncate)  # once: the same for every sentence

    def encode(batch, indices):
        out = {k: [] for k in ("input_ids", "attention_mask", "labels", "word_offset", "n_words",
                               "dropped", "example")}
        for idx, words, tags in zip(indices, batch["tokens"], batch["tags"]):
            for feat in _encode_sentence(words, tags, tokenizer, frame, truncate):
                for k, v in feat.items():
                    out[k].append(v)
                out["example"].append(idx)
        return out
    return examples.map(encode, batched=True, with_indices=True, remove_columns=examples.column_names,
                        desc="tokenize")


def train_features(features):
    return inputs_only(features, LABEL_NAMES)


def collator(tokenizer):
    # lazy: transformers (0.5 s); `tasks` and `score` import the kinds for their facts only
    from transformers import DataCollatorForTokenClassification

    return DataCollatorForTokenClassification(tokenizer)


def predict(model, features, examples, task, tokenizer, settings) -> list[list[str]]:
    out = forward_batches(model, features, collator(tokenizer), settings.eval_batch_size, ("logits",))
    preds = [[None] * len(words) for words in examples["tokens"]]
    for logits, labels, ex, offset in zip(out["logits"], features["labels"], features["example"],
                                          features["word_offset"]):
        firsts = [pos for pos, lab in enumerate(labels) if lab != -100]
        for word, pos in enumerate(firsts, offset):
            preds[ex][word] = task.labels[int(np.argmax(logits[pos]))]
    missing = sum(p is None for sent in preds for p in sent)
    dropped = sum(dict(zip(features["example"], features["dropped"])).values())  # truncated on purpose
    if missing != dropped:
        raise RuntimeError(f"{missing} words got no prediction, {dropped} were truncated; window stitching is "
                           "broken")
    return preds


def gold(examples, task) -> list[list[str]]:
    return [[task.labels[t] for t in tags] for tags in examples["tags"]]


# ---- head and scorer ----------------------------------------------------------------------------

class Head(nn.Module):
    def __init__(self, hidden: int, n_labels: int):
        super().__init__()
        self.out = nn.Sequential(nn.Dropout(0.1), nn.Linear(hidden, n_labels))

    def forward(self, hidden, mask, labels=None, n_choices=None):
        logits = self.out(hidden)  # (B, L, n_labels); labels -100 on sub-tokens after the first
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
        return {"loss": loss, "logits": logits}


def make_head(hidden: int, n_labels: int, pooling: str) -> nn.Module:
    return Head(hidden, n_labels)  # per token: no pooling


def scorer(task) -> str:
    return task.scorer or "seqeval"


def score(task, lang: str, preds, gold, **options) -> dict:
    """Words without a prediction (truncated, XTREME's protocol) leave the score, as in run_tag.py."""
    kept = [[(p, g) for p, g in zip(ps, gs) if p is not None] for ps, gs in zip(preds, gold)]
    preds, gold = [[p for p, _ in sent] for sent in kept], [[g for _, g in sent] for sent in kept]
    return METRICS[scorer(task)](gold, preds, lang=lang, **options)
