"""Phase-1 convergence benchmark: pretrain one sandbox model on a world and print its held-out MLM
loss curve, steps/s and wall time, so the default step budget is chosen from a measurement.

    PYTHONPATH=. python benchmarks/phase1_convergence.py --out /tmp/bench --steps 8000 --threads 1

Each configuration gets its own directory under --out (world by settings hash, model by size)."""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path


def main() -> None:
    from stilts_utils.phases.phase1 import pretrain_model
    from stilts_utils.sandbox import DEFAULT_SIZES, WorldSettings, build_world, settings_hash

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", default="small")
    ap.add_argument("--sentences", type=int, default=0, help="pretrain_sentences (0: the default)")
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--lr", type=float, default=0.0)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="ModelSize field=value (repeatable)")
    ap.add_argument("--world", action="append", default=[], help="WorldSettings field=value (repeatable)")
    ap.add_argument("--report", action="store_true", help="also write the phase-1 report")
    ap.add_argument("--unigram", action="store_true",
                    help="diagnosis only: HF's Unigram tokenizer (not deterministic) instead of BPE")
    a = ap.parse_args()
    if a.unigram:
        _use_unigram()
    world_over = {"pretrain_sentences": a.sentences} if a.sentences else {}
    for item in a.world:
        key, value = item.split("=", 1)
        world_over[key] = type(getattr(WorldSettings(), key))(value)
    world = WorldSettings(**world_over)
    size = DEFAULT_SIZES[a.size]
    over = {k: v for k, v in (("steps", a.steps), ("learning_rate", a.lr), ("batch_size", a.batch),
                               ("threads", a.threads), ("eval_every", a.eval_every)) if v}
    for item in a.set:
        key, value = item.split("=", 1)
        kind = type(getattr(size, key))
        over[key] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
    size = dataclasses.replace(size, **over)
    out = Path(a.out)
    start = time.time()
    data = build_world(world, out / f"world-{settings_hash(world)}")
    built = time.time()
    model = pretrain_model(world, size, data, out / f"model-{settings_hash(world)}-{settings_hash(size)}")
    trained = time.time()
    print(json.dumps({"size": dataclasses.asdict(size), "world_s": round(built - start, 1),
                      "pretrain_s": round(trained - built, 1), "model": str(model),
                      **json.loads((model / "pretrain_metrics.json").read_text()),
                      **json.loads((model / "pretrain_time.json").read_text())}, indent=1))
    print((model / "loss_curve.csv").read_text())
    if a.report:
        from stilts_utils.phases.phase1_report import phase1_report

        print(phase1_report(world, size, data, model).to_string())


def _use_unigram() -> None:
    from stilts_utils.phases import pretrain
    from stilts_utils.sandbox.recipe import SPECIALS

    bpe = pretrain.train_tokenizer

    def unigram(lines, vocab_size):
        from tokenizers import models
        from tokenizers.trainers import UnigramTrainer

        fast = bpe(lines[:10], 50)  # BPE's normaliser, pre-tokenizer, decoder and post-processor
        tok = fast.backend_tokenizer
        tok.model = models.Unigram()
        tok.train_from_iterator(lines, UnigramTrainer(
            vocab_size=vocab_size, special_tokens=SPECIALS, unk_token="<unk>",
            show_progress=False))
        from transformers import PreTrainedTokenizerFast

        return PreTrainedTokenizerFast(
            tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
            pad_token="<pad>", mask_token="<mask>", cls_token="<s>", sep_token="</s>",
            model_input_names=["input_ids", "attention_mask"])

    pretrain.train_tokenizer = unigram


if __name__ == "__main__":
    main()
