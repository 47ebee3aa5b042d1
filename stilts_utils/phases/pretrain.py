"""Phase 1 in the sandbox: a sentencepiece Unigram tokenizer and an XLM-R-style masked LM from scratch, as
the sandbox's recipe (`sandbox/recipe.py`) describes them, with the HF Trainer; `phase1.pretrain_model` calls
it when the model is not cached yet.

Phase 1 is deterministic: same settings -> the same tokenizer.json and model weights, byte for byte.
HF `tokenizers`' Unigram and WordPiece trainers are not (three runs on identical text gave three
vocabularies, whatever RAYON_NUM_THREADS was: word counts live in a randomly seeded hash map); the
sentencepiece library's Unigram trainer is, on a fixed thread count, and its pieces and scores load
into HF `tokenizers` unchanged. Torch runs on a fixed number of threads (`ModelSize.threads`).
"""

from __future__ import annotations

import io
import json
import shutil
import time
import unicodedata
from pathlib import Path

import datasets
import sentencepiece as spm
import torch
import torch.nn.functional as F
import transformers
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import (AutoTokenizer, DataCollatorForLanguageModeling, PreTrainedTokenizerFast, Trainer,
                          TrainingArguments, XLMRobertaConfig, XLMRobertaForMaskedLM)
from transformers.modeling_outputs import MaskedLMOutput

from ..progress import quiet_trainer
from ..sandbox import ModelSize, WorldSettings
from ..sandbox.recipe import SPECIALS, split_documents


class UnhealthyEncoder(RuntimeError):
    """Phase 1 ended with a held-out MLM loss above the size's bound: the encoder learned too little
    for any transfer result to mean something (it is still on the loss plateau)."""


def train_tokenizer(lines: list[str], vocab_size: int):
    """XLM-R's tokenizer type: a sentencepiece Unigram model (NFKC, ▁ word marks), trained by the
    sentencepiece library on one thread, loaded into HF `tokenizers` as a transformers fast tokenizer.

    Not HF's own UnigramTrainer: it is not deterministic (see the module docstring). sentencepiece is,
    for a fixed thread count (1 and 2 threads give different models, so it is pinned to 1)."""
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([unicodedata.normalize("NFKC", line) for line in lines]),
        model_writer=proto, model_type="unigram", vocab_size=vocab_size - len(SPECIALS) + 1,
        num_threads=1, normalization_rule_name="identity",  # NFKC done above and by the normaliser
        character_coverage=1.0, unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1,
        shuffle_input_sentence=False, input_sentence_size=0, max_sentence_length=1 << 16,
        hard_vocab_limit=False,  # a tiny test corpus may not hold vocab_size pieces: fewer, no error
        minloglevel=2)
    sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(1, sp.get_piece_size())]
    vocab = [(t, 0.0) for t in SPECIALS] + pieces  # XLM-R's special ids 0-3, mask after them
    tok = Tokenizer(models.Unigram(vocab, unk_id=SPECIALS.index("<unk>"), byte_fallback=False))
    tok.add_special_tokens([AddedToken(t, special=True) for t in SPECIALS])
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(  # XLM-R: <s> A </s></s> B </s>
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        pad_token="<pad>", mask_token="<mask>", cls_token="<s>", sep_token="</s>",
        model_input_names=["input_ids", "attention_mask"])  # no token types, as XLM-R


class SparseHeadMLM(XLMRobertaForMaskedLM):
    """XLMRobertaForMaskedLM whose LM head runs on the masked positions only when labels are given (as in
    "cramming" BERT): same weights and loss, ~40% less compute for a tiny encoder whose vocabulary projection
    costs as much as its layers. Saved as the plain class (`save_plain`)."""

    def forward(self, input_ids=None, attention_mask=None, labels=None, **kwargs):
        if labels is None:
            return super().forward(input_ids, attention_mask=attention_mask, **kwargs)
        hidden = self.roberta(input_ids, attention_mask=attention_mask, **kwargs)[0]
        masked = labels != -100  # (batch, seq) -> logits (n_masked, vocab)
        logits = self.lm_head(hidden[masked])
        return MaskedLMOutput(loss=F.cross_entropy(logits, labels[masked]), logits=logits)


def make_model(size: ModelSize, tokenizer):
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=size.hidden_size,
        num_hidden_layers=size.num_layers, num_attention_heads=size.num_heads,
        intermediate_size=size.intermediate_size,
        max_position_embeddings=size.max_length + 2,  # XLM-R positions start after pad id 1
        hidden_dropout_prob=size.dropout, attention_probs_dropout_prob=size.dropout,
        type_vocab_size=1, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    return SparseHeadMLM(config)


def save_plain(model, size: ModelSize, out: Path) -> None:
    config = model.config
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = size.finetune_dropout
    plain = XLMRobertaForMaskedLM(config)
    plain.load_state_dict(model.state_dict())
    plain.save_pretrained(out)


def train(settings: WorldSettings, size: ModelSize, data_root, out: Path) -> None:
    """Tokenizer, masked LM, loss curve and metrics into `out` (a build_once temporary folder)."""
    before = torch.get_num_threads()
    torch.set_num_threads(size.threads)  # matmul reductions split by thread count: pin it
    try:
        _train_pinned(settings, size, data_root, out)
    finally:
        torch.set_num_threads(before)


def _train_pinned(settings: WorldSettings, size: ModelSize, data_root, out: Path) -> None:
    start = time.time()
    transformers.set_seed(settings.seed)
    held_docs, train_docs = split_documents(data_root, settings.seed, size.max_sentences)
    held, train = [t for _, t in held_docs], [t for _, t in train_docs]
    tokenizer = train_tokenizer(train, size.vocab_size)
    tokenizer.model_max_length = size.max_length  # positions beyond it were never trained

    def encode(batch):
        return tokenizer(batch["text"], truncation=True, max_length=size.max_length)

    data = {name: datasets.Dataset.from_dict({"text": part}).map(
        encode, batched=True, remove_columns=["text"]) for name, part in
        (("train", train), ("held_out", held))}
    args = TrainingArguments(
        output_dir=str(out / "trainer"), per_device_train_batch_size=size.batch_size,
        per_device_eval_batch_size=64, num_train_epochs=size.epochs,
        max_steps=size.steps if size.steps > 0 else -1,
        learning_rate=size.learning_rate,
        warmup_steps=size.warmup_ratio,  # a float < 1 is a ratio in transformers 5
        weight_decay=0.01, lr_scheduler_type="linear",
        adam_beta2=0.98,  # RoBERTa's, steadier than 0.999 at high learning rates
        logging_steps=100, save_strategy="no", report_to=[], seed=settings.seed,
        eval_strategy="steps" if size.eval_every > 0 else "no",
        eval_steps=size.eval_every if size.eval_every > 0 else None,
        data_seed=settings.seed, use_cpu=True, disable_tqdm=True,
        dataloader_num_workers=0, train_sampling_strategy="group_by_length")
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=size.mlm_probability,
                                               seed=settings.seed)
    trainer = Trainer(model=make_model(size, tokenizer), args=args, data_collator=collator,
                      train_dataset=data["train"], eval_dataset=data["held_out"],
                      processing_class=tokenizer)
    quiet_trainer(trainer, f"phase 1: sandbox-{size.name}")  # one bar with the loss instead of printed dicts
    result = trainer.train()
    held_out = trainer.evaluate()
    curve = loss_curve(trainer.state.log_history)
    save_plain(trainer.model, size, out)
    tokenizer.save_pretrained(out)
    check_reload(tokenizer, out, held[:50])
    (out / "loss_curve.csv").write_text(curve)
    _write_metrics(out, trainer, result, held_out, time.time() - start, size)
    check_health(held_out["eval_loss"], size, curve)


def loss_curve(log_history: list[dict]) -> str:
    """CSV of step, train_loss (mean over the last logging window), held_out_loss."""
    rows: dict[int, dict] = {}
    for h in log_history:
        row = rows.setdefault(h["step"], {})
        if "loss" in h:
            row["train_loss"] = h["loss"]
        if "eval_loss" in h:
            row["held_out_loss"] = h["eval_loss"]
    lines = ["step,train_loss,held_out_loss"]
    for step in sorted(rows):
        r = rows[step]
        if r:
            lines.append(f"{step},{_fmt(r.get('train_loss'))},{_fmt(r.get('held_out_loss'))}")
    return "\n".join(lines) + "\n"


def _fmt(x) -> str:
    return "" if x is None else f"{x:.4f}"


def check_health(held_out_loss: float, size: ModelSize, curve: str) -> None:
    """Raise (so that no model is kept) when the encoder ended above its loss bound."""
    if size.max_held_out_loss > 0 and not held_out_loss <= size.max_held_out_loss:
        tail = "\n".join(curve.splitlines()[-6:])
        raise UnhealthyEncoder(
            f"sandbox-{size.name}: held-out MLM loss {held_out_loss:.3f} after phase 1 is above the "
            f"bound {size.max_held_out_loss}: the encoder is still on the loss plateau, so transfer "
            f"results would measure string matching only. Train longer (`steps`) or change the "
            f"learning rate. Last rows of the loss curve:\n{tail}")


def check_reload(tokenizer, out: Path, texts: list[str]) -> None:
    """The saved tokenizer must encode exactly as the trained one (normaliser, specials included):
    AutoTokenizer may otherwise rebuild an XLM-R tokenizer around our vocabulary."""
    reloaded = AutoTokenizer.from_pretrained(out)
    texts = [*texts, "Ｍａｒｉａ ﬁve"]  # full-width letters and a ligature: NFKC must survive
    if reloaded(texts)["input_ids"] != tokenizer(texts)["input_ids"]:
        raise RuntimeError(f"tokenizer saved in {out} encodes differently after reloading")


def _write_metrics(out: Path, trainer, result, held_out: dict, wall: float, size: ModelSize) -> None:
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    steps = trainer.state.global_step
    metrics = {"train_loss_mean": result.training_loss, "train_loss_last": losses[-1] if losses else None,
               "held_out_mlm_loss": held_out["eval_loss"], "steps": steps,
               "params": trainer.model.num_parameters(), "threads": size.threads,
               "max_held_out_loss": size.max_held_out_loss}
    (out / "pretrain_metrics.json").write_text(json.dumps(metrics, indent=1))
    # wall time is not part of the model's identity: kept apart so the model directory is identical
    # across runs, byte for byte, except this file
    (out / "pretrain_time.json").write_text(json.dumps(
        {"wall_time_s": round(wall, 1), "steps_per_s": round(steps / max(wall, 1e-9), 2)}))
    shutil.rmtree(out / "trainer", ignore_errors=True)
