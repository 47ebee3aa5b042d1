"""GPU throughput and MFU of an XLM-R-Large-size phase 2, and retrieval embedding + mining time per encoder.

    .venv/bin/python benchmarks/gpu_benchmark.py                  # one CUDA GPU, < 8 minutes
    .venv/bin/python benchmarks/gpu_benchmark.py --peak-tflops 989 # a GPU not in reference/gpus.csv
    .venv/bin/python benchmarks/gpu_benchmark.py --smoke          # the same code, tiny model, CPU, seconds
    python -m stilts_utils plan STUDY --mfu-from gpu_benchmark.json  # GPU-hours at the MFU measured here

Training: XLMRobertaConfig at Large sizes (hidden 1024, 24 layers, 16 heads, FFN 4096, vocab 250002),
random weights (no hub), a 3-way classification head as MNLI's, synthetic token ids at seq 128. Three
settings with the same tokens per optimizer step (32 x 128):
  study: batch 4 x grad accumulation 8, fp32 with TF32 off (jiant's split, the study files before tuning);
  tuned: batch 32 x 1, bf16 autocast, TF32 on;
  auto: what the study files now train at (effective_batch 32, micro_batch auto, bf16, TF32): the
    micro-batch the study's own rule picks on this device (phases/training: the whole batch if it fits,
    else the next smaller divisor, on out-of-memory; the CPU: the whole batch), printed with its row.
Each runs `--warmup` optimizer steps untimed, then `--steps` timed ones (CUDA synchronised). Printed:
tokens/s, MFU = 6 * N_nonembedding * tokens/s / peak (peak: the GPU's dense bf16/fp16 tensor TFLOPS from
stilts_utils/reference/gpus.csv when the device name matches, else --peak-tflops; the same peak for both
settings, as MFU is by convention against the hardware's peak) and the tuned/study ratio.
The loop is hand-written (forward, backward, clip, AdamW) rather than the HF Trainer: it times the model's
compute per step, without the Trainer's logging and data loader, which a synthetic batch does not need.
Everything printed is also written to `--out` (JSON, default gpu_benchmark.json); `plan --mfu-from` reads
the `auto` row's MFU from it.

Retrieval: `--sentences` synthetic sentences (lengths uniform in 8..128 tokens) through the study's own
embedding code (model/kinds/retrieval.embed: GPU, bf16 autocast, length-sorted batches) at the study's
retrieval layer, pooling and batch size, extrapolated to the ~2.9M sentences of one encoder's BUCC +
Tatoeba pools; then ratio-margin mining (metrics/retrieval.mine_rows over metrics/knn.py) of one
`--pool` x `--pool` encoder-sized (d = hidden) pool. Tokenization is not timed (the ids are synthetic).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LARGE = dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
             vocab_size=250002, max_position_embeddings=514)
TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
            vocab_size=1000, max_position_embeddings=130)
SEQ = 128
SENTENCES_PER_ENCODER = 2_900_000  # BUCC + Tatoeba sentences one encoder embeds (issue 11's estimate)
EFFECTIVE = 32  # examples per optimizer step, every setting
SETTINGS = {  # name: (micro batch, grad accumulation, bf16 autocast, TF32); auto: its micro-batch found
    "study": (4, 8, False, False),
    "tuned": (32, 1, True, True),
    "auto": (None, None, True, True),
}


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--smoke", action="store_true", help="tiny config on the CPU (checks the script in seconds)")
    p.add_argument("--peak-tflops", type=float, default=None, help="the GPU's peak dense TFLOPS, if not in gpus.csv")
    p.add_argument("--warmup", type=int, default=None, help="untimed optimizer steps per setting (default 3)")
    p.add_argument("--steps", type=int, default=None, help="timed optimizer steps per setting (default 10)")
    p.add_argument("--sentences", type=int, default=None, help="sentences embedded (default 50000)")
    p.add_argument("--pool", type=int, default=None, help="rows per side of the mined pool (default 200000)")
    p.add_argument("--out", default="gpu_benchmark.json", help="result file for `plan --mfu-from` (JSON)")
    args = p.parse_args(argv)
    small = args.smoke
    for name, full, smoke in (("warmup", 3, 1), ("steps", 10, 1), ("sentences", 50_000, 64), ("pool", 200_000, 500)):
        if getattr(args, name) is None:
            setattr(args, name, smoke if small else full)
        if getattr(args, name) < (0 if name == "warmup" else 1):
            p.error(f"--{name} {getattr(args, name)}: must be {'>= 0' if name == 'warmup' else '>= 1'}")
    if args.peak_tflops is not None and args.peak_tflops <= 0:
        p.error(f"--peak-tflops {args.peak_tflops}: must be > 0")
    return args


def peak_tflops(device_name: str, stated: float | None) -> tuple[float | None, str]:
    """(peak, where it came from): --peak-tflops wins; else the gpus.csv row whose key parts ("h100",
    "pcie") all occur in the device name, the most specific one (H100 PCIe before H100)."""
    if stated is not None:
        return stated, "--peak-tflops"
    from stilts_utils.cli.plan import gpu_table

    name = device_name.lower()
    hits = [(len(key.split("-")), row) for key, row in gpu_table().items() if all(p in name for p in key.split("-"))]
    if not hits:
        return None, f"unknown GPU {device_name!r}: pass --peak-tflops"
    row = max(hits, key=lambda h: h[0])[1]
    return float(row["peak_tflops"]), f"gpus.csv {row['name']} ({row['dtype']} dense)"


def build(sizes: dict, device):
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    config = XLMRobertaConfig(**sizes, num_labels=3)
    with torch.device(device):  # weights drawn on the device: no 560M-parameter CPU init and copy
        model = XLMRobertaForSequenceClassification(config)
    embedding = sum(p.numel() for p in model.roberta.embeddings.parameters())
    return model, sum(p.numel() for p in model.parameters()) - embedding


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def auto_rate(model, device, warmup: int, steps: int) -> tuple[float, int]:
    """(tokens/s, micro-batch) of the `auto` setting: micro-batches tried as phases/training._fit_auto tries
    them (accelerate's find_executable_batch_size from the whole batch down the divisors of 32)."""
    from accelerate.utils import find_executable_batch_size

    from stilts_utils.phases.training import smaller_divisor

    if device.type != "cuda":  # the CPU trains the whole batch in one pass
        return train_rate(model, device, "auto", warmup, steps, EFFECTIVE), EFFECTIVE
    tried = []

    def attempt(micro):
        tried.append(micro)
        return train_rate(model, device, "auto", warmup, steps, micro), micro

    return find_executable_batch_size(attempt, EFFECTIVE, lambda: smaller_divisor(EFFECTIVE, tried[-1]))()


def train_rate(model, device, setting: str, warmup: int, steps: int, micro: int | None = None) -> float:
    """Tokens per second of optimizer steps at one setting (after `warmup` untimed steps)."""
    import torch

    batch, accum, bf16, tf32 = SETTINGS[setting]
    if micro is not None:
        batch, accum = micro, EFFECTIVE // micro
    torch.set_float32_matmul_precision("high" if tf32 else "highest")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    gen = torch.Generator(device="cpu").manual_seed(0)
    vocab = model.config.vocab_size
    ids = torch.randint(5, vocab, (accum, batch, SEQ), generator=gen).to(device)  # [accum, B, L]
    labels = torch.randint(0, 3, (accum, batch), generator=gen).to(device)
    cast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)
    model.train()

    def step():
        for k in range(accum):
            with cast:
                loss = model(input_ids=ids[k], labels=labels[k]).loss / accum
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(warmup):
        step()
    _sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    _sync(device)
    seconds = time.perf_counter() - start
    del opt
    return steps * accum * batch * SEQ / seconds


class SyntheticTokenizer:
    """Texts that are space-separated token ids, to feed retrieval.embed without a hub tokenizer."""

    pad_id = 1  # XLM-R's <pad>

    def __call__(self, texts, truncation=True, max_length=SEQ, padding=True, return_tensors="pt"):
        import torch
        from transformers import BatchEncoding

        rows = [[int(t) for t in text.split()][:max_length] for text in texts]
        longest = max(len(r) for r in rows)
        ids = torch.full((len(rows), longest), self.pad_id)
        mask = torch.zeros((len(rows), longest), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, :len(r)], mask[i, :len(r)] = torch.tensor(r), 1
        return BatchEncoding({"input_ids": ids, "attention_mask": mask})


def retrieval(encoder, n_sentences: int, pool: int, device) -> dict:
    """Seconds to embed `n_sentences` with the study's embedding code, and to mine a pool x pool."""
    import torch

    from stilts_utils.metrics.retrieval import mine_rows
    from stilts_utils.families import retrieval_layer
    from stilts_utils.model.kinds.retrieval import embed
    from stilts_utils.study.config import RetrievalSettings

    torch.set_float32_matmul_precision("high")  # what phases/session.setup sets on a GPU
    rng = np.random.default_rng(0)
    lengths = rng.integers(8, SEQ + 1, n_sentences)
    texts = [" ".join(map(str, rng.integers(5, encoder.config.vocab_size, n))) for n in lengths]
    r = RetrievalSettings()
    layer = retrieval_layer(encoder.config, r.layer)
    _sync(device)
    start = time.perf_counter()
    vectors = embed(encoder, SyntheticTokenizer(), texts, layer, r.pooling, r.max_seq_len, r.batch_size)
    _sync(device)
    embed_s = time.perf_counter() - start
    assert np.isfinite(vectors).all(), "embedding produced non-finite values"

    d = encoder.config.hidden_size
    x = rng.standard_normal((pool, d), dtype=np.float32)
    y = (x + rng.standard_normal((pool, d), dtype=np.float32)).astype(np.float32)  # noisy partners
    start = time.perf_counter()
    mined = mine_rows(x, y, k=4)
    mine_s = time.perf_counter() - start
    found = sum(1 for i, j, _ in mined if i == j) / pool
    return {"embed_s": embed_s, "sent_per_s": n_sentences / embed_s, "mine_s": mine_s, "recall": found}


def main(argv=None) -> int:
    args = parse(argv)
    import torch

    if not args.smoke and not torch.cuda.is_available():
        print("gpu_benchmark.py needs a CUDA GPU and none is visible (run --smoke for the CPU check of the script)")
        return 2
    device = torch.device("cpu" if args.smoke else "cuda")
    name = "cpu (smoke)" if args.smoke else torch.cuda.get_device_name(device)
    peak, source = peak_tflops(name, args.peak_tflops)
    t0 = time.perf_counter()
    model, n_params = build(TINY if args.smoke else LARGE, device)
    print(f"device {name}; model: {n_params:,} non-embedding parameters; peak "
          f"{f'{peak:g} TFLOPS' if peak else 'n/a'} ({source})", flush=True)
    rates, result = {}, {"device": name, "smoke": args.smoke, "peak_tflops": peak, "peak_source": source,
                         "non_embedding_parameters": n_params, "seq": SEQ, "effective_batch": EFFECTIVE,
                         "settings": {}}
    for setting, (batch, accum, bf16, tf32) in SETTINGS.items():
        if setting == "auto":
            rates[setting], batch = auto_rate(model, device, args.warmup, args.steps)
            accum = EFFECTIVE // batch
        else:
            rates[setting] = train_rate(model, device, setting, args.warmup, args.steps)
        mfu = 6 * n_params * rates[setting] / (peak * 1e12) if peak else None
        chosen = " (micro-batch chosen by auto)" if setting == "auto" else ""
        print(f"phase 2 {setting}: batch {batch} x accum {accum}{chosen}, seq {SEQ}, "
              f"{'bf16 autocast' if bf16 else 'fp32'}, TF32 {'on' if tf32 else 'off'}: {rates[setting]:,.0f} tokens/s, "
              f"MFU {'n/a' if mfu is None else f'{mfu:.1%}'}", flush=True)
        result["settings"][setting] = {"micro_batch": batch, "grad_accum": accum, "bf16": bf16, "tf32": tf32,
                                       "tokens_per_s": rates[setting], "mfu": mfu}
    print(f"tuned/study throughput ratio: {rates['tuned'] / rates['study']:.2f}x", flush=True)
    got = retrieval(model.roberta, args.sentences, args.pool, device)
    hours = SENTENCES_PER_ENCODER / got["sent_per_s"] / 3600
    print(f"retrieval embedding: {args.sentences:,} sentences in {got['embed_s']:.1f} s ({got['sent_per_s']:,.0f}/s; "
          f"~{hours:.2f} h for the {SENTENCES_PER_ENCODER / 1e6:.1f}M sentences of one encoder)")
    print(f"retrieval mining (metrics/knn.py): {args.pool:,} x {args.pool:,}, d={model.config.hidden_size}, "
          f"in {got['mine_s']:.1f} s (noisy-partner recall {got['recall']:.1%})")
    result["retrieval"] = {**got, "sentences": args.sentences, "pool": args.pool}
    result["total_s"] = time.perf_counter() - t0
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"total {result['total_s']:.0f} s; results in {args.out} (plan --mfu-from {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
