"""SentencePiece-only model directories (mT5- and mDeBERTa-style: spiece.model / spm.model and configs, no
tokenizer.json) load through the hub's code path (`load_tokenizer`) and run both phases.

Converting a SentencePiece model into a fast tokenizer needs `protobuf` (without it transformers falls back
to asking for `tiktoken`): pinned in requirements.txt and environment.yml."""
from pathlib import Path

import pytest

from stilts_utils.model.encoders import load_encoder, load_tokenizer
from tiny_models import ONE_PER_KIND, SPM_KINDS, SPM_LAYOUT, build_spm_model, run_both_phases

ROOT = Path(__file__).resolve().parents[1]
TINY_TRAIN = {"max_steps": 2, "batch_size": 2, "lr": 0.001, "max_seq_len": 64, "doc_stride": 24,
              "max_query_len": 16, "eval_every": 1, "eval_subset": 4, "eval_batch_size": 4}


@pytest.fixture(scope="module")
def spm_dirs(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("spm_models")
    return {kind: build_spm_model(kind, root / kind) for kind in SPM_KINDS}


def test_protobuf_is_pinned_and_installed():
    import google.protobuf

    for name in ("requirements.txt", "environment.yml"):
        text = (ROOT / name).read_text()
        assert f"protobuf=={google.protobuf.__version__}" in text, name


@pytest.mark.parametrize("kind", SPM_KINDS)
def test_sentencepiece_only_directory_loads_like_the_hub_repo(kind, spm_dirs):
    path = spm_dirs[kind]
    files = {p.name for p in path.iterdir()}
    assert SPM_LAYOUT[kind][0] in files and "tokenizer.json" not in files
    tokenizer, encoder = load_tokenizer(str(path)), load_encoder(str(path))
    assert len(tokenizer) <= encoder.config.vocab_size
    ids = tokenizer("Ich habe Hunger.", "I am hungry.")["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    if kind == "mt5-spm":  # `a </s> b </s>`, no CLS
        assert tokens[-1] == "</s>" and tokens.count("</s>") == 2 and tokenizer.cls_token is None
    else:  # `[CLS] a [SEP] b [SEP]`
        assert tokens[0] == "[CLS]" and tokens.count("[SEP]") == 2 and tokenizer.mask_token == "[MASK]"
    assert tokenizer.unk_token_id not in ids[:-1]  # the fixture text is covered by the trained pieces


@pytest.mark.slow
@pytest.mark.parametrize("kind", SPM_KINDS)
def test_sentencepiece_only_models_run_both_phases(kind, spm_dirs, tmp_path):
    """Phase 2 on MNLI, then one target per kind (classification, tagging, span QA, retrieval)."""
    model = str(spm_dirs[kind])
    langs = {t: ["de"] if t == "tatoeba" else ["en", "de"] for t in ONE_PER_KIND}
    for target, rows in zip(ONE_PER_KIND, run_both_phases(model, tmp_path, langs, TINY_TRAIN)):
        assert "de" in set(rows.language), (kind, target)
        assert rows.model_params.iloc[0] > 0 and (rows.intermediate_steps == 2).all()
        assert rows[rows.metric.isin(["accuracy", "f1"])].value.between(0, 100).all()
