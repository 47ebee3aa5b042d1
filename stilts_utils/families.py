"""Model-family facts, in one place: which architectures a study's models may come from, how deep and wide
a model is (from a loaded config or a config.json dict), the retrieval layer, the classification pooling and
the pretraining corpus its languages' volumes are counted in.

A leaf: standard library only, so that study validation reads it without torch or transformers.
"""
from __future__ import annotations

# Architecture families a real study's models may come from, by the `model_type` of their config.json: how
# the encoder is loaded ("auto": AutoModel; "t5-encoder": the encoder stack of a T5-family model) and the
# pooling its classification head uses. Any hub id or local directory of one of these families works; sizes
# are read from each model's config at run time. `corpus`: the pretraining corpus of the family's multilingual
# models, in which the analysis counts each language's volume (reference.CORPORA; a study may name another
# per model, `model_settings: {<model>: {volume_corpus: ...}}`): XLM-R and mDeBERTa-v3 CC-100, mBERT
# Wikipedia, mT5/umT5 mC4.
FAMILIES = {
    "xlm-roberta": {"model_types": ("xlm-roberta",), "loader": "auto", "pooling": "cls", "corpus": "cc100"},
    "bert": {"model_types": ("bert",), "loader": "auto", "pooling": "cls", "corpus": "wikipedia"},  # mBERT
    "deberta-v2": {"model_types": ("deberta-v2",), "loader": "auto", "pooling": "cls",
                   "corpus": "cc100"},  # mDeBERTa-v3
    "t5": {"model_types": ("t5", "mt5", "umt5"), "loader": "t5-encoder", "pooling": "mean",
           "corpus": "mc4"},  # mT5, umT5
}
# With trust_remote_code a model brings its own architecture: AutoModel, first-token pooling; its corpus is
# unknown here (CC-100 unless the study names one).
REMOTE_CODE_FAMILY = {"model_types": (), "loader": "auto", "pooling": "cls", "corpus": "cc100"}
# Names of the corpora a volume may be counted in (reference.CORPORA holds their columns and titles).
CORPORA = ("cc100", "mc4", "wikipedia")

# How the authors of a family fine-tune it, for a study's `model_settings` (not applied by itself: a run's
# identity comes from the study file alone, and a hub model's family is only known once its config is read).
# mT5 (Xue et al. 2021, §4 "For fine-tuning, we use a constant learning rate of 0.001") inherits T5's
# optimizer, Adafactor (Raffel et al. 2020; "we always use a learning rate of 1e-3", huggingface/transformers
# #13240). The others: AdamW with linear warm-up and decay, as XLM-R's and jiant's recipes.
FINE_TUNING = {"t5": {"optimizer": "adafactor", "lr": 1e-3, "schedule": "constant"}}

# Retrieval uses hidden_states[14] of XLM-R Large's 24 layers (jiant/XTREME); other depths scale it.
RETRIEVAL_LAYER_FRACTION = 14 / 24


def family_of(model_type: str) -> str | None:
    """The family name of a config's `model_type`, None when no supported family has it."""
    return next((name for name, f in FAMILIES.items() if model_type in f["model_types"]), None)


def families_text() -> str:
    return ", ".join(f"{name} ({'/'.join(f['model_types'])})" for name, f in FAMILIES.items())


def _get(config, key: str):
    """A field of a loaded config object or of a config.json dict; None when absent."""
    return config.get(key) if isinstance(config, dict) else getattr(config, key, None)


def family(config) -> dict:
    """The architecture family of a config (a trust_remote_code model: AutoModel, cls pooling)."""
    name = family_of(_get(config, "model_type") or "")
    return FAMILIES[name] if name else REMOTE_CODE_FAMILY


def is_t5(config) -> bool:
    return family(config)["loader"] == "t5-encoder"


def pooling(config) -> str:
    """Pooling of the classification head: the family's (mean for T5-family encoders, else the first token)."""
    return family(config)["pooling"]


def depth(config) -> int | None:
    """Encoder layers: `num_hidden_layers` (BERT-like) or `num_layers` (T5-like); None when neither is given."""
    value = _get(config, "num_hidden_layers") or _get(config, "num_layers")
    return value if isinstance(value, int) else None


def hidden_size(config) -> int:
    """Width of the encoder's hidden states: `hidden_size`, or `d_model` (T5-like)."""
    return _get(config, "hidden_size") or _get(config, "d_model")


def default_retrieval_layer(layers: int) -> int:
    """The default retrieval layer of a `layers`-deep encoder: 14/24 of the depth (XLM-R Large: 14, Base: 7)."""
    return max(1, round(layers * RETRIEVAL_LAYER_FRACTION))


def retrieval_layer(config, layer: int = -1) -> int:
    """hidden_states index used for retrieval: the setting, or 14/24 of the depth (XLM-R Large: 14)."""
    layers = depth(config)
    if layers is None:
        raise ValueError("the model's config gives no layer count (num_hidden_layers or num_layers)")
    if layer >= 0:
        if layer > layers:
            raise ValueError(f"retrieval.layer {layer} exceeds the model's {layers} layers")
        return layer
    return default_retrieval_layer(layers)
