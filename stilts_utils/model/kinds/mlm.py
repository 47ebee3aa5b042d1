"""Continued multilingual MLM during intermediate training (an X-STILTs variant): raw text lines,
masked by the library's collator, scored by the pretrained model's own LM head."""
from __future__ import annotations

import random
from pathlib import Path

import datasets
from torch import nn
from transformers import AutoModelForMaskedLM, DataCollatorForLanguageModeling

LABEL_NAMES = ("labels",)


def corpus_lines(corpus_dir: Path, languages: list[str], limit: int, seed: int) -> list[str]:
    """Up to `limit` lines, spread evenly over the languages' `<lang>.txt` files (fixed seed)."""
    per_lang = max(1, limit // max(1, len(languages)))
    lines = []
    for lang in languages:
        path = Path(corpus_dir) / f"{lang}.txt"
        if not path.is_file():
            raise FileNotFoundError(f"MLM corpus: no {path} (one sentence per line per language)")
        text = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        lines += random.Random(f"{seed}/{lang}").sample(text, min(per_lang, len(text)))
    return lines


def featurize(lines: list[str], tokenizer, settings):
    rows = datasets.Dataset.from_dict({"text": lines})
    return rows.map(lambda b: tokenizer(b["text"], truncation=True, max_length=settings.max_seq_len,
                                        return_special_tokens_mask=True),
                    batched=True, remove_columns=["text"], desc="tokenize")


def collator(tokenizer):
    return DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)


class MLMHead(nn.Module):
    """The pretrained LM head (e.g. XLM-R's lm_head) over the shared encoder's hidden states."""

    def __init__(self, lm_head: nn.Module):
        super().__init__()
        self.lm_head = lm_head

    def forward(self, hidden, mask, labels=None, n_choices=None):
        logits = self.lm_head(hidden)  # (B, L, V)
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
        return {"loss": loss, "logits": logits}


def pretrained_head(name_or_path: str, trust_remote_code: bool = False) -> MLMHead:
    """The LM head of the pretrained masked LM: the child module that is not the encoder."""
    try:
        mlm = AutoModelForMaskedLM.from_pretrained(name_or_path, trust_remote_code=trust_remote_code)
    except (ValueError, OSError) as err:
        raise ValueError(f"mlm_weight > 0 needs a masked LM; {name_or_path!r} is not one ({err})") from None
    heads = [m for name, m in mlm.named_children() if name != mlm.base_model_prefix]
    return MLMHead(heads[0])
