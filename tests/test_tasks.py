"""Every registered task, generically: its fixture rows (real hub schema) load through `load_split` into the kind's
canonical columns, featurise for every tiny model architecture and score their own gold as perfect; plus the
registry's invariants against XTREME and the task-specific data rules (ANLI+, CCG, TyDiQA)."""
from types import SimpleNamespace

import pytest

from stilts_utils.data.hub import DataUnavailable
from stilts_utils.model.kinds import KINDS
from stilts_utils.evaluation.xtreme import TASK2LANGS
from stilts_utils.data.readers import UNSEEN_TAG, read_anliplus, with_data_labels
from stilts_utils.tasks import REGISTRY
from stilts_utils.tasks.languages import PANX, TYDIQA_NAMES, WIKIANN, XCOPA
from tiny_models import FIXTURES, KINDS as ARCHS

XTREME_R = {"copa", "xcopa", "wikiann", "siqa", "mewslix", "lareqa"}  # the later research question's additions
INTERMEDIATE = {"anliplus", "mnli", "qqp", "squad", "squad_v2", "hellaswag", "ccg", "cosmosqa", "commonsenseqa"}
TARGETS = {"xnli": 15, "pawsx": 7, "udpos": 33, "panx": 40, "xquad": 11, "mlqa": 7, "tydiqa": 9, "bucc2018": 4,
           "tatoeba": 36}
CANONICAL = {"classification": {"text_a", "text_b", "label"}, "multiple_choice": {"prompt", "choices", "label"},
             "span_qa": {"id", "context", "question", "answers"}, "tagging": {"tokens", "tags"},
             "retrieval": {"side", "id", "text", "gold"}, "dual_encoder": {"id", "query", "candidate_id", "candidate"}}

# (language, split) of every fixture file; a new task without fixtures fails test_every_task_has_fixtures.
EN3 = [("en", "train"), ("en", "dev"), ("en", "test")]
EN2 = [("en", "train"), ("en", "dev")]
CASES = {
    "mnli": EN3, "qqp": EN2, "squad": EN2, "anliplus": EN3, "squad_v2": EN2, "hellaswag": EN2, "ccg": EN3,
    "cosmosqa": EN2, "commonsenseqa": EN2, "copa": EN2, "siqa": EN2,
    "xnli": [(lang, s) for lang in ("en", "de", "zh") for s in ("dev", "test")],
    "pawsx": EN3 + [(lang, s) for lang in ("de", "zh") for s in ("dev", "test")],
    "udpos": EN3 + [(lang, s) for lang in ("de", "zh") for s in ("dev", "test")],
    "panx": EN3 + [(lang, s) for lang in ("de", "ar") for s in ("dev", "test")],
    "wikiann": EN3 + [(lang, s) for lang in ("de", "ar") for s in ("dev", "test")],
    "xquad": [("en", "test"), ("de", "test"), ("zh", "test")],
    "mlqa": [(lang, s) for lang in ("en", "zh", "de") for s in ("dev", "test")],
    "tydiqa": [("en", "train"), ("en", "test"), ("ar", "test")],  # no dev: XTREME keeps the last checkpoint
    "xcopa": [(lang, s) for lang in ("zh", "it") for s in ("dev", "test")],
    "bucc2018": [(lang, s) for lang in ("de", "zh") for s in ("dev", "test")],
    "tatoeba": [("de", "test"), ("zh", "test")],
    "mewslix": [("en", "train"), ("en", "dev"), ("de", "test"), ("es", "test")],
    "lareqa": [("en", "train"), ("en", "dev"), ("en", "test"), ("de", "test"), ("es", "test")],
}
SETTINGS = SimpleNamespace(max_seq_len=64, doc_stride=16, max_query_len=16, eval_batch_size=4)
TRAINED = sorted(n for n, t in REGISTRY.items() if t.trains)
def _task(name, study):
    return with_data_labels(REGISTRY[name], study)


def _marks(name):
    return []


# ---- registry invariants -----------------------------------------------------------------------------------

def test_xtreme_registry_has_nine_intermediate_and_nine_target_tasks():
    xtreme = {n: t for n, t in REGISTRY.items() if n not in XTREME_R}
    assert len(xtreme) == 18
    assert {n for n, t in xtreme.items() if t.role == "intermediate"} == INTERMEDIATE
    assert {n for n, t in xtreme.items() if t.role == "target"} == set(TARGETS)
    assert set(REGISTRY) == set(xtreme) | XTREME_R


def test_target_languages_are_xtremes():
    for name, count in TARGETS.items():
        langs = REGISTRY[name].languages
        assert len(langs) == len(set(langs)) == count, name
        assert set(langs) == set(TASK2LANGS[name]), name  # the scorer's own copy of evaluate.py's TASK2LANGS
    assert set(TYDIQA_NAMES) == set(REGISTRY["tydiqa"].languages)


# xtreme evaluate.py XTREME_TASK2LANGS @838c13b, typed out: the XTREME study's lists, which XTREME-R leaves alone.
XTREME_LANGS = {
    "pawsx": "de,en,es,fr,ja,ko,zh", "xnli": "ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh",
    "panx": "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,yo,my,zh,"
            "kk,tr,et,fi,hu",
    "udpos": "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,zh",
    "bucc2018": "de,fr,ru,zh",
    "tatoeba": "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,zh,kk,tr,et,"
               "fi,hu",
    "xquad": "en,es,de,el,ru,tr,ar,vi,th,zh,hi", "mlqa": "en,es,de,ar,hi,vi,zh", "tydiqa": "en,ar,bn,fi,id,ko,ru,sw,te",
}


def test_xtreme_study_languages_stay_xtremes(fixture_study):
    """XTREME-R's longer lists (`xtreme_r_languages`) change neither a study's languages nor XTREME scoring."""
    for name, text in XTREME_LANGS.items():
        langs = text.split(",")
        task = REGISTRY[name]
        assert sorted(task.languages) == sorted(langs) and len(task.languages) == len(langs), name
        assert sorted(fixture_study.world_impl.languages(task)) == sorted(langs), name  # what languages_for reads
        assert sorted(TASK2LANGS[name]) == sorted(langs), name
    assert set(TASK2LANGS) == set(XTREME_LANGS)
    assert set(REGISTRY["udpos"].xtreme_r_languages) - set(REGISTRY["udpos"].languages) == {"lt", "pl", "uk", "wo", "ro"}


def test_ranking_tasks_are_study_targets_and_score_only_is_empty():
    from stilts_utils.metrics import METRICS
    from stilts_utils.tasks import SCORE_ONLY, scored_tasks

    assert SCORE_ONLY == {} and list(scored_tasks()) == list(REGISTRY)
    for name in ("mewslix", "lareqa"):
        task = REGISTRY[name]
        assert task.role == "target" and task.metric == "map@20" and task.kind == "dual_encoder" in KINDS
        assert task.xtreme_format == "ranking" and task.scorer in METRICS and task.xtreme_r_languages


def test_recipes_train_tasks_of_the_target_kind_and_end_with_its_train_task():
    for name, task in REGISTRY.items():
        for stages in task.recipes.values():
            assert stages[-1] == task.train_task and all(REGISTRY[s].kind == task.kind for s in stages), name
    assert list(REGISTRY["xcopa"].recipes) == ["siqa-copa", "copa"]  # XTREME-R's first: the default


def test_xtreme_r_languages():
    assert REGISTRY["xcopa"].languages == tuple(XCOPA) and len(XCOPA) == 11
    assert len(WIKIANN) == len(set(WIKIANN)) == 48 and set(PANX) < set(WIKIANN)
    assert REGISTRY["wikiann"].languages == tuple(WIKIANN)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_task_fields_the_code_reads(name, fixture_study):
    task = _task(name, fixture_study)
    assert task.source.hf_id
    assert task.languages
    if "{name}" in (task.source.config or ""):  # the hub's own names must cover every language
        assert set(task.languages) <= set(task.source.lang_names)
    if task.role == "intermediate":
        assert task.languages == ("en",) and task.train_on is None and task.select_on is None
    for split in task.eval_splits:  # every scored split resolves to a hub split or to held-out train
        assert split in task.source.splits or (split == "dev" and task.dev_from_train > 0), split
    if task.kind in ("classification", "tagging"):
        assert len(task.labels) >= 2 and len(set(task.labels)) == len(task.labels)
    else:
        assert task.labels == ()
    assert (task.n_choices >= 2) == (task.kind == "multiple_choice")
    if task.scorer:
        from stilts_utils.metrics import METRICS
        assert task.scorer in METRICS
    if task.trains:
        assert task.train_size > 0
        train, select = REGISTRY[task.train_task], REGISTRY[task.select_task]
        assert "train" in train.source.splits
        assert "dev" in select.source.splits or select.dev_from_train > 0
        for other in (train, select):  # the head trained there must fit this task
            assert other.kind == task.kind and other.labels == REGISTRY[name].labels, other.name


# ---- fixtures load into the canonical columns ------------------------------------------------------------------

def test_every_task_has_fixtures():
    assert set(CASES) == set(REGISTRY)
    for name, cases in CASES.items():
        task = REGISTRY[name]
        langs = {lang for lang, _ in cases}
        assert langs <= set(task.languages) | {"en"}, name
        assert {s for _, s in cases} >= set(task.eval_splits), name  # every scored split is exercised
        if task.trains and task.train_task == name:
            assert ("en", "train") in cases, name
            assert ("en", "dev") in cases or task.xtreme_keeps_last, name  # held-out dev: its own test


def _check_rows(task, rows, lang):
    kind = task.kind
    assert set(rows.column_names) == CANONICAL[kind] and len(rows) > 0
    if kind == "classification":
        assert all(a for a in rows["text_a"]) and all(b for b in rows["text_b"])  # every task here is a pair task
        assert all(0 <= y < len(task.labels) for y in rows["label"])
    elif kind == "multiple_choice":
        for prompt, choices, label in zip(rows["prompt"], rows["choices"], rows["label"]):
            assert prompt and len(choices) == task.n_choices and all(choices) and 0 <= label < task.n_choices
    elif kind == "span_qa":
        for row in rows:
            texts, starts = row["answers"]["text"], row["answers"]["answer_start"]
            assert len(texts) == len(starts) and (texts or task.null_answer)
            for text, start in zip(texts, starts):
                assert row["context"][start:start + len(text)] == text, row["id"]
    elif kind == "tagging":
        for words, tags in zip(rows["tokens"], rows["tags"]):
            assert words and len(words) == len(tags) and all(0 <= t < len(task.labels) for t in tags)
    elif kind == "dual_encoder":  # query rows hold their relevant candidate; the pool is every candidate
        assert any(rows["id"]) and all(c and t for c, t in zip(rows["candidate_id"], rows["candidate"]))
        assert all(q for i, q in zip(rows["id"], rows["query"]) if i)
    else:
        ids = dict(zip(rows["id"], rows["side"]))
        assert set(rows["side"]) == {"src", "trg"}
        gold = [(i, g) for i, g in zip(rows["id"], rows["gold"]) if g]
        assert gold and all(ids.get(g) not in (None, ids[i]) for i, g in gold)  # gold ids exist, other side


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_fixture_rows_load_in_canonical_columns(name, fixture_rows, fixture_study):
    task = _task(name, fixture_study)
    for lang, split in CASES[name]:
        _check_rows(task, fixture_rows(name, lang, split), lang)


# ---- featurisation for every architecture ------------------------------------------------------------------

@pytest.fixture(scope="session")
def tokenizers(tiny_model_dirs):
    from stilts_utils.model.encoders import load_tokenizer

    return {arch: load_tokenizer(str(path)) for arch, path in tiny_model_dirs.items()}


def _pair_layout(tok):
    """A pair encoding's special-token prefix and suffix for this architecture ([CLS] .. [SEP], none .. </s>)."""
    ids, special = tok("a", "b")["input_ids"], set(tok.all_special_ids)
    lead = next(i for i, t in enumerate(ids) if t not in special)
    trail = next(i for i, t in enumerate(reversed(ids)) if t not in special)
    assert trail > 0
    return ids[:lead], ids[len(ids) - trail:]


def _check_features(task, rows, feats, tok):
    prefix, suffix = _pair_layout(tok)
    kind = task.kind
    if kind in ("classification", "multiple_choice"):
        assert list(feats["labels"]) == list(rows["label"])
        seqs = feats["input_ids"] if kind == "classification" else [c for cs in feats["input_ids"] for c in cs]
        if kind == "multiple_choice":
            assert all(len(cs) == task.n_choices for cs in feats["input_ids"])
        for ids in seqs:
            assert len(ids) <= SETTINGS.max_seq_len
            assert ids[:len(prefix)] == prefix and ids[-len(suffix):] == suffix
    elif kind == "span_qa":
        answers = {row["id"]: (row["context"], row["answers"]["text"]) for row in rows}
        found = set()
        for ex, start, end, offsets in zip(feats["example_id"], feats["start_positions"], feats["end_positions"],
                                           feats["offset_mapping"]):
            context, texts = answers[ex]
            if start == 0:
                continue
            assert texts and start <= end, ex  # unanswerable questions point at position 0 only
            assert context[offsets[start][0]:offsets[end][1]].strip() == texts[0].strip(), ex
            found.add(ex)
        assert found == {i for i, (_, texts) in answers.items() if texts}  # every answer lands in some window
    elif kind == "tagging":
        _check_windows(rows, feats, SETTINGS.max_seq_len)


def _check_windows(rows, feats, max_len):
    """Every word of every sentence has exactly one labelled position, in order, across its windows."""
    for ex, (words, tags) in enumerate(zip(rows["tokens"], rows["tags"])):
        mine = sorted((off, n, labels) for e, off, n, labels in
                      zip(feats["example"], feats["word_offset"], feats["n_words"], feats["labels"]) if e == ex)
        assert [off for off, _, _ in mine] == [sum(n for _, n, _ in mine[:i]) for i in range(len(mine))]
        assert [y for _, _, labels in mine for y in labels if y != -100] == list(tags)
    assert all(len(ids) <= max_len for ids in feats["input_ids"])


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("name", [pytest.param(n, marks=_marks(n)) for n in TRAINED])
def test_fixtures_featurize_for_every_architecture(name, arch, tokenizers, fixture_rows, fixture_study):
    task = _task(name, fixture_study)
    for lang, split in CASES[name]:
        rows = fixture_rows(name, lang, split)
        feats = KINDS[task.kind].featurize(rows, tokenizers[arch], task, SETTINGS)
        _check_features(task, rows, feats, tokenizers[arch])


@pytest.mark.parametrize("arch", ARCHS)
def test_long_udpos_sentence_is_split_into_windows_not_truncated(arch, tokenizers, tiny_model_dirs, fixture_rows):
    from stilts_utils.model.encoders import load_encoder
    from stilts_utils.model.heads import StiltsModel

    task, tok = REGISTRY["udpos"], tokenizers[arch]
    rows = fixture_rows("udpos", "en", "train")
    longest = max(range(len(rows)), key=lambda i: len(rows[i]["tokens"]))
    rows = rows.select([longest])
    assert len(rows[0]["tokens"]) > 40
    settings = SimpleNamespace(max_seq_len=16, eval_batch_size=4)
    feats = KINDS["tagging"].featurize(rows, tok, task, settings)
    assert len(feats) >= 3  # > 40 words cannot fit in 16-token windows
    _check_windows(rows, feats, 16)
    net = StiltsModel(load_encoder(str(tiny_model_dirs[arch])), KINDS["tagging"].make_head(32, len(task.labels), "cls"))
    preds = KINDS["tagging"].predict(net, feats, rows, task, tok, settings)
    assert len(preds[0]) == len(rows[0]["tokens"]) and set(preds[0]) <= set(task.labels)


@pytest.mark.parametrize("arch", ARCHS)
def test_truncate_protocol_cuts_long_sentences_as_xtreme_and_scores_only_kept_words(arch, tokenizers, tiny_model_dirs,
                                                                                   fixture_rows):
    """`protocol.long_sentences: truncate`: XTREME's utils_tag.py concatenates every word's sub-tokens with the
    label on the first, cuts both at the budget, and run_tag.py scores only the labelled positions left."""
    from stilts_utils.evaluation.scoring import score
    from stilts_utils.model.encoders import load_encoder
    from stilts_utils.model.heads import StiltsModel

    task, tok = REGISTRY["udpos"], tokenizers[arch]
    rows = fixture_rows("udpos", "en", "train")
    rows = rows.select([max(range(len(rows)), key=lambda i: len(rows[i]["tokens"]))])
    settings = SimpleNamespace(max_seq_len=16, eval_batch_size=4)
    feats = KINDS["tagging"].featurize(rows, tok, task, settings, long_sentences="truncate")
    sep_extra = tok.num_special_tokens_to_add(pair=True) - tok.num_special_tokens_to_add(pair=False) >= 2
    budget = 16 - tok.num_special_tokens_to_add(pair=False) - sep_extra  # run_tag.py: "- 3 for RoBERTa"
    words, tags = rows[0]["tokens"], rows[0]["tags"]
    xtreme = [y for w, t in zip(words, tags)
              for y in [t] + [-100] * (len(tok(w, add_special_tokens=False)["input_ids"] or [0]) - 1)][:budget]
    assert len(feats) == 1 and len(feats[0]["input_ids"]) <= 16
    if sep_extra:  # XTREME's xlmr frame: <s> ... </s></s>
        assert feats[0]["input_ids"][-2:] == [tok.sep_token_id] * 2
    assert [y for y in feats[0]["labels"] if y != -100] == [y for y in xtreme if y != -100]
    kept = feats[0]["n_words"]
    assert 0 < kept < len(words) and feats[0]["dropped"] == len(words) - kept
    net = StiltsModel(load_encoder(str(tiny_model_dirs[arch])), KINDS["tagging"].make_head(32, len(task.labels), "cls"))
    preds = KINDS["tagging"].predict(net, feats, rows, task, tok, settings)
    assert all(p is not None for p in preds[0][:kept]) and preds[0][kept:] == [None] * (len(words) - kept)
    gold = [[task.labels[t] for t in tags]]
    on_kept = score(task, "en", [preds[0][:kept]], [gold[0][:kept]])
    assert score(task, "en", preds, gold) == on_kept  # the cut words count neither way
    windows = KINDS["tagging"].featurize(rows, tok, task, settings)  # the default: nothing is lost
    assert sum(windows["n_words"]) == len(words) and set(windows["dropped"]) == {0}


# ---- every task scores its own gold as perfect (task.metric is a key its scorer returns) -------------------

@pytest.mark.parametrize("name", TRAINED)
def test_gold_predictions_score_100_on_the_headline_metric(name, fixture_rows, fixture_study):
    from stilts_utils.evaluation.scoring import headline, score

    task = _task(name, fixture_study)
    kind = KINDS[task.kind]
    for lang, split in CASES[name]:
        rows = fixture_rows(name, lang, split)
        gold = kind.gold(rows, task)
        preds = ({g["id"]: (g["answers"]["text"] or [""])[0] for g in gold} if task.kind == "span_qa" else gold)
        assert headline(task, score(task, lang, preds, gold)) == pytest.approx(100.0), (lang, split)


# ---- task-specific data rules ------------------------------------------------------------------------------

def test_tiny_models_load_offline_with_their_special_token_layout(tiny_model_dirs, tokenizers):
    import torch

    from stilts_utils.model.encoders import load_encoder

    first = {"bert": "[CLS]", "deberta-v2": "[CLS]", "xlm-roberta": "<s>", "mt5": None}
    for arch, path in tiny_model_dirs.items():
        tok, enc = tokenizers[arch], load_encoder(str(path))
        ids = tok("Das ist ein Test.", "这是测试")["input_ids"]
        tokens = tok.convert_ids_to_tokens(ids)
        assert (tokens[0] == first[arch]) if first[arch] else (tokens[0] not in tok.all_special_tokens), arch
        assert tokens[-1] in ("[SEP]", "</s>") and tok.cls_token == first[arch]
        hidden = enc(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long))
        assert tuple(hidden.last_hidden_state.shape) == (1, len(ids), 32)


def test_anliplus_merges_three_sources_with_gold_labels_only():
    task = REGISTRY["anliplus"]
    train = read_anliplus(task, "en", "train", FIXTURES)
    parts = list(train["part"])
    assert set(parts) == {"anli_r1", "anli_r2", "anli_r3", "mnli", "snli"}
    assert parts.count("snli") == 3  # the fixture's fourth SNLI row has label -1 (no gold) and is dropped
    assert len(train) == 3 * 2 + 4 + 3 and set(train["label"]) <= {0, 1, 2}
    assert len(set(parts[:5])) == 5  # round-robin: any prefix covers every part
    dev = read_anliplus(task, "en", "dev", FIXTURES)
    assert set(dev["part"]) == {"anli_r1", "anli_r2", "anli_r3"} and len(dev) == 6


def test_anliplus_part_missing_locally_says_where(tmp_path):
    with pytest.raises(DataUnavailable, match=r"anli_r1/en/train\.jsonl"):
        read_anliplus(REGISTRY["anliplus"], "en", "train", tmp_path)


def test_ccg_tag_set_comes_from_the_training_file(fixture_study, fixture_rows):
    task = _task("ccg", fixture_study)
    train_tags = {line.split("\t")[1] for line in (FIXTURES / "ccg/en/train.tsv").read_text().splitlines() if line}
    assert task.labels == tuple(sorted(train_tags)) + (UNSEEN_TAG,)
    dev = fixture_rows("ccg", "en", "dev")
    named = KINDS["tagging"].gold(dev, task)
    assert named[1][2] == UNSEEN_TAG  # "(S\NP)/(S\NP)" appears in dev only
    assert named[0] == ["N", "S[dcl]\\NP", "."]
    assert with_data_labels(REGISTRY["udpos"], fixture_study) is REGISTRY["udpos"]


def test_ccg_without_data_dir_says_what_the_data_is_and_where_it_goes():
    from stilts_utils.data.loading import load_split
    from stilts_utils.study.worlds import HubWorld

    study = SimpleNamespace(world="xtreme", data_dirs={}, trust_remote_code=[])
    study.world_impl = HubWorld(study)

    with pytest.raises(DataUnavailable) as err:
        load_split("ccg", "en", "train", study)
    for words in ("CCGbank", "LDC2005T13", "supertag", "DIR/ccg/en/", "data_dirs"):
        assert words in str(err.value)


def test_ccg_rejects_malformed_lines(tmp_path):
    from stilts_utils.data.readers import ccg_tags

    (tmp_path / "ccg" / "en").mkdir(parents=True)
    (tmp_path / "ccg" / "en" / "train.tsv").write_text("Prices\tN\nfell S[dcl]\\NP\n")
    with pytest.raises(ValueError, match=r"train\.tsv:2"):
        ccg_tags(REGISTRY["ccg"], tmp_path)


def test_tydiqa_trains_on_all_english_train_by_default_and_held_out_is_a_setting(fixture_rows, fixture_study):
    from stilts_utils.data.loading import load_split
    from stilts_utils.study.config import ProtocolSettings

    raw = [line for line in (FIXTURES / "tydiqa/en/train.jsonl").read_text().splitlines()]
    n_english = sum('"id": "english-' in line for line in raw)
    assert n_english < len(raw)  # the fixture mixes languages, as the hub split does
    train = fixture_rows("tydiqa", "en", "train")  # XTREME: every English train row, last checkpoint
    assert len(train) == n_english and all(i.startswith("english-") for i in train["id"])
    held = SimpleNamespace(**vars(fixture_study), protocol=ProtocolSettings(selection="held_out"))
    train, dev = load_split("tydiqa", "en", "train", held), load_split("tydiqa", "en", "dev", held)
    assert all(i.startswith("english-") for i in list(train["id"]) + list(dev["id"]))
    assert len(dev) == 1 and len(train) == n_english - 1 and not set(train["id"]) & set(dev["id"])
    assert ProtocolSettings().keeps_last(REGISTRY["tydiqa"]) and not ProtocolSettings("seqeval-0.0.12",
                                                                                      "held_out").keeps_last(REGISTRY["tydiqa"])
    for lang in ("en", "ar"):
        ids = list(fixture_rows("tydiqa", lang, "test")["id"])
        assert ids and all(i.startswith(TYDIQA_NAMES[lang] + "-") for i in ids)
