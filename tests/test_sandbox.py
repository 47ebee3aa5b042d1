"""The sandbox world: determinism, schemas (design.md §3), typology, volumes, tags, QA offsets, BUCC,
and a tiny pretraining run that reloads offline. Tiny settings keep the whole file to seconds."""
import dataclasses
import filecmp
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from stilts_utils.phases.phase1 import pretrain_model  # noqa: E402
from stilts_utils.sandbox import (  # noqa: E402
    DEFAULT_SIZES, LanguageSpec, ModelSize, WorldSettings, build_world, language_table, settings_hash,
    world_languages)
from stilts_utils.sandbox.render import NER, UPOS  # noqa: E402

TINY = dict(pretrain_sentences=900, train_size=40, eval_size=24, bucc_pairs=10, bucc_distractors=6)
TINY_MODEL = ModelSize("tiny", hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64,
                       vocab_size=400, max_length=48, batch_size=16, epochs=0.3)

STR, INT = "string", "int64"
SCHEMAS = {  # task -> column -> HF feature type (as datasets infers it from the jsonl)
    "mnli": {"premise": STR, "hypothesis": STR, "label": INT, "idx": INT},
    "qqp": {"question1": STR, "question2": STR, "label": INT, "idx": INT},
    "xnli": {"premise": STR, "hypothesis": STR, "label": INT},
    "squad": {"id": STR, "title": STR, "context": STR, "question": STR,
              "answers": {"text": [STR], "answer_start": [INT]}},
    "udpos": {"tokens": [STR], "pos_tags": [INT]},
    "panx": {"tokens": [STR], "ner_tags": [INT], "langs": [STR]},
    "tatoeba": {"source_sentence": STR, "target_sentence": STR, "source_lang": STR, "target_lang": STR},
}
SCHEMAS["xquad"] = SCHEMAS["squad"]


@pytest.fixture(scope="module")
def settings():
    return WorldSettings(**TINY)


@pytest.fixture(scope="module")
def world(settings, tmp_path_factory) -> Path:
    return build_world(settings, tmp_path_factory.mktemp("world") / "data")


def rows(world: Path, task: str, lang: str, split: str) -> list[dict]:
    return [json.loads(line) for line in (world / task / lang / f"{split}.jsonl").open(encoding="utf-8")]


def expected_files(settings) -> list[str]:
    """Every jsonl the world must have (design.md §2), and only those."""
    langs = world_languages(settings)
    out = [f"{t}/{lang}/{s}.jsonl" for t in ("mnli", "squad", "qqp") for lang in langs
           for s in ("train", "dev")]
    out += [f"{t}/{lang}/{s}.jsonl" for t in ("xnli", "udpos", "panx") for lang in langs
            for s in ("dev", "test")]
    out += ["udpos/en/train.jsonl", "panx/en/train.jsonl"]
    out += [f"xquad/{lang}/test.jsonl" for lang in langs]
    out += [f"tatoeba/{lang}/test.jsonl" for lang in langs if lang != "en"]
    return sorted(out)


def test_layout_is_exactly_the_design(world, settings):
    found = sorted(str(p.relative_to(world)) for p in world.glob("*/*/*.jsonl"))
    assert found == expected_files(settings)
    for lang in world_languages(settings)[1:]:
        names = sorted(p.name for p in (world / "bucc2018" / f"{lang}-en").iterdir())
        assert names == sorted(f"{lang}-en.{s}.{e}" for s in ("sample", "training")
                               for e in (lang, "en", "gold"))
    # sandbox.TASKS (what a sandbox study may name) is exactly what the world writes
    from stilts_utils.sandbox import TASKS

    assert sorted(p.name for p in world.iterdir() if p.is_dir() and p.name != "corpus") == sorted(
        TASKS["intermediate"] + TASKS["target"])


def test_same_seed_same_files_other_seed_other_files(world, settings, tmp_path):
    again = build_world(WorldSettings(**TINY), tmp_path / "again")
    files = [str(p.relative_to(world)) for p in world.rglob("*") if p.is_file()]
    match, mismatch, errors = filecmp.cmpfiles(world, again, files, shallow=False)
    assert not mismatch and not errors and len(match) == len(files) > 150, (mismatch, errors)
    other = build_world(WorldSettings(**{**TINY, "seed": 1}), tmp_path / "other")
    assert (other / "mnli/en/train.jsonl").read_text() != (world / "mnli/en/train.jsonl").read_text()


def test_build_is_cached_and_refuses_other_settings(world, settings):
    stamp = (world / "COMPLETE").stat().st_mtime_ns
    assert build_world(settings, world) == world
    assert (world / "COMPLETE").stat().st_mtime_ns == stamp
    with pytest.raises(ValueError, match="built for"):
        build_world(dataclasses.replace(settings, seed=7), world)


@pytest.mark.parametrize("task", sorted(SCHEMAS))
def test_schemas_match_design(world, settings, task):
    import datasets

    split = {"squad": "train", "mnli": "train", "qqp": "train", "xquad": "test", "tatoeba": "test"}
    lang = "xa" if task == "tatoeba" else "en"
    path = world / task / lang / f"{split.get(task, 'dev')}.jsonl"
    features = datasets.load_dataset("json", data_files=str(path), split="train").features
    assert _types(features) == SCHEMAS[task]
    # every language's file has the same keys in the same order as en's
    for lang in world_languages(settings)[1:]:
        other = world / task / lang / path.name
        assert list(json.loads(other.open().readline())) == list(SCHEMAS[task])


def _types(features):
    """HF features as plain nested types: Value -> dtype, List/Sequence -> [inner], dict -> dict."""
    if isinstance(features, dict):
        return {k: _types(v) for k, v in features.items()}
    if hasattr(features, "feature"):
        return [_types(features.feature)]
    return features.dtype


def test_label_ranges_and_balance(world):
    nli = [r["label"] for r in rows(world, "mnli", "en", "train")]
    assert set(nli) == {0, 1, 2} and max(nli.count(k) for k in range(3)) < 0.45 * len(nli)
    qqp = [r["label"] for r in rows(world, "qqp", "en", "train")]
    assert set(qqp) == {0, 1} and 0.15 < sum(qqp) / len(qqp) < 0.6


def test_derived_languages_differ_from_en(world, settings):
    en = rows(world, "udpos", "en", "test")
    en_vocab = _content_words(en)
    for spec in settings.languages:
        other = rows(world, "udpos", spec.code, "test")
        overlap = len(_content_words(other) & en_vocab) / len(_content_words(other))
        assert overlap < 0.25 + spec.cognate_share, (spec.code, overlap)
        same_tags = sum(a["pos_tags"] == b["pos_tags"] for a, b in zip(en, other))  # parallel rows
        if spec.word_order != "SVO":
            assert same_tags < 0.3 * len(en), spec.code
        if spec.adj_order == "NA":  # every en row with an adjective is tagged differently
            adj = UPOS.index("ADJ")
            assert all(a["pos_tags"] != b["pos_tags"] for a, b in zip(en, other) if adj in a["pos_tags"])
        verb_final = _verb_final_share(other)
        if spec.word_order == "SOV":
            assert verb_final > 0.6 > _verb_final_share(en), spec.code
        if spec.word_order == "VSO":
            first = sum(UPOS[r["pos_tags"][0]] in ("VERB", "AUX", "PART") for r in other) / len(other)
            assert first > 0.4, spec.code


def _content_words(table) -> set:
    keep = {UPOS.index(t) for t in ("NOUN", "VERB", "ADJ", "ADV")}
    return {w.lower() for r in table for w, t in zip(r["tokens"], r["pos_tags"]) if t in keep}


def _verb_final_share(table) -> float:
    """Share of one-clause sentences whose last word before the full stop is the verb group."""
    ends = [UPOS[r["pos_tags"][-2]] for r in table if len(r["tokens"]) > 2
            and UPOS.index("CCONJ") not in r["pos_tags"] and UPOS.index("SCONJ") not in r["pos_tags"]]
    return sum(t in ("VERB", "AUX", "PART") for t in ends) / len(ends)


def test_volumes_follow_settings(world, settings):
    table = language_table(settings).set_index("language")
    for lang in table.index:  # the table reports what the corpus really holds
        lines = (world / "corpus" / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) == table.pretrain_sentences[lang] > 0
    assert table.pretrain_sentences.sum() == settings.pretrain_sentences
    share = table.pretrain_sentences / table.pretrain_sentences.sum()
    want = table.cc100_tokens_m ** settings.alpha / (table.cc100_tokens_m ** settings.alpha).sum()
    assert (share - want).abs().max() < 2 / settings.pretrain_sentences + 1e-9
    assert table.cc100_tokens_m["en"] == 55608 and table.cc100_tokens_m["xb"] == 275  # sw's row


def test_volume_multiplier_changes_only_that_language(settings):
    langs = tuple(dataclasses.replace(s, volume_multiplier=0.25) if s.code == "xc" else s
                  for s in settings.languages)
    base = language_table(settings).set_index("language")
    moved = language_table(dataclasses.replace(settings, languages=langs)).set_index("language")
    changed = base.index[base.pretrain_sentences != moved.pretrain_sentences].tolist()
    assert changed == ["xc"]
    assert moved.pretrain_sentences["xc"] == round(base.pretrain_sentences["xc"] * 0.25)
    assert moved.cc100_tokens_m["xc"] == base.cc100_tokens_m["xc"] * 0.25


def test_corpus_does_not_depend_on_tasks(world, tmp_path):
    """Task sizes change every task file but never the pretraining text (no labels leak in)."""
    other = build_world(WorldSettings(**{**TINY, "train_size": 13}), tmp_path / "w")
    for path in (world / "corpus").iterdir():
        assert path.read_bytes() == (other / "corpus" / path.name).read_bytes()
    corpus = " ".join(p.read_text() for p in (world / "corpus").iterdir()).lower()
    assert not any(w in corpus for w in ("entailment", "contradiction", "duplicate"))


def test_tags_aligned_with_tokens(world, settings):
    for lang in world_languages(settings):
        for split in ("dev", "test"):
            for r in rows(world, "udpos", lang, split):
                assert len(r["tokens"]) == len(r["pos_tags"]) and r["pos_tags"][-1] == UPOS.index("PUNCT")
            for r in rows(world, "panx", lang, split):
                tags = [NER[t] for t in r["ner_tags"]]
                assert len(r["tokens"]) == len(tags) == len(r["langs"]) and set(r["langs"]) == {lang}
                assert any(t != "O" for t in tags)  # every PAN-X sentence has an entity
                for prev, tag in zip(["O", *tags], tags):  # I-X only continues X
                    assert not tag.startswith("I-") or prev[2:] == tag[2:]
    en = rows(world, "udpos", "en", "train")
    pairs = {(w.lower(), UPOS[t]) for r in en for w, t in zip(r["tokens"], r["pos_tags"])}
    assert {("the", "DET"), ("not", "PART"), (".", "PUNCT"), ("will", "AUX")} <= pairs
    assert not any(w == "the" and t != "DET" for w, t in pairs)
    starts = {w for r in rows(world, "panx", "en", "train")
              for w, t in zip(r["tokens"], r["ner_tags"]) if NER[t].startswith("B-")}
    assert starts and all(w[:1].isupper() for w in starts)


def test_qa_answer_start_points_at_answer(world, settings):
    for lang in world_languages(settings):
        for task, split in (("squad", "train"), ("squad", "dev"), ("xquad", "test")):
            for r in rows(world, task, lang, split):
                (text,), (start,) = r["answers"]["text"], r["answers"]["answer_start"]
                assert text and r["context"][start:start + len(text)] == text
    ids = [r["id"] for r in rows(world, "xquad", "en", "test")]
    assert ids == [r["id"] for r in rows(world, "xquad", "xd", "test")] and len(set(ids)) == len(ids)


def test_bucc_gold_ids_exist(world, settings):
    for lang in world_languages(settings)[1:]:
        for split in ("sample", "training"):
            base = world / "bucc2018" / f"{lang}-en" / f"{lang}-en.{split}"
            src = dict(line.split("\t") for line in _lines(base.with_name(base.name + f".{lang}")))
            trg = dict(line.split("\t") for line in _lines(base.with_name(base.name + ".en")))
            gold = [line.split("\t") for line in _lines(base.with_name(base.name + ".gold"))]
            assert len(gold) == settings.bucc_pairs
            assert len(src) == len(trg) == settings.bucc_pairs + settings.bucc_distractors
            assert all(s in src and t in trg for s, t in gold)
            assert len({s for s, _ in gold}) == len({t for _, t in gold}) == len(gold)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_tatoeba_targets_are_unique_english(world, settings):
    en_words = _content_words(rows(world, "udpos", "en", "test"))
    for lang in world_languages(settings)[1:]:
        table = rows(world, "tatoeba", lang, "test")
        targets = [r["target_sentence"] for r in table]
        assert len(set(targets)) == len(targets) == settings.eval_size
        assert {(r["source_lang"], r["target_lang"]) for r in table} == {(lang, "en")}
        assert any(w.lower() in en_words for t in targets for w in t.split())


def test_settings_round_trip_and_reject_unknown_keys(settings):
    d = json.loads(json.dumps(settings.to_dict()))  # what a YAML file would hold
    assert WorldSettings.from_dict(d) == settings
    assert settings_hash(WorldSettings.from_dict(d)) == settings_hash(settings)
    assert settings_hash(dataclasses.replace(settings, alpha=0.5)) != settings_hash(settings)
    with pytest.raises(ValueError, match="'corpus_size'.*allowed: seed, languages"):
        WorldSettings.from_dict({"corpus_size": 10})
    with pytest.raises(ValueError, match="'tier'.*allowed: code, name"):
        WorldSettings.from_dict({"languages": [{"code": "xz", "name": "Z", "cc100_tokens_m": 1,
                                                "tier": "low"}]})
    with pytest.raises(ValueError, match="word_order='OSV'"):
        LanguageSpec("xz", "Z", 1.0, word_order="OSV")
    with pytest.raises(ValueError, match="unknown key 'layers'"):
        ModelSize.from_dict({**dataclasses.asdict(DEFAULT_SIZES["small"]), "layers": 3})


def test_settings_hash_is_stable_across_processes(settings):
    code = ("from stilts_utils.sandbox import WorldSettings, settings_hash; "
            f"print(settings_hash(WorldSettings(**{TINY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "123"})
    assert out.stdout.strip() == settings_hash(settings)


def test_pretrained_model_reloads_offline(world, settings, tmp_path):
    from tokenizers import Tokenizer
    from transformers import AutoModel, AutoModelForMaskedLM, AutoTokenizer

    out = pretrain_model(settings, TINY_MODEL, world, tmp_path / "model")
    metrics = json.loads((out / "pretrain_metrics.json").read_text())
    assert metrics["steps"] > 0 and math.isfinite(metrics["held_out_mlm_loss"])
    assert AutoModel.from_pretrained(out).config.hidden_size == TINY_MODEL.hidden_size
    _, info = AutoModelForMaskedLM.from_pretrained(out, output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"]
    tok = AutoTokenizer.from_pretrained(out)
    raw = Tokenizer.from_file(str(out / "tokenizer.json"))  # what was trained, without transformers
    texts = ["Ｍａｒｉａ saw ﬁve dogs in Paris.", "Τιω πιλα ωι?", "Сара Гарциа 7 редо."]
    assert tok.backend_tokenizer.normalizer is not None
    for text in texts:
        assert tok(text)["input_ids"] == raw.encode(text).ids
    assert tok(texts[0])["input_ids"] == tok("Maria saw five dogs in Paris.")["input_ids"]  # NFKC
    assert (tok.cls_token_id, tok.pad_token_id, tok.sep_token_id) == (0, 1, 2)
    assert list(tok("a", "b")) == ["input_ids", "attention_mask"]  # XLM-R has no token types
    stamp = (out / "COMPLETE").stat().st_mtime_ns
    assert pretrain_model(settings, TINY_MODEL, world, out) == out  # cached
    assert (out / "COMPLETE").stat().st_mtime_ns == stamp


def test_nli_train_factor_extends_mnli_train_only(world, settings, tmp_path):
    """More NLI rows: the same first rows plus new ones; every other task and the corpus unchanged."""
    more = build_world(WorldSettings(**{**TINY, "nli_train_factor": 8}), tmp_path / "nli")
    base, big = rows(world, "mnli", "en", "train"), rows(more, "mnli", "en", "train")
    assert len(base) == round(TINY["train_size"] * settings.nli_train_factor)
    assert len(big) == 8 * TINY["train_size"] and big[:len(base)] == base
    for rel in ("udpos/en/train.jsonl", "xnli/en/test.jsonl", "mnli/en/dev.jsonl", "corpus/en.txt"):
        assert (world / rel).read_bytes() == (more / rel).read_bytes(), rel
