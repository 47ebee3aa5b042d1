"""Tiny random models for offline tests: a tokenizer trained on the fixture text, 2 layers of hidden size 32.

`build_tiny_model(kind, out_dir)` writes a directory that `stilts_utils.model.encoders.load_encoder` and
`load_tokenizer` read without the hub. `build_spm_model(kind, out_dir)` writes one as the mT5 and mDeBERTa
hub repos ship it: a SentencePiece model (spiece.model / spm.model) and configs, no tokenizer.json, so
loading converts it (which needs `protobuf`). The tokenizers mimic the real ones' special-token layout: BERT
WordPiece `[CLS] a [SEP] b [SEP]`, XLM-R Unigram `<s> a </s></s> b </s>`, mDeBERTa Unigram `[CLS] a [SEP] b
[SEP]`, mT5 Unigram `a </s> b </s>` (no CLS).
"""
from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "data"
KINDS = ("xlm-roberta", "bert", "deberta-v2", "mt5")
VOCAB_SIZE = 600
SPECIALS = {  # in id order; names of the PreTrainedTokenizerFast special-token arguments
    "bert": {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
             "mask_token": "[MASK]"},
    "xlm-roberta": {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>",
                    "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>"},
    "deberta-v2": {"pad_token": "[PAD]", "cls_token": "[CLS]", "sep_token": "[SEP]", "unk_token": "[UNK]",
                   "mask_token": "[MASK]"},
    "mt5": {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"},
}
TEMPLATES = {  # (single, pair) post-processing templates
    "bert": ("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1"),
    "xlm-roberta": ("<s> $A </s>", "<s> $A </s> </s> $B </s>"),
    "deberta-v2": ("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1"),
    "mt5": ("$A </s>", "$A </s> $B </s>"),
}


# Fixture folders added after the pinned results (fixtures/e2e_results.csv): kept out of the tokenizers' corpus,
# so the tiny vocabulary, and with it every pinned value, stays as it was. (.json files, SQuAD-format data, too.)
NOT_IN_CORPUS = ("mewslix", "lareqa", "siqa", "mnli/de")  # folders below fixtures/data


def fixture_texts() -> list[str]:
    """Every string in the fixture files (jsonl values, tsv/raw lines): the tokenizers' training corpus."""
    texts = []

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted(FIXTURES.rglob("*")):
        rel = path.relative_to(FIXTURES).as_posix()
        if not path.is_file() or rel.startswith(tuple(f"{d}/" for d in NOT_IN_CORPUS)) or path.suffix == ".json":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if path.suffix == ".jsonl":
                walk(json.loads(line))
            elif line.strip():
                texts.append(line.split("\t")[-1] if path.suffix != ".tsv" else line.split("\t")[0])
    return texts


def _counted_pieces(specials: list[str], start: str, inner: str) -> list[tuple[str, float]]:
    """Specials, every character (word-initial `start`+c and inside a word `inner`+c), then the most
    frequent whole words, with log-frequency scores. Built by counting instead of with the Unigram or
    WordPiece trainers, whose vocabularies differ from run to run on identical text: the tests pin
    results, so the tiny models must come out the same each time. Ties break alphabetically."""
    import math
    import re
    import unicodedata
    from collections import Counter

    # words without punctuation, so that no piece straddles a word and a full stop (an answer's end)
    words = Counter(w for t in fixture_texts() for w in re.findall(r"\w+|[^\w\s]", unicodedata.normalize("NFKC", t)))
    chars = Counter()
    for word, n in words.items():
        chars[start + word[0]] += n
        chars.update({inner + c: n for c in word[1:]})
    if start:
        chars[start] += 1
    base = sorted(chars.items(), key=lambda x: (-x[1], x[0]))
    room = max(0, VOCAB_SIZE - len(specials) - len(base))
    top = sorted(((start + w, n) for w, n in words.items() if len(w) > 1), key=lambda x: (-x[1], x[0]))[:room]
    total = sum(n for _, n in base + top)
    return [(s, 0.0) for s in specials] + [(p, math.log(n / total)) for p, n in base + top]


def _tokenizer(kind: str):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = list(dict.fromkeys(SPECIALS[kind].values()))  # unique, in id order
    unk = SPECIALS[kind]["unk_token"]
    if kind == "bert":
        pieces = _counted_pieces(specials, "", "##")
        tok = Tokenizer(models.WordPiece({p: i for i, (p, _) in enumerate(pieces)}, unk_token=unk))
        tok.normalizer = normalizers.BertNormalizer(lowercase=False)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.decoder = decoders.WordPiece()
    else:
        tok = Tokenizer(models.Unigram(_counted_pieces(specials, "▁", ""), unk_id=specials.index(unk)))
        tok.normalizer = normalizers.NFKC()
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tok.decoder = decoders.Metaspace()
    single, pair = TEMPLATES[kind]
    used = {t for t in (single + " " + pair).split() if t in specials}
    tok.post_processor = processors.TemplateProcessing(
        single=single, pair=pair, special_tokens=[(t, tok.token_to_id(t)) for t in sorted(used)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=512, **SPECIALS[kind])


def _model(kind: str, tokenizer):
    import torch
    from transformers import (BertConfig, BertModel, DebertaV2Config, DebertaV2Model, MT5Config, MT5EncoderModel,
                              XLMRobertaConfig, XLMRobertaModel)

    torch.manual_seed(0)
    size = {"vocab_size": len(tokenizer), "pad_token_id": tokenizer.pad_token_id}
    layers = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}
    if kind == "bert":
        return BertModel(BertConfig(**size, **layers, max_position_embeddings=512))
    if kind == "xlm-roberta":  # positions start after padding_idx, as in XLM-R
        return XLMRobertaModel(XLMRobertaConfig(**size, **layers, max_position_embeddings=514,
                                                bos_token_id=tokenizer.bos_token_id,
                                                eos_token_id=tokenizer.eos_token_id))
    if kind == "deberta-v2":  # mDeBERTa-v3's layout: relative positions only, no token types
        return DebertaV2Model(DebertaV2Config(**size, **layers, max_position_embeddings=512, relative_attention=True,
                                              position_buckets=64, pos_att_type=["p2c", "c2p"],
                                              position_biased_input=False, type_vocab_size=0))
    if kind == "mt5":
        return MT5EncoderModel(MT5Config(**size, d_model=32, d_kv=16, d_ff=64, num_layers=2, num_heads=2,
                                         eos_token_id=tokenizer.eos_token_id,
                                         decoder_start_token_id=tokenizer.pad_token_id))
    raise ValueError(f"unknown tiny model kind {kind!r}; known: {KINDS}")


def build_tiny_model(kind: str, out_dir) -> Path:
    """Train the tokenizer, build a random 2-layer model and save both under `out_dir`."""
    out = Path(out_dir)
    if kind not in KINDS:
        raise ValueError(f"unknown tiny model kind {kind!r}; known: {KINDS}")
    tokenizer = _tokenizer(kind)
    _model(kind, tokenizer).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


# ---- SentencePiece-only directories (as google/mt5-* and microsoft/mdeberta-v3-base ship them) ------------

SPM_KINDS = ("mt5-spm", "deberta-v2-spm")
SPM_LAYOUT = {  # model file name, special pieces (id order), tokenizer_config.json as the hub repos have it
    "mt5-spm": ("spiece.model", {"pad_piece": "<pad>", "eos_piece": "</s>", "unk_piece": "<unk>"},
                {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "extra_ids": 0,
                 "tokenizer_class": "T5Tokenizer"}),
    "deberta-v2-spm": ("spm.model", {"pad_piece": "[PAD]", "bos_piece": "[CLS]", "eos_piece": "[SEP]",
                                     "unk_piece": "[UNK]"},
                       {"do_lower_case": False, "vocab_type": "spm"}),
}


def _train_spm(kind: str) -> bytes:
    import io

    import sentencepiece as spm

    _, pieces, _ = SPM_LAYOUT[kind]
    ids = ({"pad_id": 0, "eos_id": 1, "unk_id": 2, "bos_id": -1} if kind == "mt5-spm"
           else {"pad_id": 0, "bos_id": 1, "eos_id": 2, "unk_id": 3, "user_defined_symbols": ["[MASK]"]})
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(fixture_texts()), model_writer=buf, vocab_size=VOCAB_SIZE,
                                   model_type="unigram", hard_vocab_limit=False, character_coverage=1.0,
                                   num_threads=1, minloglevel=2, **ids, **pieces)
    return buf.getvalue()


def build_spm_model(kind: str, out_dir) -> Path:
    """A SentencePiece model trained on the fixture text plus a random 2-layer encoder, without tokenizer.json."""
    import torch
    from transformers import DebertaV2Config, DebertaV2Model, MT5Config, MT5EncoderModel

    if kind not in SPM_KINDS:
        raise ValueError(f"unknown SentencePiece model kind {kind!r}; known: {SPM_KINDS}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_file, _, tokenizer_config = SPM_LAYOUT[kind]
    proto = _train_spm(kind)
    (out / model_file).write_bytes(proto)
    (out / "tokenizer_config.json").write_text(json.dumps(tokenizer_config))
    import sentencepiece as spm

    vocab = spm.SentencePieceProcessor(model_proto=proto).get_piece_size()
    torch.manual_seed(0)
    if kind == "mt5-spm":
        model = MT5EncoderModel(MT5Config(vocab_size=vocab, d_model=32, d_kv=16, d_ff=64, num_layers=2, num_heads=2,
                                          pad_token_id=0, eos_token_id=1, decoder_start_token_id=0))
    else:
        model = DebertaV2Model(DebertaV2Config(vocab_size=vocab, hidden_size=32, num_hidden_layers=2,
                                               num_attention_heads=2, intermediate_size=64, pad_token_id=0,
                                               max_position_embeddings=512, relative_attention=True,
                                               position_buckets=64, pos_att_type=["p2c", "c2p"],
                                               position_biased_input=False, type_vocab_size=0))
    model.save_pretrained(out)
    assert not (out / "tokenizer.json").exists()
    return out


ONE_PER_KIND = ["xnli", "udpos", "xquad", "tatoeba"]  # classification, tagging, span QA, retrieval


def run_both_phases(model: str, out: Path, target_languages: dict, train: dict) -> list:
    """Phase 2 on the fixture MNLI, then one target of each kind on that encoder, in-process; the rows."""
    import yaml

    from stilts_utils.phases import pipeline

    data = {"world": "xtreme", "models": [model], "intermediate": ["none", "mnli"], "targets": ONE_PER_KIND,
            "target_languages": target_languages,
            "data_dirs": {t: str(FIXTURES) for t in ["mnli", "squad", *ONE_PER_KIND]},
            "phase2": train, "phase3": train, "retrieval": {"max_seq_len": 32, "batch_size": 4},
            "output_root": str(out / "outputs")}
    path = out / "both_phases.yaml"
    path.write_text(yaml.safe_dump(data))
    pipeline.train_intermediate(str(path), model, "", "mnli", "en", 0)
    return [pipeline.run_pair(str(path), model, "", "mnli", "en", 1.0, t, 0) for t in ONE_PER_KIND]


# ---- a model that brings its own code (as hub repos with `auto_map` do) ---------------------------------

REMOTE_TYPE = "tiny-remote"  # no transformers class and no supported family has this model_type
REMOTE_CODE = {  # file name -> source, written beside config.json as a hub remote-code repo ships them
    "configuration_tiny_remote.py": '''from transformers import PretrainedConfig


class TinyRemoteConfig(PretrainedConfig):
    model_type = "tiny-remote"

    def __init__(self, vocab_size=600, hidden_size=32, num_hidden_layers=1, pad_token_id=1, **kwargs):
        self.vocab_size, self.hidden_size, self.num_hidden_layers = vocab_size, hidden_size, num_hidden_layers
        super().__init__(pad_token_id=pad_token_id, **kwargs)
''',
    "modeling_tiny_remote.py": '''import torch
from transformers import PreTrainedModel
from transformers.modeling_outputs import BaseModelOutput

from .configuration_tiny_remote import TinyRemoteConfig


class TinyRemoteModel(PreTrainedModel):
    """An embedding and one tanh layer: just enough to be an encoder."""

    config_class = TinyRemoteConfig
    base_model_prefix = "tiny"

    def __init__(self, config):
        super().__init__(config)
        self.embeddings = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.layer = torch.nn.Linear(config.hidden_size, config.hidden_size)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, output_hidden_states=None, return_dict=None, **kwargs):
        first = self.embeddings(input_ids)  # (B, L, H)
        last = torch.tanh(self.layer(first))
        return BaseModelOutput(last_hidden_state=last, hidden_states=(first, last) if output_hidden_states else None)
''',
}


def build_remote_code_model(out_dir) -> Path:
    """A tiny encoder whose config.json maps AutoConfig/AutoModel (`auto_map`) to .py files beside it, so it
    loads only with trust_remote_code=True; the tokenizer is the tiny XLM-R one (standard, no code)."""
    import importlib
    import sys

    import torch

    out = Path(out_dir)
    src = out.parent / f"{out.name}-src" / "tiny_remote_src"  # a package, so the relative import resolves
    src.mkdir(parents=True, exist_ok=True)
    (src / "__init__.py").write_text("")
    for name, code in REMOTE_CODE.items():
        (src / name).write_text(code)
    sys.path.insert(0, str(src.parent))
    try:
        config_mod = importlib.import_module("tiny_remote_src.configuration_tiny_remote")
        model_mod = importlib.import_module("tiny_remote_src.modeling_tiny_remote")
    finally:
        sys.path.remove(str(src.parent))
    tokenizer = _tokenizer("xlm-roberta")
    config_mod.TinyRemoteConfig.register_for_auto_class()
    model_mod.TinyRemoteModel.register_for_auto_class("AutoModel")
    torch.manual_seed(0)
    model = model_mod.TinyRemoteModel(config_mod.TinyRemoteConfig(vocab_size=len(tokenizer),
                                                                  pad_token_id=tokenizer.pad_token_id))
    model.save_pretrained(out)  # writes auto_map and copies both .py files (as `push_to_hub` of such a model)
    tokenizer.save_pretrained(out)
    return out
