"""Phases 2 and 3 as calls a notebook makes (intermediate training, target run); phase 1, the pretrained
encoder they start from, is `phase1.py`."""
from __future__ import annotations

import json
import shutil
import time

import datasets
import numpy as np
import pandas as pd
from transformers import set_seed

from ..atomic import atomic_write_text, build_once, damage
from ..data.loading import cap_rows, load_split
from ..data.readers import with_data_labels
from ..evaluation import scoring
from ..families import hidden_size, pooling
from ..model.encoders import count_parameters, load_encoder, load_tokenizer
from ..model.heads import StiltsModel
from ..model.kinds import kind_of, mlm
from ..study.config import Study, load_study, share_of_steps
from ..study.identity import (COMPLETE, Encoder, Pair, StudyPaths, baseline_encoder, data_languages, split_data,
                              target_languages)
from ..tasks import REGISTRY
from . import distributed, phase1
from .multitask import RoutedHead, TaskBatchSampler, concat_features, routed_collator, task_probabilities
from .results import make_rows, write_rows
from .training import fit


# ---- phase 2 ---------------------------------------------------------------------------------------

def intermediate_rows(study: Study, job: Encoder, task_name: str):
    """English rows, their translations, or both. Translated = as many rows as English, spread evenly over
    the languages, so RQ3 compares languages of data rather than amounts of it; `translated:<lang>` is the
    whole translated set of that one language (translate-train), `translated` the spread over
    `translation_languages` (translate-train-all at English size)."""
    english = load_split(task_name, "en", "train", study, job.variant)
    if job.intermediate_data == "en":
        return english
    langs = data_languages(study, job.intermediate_data)
    parts = [load_split(task_name, lang, "train", study, job.variant) for lang in langs]
    translated = datasets.concatenate_datasets(
        [p.select(range(k, len(p), len(langs))) for k, p in enumerate(parts)])
    kind, _ = split_data(job.intermediate_data)
    return translated if kind == "translated" else datasets.concatenate_datasets([english, translated])


def train_intermediate(study_file: str, model: str, variant: str, intermediate: str, intermediate_data: str,
                       seed: int, budget: float = 1.0, checkpoint_every: int = 0,
                       mlm_weight: float = 0.0) -> pd.DataFrame:
    """Phase 2: train on the intermediate task(s) for `budget` of the phase-2 run (its own schedule), with
    `mlm_weight` of the batches continuing MLM, save the encoder at each checkpoint fraction.
    `checkpoint_every`: steps between resumable checkpoints (0 = none), the executor's choice."""
    study = load_study(study_file)
    job = Encoder(model, variant, intermediate, intermediate_data, seed, float(budget), float(mlm_weight))
    out = StudyPaths(study).encoder_dir(job)
    build_once(out, out.name, lambda tmp: _build_encoder(study_file, study, job, tmp, checkpoint_every))
    return pd.DataFrame(json.loads((out / "summary.json").read_text())["checkpoints"])


def _build_encoder(study_file: str, study: Study, job: Encoder, tmp, checkpoint_every: int) -> None:
    """In this process, or in `phase2_processes` DDP workers (distributed.py) that write into the same `tmp`."""
    if study.phase2_processes > 1:
        distributed.launch(study.phase2_processes, study_file, job.__dict__, tmp, checkpoint_every)
    else:
        train_encoder_into(study, job, tmp, checkpoint_every)


def train_encoder_into(study: Study, job: Encoder, tmp, checkpoint_every: int = 0) -> None:
    """Train one encoder into the temporary directory `tmp`; `build_once` renames it into place. Under DDP
    every rank trains; rank 0 alone saves, scores English dev and writes the summary."""
    start = time.time()
    pre = phase1.pretrained(study, job.model, job.variant)
    set_seed(job.seed)  # weights the checkpoint lacks (an MLM has no pooler) are drawn at load: saved, so seeded
    trust = job.model in study.trust_remote_code  # the study's opt-in, for exactly the ids it lists
    tokenizer, encoder = load_tokenizer(pre, trust), load_encoder(pre, trust)
    tasks = [_task(n, study, job.variant) for n in study.intermediate_tasks(job.intermediate)]
    set_seed(job.seed)
    heads = [_head(t, encoder.config) for t in tasks]
    feats = [_intermediate_features(study, job, t, tokenizer) for t in tasks]
    net, train_args = _phase2_model(study, encoder, tasks, heads, feats, tokenizer, job.seed, pre, job.mlm_weight,
                                    trust)
    # a budget is a run of its own: fit's warm-up and linear decay span these steps, not the full run's
    steps = train_args["steps"] = share_of_steps(job.budget, train_args["steps"])
    marks = {share_of_steps(f, steps): f for f in study.checkpoints}

    every, resume = checkpoint_every, _encoder_resume_dir(study, job)
    # resumable: the RQ2 saves go where a restarted run finds them, and move into the build at the end
    saves = resume / "saves" if every else tmp

    def save(step):
        if distributed.rank():
            return
        net.encoder.save_pretrained(saves / f"step-{step}")
        tokenizer.save_pretrained(saves / f"step-{step}")

    own = study.settings_of(job.model)  # the model's optimizer, lr and schedule (model_settings)
    fitted = fit(net, settings=study.for_model(study.phase2, job.model), seed=job.seed,
                 save_at={s: save for s in marks}, checkpoint_every=every, resume_dir=resume,
                 report_to=study.report_to, optimizer=own.optimizer, schedule=own.schedule, **train_args)
    if distributed.rank():
        return
    saved = [{"fraction": marks[s], "steps": s, "dir": f"step-{s}"} for s in sorted(marks)]
    if every:
        for step in sorted(marks):
            shutil.move(saves / f"step-{step}", tmp / f"step-{step}")
    dev = {t.name: scoring.english_dev(study, t, StiltsModel(net.encoder, h), tokenizer, study.phase2,
                                       job.variant) for t, h in zip(tasks, heads)}
    summary = {"job": job.__dict__, "steps": steps, "processes": distributed.world_size(), **batch_record(fitted),
               "train_rows": {t.name: len(f) for t, f in zip(tasks, feats)}, "checkpoints": saved, "dev_after_training": dev, "wall_time_s": round(time.time() - start, 1)}
    atomic_write_text(tmp / "summary.json", json.dumps(summary, indent=1))
    shutil.rmtree(resume, ignore_errors=True)  # the build is complete once renamed; a crash before: redone


def batch_record(result) -> dict:
    """The micro-batch a run trained at (chosen for the device under micro_batch: auto), for its record."""
    return {"micro_batch": result.micro_batch, "grad_accum": result.grad_accum}


def _encoder_resume_dir(study: Study, job: Encoder):
    out = StudyPaths(study).encoder_dir(job)
    return out.with_name(out.name + ".resume")


def _intermediate_features(study, job, task, tokenizer):
    rows = cap_rows(intermediate_rows(study, job, task.name), study.phase2.max_train_examples, job.seed)
    return kind_of(task).featurize(rows, tokenizer, task, study.phase2, **study.protocol.feature_options())


def _phase2_model(study, encoder, tasks, heads, feats, tokenizer, seed, pretrained, mlm_weight, trust=False):
    """(model, fit kwargs): one head, or routed heads with task-sampled batches (multi-task and/or
    continued MLM, whose batches take a `mlm_weight` share of the steps)."""
    s2, mt = study.phase2, study.multitask
    kinds = [kind_of(t) for t in tasks]
    parts = [(k.train_features(f), k.collator(tokenizer), k.LABEL_NAMES) for k, f in zip(kinds, feats)]
    sizes = [len(f) for f in feats]
    steps = s2.total_steps(sum(min(n, mt.cap) if mt.cap else n for n in sizes))
    if len(parts) == 1 and not mlm_weight:
        return StiltsModel(encoder, heads[0]), {"features": parts[0][0], "collate": parts[0][1],
                                                "label_names": parts[0][2], "steps": steps}
    probs = task_probabilities(sizes, mt.cap, mt.temperature)
    if mlm_weight:
        langs = sorted(set(target_languages(study)) | {"en"})
        lines = mlm.corpus_lines(study.world_impl.mlm_corpus(pretrained), langs, sum(sizes), seed)
        mlm_feats = mlm.featurize(lines, tokenizer, s2)
        parts.append((mlm_feats, mlm.collator(tokenizer), mlm.LABEL_NAMES))
        heads = [*heads, mlm.pretrained_head(pretrained, trust)]
        sizes.append(len(mlm_feats))
        probs = list(probs * (1 - mlm_weight)) + [mlm_weight]
    labels = sorted({name for _, _, names in parts for name in names})
    return StiltsModel(encoder, RoutedHead(heads)), {
        "features": concat_features([p[0] for p in parts]), "collate": routed_collator([p[1] for p in parts]),
        "label_names": labels, "steps": steps,
        "sampler_factory": lambda n, micro: TaskBatchSampler(sizes, np.asarray(probs), s2.examples_per_step(), n,
                                                             seed, micro)}


def _task(name: str, study: Study, variant: str):
    """A registered task, with its label set read from the data where the data defines it (CCG)."""
    return with_data_labels(REGISTRY[name], study, variant)


def _head(task, config):
    return kind_of(task).make_head(hidden_size(config), len(task.labels), pooling(config))


def encoder_for(study: Study, pair: Pair) -> tuple[str, int]:
    """(directory, phase-2 steps) of the encoder a pair starts from."""
    if pair.encoder is None:
        return phase1.pretrained(study, pair.model, pair.variant), 0
    out = StudyPaths(study).encoder_dir(pair.encoder)
    if not (out / COMPLETE).exists():
        raise RuntimeError(f"intermediate encoder {pair.encoder.id} is not trained yet ({out})")
    if (why := damage(out)) is not None:  # the runner retrains it first; say so instead of a loader error
        raise RuntimeError(f"intermediate encoder {out} is damaged ({why}); run the study again to rebuild it")
    saved = json.loads((out / "summary.json").read_text())["checkpoints"]
    match = [c for c in saved if abs(c["fraction"] - pair.checkpoint) < 1e-9]
    if not match:
        raise RuntimeError(f"{out} has no checkpoint at fraction {pair.checkpoint}; it has "
                           f"{[c['fraction'] for c in saved]}")
    return str(out / match[0]["dir"]), match[0]["steps"]


# ---- phase 3 ---------------------------------------------------------------------------------------

def run_pair(study_file: str, model: str, variant: str, intermediate: str, intermediate_data: str,
             checkpoint: float, target: str, seed: int, budget: float = 1.0,
             checkpoint_every: int = 0, mlm_weight: float = 0.0) -> pd.DataFrame:
    """Phase 3: fresh head on the (intermediate) encoder, English fine-tuning, zero-shot evaluation.
    `checkpoint_every`: steps between resumable checkpoints (0 = none), the executor's choice."""
    start = time.time()
    study = load_study(study_file)
    paths = StudyPaths(study)
    pair = Pair(model, variant, intermediate, intermediate_data, float(checkpoint), target, seed, float(budget),
                float(mlm_weight), baseline_encoder(study, intermediate, target))
    path, inter_steps = encoder_for(study, pair)
    trust = model in study.trust_remote_code  # its phase-2 checkpoints carry the same code
    tokenizer, encoder = load_tokenizer(path, trust), load_encoder(path, trust)
    params = count_parameters(encoder)
    task = _task(target, study, variant)
    if task.trains:
        scores, target_steps = _train_and_evaluate(study, pair, task, encoder, tokenizer, path, paths,
                                                   checkpoint_every)
    else:
        scores, target_steps = scoring.retrieval(study, pair, task, encoder, tokenizer, paths.predictions(pair)), 0
    meta = {"study": study.name, "model": model, "model_params": params, "intermediate": intermediate,
            "intermediate_data": intermediate_data, "mlm_weight": float(mlm_weight),
            # 0 for a baseline, also one that embeds with a fine-tuned encoder (XTREME-R's Tatoeba on SQuAD's):
            # that encoder is the benchmark's baseline protocol, not an intermediate treatment (docs/design.md §1)
            "intermediate_steps": 0 if intermediate == "none" else inter_steps, "target": target,
            "seed": seed, "target_steps": target_steps, "run_id": pair.id,
            "wall_time_s": round(time.time() - start, 1), "variant": variant}
    rows = make_rows(meta, scores)
    write_rows(paths.rows(pair), rows)
    shutil.rmtree(paths.run_dir(pair) / "resume", ignore_errors=True)  # done: its checkpoints are not needed
    return pd.DataFrame(rows)


def _train_and_evaluate(study, pair, task, encoder, tokenizer, path, paths, checkpoint_every):
    kind, s3 = kind_of(task), study.target_settings(task.name, pair.model)
    own = study.settings_of(pair.model)
    set_seed(pair.seed)
    net = StiltsModel(encoder, _head(task, encoder.config))  # the STILTs step: a fresh head
    *earlier, last = study.protocol.training_stages(task)  # XCOPA (XTREME-R): SIQA, then COPA
    earlier_steps = sum(_train_stage(study, pair, _task(name, study, pair.variant), net, tokenizer, s3, paths,
                                     checkpoint_every, own) for name in earlier)
    train = cap_rows(load_split(last, "en", "train", study, pair.variant), s3.max_train_examples, pair.seed)
    feats = kind.featurize(train, tokenizer, task, s3, **study.protocol.feature_options())
    select = _task(task.select_task, study, pair.variant)
    score_fn = None if study.protocol.keeps_last(task) else _dev_score_fn(study, pair, select, net, tokenizer, s3)
    result = fit(net, kind.train_features(feats), kind.collator(tokenizer), s3, pair.seed, kind.LABEL_NAMES,
                 score_fn=score_fn, checkpoint_every=checkpoint_every,
                 resume_dir=paths.run_dir(pair) / "resume", report_to=study.report_to, optimizer=own.optimizer,
                 schedule=own.schedule)
    info = paths.run_dir(pair) / "run_info.json"  # how the run was split on its device (not its identity)
    info.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(info, json.dumps(batch_record(result), indent=1))
    scores = scoring.zero_shot(study, pair, task, net, tokenizer, s3, paths.predictions(pair))
    scores[("en", "select")] = {"best_step": result.best_step}  # the last step when no selection is made
    if result.best_score is not None:
        scores[("en", "select")]["selection_" + select.metric] = result.best_score
    return scores, earlier_steps + result.steps


def _train_stage(study, pair, stage, net, tokenizer, s3, paths, checkpoint_every, own) -> int:
    """An earlier stage of a recipe: the target's settings, all of it, its last step kept (train_xcopa.sh trains
    SIQA and continues from that model, head included); the head must be of the target's kind."""
    kind = kind_of(stage)
    rows = cap_rows(load_split(stage.name, "en", "train", study, pair.variant), s3.max_train_examples, pair.seed)
    feats = kind.featurize(rows, tokenizer, stage, s3, **study.protocol.feature_options())
    return fit(net, kind.train_features(feats), kind.collator(tokenizer), s3, pair.seed, kind.LABEL_NAMES,
               checkpoint_every=checkpoint_every, resume_dir=paths.run_dir(pair) / "resume" / stage.name,
               report_to=study.report_to, optimizer=own.optimizer, schedule=own.schedule).steps


def _dev_score_fn(study, pair, select, net, tokenizer, s3):
    """The English-dev headline score of `net`, for checkpoint selection."""
    kind = kind_of(select)
    dev = cap_rows(load_split(select.name, "en", "dev", study, pair.variant), s3.eval_subset, pair.seed)
    dev_feats = kind.featurize(dev, tokenizer, select, s3, **study.protocol.feature_options())

    def score_fn():
        preds = kind.predict(net, dev_feats, dev, select, tokenizer, s3)
        return scoring.headline(select, scoring.score(select, "en", preds, kind.gold(dev, select),
                                                      **study.protocol.score_options()))
    return score_fn
