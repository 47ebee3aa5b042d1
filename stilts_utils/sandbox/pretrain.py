"""Phase 1 in the sandbox: a Unigram tokenizer and an XLM-R-style masked LM trained from scratch."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from ..atomic import build_once, is_complete
from .settings import WorldSettings, check_keys, settings_hash

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
    batch_size: int = 16  # small batches, many steps: what a tiny encoder needs in a CPU minute
    epochs: float = 3.0  # passes over the corpus (small: ~14 s each on 2 idle cores)
    learning_rate: float = 1.5e-3  # tiny post-LN encoders stall at 3e-3 and crawl at 1e-3
    warmup_ratio: float = 0.06
    mlm_probability: float = 0.15
    dropout: float = 0.0  # while pretraining: under one CPU-minute the model underfits anyway
    finetune_dropout: float = 0.1  # written to the saved config for phases 2-3 (XLM-R's value)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelSize":
        check_keys(cls, d)
        return cls(**d)


DEFAULT_SIZES = {
    "small": ModelSize("small", hidden_size=96, num_layers=2, num_heads=4, intermediate_size=384),
    # base costs ~3.6x small per token: ~2 min on 2 idle cores (several times that when shared)
    "base": ModelSize("base", hidden_size=128, num_layers=4, num_heads=4, intermediate_size=512),
}


def train_tokenizer(lines: list[str], vocab_size: int):
    """sentencepiece-like Unigram (NFKC, ▁ word marks) wrapped as a transformers fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from tokenizers.trainers import UnigramTrainer
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = UnigramTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, unk_token="<unk>",
                             show_progress=False)
    tok.train_from_iterator(lines, trainer)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(  # XLM-R: <s> A </s></s> B </s>
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        pad_token="<pad>", mask_token="<mask>", cls_token="<s>", sep_token="</s>",
        model_input_names=["input_ids", "attention_mask"])  # no token types, as XLM-R


def read_documents(data_root: Path, seed: int, max_sentences: int) -> list[str]:
    """Corpus lines packed into short same-language documents of 1..max_sentences sentences, so
    pretraining sees every position a downstream input (a QA context) can use."""
    rng, docs = random.Random(f"{seed}/pack"), []
    for path in sorted((Path(data_root) / "corpus").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            k = rng.randint(1, max_sentences)
            docs.append(" ".join(lines[i:i + k]))
            i += k
    return docs


def make_model(size: ModelSize, tokenizer):
    from transformers import XLMRobertaConfig

    config = XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=size.hidden_size,
        num_hidden_layers=size.num_layers, num_attention_heads=size.num_heads,
        intermediate_size=size.intermediate_size,
        max_position_embeddings=size.max_length + 2,  # XLM-R positions start after pad id 1
        hidden_dropout_prob=size.dropout, attention_probs_dropout_prob=size.dropout,
        type_vocab_size=1, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    return _sparse_mlm_class()(config)


def _sparse_mlm_class():
    """XLMRobertaForMaskedLM whose LM head runs on the masked positions only when labels are
    given (as in "cramming" BERT): same weights and loss, ~40% less compute for a tiny encoder
    whose vocabulary projection costs as much as its layers. Saved as the plain class."""
    import torch.nn.functional as F
    from transformers import XLMRobertaForMaskedLM
    from transformers.modeling_outputs import MaskedLMOutput

    class SparseHeadMLM(XLMRobertaForMaskedLM):
        def forward(self, input_ids=None, attention_mask=None, labels=None, **kwargs):
            if labels is None:
                return super().forward(input_ids, attention_mask=attention_mask, **kwargs)
            hidden = self.roberta(input_ids, attention_mask=attention_mask, **kwargs)[0]
            masked = labels != -100  # (batch, seq) -> logits (n_masked, vocab)
            logits = self.lm_head(hidden[masked])
            return MaskedLMOutput(loss=F.cross_entropy(logits, labels[masked]), logits=logits)

    return SparseHeadMLM


def save_plain(model, size: ModelSize, out: Path) -> None:
    from transformers import XLMRobertaForMaskedLM

    config = model.config
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = size.finetune_dropout
    plain = XLMRobertaForMaskedLM(config)
    plain.load_state_dict(model.state_dict())
    plain.save_pretrained(out)


def pretrain_model(settings: WorldSettings, size: ModelSize, data_root, out_dir) -> Path:
    """Train tokenizer + MLM on the world's corpus into `out_dir` (exactly), once per settings."""
    world_key = f"sandbox-world {settings_hash(settings)}"
    if not is_complete(Path(data_root), world_key):
        raise ValueError(f"{data_root} holds no complete world; run build_world first")
    key = f"sandbox-model {settings_hash(settings)} {size.name} {settings_hash(size)}"
    return build_once(Path(out_dir), key, lambda tmp: _train(settings, size, data_root, tmp))


def _train(settings: WorldSettings, size: ModelSize, data_root, out: Path) -> None:
    import datasets
    import transformers
    from transformers import DataCollatorForLanguageModeling, Trainer, TrainingArguments

    start = time.time()
    transformers.set_seed(settings.seed)
    docs = read_documents(data_root, settings.seed, size.max_sentences)
    random.Random(f"{settings.seed}/held-out").shuffle(docs)
    n_held = max(1, min(HELD_OUT, len(docs) // 20))
    held, train = docs[:n_held], docs[n_held:]
    tokenizer = train_tokenizer(train, size.vocab_size)
    tokenizer.model_max_length = size.max_length  # positions beyond it were never trained

    def encode(batch):
        return tokenizer(batch["text"], truncation=True, max_length=size.max_length)

    data = {name: datasets.Dataset.from_dict({"text": part}).map(
        encode, batched=True, remove_columns=["text"]) for name, part in
        (("train", train), ("held_out", held))}
    args = TrainingArguments(
        output_dir=str(out / "trainer"), per_device_train_batch_size=size.batch_size,
        per_device_eval_batch_size=size.batch_size, num_train_epochs=size.epochs,
        learning_rate=size.learning_rate,
        warmup_steps=size.warmup_ratio,  # a float < 1 is a ratio in transformers 5
        weight_decay=0.01, lr_scheduler_type="linear",
        adam_beta2=0.98,  # RoBERTa's, steadier than 0.999 at high learning rates
        logging_steps=100, save_strategy="no", report_to=[], seed=settings.seed,
        data_seed=settings.seed, use_cpu=True, disable_tqdm=False,
        train_sampling_strategy="group_by_length")
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=size.mlm_probability,
                                               seed=settings.seed)
    trainer = Trainer(model=make_model(size, tokenizer), args=args, data_collator=collator,
                      train_dataset=data["train"], eval_dataset=data["held_out"],
                      processing_class=tokenizer)
    result = trainer.train()
    held_out = trainer.evaluate()
    save_plain(trainer.model, size, out)
    tokenizer.save_pretrained(out)
    check_reload(tokenizer, out, held[:50])
    _write_metrics(out, trainer, result, held_out, time.time() - start)


def check_reload(tokenizer, out: Path, texts: list[str]) -> None:
    """The saved tokenizer must encode exactly as the trained one (normaliser, specials included):
    AutoTokenizer may otherwise rebuild an XLM-R tokenizer around our vocabulary."""
    from transformers import AutoTokenizer

    reloaded = AutoTokenizer.from_pretrained(out)
    texts = [*texts, "Ｍａｒｉａ ﬁve"]  # full-width letters and a ligature: NFKC must survive
    if reloaded(texts)["input_ids"] != tokenizer(texts)["input_ids"]:
        raise RuntimeError(f"tokenizer saved in {out} encodes differently after reloading")


def _write_metrics(out: Path, trainer, result, held_out: dict, wall: float) -> None:
    import shutil

    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    metrics = {"train_loss_mean": result.training_loss, "train_loss_last": losses[-1] if losses else None,
               "held_out_mlm_loss": held_out["eval_loss"], "steps": trainer.state.global_step,
               "params": trainer.model.num_parameters(), "wall_time_s": round(wall, 1)}
    (out / "pretrain_metrics.json").write_text(json.dumps(metrics, indent=1))
    shutil.rmtree(out / "trainer", ignore_errors=True)
