"""The three phases as calls a notebook makes: pretrained encoder, intermediate training, target run."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import data, evaluation
from .config import Study, load_study, sandbox_sizes, world_settings
from .heads import StiltsModel, make_head
from .kinds import KINDS
from .models import count_parameters, default_pooling, load_encoder, load_tokenizer
from .paths import Encoder, Pair, StudyPaths, short_hash
from .results import atomic_write_text, make_rows, write_rows
from .tasks import REGISTRY
from .training import fit

COMPLETE = "COMPLETE"


# ---- phase 1 ---------------------------------------------------------------------------------------

def world_dir(study: Study, variant: str = "") -> Path:
    from .sandbox import settings_hash

    return StudyPaths(study).world(settings_hash(world_settings(study, variant)))


def pretrained_path(study: Study, model: str, variant: str = "") -> str:
    """Hub id / local dir of a real model; the sandbox's models are pretrained here on first use."""
    if study.world != "sandbox":
        return model
    from .sandbox import build_world, pretrain_model

    settings, root = world_settings(study, variant), world_dir(study, variant)
    size = sandbox_sizes(study)[model.removeprefix("sandbox-")]
    data_root = build_world(settings, root / "data")
    return str(pretrain_model(settings, size, data_root, root / "models" / f"{size.name}-{short_hash(size)}"))


# ---- phase 2 ---------------------------------------------------------------------------------------

def encoder_key(study: Study, job: Encoder) -> str:
    """Hash of everything that changes a phase-2 encoder: the pretrained model and the settings."""
    key = {"pretrained": pretrained_key(study, job.model, job.variant), "phase2": study.phase2,
           "checkpoints": sorted(study.checkpoints), "mlm_weight": study.mlm_weight,
           "multitask": study.multitask if job.intermediate == "multitask" else None,
           "languages": translation_languages(study, job) if job.data != "en" or study.mlm_weight else [],
           "data": study.data_dirs}
    return short_hash(key)


def encoder_dir(study: Study, job: Encoder) -> Path:
    return StudyPaths(study).encoder_dir(job, encoder_key(study, job))


def pair_key(study: Study, pair: Pair) -> str:
    """Hash of everything that changes a pair's result, so a finished run is reused only while the study
    still asks for exactly that run (other world, model or settings: a new run directory)."""
    task = REGISTRY[pair.target]
    encoder = encoder_key(study, pair.encoder) if pair.encoder else pretrained_key(study, pair.model,
                                                                                 pair.variant)
    key = {"encoder": encoder, "checkpoint": pair.checkpoint, "languages": study.languages_for(pair.target),
           "settings": study.target_settings(pair.target) if task.trains else study.retrieval,
           "data": study.data_dirs}
    return short_hash(key)


def pretrained_key(study: Study, model: str, variant: str) -> str:
    if study.world != "sandbox":
        return model
    size = sandbox_sizes(study)[model.removeprefix("sandbox-")]
    return f"{world_dir(study, variant).name}/{size.name}-{short_hash(size)}"


def translation_languages(study: Study, job: Encoder | None) -> list[str]:
    """Non-English target languages: where translated intermediate data (RQ3) and MLM text come from."""
    target_langs = {lang for t in study.targets for lang in study.languages_for(t)}
    return sorted(target_langs - {"en"})


def intermediate_rows(study: Study, job: Encoder, task_name: str):
    """English rows, their translations, or both; translated = as many rows as English, spread evenly
    over the languages, so RQ3 compares languages of data rather than amounts of it."""
    import datasets

    english = data.load_split(task_name, "en", "train", study, job.variant)
    if job.data == "en":
        return english
    langs = translation_languages(study, job)
    parts = [data.load_split(task_name, lang, "train", study, job.variant) for lang in langs]
    translated = datasets.concatenate_datasets(
        [p.select(range(k, len(p), len(langs))) for k, p in enumerate(parts)])
    return translated if job.data == "translated" else datasets.concatenate_datasets([english, translated])


def train_intermediate(study_file: str, model: str, variant: str, intermediate: str, data_kind: str,
                       seed: int) -> pd.DataFrame:
    """Phase 2: train on the intermediate task(s), save the encoder at each checkpoint fraction."""
    from transformers import set_seed

    study = load_study(study_file)
    job = Encoder(model, variant, intermediate, data_kind, seed)
    out = encoder_dir(study, job)
    if (out / COMPLETE).exists():
        return pd.DataFrame(json.loads((out / "summary.json").read_text())["checkpoints"])
    pre = pretrained_path(study, model, variant)
    tokenizer, encoder = load_tokenizer(pre), load_encoder(pre)
    names = study.multitask.tasks if intermediate == "multitask" else [intermediate]
    tasks = [_task(n, study, variant) for n in names]
    set_seed(seed)
    heads = [_head(t, encoder.config, pre) for t in tasks]
    feats = [_intermediate_features(study, job, t, tokenizer) for t in tasks]
    net, train_args = _phase2_model(study, encoder, tasks, heads, feats, tokenizer, seed, pre)
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    steps = train_args["steps"]
    marks = {max(1, round(f * steps)): f for f in study.checkpoints}
    saved = []

    def save(step):
        net.encoder.save_pretrained(tmp / f"step-{step}")
        tokenizer.save_pretrained(tmp / f"step-{step}")
        saved.append({"fraction": marks[step], "steps": step, "dir": f"step-{step}"})

    fit(net, settings=study.phase2, seed=seed, save_at={s: save for s in marks}, **train_args)
    dev = {t.name: evaluation.english_dev(study, t, StiltsModel(net.encoder, h), tokenizer, study.phase2,
                                          variant) for t, h in zip(tasks, heads)}
    summary = {"job": job.__dict__, "steps": steps, "train_rows": {t.name: len(f) for t, f in zip(tasks, feats)},
               "checkpoints": saved, "dev_after_training": dev}
    atomic_write_text(tmp / "summary.json", json.dumps(summary, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    (out / COMPLETE).touch()
    return pd.DataFrame(saved)


def _intermediate_features(study, job, task, tokenizer):
    rows = _cap(intermediate_rows(study, job, task.name), study.phase2.max_train_examples, job.seed)
    return KINDS[task.kind].featurize(rows, tokenizer, task, study.phase2)


def _phase2_model(study, encoder, tasks, heads, feats, tokenizer, seed, pretrained):
    """(model, fit kwargs): one head, or routed heads with task-sampled batches (multi-task and/or
    continued MLM, whose batches take a `mlm_weight` share of the steps)."""
    from .multitask import RoutedHead, TaskBatchSampler, concat_features, routed_collator, task_probabilities
    from .training import total_steps

    s2, mt = study.phase2, study.multitask
    kinds = [KINDS[t.kind] for t in tasks]
    parts = [(k.train_features(f), k.collator(tokenizer), k.LABEL_NAMES) for k, f in zip(kinds, feats)]
    sizes = [len(f) for f in feats]
    steps = total_steps(sum(min(n, mt.cap) if mt.cap else n for n in sizes), s2)
    if len(parts) == 1 and not study.mlm_weight:
        return StiltsModel(encoder, heads[0]), {"features": parts[0][0], "collate": parts[0][1],
                                                "label_names": parts[0][2], "steps": steps}
    probs = task_probabilities(sizes, mt.cap, mt.temperature)
    if study.mlm_weight:
        from .kinds import mlm

        langs = sorted(set(translation_languages(study, None)) | {"en"})
        lines = mlm.corpus_lines(mlm_corpus(study, pretrained), langs, sum(sizes), seed)
        mlm_feats = mlm.featurize(lines, tokenizer, s2)
        parts.append((mlm_feats, mlm.collator(tokenizer), mlm.LABEL_NAMES))
        heads = [*heads, mlm.pretrained_head(pretrained)]
        sizes.append(len(mlm_feats))
        probs = list(probs * (1 - study.mlm_weight)) + [study.mlm_weight]
    labels = sorted({name for _, _, names in parts for name in names})
    return StiltsModel(encoder, RoutedHead(heads)), {
        "features": concat_features([p[0] for p in parts]), "collate": routed_collator([p[1] for p in parts]),
        "label_names": labels, "steps": steps,
        "sampler_factory": lambda n: TaskBatchSampler(sizes, np.asarray(probs), s2.batch_size, n, seed)}


def mlm_corpus(study: Study, pretrained: str) -> Path:
    """Text for continued MLM: the sandbox's own pretraining corpus, or `mlm_corpus` of the study."""
    if study.world == "sandbox":
        return Path(pretrained).parent.parent / "data" / "corpus"
    if not study.mlm_corpus:
        raise ValueError("mlm_weight > 0 needs `mlm_corpus`: a directory of <lang>.txt files (one sentence "
                         "per line), e.g. CC-100 samples of the target languages")
    return Path(study.mlm_corpus)


def _task(name: str, study: Study, variant: str):
    """A registered task, with its label set read from the data where the data defines it (CCG)."""
    from .readers import with_data_labels

    return with_data_labels(REGISTRY[name], study, variant)


def _head(task, config, pretrained: str):
    hidden = getattr(config, "hidden_size", None) or config.d_model
    return make_head(task.kind, hidden, len(task.labels), default_pooling(pretrained, config))


def _cap(rows, n: int, seed: int):
    return rows.shuffle(seed=seed).select(range(n)) if n and len(rows) > n else rows


def encoder_for(study: Study, pair: Pair) -> tuple[str, int]:
    """(directory, phase-2 steps) of the encoder a pair starts from."""
    if pair.encoder is None:
        return pretrained_path(study, pair.model, pair.variant), 0
    out = encoder_dir(study, pair.encoder)
    if not (out / COMPLETE).exists():
        raise RuntimeError(f"intermediate encoder {pair.encoder.id} is not trained yet ({out})")
    saved = json.loads((out / "summary.json").read_text())["checkpoints"]
    match = [c for c in saved if abs(c["fraction"] - pair.checkpoint) < 1e-9]
    if not match:
        raise RuntimeError(f"{out} has no checkpoint at fraction {pair.checkpoint}; it has "
                           f"{[c['fraction'] for c in saved]}")
    return str(out / match[0]["dir"]), match[0]["steps"]


# ---- phase 3 ---------------------------------------------------------------------------------------

def run_pair(study_file: str, model: str, variant: str, intermediate: str, data_kind: str,
             checkpoint: float, target: str, seed: int) -> pd.DataFrame:
    """Phase 3: fresh head on the (intermediate) encoder, English fine-tuning, zero-shot evaluation."""
    start = time.time()
    study = load_study(study_file)
    pair = Pair(model, variant, intermediate, data_kind, float(checkpoint), target, seed)
    path, inter_steps = encoder_for(study, pair)
    tokenizer, encoder = load_tokenizer(path), load_encoder(path)
    params = count_parameters(encoder)
    task = _task(target, study, variant)
    if task.trains:
        scores, target_steps = _train_and_evaluate(study, pair, task, encoder, tokenizer, path)
    else:
        scores, target_steps = evaluation.retrieval(study, pair, task, encoder, tokenizer), 0
    meta = {"study": study.name, "model": model, "model_params": params, "intermediate": intermediate,
            "intermediate_data": data_kind, "intermediate_steps": inter_steps, "target": target,
            "seed": seed, "target_steps": target_steps, "run_id": pair.id,
            "wall_time_s": round(time.time() - start, 1), "variant": variant}
    rows = make_rows(meta, scores)
    write_rows(StudyPaths(study).rows(pair), rows)
    return pd.DataFrame(rows)


def _train_and_evaluate(study, pair, task, encoder, tokenizer, path):
    from transformers import set_seed

    kind, s3 = KINDS[task.kind], study.target_settings(task.name)
    set_seed(pair.seed)
    net = StiltsModel(encoder, _head(task, encoder.config, path))  # the STILTs step: a fresh head
    train = _cap(data.load_split(task.train_task, "en", "train", study, pair.variant), s3.max_train_examples,
                 pair.seed)
    feats = kind.featurize(train, tokenizer, task, s3)
    select = _task(task.select_task, study, pair.variant)
    dev = _cap(data.load_split(select.name, "en", "dev", study, pair.variant), s3.eval_subset, pair.seed)
    dev_feats = kind.featurize(dev, tokenizer, select, s3)

    def score_fn():
        preds = kind.predict(net, dev_feats, dev, select, tokenizer, s3)
        return evaluation.headline(select, evaluation.score(select, "en", preds, kind.gold(dev, select)))

    result = fit(net, kind.train_features(feats), kind.collator(tokenizer), s3, pair.seed, kind.LABEL_NAMES,
                 score_fn=score_fn)
    scores = evaluation.zero_shot(study, pair, task, net, tokenizer, s3)
    scores[("en", "select")] = {"selection_" + select.metric: result.best_score, "best_step": result.best_step}
    return scores, result.steps


# ---- before any notebook ---------------------------------------------------------------------------

def prepare(study: Study) -> None:
    """Phase 1 for the sandbox (world and models, cached); for real studies a fast preflight that fails
    with instructions when a model or dataset can be neither read locally nor downloaded."""
    if study.world == "sandbox":
        for variant in study.variant_names:
            for model in study.models:
                print(f"phase 1: {model}{' (' + variant + ')' if variant else ''} ...", flush=True)
                print(f"phase 1: ready {pretrained_path(study, model, variant)}", flush=True)
        return
    from .preflight import check

    check(study)
