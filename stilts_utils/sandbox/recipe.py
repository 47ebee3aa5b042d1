"""What phase 1 pretrains in the sandbox (the recipe; `phases/pretrain.py` builds it): the model sizes
(shape, tokenizer vocabulary, budget), the tokenizer's special pieces, and how the world's corpus is packed
into documents and split into training and held-out text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from .settings import check_keys

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # XLM-R's ids 0-3, mask after them
HELD_OUT = 500  # at most this many documents (5%) kept out of training: held-out MLM loss


@dataclass(frozen=True)
class ModelSize:
    """Encoder shape and pretraining budget of one sandbox model."""

    name: str
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int = 2000  # tokenizer pieces, shared by all languages
    max_length: int = 128  # tokens per pretraining document; also the tokenizer's model_max_length
    max_sentences: int = 6  # sentences per pretraining document (drawn 1..max)
    batch_size: int = 16  # small batches, many steps: per document, batch 64 costs as much on CPU
    epochs: float = 3.0  # passes over the corpus, when `steps` is 0
    steps: int = 0  # > 0: the budget in optimizer steps (overrides epochs)
    learning_rate: float = 1.5e-3  # tiny post-LN encoders stall at 3e-3 and crawl at 1e-3
    warmup_ratio: float = 0.06
    mlm_probability: float = 0.15
    dropout: float = 0.0  # while pretraining: a few CPU-minutes leave the model underfitting anyway
    finetune_dropout: float = 0.1  # written to the saved config for phases 2-3 (XLM-R's value)
    # torch threads while pretraining: fixed, so the weights do not depend on the caller. One: with two, a core
    # taken by anything else stalls every step (see "small" below)
    threads: int = 1
    eval_every: int = 250  # steps between held-out MLM losses in loss_curve.csv (0: only at the end)
    max_held_out_loss: float = 0.0  # > 0: phase 1 fails if the final held-out loss is above it

    @classmethod
    def from_dict(cls, d: dict) -> "ModelSize":
        check_keys(cls, d)
        return cls(**d)


DEFAULT_SIZES = {
    # 10,000 steps (~15 passes over the default corpus): benchmarks/phase1_convergence.py on the
    # default world shows the held-out loss on its plateau (4.4-4.5) until ~4,500 steps, then
    # falling to ~2.2 by 10,000 (at 3 epochs = 2,049 steps, the old default, it was still 4.7).
    # The bound 3.5 lies between plateau and converged: above it, the study stops (UnhealthyEncoder).
    # One torch thread: with two, a core taken by anything else (a second run, a browser) stalls the
    # pretraining at ~1 step/s (measured 0.8 against 9.0 with one thread on a busy core); on two idle
    # cores one thread costs ~25 % more (36 against 49 steps/s). The thread count is in the model's key.
    "small": ModelSize("small", hidden_size=96, num_layers=2, num_heads=4, intermediate_size=384,
                       steps=10000, eval_every=500, max_held_out_loss=3.5, threads=1),
    # base costs ~3.6x small per token: ~2 min on 2 idle cores (several times that when shared)
    "base": ModelSize("base", hidden_size=128, num_layers=4, num_heads=4, intermediate_size=512),
}


def read_documents(data_root: Path, seed: int, max_sentences: int) -> list[str]:
    """Corpus lines packed into short same-language documents of 1..max_sentences sentences, so
    pretraining sees every position a downstream input (a QA context) can use."""
    return [text for _, text in language_documents(data_root, seed, max_sentences)]


def language_documents(data_root: Path, seed: int, max_sentences: int) -> list[tuple[str, str]]:
    """(language, document) pairs, in corpus-file order."""
    rng, docs = random.Random(f"{seed}/pack"), []
    for path in sorted((Path(data_root) / "corpus").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            k = rng.randint(1, max_sentences)
            docs.append((path.stem, " ".join(lines[i:i + k])))
            i += k
    return docs


def split_documents(data_root: Path, seed: int, max_sentences: int):
    """(held_out, train) lists of (language, document): the same split for training and the report."""
    docs = language_documents(data_root, seed, max_sentences)
    random.Random(f"{seed}/held-out").shuffle(docs)
    n_held = max(1, min(HELD_OUT, len(docs) // 20))
    return docs[:n_held], docs[n_held:]
