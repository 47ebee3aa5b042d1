"""Build the sandbox world on disk: corpus, intermediate tasks and target tasks (design.md §2-3)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd

from . import ladder, task_nli, task_qa, task_qqp
from . import task_simple as simple
from ..atomic import build_once
from .corpus import write_corpus
from .languages import make_langs, pretrain_counts, world_languages
from .settings import WorldSettings, settings_hash


def build_world(settings: WorldSettings, root) -> Path:
    """Write the world into `root` (exactly) once; a complete root with the same settings is kept."""
    def build(tmp: Path) -> None:
        counts = write_corpus(settings, tmp)
        write_tasks(settings, tmp)
        info = {"settings_hash": settings_hash(settings), "settings": settings.to_dict(),
                "pretrain_sentences": counts}
        (tmp / "world.json").write_text(json.dumps(info, indent=1, ensure_ascii=False))

    return build_once(Path(root), f"sandbox-world {settings_hash(settings)}", build)


def language_table(settings: WorldSettings) -> pd.DataFrame:
    """One row per language: volume settings, actual corpus sentences, typology and ladder position
    (`changes`: the typology fields in which it really differs from its parent, "+"-joined)."""
    counts = pretrain_counts(settings)
    en = {"language": "en", "name": "English (sandbox)", "family": "sandbox", "script": "Latn",
          "cc100_tokens_m": settings.en_cc100_tokens_m * settings.en_volume_multiplier,
          "pretrain_sentences": counts["en"], **ladder.EN_TYPOLOGY,
          "cognate_share": float("nan"),  # en is the source of cognates, not a borrower
          "copies": "en", "rung": 0, "factor": "", "parent": "", "twin": "", "changes": ""}
    rows = [en]
    for s in settings.languages:
        rows.append({"language": s.code, "name": s.name, "family": "sandbox", "script": s.script,
                     "cc100_tokens_m": s.cc100_tokens_m * s.volume_multiplier,
                     "pretrain_sentences": counts[s.code], "word_order": s.word_order,
                     "adj_order": s.adj_order, "morphology": s.morphology,
                     "adposition": s.adposition, "articles": s.articles,
                     "cognate_share": s.cognate_share, "copies": s.copies, "rung": s.rung,
                     "factor": s.factor, "parent": s.parent, "twin": s.twin,
                     "changes": "+".join(ladder.changes(settings, s))})
    return pd.DataFrame(rows)


def _rng(settings: WorldSettings, *parts) -> random.Random:
    # string seeds are hashed with sha512 by `random`, so streams do not depend on PYTHONHASHSEED
    return random.Random("/".join(str(p) for p in (settings.seed, *parts)))


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_tasks(settings: WorldSettings, root: Path) -> None:
    langs = make_langs(settings)
    _write_intermediate(settings, langs, root)
    _write_targets(settings, langs, root)
    _write_retrieval(settings, langs, root)


def train_rows(settings: WorldSettings, task: str) -> int:
    """English training rows the world writes for `task` (dry-run step estimates before it is built)."""
    return max(1, round(settings.train_size * settings.nli_train_factor)) if task == "mnli" else settings.train_size


def _write_intermediate(settings: WorldSettings, langs: dict, root: Path) -> None:
    """mnli, squad, qqp: en train/dev, and the same meanings in every derived language (RQ3)."""
    nli_train = train_rows(settings, "mnli")
    for split, n in (("train", settings.train_size), ("dev", settings.eval_size)):
        nli = task_nli.meanings(_rng(settings, "mnli", split), nli_train if split == "train" else n)
        qa = task_qa.meanings(_rng(settings, "squad", split), n)
        qqp = task_qqp.meanings(_rng(settings, "qqp", split), n)
        for code, lang in langs.items():
            write_jsonl(root / "mnli" / code / f"{split}.jsonl", task_nli.rows(
                lang, nli, _rng(settings, "mnli", split, code, "style"), with_idx=True))
            write_jsonl(root / "squad" / code / f"{split}.jsonl", task_qa.rows(
                lang, qa, _rng(settings, "squad", split, code, "style"), f"squad-{split}-"))
            write_jsonl(root / "qqp" / code / f"{split}.jsonl", task_qqp.rows(
                lang, qqp, _rng(settings, "qqp", split, code, "style")))


def _write_targets(settings: WorldSettings, langs: dict, root: Path) -> None:
    """xnli, udpos, panx, xquad: parallel dev/test in every language; udpos/panx en train."""
    en_train = {"udpos": simple.sentences(_rng(settings, "udpos", "train"), settings.train_size),
                "panx": simple.sentences(_rng(settings, "panx", "train"), settings.train_size, True)}
    write_jsonl(root / "udpos/en/train.jsonl",
                simple.udpos_rows(langs["en"], en_train["udpos"], _rng(settings, "udpos-style")))
    write_jsonl(root / "panx/en/train.jsonl",
                simple.panx_rows(langs["en"], en_train["panx"], _rng(settings, "panx-style")))
    for split in ("dev", "test"):
        n = settings.eval_size
        nli = task_nli.meanings(_rng(settings, "xnli", split), n)
        pos = simple.sentences(_rng(settings, "udpos", split), n)
        ner = simple.sentences(_rng(settings, "panx", split), n, need_entity=True)
        for code, lang in langs.items():
            write_jsonl(root / "xnli" / code / f"{split}.jsonl", task_nli.rows(
                lang, nli, _rng(settings, "xnli", split, code, "style"), with_idx=False))
            write_jsonl(root / "udpos" / code / f"{split}.jsonl", simple.udpos_rows(
                lang, pos, _rng(settings, "udpos", split, code, "style")))
            write_jsonl(root / "panx" / code / f"{split}.jsonl", simple.panx_rows(
                lang, ner, _rng(settings, "panx", split, code, "style")))
    qa = task_qa.meanings(_rng(settings, "xquad", "test"), settings.eval_size)
    for code, lang in langs.items():  # xquad ids are shared across languages, as in XQuAD
        write_jsonl(root / "xquad" / code / "test.jsonl",
                    task_qa.rows(lang, qa, _rng(settings, "xquad", code, "style"), "xquad-"))


def _write_retrieval(settings: WorldSettings, langs: dict, root: Path) -> None:
    """tatoeba test and bucc2018 sample (dev) / training (test) files for each non-en language."""
    en = langs["en"]
    tatoeba = simple.unique_sentences(_rng(settings, "tatoeba"), settings.eval_size)
    for code in world_languages(settings)[1:]:
        lang = langs[code]
        write_jsonl(root / "tatoeba" / code / "test.jsonl",
                    simple.tatoeba_rows(lang, en, tatoeba, _rng(settings, "tatoeba", code)))
        for split in ("sample", "training"):
            n = settings.bucc_pairs + 2 * settings.bucc_distractors
            items = simple.unique_sentences(_rng(settings, "bucc", code, split), n)
            files = simple.bucc_files(lang, en, items, settings.bucc_pairs,
                                      _rng(settings, "bucc", code, split, "order"),
                                      _rng(settings, "bucc", code, split, "style"))
            folder = root / "bucc2018" / f"{code}-en"
            folder.mkdir(parents=True, exist_ok=True)
            for ext, lines in files.items():
                (folder / f"{code}-en.{split}.{ext}").write_text(
                    "".join(line + "\n" for line in lines), encoding="utf-8")
