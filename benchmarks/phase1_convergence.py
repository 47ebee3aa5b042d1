"""Phase-1 convergence benchmark: pretrain one sandbox model on a world and print its held-out MLM
loss curve, steps/s and wall time, so the default step budget is chosen from a measurement.

    PYTHONPATH=. python benchmarks/phase1_convergence.py --out /tmp/bench --steps 8000 --threads 1

Each configuration gets its own directory under --out (world by settings hash, model by size).

With --xnli, a budget ladder (issue 24 item 3: choosing the published encoders' budget): one sandbox size
per --steps value, and for each the zero-shot XNLI accuracy on every vocabulary-only rung (the ladder's
cipher, script, cognates and lexicon languages: en's grammar, other words) with a 95 % t-CI over the
phase-3 seeds, run as one study of the kit (the default sandbox study's recipe, baseline only) in --out:

    PYTHONPATH=. python benchmarks/phase1_convergence.py --out /tmp/ladder --xnli --steps 40000 60000 80000
"""
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
    ap.add_argument("--steps", type=int, nargs="+", default=[0], help="budget(s); several need --xnli")
    ap.add_argument("--lr", type=float, default=0.0)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="ModelSize field=value (repeatable)")
    ap.add_argument("--world", action="append", default=[], help="WorldSettings field=value (repeatable)")
    ap.add_argument("--report", action="store_true", help="also write the phase-1 report")
    ap.add_argument("--unigram", action="store_true",
                    help="diagnosis only: HF's Unigram tokenizer (not deterministic) instead of BPE")
    ap.add_argument("--xnli", action="store_true", help="zero-shot XNLI per vocabulary-only rung, per budget")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="phase-3 seeds of --xnli")
    ap.add_argument("--study-set", action="append", default=[], metavar="KEY.SUB=VALUE",
                    help="--xnli: override a study setting (YAML value), e.g. phase3.epochs=1 for a smoke run")
    a = ap.parse_args()
    if len(a.steps) > 1 and not a.xnli:
        ap.error("several --steps values make a ladder: add --xnli")
    if a.unigram:
        _use_unigram()
    world_over = {"pretrain_sentences": a.sentences} if a.sentences else {}
    for item in a.world:
        key, value = item.split("=", 1)
        world_over[key] = type(getattr(WorldSettings(), key))(value)
    world = WorldSettings(**world_over)
    size = DEFAULT_SIZES[a.size]
    over = {k: v for k, v in (("steps", a.steps[0]), ("learning_rate", a.lr), ("batch_size", a.batch),
                               ("threads", a.threads), ("eval_every", a.eval_every)) if v}
    for item in a.set:
        key, value = item.split("=", 1)
        kind = type(getattr(size, key))
        over[key] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
    size = dataclasses.replace(size, **over)
    out = Path(a.out)
    if a.xnli:
        return xnli_ladder(world_over, size, a.steps, a.seeds, a.study_set, out)
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


VOCABULARY_FACTORS = ("cipher", "script", "cognates", "lexicon")  # rungs that keep en's grammar


def xnli_ladder(world: dict, size, budgets: list[int], seeds: list[int], sets: list[str], out: Path) -> None:
    """One study: a size per budget, the no-intermediate baseline on XNLI; then per budget and vocabulary-only
    rung, the seed mean of zero-shot test accuracy with its t-CI (analysis/seeds.py)."""
    import pandas as pd
    import yaml

    from stilts_utils.analysis.seeds import per_language
    from stilts_utils.cli.main import main as stilts
    from stilts_utils.sandbox import WorldSettings

    fields = {k: v for k, v in dataclasses.asdict(size).items() if k not in ("name", "steps")}
    study = {"extends": "sandbox", "name": "phase1_ladder", "models": [f"sandbox-s{n}" for n in budgets],
             "sandbox_sizes": {f"s{n}": {**fields, "steps": n} for n in budgets}, "sandbox": world,
             "intermediate": ["none"], "targets": ["xnli"], "seeds": seeds, "analysis": [],
             "output_root": str(out.resolve())}
    for item in sets:
        key, value = item.split("=", 1)
        *parents, leaf = key.split(".")
        node = study
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = yaml.safe_load(value)
    out.mkdir(parents=True, exist_ok=True)
    study_file = out / "phase1_ladder.yaml"
    study_file.write_text(yaml.safe_dump(study, sort_keys=False))
    if stilts(["run", str(study_file), "--no-analysis"]) != 0:
        raise SystemExit(f"the ladder study failed; see {out / 'phase1_ladder'}")
    rungs = {s.code: s.factor for s in WorldSettings(**world).languages if s.factor in VOCABULARY_FACTORS}
    df = pd.read_parquet(out / "phase1_ladder" / "results.parquet")
    df = df[(df.split == "test") & (df.metric == "accuracy") & df.language.isin(["en", *rungs])]
    table = per_language(df, value="value")
    table = table.assign(steps=table.model.str.removeprefix("sandbox-s").astype(int),
                         factor=table.language.map(rungs).fillna("(source)"))
    cols = ["steps", "language", "factor", "mean", "ci_low", "ci_high", "sd_seeds", "n_seeds"]
    print(table.sort_values(["steps", "language"])[cols].to_string(index=False, float_format="%.1f"))
    table[cols].to_csv(out / "phase1_ladder_xnli.csv", index=False)


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
